/** Request counters per route template and status, plus token issuances (for the token economy). */
export class Counters {
  private tokenIssuances = 0;
  private readonly requests = new Map<string, Map<string, number>>();

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
  }

  snapshot(): CountersSnapshot {
    const requests: Record<string, Record<string, number>> = {};
    for (const [route, byOutcome] of this.requests) requests[route] = Object.fromEntries(byOutcome);
    return { token_issuances: this.tokenIssuances, requests };
  }
}

export interface CountersSnapshot {
  token_issuances: number;
  requests: Record<string, Record<string, number>>;
}
