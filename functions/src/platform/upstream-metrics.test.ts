import type { AttemptObservation } from '@podero-bridge/podero-client';
import { describe, expect, it, vi } from 'vitest';
import { createMetrics, createRecordingMetrics, type RecordedMetric } from './observability';
import {
  MAX_LATENCY_VALUES,
  OPERATION_DIMENSION,
  UPSTREAM_METRICS,
  UpstreamMetrics,
} from './upstream-metrics';

const attempt = (
  outcome: AttemptObservation['outcome'],
  durationMs = 12.4,
  operation = 'users.list',
): AttemptObservation => ({
  operation,
  method: 'GET',
  path: '/api/partners/v2.0/org/o/users',
  outcome,
  durationMs,
});

/** The counts of the totals (no dimension of their own), or of one operation's document. */
const totals = (recorded: readonly RecordedMetric[], operation?: string) =>
  Object.fromEntries(
    Object.values(UPSTREAM_METRICS)
      .filter((n) => n !== UPSTREAM_METRICS.latency)
      .map((name) => [
        name,
        recorded
          .filter((r) => r.name === name && r.dimensions?.[OPERATION_DIMENSION] === operation)
          .reduce((a, r) => a + r.value, 0),
      ]),
  );

const latenciesOf = (recorded: readonly RecordedMetric[], operation?: string) =>
  recorded
    .filter((r) => r.name === UPSTREAM_METRICS.latency && r.dimensions?.[OPERATION_DIMENSION] === operation)
    .map((r) => r.value);

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
    expect(latenciesOf(metrics.recorded)).toEqual([10, 10, 10, 10, 10]);
  });

  it('breaks the same figures down per operation, each in a document of its own', () => {
    const upstream = new UpstreamMetrics();
    upstream.observe(attempt('success', 20, 'heatPumps.get'));
    upstream.observe(attempt('server_error', 40, 'heatPumps.get'));
    upstream.observe(attempt('timeout', 10_000, 'heatPumps.data'));
    upstream.observe(attempt('rate_limited', 5, 'users.list'));
    const metrics = createRecordingMetrics();
    upstream.flushInto(metrics);
    expect(totals(metrics.recorded)).toMatchObject({ PoderoRequests: 4, PoderoServerErrors: 1 });
    expect(totals(metrics.recorded, 'heatPumps.get')).toEqual({
      PoderoRequests: 2,
      PoderoRateLimited: 0,
      PoderoServerErrors: 1,
      PoderoTimeouts: 0,
      PoderoNetworkErrors: 0,
    });
    expect(totals(metrics.recorded, 'heatPumps.data')).toMatchObject({
      PoderoRequests: 1,
      PoderoTimeouts: 1,
    });
    expect(totals(metrics.recorded, 'users.list')).toMatchObject({ PoderoRequests: 1, PoderoRateLimited: 1 });
    expect(latenciesOf(metrics.recorded, 'heatPumps.get')).toEqual([20, 40]);
    expect(latenciesOf(metrics.recorded, 'heatPumps.data')).toEqual([]);
    expect(latenciesOf(metrics.recorded)).toEqual([20, 40, 5]);
  });

  it('publishes per-operation documents through Powertools with the operation and the stage as dimensions', () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const upstream = new UpstreamMetrics();
      upstream.observe(attempt('success', 20, 'heatPumps.get'));
      upstream.observe(attempt('success', 30, 'users.list'));
      const metrics = createMetrics({ serviceName: 'api', namespace: 'PoderoBridge' }, 'prod');
      upstream.flushInto(metrics);
      metrics.publishStoredMetrics();
    } finally {
      write.mockRestore();
    }
    const docs = lines
      .map((l) => l.trim())
      .filter((l) => l.includes('"_aws"'))
      .map(
        (l) =>
          JSON.parse(l) as Record<string, unknown> & {
            _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] };
          },
      );
    const byOperation = docs.filter((d) => OPERATION_DIMENSION in d);
    expect(byOperation.map((d) => d[OPERATION_DIMENSION]).sort()).toEqual(['heatPumps.get', 'users.list']);
    for (const doc of byOperation) {
      expect(doc).toMatchObject({ service: 'api', stage: 'prod' });
      expect(doc._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
        expect.arrayContaining(['service', 'stage', OPERATION_DIMENSION]),
      ]);
    }
    const totalsDoc = docs.find((d) => !(OPERATION_DIMENSION in d));
    expect(totalsDoc).toMatchObject({ PoderoRequests: 2, stage: 'prod' });
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
    const latencies = latenciesOf(metrics.recorded);
    expect(latencies).toHaveLength(MAX_LATENCY_VALUES);
    expect(latenciesOf(metrics.recorded, 'users.list')).toHaveLength(MAX_LATENCY_VALUES);
    // Both halves of the run are represented, about evenly.
    const slow = latencies.filter((v) => v === 30).length;
    expect(slow).toBeGreaterThan(30);
    expect(slow).toBeLessThan(70);
    expect(totals(metrics.recorded).PoderoRequests).toBe(10_000);
  });
});
