import type { AttemptObservation } from '@podero-bridge/podero-client';
import { describe, expect, it } from 'vitest';
import { createRecordingMetrics } from './observability';
import { MAX_LATENCY_VALUES, UPSTREAM_METRICS, UpstreamMetrics } from './upstream-metrics';

const attempt = (outcome: AttemptObservation['outcome'], durationMs = 12.4): AttemptObservation => ({
  method: 'GET',
  path: '/api/partners/v2.0/org/o/users',
  outcome,
  durationMs,
});

const totals = (recorded: { name: string; value: number }[]) =>
  Object.fromEntries(
    Object.values(UPSTREAM_METRICS)
      .filter((n) => n !== UPSTREAM_METRICS.latency)
      .map((name) => [name, recorded.filter((r) => r.name === name).reduce((a, r) => a + r.value, 0)]),
  );

describe('UpstreamMetrics', () => {
  it('counts every attempt and each kind of failure (zeros included), and the latency of answers only', () => {
    const upstream = new UpstreamMetrics();
    for (const outcome of [
      'success',
      'success',
      'client_error',
      'rate_limited',
      'server_error',
      'timeout',
      'network',
    ] as const) {
      upstream.observe(attempt(outcome, outcome === 'timeout' ? 5_000 : 10));
    }
    const metrics = createRecordingMetrics();
    upstream.flushInto(metrics);
    expect(totals(metrics.recorded)).toEqual({
      PoderoRequests: 7,
      PoderoRateLimited: 1,
      PoderoServerErrors: 1,
      PoderoTimeouts: 1,
      PoderoNetworkErrors: 1,
    });
    const latencies = metrics.recorded.filter((r) => r.name === UPSTREAM_METRICS.latency).map((r) => r.value);
    expect(latencies).toEqual([10, 10, 10, 10, 10]);
  });

  it('publishes nothing without a request, and starts over after a flush', () => {
    const upstream = new UpstreamMetrics();
    const empty = createRecordingMetrics();
    upstream.flushInto(empty);
    expect(empty.recorded).toEqual([]);
    upstream.observe(attempt('server_error'));
    upstream.flushInto(createRecordingMetrics());
    const after = createRecordingMetrics();
    upstream.observe(attempt('success'));
    upstream.flushInto(after);
    expect(totals(after.recorded)).toMatchObject({ PoderoRequests: 1, PoderoServerErrors: 0 });
  });

  it('keeps a uniform sample of at most 100 latencies for a long run', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const upstream = new UpstreamMetrics(random);
    for (let i = 0; i < 10_000; i++) upstream.observe(attempt('success', i < 5_000 ? 10 : 30));
    const metrics = createRecordingMetrics();
    upstream.flushInto(metrics);
    const latencies = metrics.recorded.filter((r) => r.name === UPSTREAM_METRICS.latency).map((r) => r.value);
    expect(latencies).toHaveLength(MAX_LATENCY_VALUES);
    // Both halves of the run are represented, about evenly.
    const slow = latencies.filter((v) => v === 30).length;
    expect(slow).toBeGreaterThan(30);
    expect(slow).toBeLessThan(70);
    expect(totals(metrics.recorded).PoderoRequests).toBe(10_000);
  });
});
