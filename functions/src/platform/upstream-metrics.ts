/**
 * Podero's side of the picture, as metrics: how many attempts it answered, rate-limited, failed or let time
 * out, and how long they took, so that "Podero is down" can be told apart from "the bridge is broken"
 * (the functions' own errors and the API's 5xx have their own alarms). Attempts are counted as the client
 * observes them (retries included), in total and per client operation.
 */
import type { AttemptObservation } from '@podero-bridge/podero-client';
import { type MetricEntry, type MetricsSink, MetricUnit } from './observability';

export const UPSTREAM_METRICS = {
  requests: 'PoderoRequests',
  rateLimited: 'PoderoRateLimited',
  serverErrors: 'PoderoServerErrors',
  timeouts: 'PoderoTimeouts',
  networkErrors: 'PoderoNetworkErrors',
  latency: 'PoderoLatency',
} as const;

const COUNTED: Partial<Record<AttemptObservation['outcome'], string>> = {
  rate_limited: UPSTREAM_METRICS.rateLimited,
  server_error: UPSTREAM_METRICS.serverErrors,
  timeout: UPSTREAM_METRICS.timeouts,
  network: UPSTREAM_METRICS.networkErrors,
};

/** CloudWatch's embedded metric format takes at most 100 values per metric and document. */
export const MAX_LATENCY_VALUES = 100;

/** The dimension that breaks Podero's metrics down by client operation (`heatPumps.get`, `oauth.token`). */
export const OPERATION_DIMENSION = 'operation';

/**
 * Attempts counted by kind, and a uniform sample of at most MAX_LATENCY_VALUES answer latencies (reservoir
 * sampling): a sync pass makes thousands of attempts, and the sample keeps the percentiles honest and the
 * document inside EMF's limit.
 */
class Tally {
  private readonly counts = new Map<string, number>();
  private readonly latencies: number[] = [];
  private answers = 0;

  constructor(private readonly random: () => number) {}

  add(observation: AttemptObservation): void {
    this.count(UPSTREAM_METRICS.requests);
    const counted = COUNTED[observation.outcome];
    if (counted) this.count(counted);
    // Latency of answers only: a timeout's duration is the timeout, not Podero's speed.
    if (observation.outcome === 'timeout' || observation.outcome === 'network') return;
    this.answers++;
    const ms = Math.round(observation.durationMs);
    if (this.latencies.length < MAX_LATENCY_VALUES) this.latencies.push(ms);
    else {
      const slot = Math.floor(this.random() * this.answers);
      if (slot < MAX_LATENCY_VALUES) this.latencies[slot] = ms;
    }
  }

  /** Each kind reported, 0 included (a rate needs its zeros); then one value per sampled answer. */
  entries(): MetricEntry[] {
    const entries: MetricEntry[] = [];
    for (const name of Object.values(UPSTREAM_METRICS)) {
      if (name !== UPSTREAM_METRICS.latency)
        entries.push({ name, unit: MetricUnit.Count, value: this.counts.get(name) ?? 0 });
    }
    for (const ms of this.latencies)
      entries.push({ name: UPSTREAM_METRICS.latency, unit: MetricUnit.Milliseconds, value: ms });
    return entries;
  }

  private count(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
}

/**
 * Collects attempts between two publishes (one invocation, in Lambda): the totals go with the invocation's
 * other metrics (the PoderoFailing alarm watches them), and the same figures per operation each go in a
 * document of their own, so that a dashboard shows which Podero call is slow or failing.
 */
export class UpstreamMetrics {
  private total: Tally;
  private perOperation = new Map<string, Tally>();

  constructor(private readonly random: () => number = Math.random) {
    this.total = new Tally(random);
  }

  /** The client's `observe` hook. */
  readonly observe = (observation: AttemptObservation): void => {
    this.total.add(observation);
    let tally = this.perOperation.get(observation.operation);
    if (!tally) {
      tally = new Tally(this.random);
      this.perOperation.set(observation.operation, tally);
    }
    tally.add(observation);
  };

  /** Adds what was collected to `metrics` (nothing at all when there was no request), and starts over. */
  flushInto(metrics: MetricsSink): void {
    if (this.perOperation.size > 0) {
      // One value per answer: EMF keeps them all, so CloudWatch's percentiles are over every answer.
      for (const entry of this.total.entries()) metrics.addMetric(entry.name, entry.unit, entry.value);
      for (const [operation, tally] of this.perOperation)
        metrics.publishWithDimensions({ [OPERATION_DIMENSION]: operation }, tally.entries());
    }
    this.total = new Tally(this.random);
    this.perOperation = new Map();
  }
}
