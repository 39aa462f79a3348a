/**
 * Podero's 15-minute series (`/data`: H8 for heat pumps, I6 for inverters) as a source of readings, and the
 * pure rules of the backfill that fills the quarter-hours the sync missed: which fields a series point fills
 * (each kind declares its mapping as data, `DeviceKind.history`), how a device's gaps become requests, and
 * which gaps are beyond Podero's retention. No I/O: the history service (functions/src/history/) runs it.
 */
import { QUARTER_HOUR_MS } from './coverage';

/** Where a reading came from: the sync's state (absent on readings stored before sources existed) or `/data`. */
export const READING_SOURCES = ['sync', 'backfill'] as const;
export type ReadingSource = (typeof READING_SOURCES)[number];

/** A kind whose devices Podero keeps a 15-minute series of: the call and what its fields fill. */
export interface DeviceKindSeries<Upstream = unknown> {
  readonly available: true;
  /** The contract's name of the call (`H8 GET .../heat-pumps/{heat_pump_id}/data`): docs and the operator. */
  readonly endpoint: string;
  /**
   * `/data` field -> the reading field it fills. A backfilled reading holds only these reading fields (and
   * only those Podero answered with a number); the kind's other reading fields stay absent in it.
   */
  readonly fields: Readonly<Record<string, string>>;
  /** The points of [fromIso, toIso) at 15MIN, `fill-missing` on (a point per quarter-hour, null where Podero has nothing). */
  series(
    podero: Upstream,
    poderoUserId: string,
    deviceId: string,
    fromIso: string,
    toIso: string,
  ): Promise<readonly Readonly<Record<string, unknown>>[]>;
}

/** A kind Podero has no series for: the backfill records its gaps as unfillable with this reason. */
export interface DeviceKindNoSeries {
  readonly available: false;
  readonly reason: string;
}

export type DeviceKindHistory<Upstream = unknown> = DeviceKindSeries<Upstream> | DeviceKindNoSeries;

/** Why a gap stays a gap. */
export const UNFILLABLE_REASONS = {
  /** The kind has no `/data` (EVs, wallboxes). */
  no_series: 'Podero offers no 15-minute series for this kind of device',
  /** Older than the retention the bridge assumes of Podero's `/data`. */
  beyond_retention: "older than Podero's data retention",
  /** `/data` answered without values for these quarter-hours (a fault, the device's own outage). */
  no_data_at_podero: 'Podero has no data for these quarter-hours',
} as const;
export type UnfillableReason = keyof typeof UNFILLABLE_REASONS;

/** The reading values one series point fills (numbers only); undefined when it fills none. */
export function backfillValuesOf(
  series: Pick<DeviceKindSeries, 'fields'>,
  point: Readonly<Record<string, unknown>>,
): Record<string, number> | undefined {
  const values: Record<string, number> = {};
  for (const [dataField, readingField] of Object.entries(series.fields)) {
    const value = point[dataField];
    if (typeof value === 'number' && Number.isFinite(value)) values[readingField] = value;
  }
  return Object.keys(values).length > 0 ? values : undefined;
}

/** The quarter-hour a series point stands for (its `time`, floored), as `toISOString()`; undefined if unreadable. */
export function quarterOfPoint(point: Readonly<Record<string, unknown>>): string | undefined {
  const time = point.time;
  if (typeof time !== 'string') return undefined;
  const ms = Date.parse(time);
  if (!Number.isFinite(ms)) return undefined;
  return new Date(Math.floor(ms / QUARTER_HOUR_MS) * QUARTER_HOUR_MS).toISOString();
}

export interface Span {
  from: string;
  to: string;
}

/** A run of quarter-hours that stays empty, and why. */
export interface UnfillableGap extends Span {
  reason: UnfillableReason;
}

export interface BackfillPlan {
  /** One `/data` request per UTC day with gaps: [first gap's start, last gap's end) of that day. */
  requests: Span[];
  /** Gaps the backfill will not ask for: older than the retention cut-off. */
  beyondRetention: Span[];
}

const DAY_MS = 86_400_000;

/**
 * The requests that fill `gaps` (coverage gaps, [from, to), time order): gaps older than `retentionStartMs`
 * are cut off (unfillable), the rest grouped by UTC day so a day with many small gaps costs one request, not
 * one per gap.
 */
export function planBackfill(gaps: readonly Span[], retentionStartMs: number): BackfillPlan {
  const requests: Span[] = [];
  const beyondRetention: Span[] = [];
  const byDay = new Map<number, { from: number; to: number }>();
  for (const gap of gaps) {
    let from = Date.parse(gap.from);
    const to = Date.parse(gap.to);
    if (from < retentionStartMs) {
      const cut = Math.min(to, Math.ceil(retentionStartMs / QUARTER_HOUR_MS) * QUARTER_HOUR_MS);
      if (cut > from) beyondRetention.push({ from: gap.from, to: new Date(cut).toISOString() });
      from = cut;
    }
    while (from < to) {
      const day = Math.floor(from / DAY_MS);
      const end = Math.min(to, (day + 1) * DAY_MS);
      const entry = byDay.get(day);
      if (entry) entry.to = end;
      else byDay.set(day, { from, to: end });
      from = end;
    }
  }
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    const span = byDay.get(day);
    if (span) requests.push({ from: new Date(span.from).toISOString(), to: new Date(span.to).toISOString() });
  }
  return { requests, beyondRetention };
}

/**
 * Adds `added` to a device's record of unfillable gaps: adjacent gaps with the same reason merge, the
 * newest `limit` are kept (an operator needs the recent ones; the count says how many quarter-hours in all).
 */
export function mergeUnfillable(
  recorded: readonly UnfillableGap[],
  added: readonly UnfillableGap[],
  limit = 100,
): UnfillableGap[] {
  const all = [...recorded, ...added].sort((a, b) => a.from.localeCompare(b.from));
  const merged: UnfillableGap[] = [];
  for (const gap of all) {
    const last = merged.at(-1);
    if (last && last.reason === gap.reason && Date.parse(last.to) >= Date.parse(gap.from)) {
      if (gap.to > last.to) last.to = gap.to;
    } else merged.push({ ...gap });
  }
  return merged.slice(-limit);
}

/** Quarter-hours in a span. */
export const quartersIn = (span: Span): number =>
  Math.max(0, Math.round((Date.parse(span.to) - Date.parse(span.from)) / QUARTER_HOUR_MS));
