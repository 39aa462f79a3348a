/**
 * Podero's side of the picture, as metrics: how many attempts it answered, rate-limited, failed or let time
 * out, and how long they took, so that "Podero is down" can be told apart from "the bridge is broken"
 * (the functions' own errors and the API's 5xx have their own alarms). Attempts are counted as the client
 * observes them (retries included) and published with the invocation's other metrics.
 */
import type { AttemptObservation } from '@podero-bridge/podero-client';
import { type MetricsSink, MetricUnit } from './observability';

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

/**
 * Collects attempts between two publishes (one invocation, in Lambda). A sync pass makes thousands of
 * attempts: its latencies are kept as a uniform sample of MAX_LATENCY_VALUES (reservoir sampling), which
 * keeps the percentiles honest and the document inside EMF's limit.
 */
export class UpstreamMetrics {
  private counts = new Map<string, number>();
  private latencies: number[] = [];
  private answers = 0;

  constructor(private readonly random: () => number = Math.random) {}

  /** The client's `observe` hook. */
  readonly observe = (observation: AttemptObservation): void => {
    this.add(UPSTREAM_METRICS.requests);
    const counted = COUNTED[observation.outcome];
    if (counted) this.add(counted);
    // Latency of answers only: a timeout's duration is the timeout, not Podero's speed.
    if (observation.outcome !== 'timeout' && observation.outcome !== 'network') {
      this.answers++;
      const ms = Math.round(observation.durationMs);
      if (this.latencies.length < MAX_LATENCY_VALUES) this.latencies.push(ms);
      else {
        const slot = Math.floor(this.random() * this.answers);
        if (slot < MAX_LATENCY_VALUES) this.latencies[slot] = ms;
      }
    }
  };

  /** Adds what was collected to `metrics` (each failure kind reported, 0 included, once there was a request). */
  flushInto(metrics: MetricsSink): void {
    const requests = this.counts.get(UPSTREAM_METRICS.requests) ?? 0;
    if (requests > 0) {
      for (const name of Object.values(UPSTREAM_METRICS)) {
        if (name !== UPSTREAM_METRICS.latency)
          metrics.addMetric(name, MetricUnit.Count, this.counts.get(name) ?? 0);
      }
      // One value per answer: EMF keeps them all, so CloudWatch's percentiles are over every answer.
      for (const ms of this.latencies)
        metrics.addMetric(UPSTREAM_METRICS.latency, MetricUnit.Milliseconds, ms);
    }
    this.counts = new Map();
    this.latencies = [];
    this.answers = 0;
  }

  private add(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
}
