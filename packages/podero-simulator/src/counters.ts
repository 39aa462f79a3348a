/** Request counters per route template and status, plus token issuances (for the token economy). */
/** Seconds of arrivals kept for `requests_per_second` (older ones are dropped). */
const ARRIVAL_SECONDS_KEPT = 3600;

export class Counters {
  private tokenIssuances = 0;
  private readonly requests = new Map<string, Map<string, number>>();
  /** Requests (every route but `/__sim/`) by the wall-clock second they arrived in, before latency and faults. */
  private readonly arrivals = new Map<number, number>();

  /** A request arrived (epoch ms, wall clock: the rate a partner's ceiling is about). */
  arrived(atMs: number): void {
    const second = Math.floor(atMs / 1000);
    this.arrivals.set(second, (this.arrivals.get(second) ?? 0) + 1);
    if (this.arrivals.size > ARRIVAL_SECONDS_KEPT) {
      const oldest = this.arrivals.keys().next().value;
      if (oldest !== undefined) this.arrivals.delete(oldest);
    }
  }

  tokenIssued(): void {
    this.tokenIssuances += 1;
  }

  /** `outcome` is an HTTP status, or `timeout` / `dropped` for injected faults. */
  record(routeKey: string, outcome: number | 'timeout' | 'dropped'): void {
    let byOutcome = this.requests.get(routeKey);
    if (!byOutcome) {
      byOutcome = new Map();
      this.requests.set(routeKey, byOutcome);
    }
    const key = String(outcome);
    byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1);
  }

  reset(): void {
    this.tokenIssuances = 0;
    this.requests.clear();
    this.arrivals.clear();
  }

  snapshot(): CountersSnapshot {
    const requests: Record<string, Record<string, number>> = {};
    for (const [route, byOutcome] of this.requests) requests[route] = Object.fromEntries(byOutcome);
    const perSecond = [...this.arrivals.entries()].sort(([a], [b]) => a - b);
    const peak = perSecond.reduce((max, [, count]) => Math.max(max, count), 0);
    return {
      token_issuances: this.tokenIssuances,
      requests,
      requests_per_second: {
        peak,
        seconds: Object.fromEntries(perSecond.map(([second, count]) => [String(second), count])),
      },
    };
  }
}

export interface CountersSnapshot {
  token_issuances: number;
  requests: Record<string, Record<string, number>>;
  /** Arrivals per wall-clock second (epoch seconds as keys; the last hour), and the busiest second's count. */
  requests_per_second: { peak: number; seconds: Record<string, number> };
}
