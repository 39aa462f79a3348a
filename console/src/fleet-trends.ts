/**
 * The overview's trends over days (GET /fleet/days) and its summary of the recent sync passes: pure, so
 * that what a chart draws and what the summary says are tested without a browser.
 */
import type { Schemas } from './api/client';
import type { ChartSpec, PlotData } from './readings';

export const TREND_DAYS = 30;
const DAY_SECONDS = 86_400;

export const TREND_CHARTS = {
  connection: {
    id: 'trend-connection',
    title: 'Devices by connection',
    unit: 'devices',
    series: [
      { field: 'connected', label: 'Connected', colour: '#1a7f37' },
      { field: 'reauthentication_required', label: 'Re-authentication required', colour: '#bf8700' },
      { field: 'disconnected', label: 'Disconnected', colour: '#cf222e' },
    ],
  },
  stale: {
    id: 'trend-stale',
    title: 'Stale devices',
    unit: 'devices',
    series: [{ field: 'stale_devices', label: 'Stale', colour: '#8250df' }],
  },
  passDuration: {
    id: 'trend-pass-duration',
    title: 'Sync pass duration',
    unit: 'min',
    series: [
      { field: 'mean', label: 'Mean', colour: '#0969da' },
      { field: 'max', label: 'Longest', colour: '#9a6700' },
    ],
  },
  webhooks: {
    id: 'trend-webhooks',
    title: 'Webhook success',
    unit: '%',
    series: [{ field: 'success', label: 'Delivered at the attempt', colour: '#1a7f37' }],
  },
} as const satisfies Record<string, ChartSpec>;

export type TrendName = keyof typeof TREND_CHARTS;

/** Every UTC day from `from` to `to` (inclusive), `yyyy-mm-dd`. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (
    let ms = Date.parse(`${from}T00:00:00Z`);
    ms <= Date.parse(`${to}T00:00:00Z`);
    ms += DAY_SECONDS * 1000
  ) {
    days.push(new Date(ms).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Each trend as uPlot data: one x per day of the window (its midday, UTC), null on a day without the
 * figure, so that a missing day is a gap and the chart spans the whole window.
 */
export function trendPlots(answer: Schemas['FleetDays']): Record<TrendName, PlotData> & {
  window: { from: number; to: number };
} {
  const byDay = new Map(answer.items.map((d) => [d.day, d]));
  const days = daysBetween(answer.from, answer.to);
  const xs = days.map((day) => Date.parse(`${day}T12:00:00Z`) / 1000);
  const of = <T>(pick: (d: Schemas['FleetDay']) => T | null) =>
    days.map((day) => {
      const d = byDay.get(day);
      return d === undefined ? null : pick(d);
    });
  const minutes = (ms: number) => Math.round(ms / 600) / 100;
  return {
    window: {
      from: Date.parse(`${answer.from}T00:00:00Z`) / 1000,
      to: Date.parse(`${answer.to}T00:00:00Z`) / 1000 + DAY_SECONDS,
    },
    connection: [
      xs,
      of((d) => d.connection?.connected ?? null),
      of((d) => d.connection?.reauthentication_required ?? null),
      of((d) => d.connection?.disconnected ?? null),
    ],
    stale: [xs, of((d) => d.stale_devices)],
    passDuration: [
      xs,
      of((d) => (d.sync_pass_duration_ms ? minutes(d.sync_pass_duration_ms.mean) : null)),
      of((d) => (d.sync_pass_duration_ms ? minutes(d.sync_pass_duration_ms.max) : null)),
    ],
    webhooks: [
      xs,
      of((d) => {
        const { delivered, failed } = d.webhook_attempts;
        return delivered + failed === 0 ? null : Math.round((1000 * delivered) / (delivered + failed)) / 10;
      }),
    ],
  };
}

/** The recent passes in one sentence's worth of figures, and only the passes that need a look. */
export interface PassSummary {
  passes: number;
  since: string | null;
  medianDurationMs: number | null;
  longestDurationMs: number | null;
  users: number | null;
  failures: number;
  withProblems: Schemas['SyncStatus']['passes'];
}

export function summarisePasses(passes: Schemas['SyncStatus']['passes']): PassSummary {
  const durations = passes
    .map((p) => Date.parse(p.completed_at) - Date.parse(p.started_at))
    .filter((d) => Number.isFinite(d))
    .sort((a, b) => a - b);
  const middle = durations.length === 0 ? null : (durations[Math.floor((durations.length - 1) / 2)] ?? null);
  return {
    passes: passes.length,
    since: passes.at(-1)?.started_at ?? null,
    medianDurationMs: middle,
    longestDurationMs: durations.at(-1) ?? null,
    users: passes[0]?.users ?? null,
    failures: passes.reduce((sum, p) => sum + p.failures, 0),
    withProblems: passes.filter((p) => p.failures > 0 || p.failed_shards.length > 0),
  };
}

/** `1 min 05 s`, `42 s`, `850 ms`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}
