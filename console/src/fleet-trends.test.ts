import { describe, expect, it } from 'vitest';
import type { Schemas } from './api/client';
import { daysBetween, formatDuration, summarisePasses, trendPlots } from './fleet-trends';

const day = (d: string, over: Partial<Schemas['FleetDay']> = {}): Schemas['FleetDay'] => ({
  day: d,
  connection: { connected: 5, reauthentication_required: 1, disconnected: 0 },
  stale_devices: null,
  sync_passes: 4,
  sync_pass_duration_ms: { mean: 90_000, max: 150_000 },
  webhook_attempts: { delivered: 9, failed: 1 },
  ...over,
});

describe('trendPlots', () => {
  it('spans every day of the window, with a gap (null) on a day without figures', () => {
    // Prepare: three days asked, the middle one missing; webhooks without attempts on the last
    const answer: Schemas['FleetDays'] = {
      from: '2026-07-10',
      to: '2026-07-12',
      retention_days: 400,
      items: [day('2026-07-10'), day('2026-07-12', { webhook_attempts: { delivered: 0, failed: 0 } })],
    };
    // Act
    const plots = trendPlots(answer);
    // Assess
    expect(plots.window).toEqual({
      from: Date.parse('2026-07-10T00:00:00Z') / 1000,
      to: Date.parse('2026-07-13T00:00:00Z') / 1000,
    });
    expect(plots.connection[0]).toHaveLength(3);
    expect(plots.connection[1]).toEqual([5, null, 5]);
    expect(plots.connection[2]).toEqual([1, null, 1]);
    expect(plots.passDuration[1]).toEqual([1.5, null, 1.5]);
    expect(plots.passDuration[2]).toEqual([2.5, null, 2.5]);
    expect(plots.webhooks[1]).toEqual([90, null, null]);
    // Stale devices not judged yet: missing, never 0.
    expect(plots.stale[1]).toEqual([null, null, null]);
  });

  it('lists the days across a month end', () => {
    expect(daysBetween('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
  });
});

describe('summarisePasses', () => {
  const pass = (i: number, durationS: number, failures = 0, failed: number[] = []) => ({
    pass_id: `p${i}`,
    started_at: new Date(Date.UTC(2026, 6, 12, 12 - i)).toISOString(),
    completed_at: new Date(Date.UTC(2026, 6, 12, 12 - i) + durationS * 1000).toISOString(),
    shards: 2,
    failed_shards: failed,
    users: 10,
    heat_pumps: 10,
    electric_vehicles: 0,
    wallboxes: 0,
    inverters: 0,
    readings_written: 10,
    failures,
  });

  it('sums the passes up and keeps only those with failures or failed shards', () => {
    const summary = summarisePasses([pass(0, 30), pass(1, 60, 2), pass(2, 90), pass(3, 40, 0, [1])]);
    expect(summary.passes).toBe(4);
    expect(summary.medianDurationMs).toBe(40_000);
    expect(summary.longestDurationMs).toBe(90_000);
    expect(summary.failures).toBe(2);
    expect(summary.since).toBe('2026-07-12T09:00:00.000Z');
    expect(summary.withProblems.map((p) => p.pass_id)).toEqual(['p1', 'p3']);
  });

  it('says nothing it does not know when no pass completed', () => {
    expect(summarisePasses([])).toMatchObject({ passes: 0, medianDurationMs: null, withProblems: [] });
  });
});

describe('formatDuration', () => {
  it('writes milliseconds, seconds, or minutes and seconds', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(65_000)).toBe('1 min 05 s');
    expect(formatDuration(null)).toBe('—');
  });
});
