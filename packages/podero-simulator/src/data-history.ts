/**
 * What Podero's `/data` series (H8, I6) still holds: a retention (ranges older than it answer as "no data":
 * 400 without `fill-missing`, nulls with it, as §3.0 and H8 say for missing data) and per-device outages,
 * quarter-hours Podero never got (a fault, the device's own outage), which answer the same way. Podero
 * documents no retention: 90 days here, [INFERRED], set through the control plane. Control routes:
 *
 *   GET    /__sim/data-history                      the retention and every device's outages
 *   PUT    /__sim/data-history   {retention_days}   sets the retention
 *   POST   /__sim/devices/{id}/data-gaps {from, to} adds an outage [from, to) to a device's series
 *   DELETE /__sim/devices/{id}/data-gaps            removes its outages
 *
 * Kept beside the core (one WeakMap per simulator), cleared by the control plane's reset.
 */
import * as z from 'zod';
import type { SimCore, SimResponse } from './core';
import { iso } from './core';
import { parseOr422 } from './errors';
import { dateTimeSchema, parseDateTime } from './wire';

export const DEFAULT_DATA_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

interface DataHistory {
  retentionDays: number;
  outages: Map<string, { fromMs: number; toMs: number }[]>;
}

const histories = new WeakMap<SimCore, DataHistory>();

function historyOf(core: SimCore): DataHistory {
  let history = histories.get(core);
  if (!history) {
    history = { retentionDays: DEFAULT_DATA_RETENTION_DAYS, outages: new Map() };
    histories.set(core, history);
  }
  return history;
}

export function resetDataHistory(core: SimCore): void {
  histories.delete(core);
}

/** Whether Podero has no data for the device over all of [startMs, endMs): older than the retention, or in an outage. */
export function bucketWithoutData(core: SimCore, deviceId: string, startMs: number, endMs: number): boolean {
  const history = historyOf(core);
  if (endMs <= core.clock.nowMs() - history.retentionDays * DAY_MS) return true;
  return (history.outages.get(deviceId) ?? []).some(
    (outage) => outage.fromMs <= startMs && outage.toMs >= endMs,
  );
}

/**
 * A computed series with the retention and the device's outages applied: points of buckets without data
 * become nulls (`fill-missing`) or are left out; `hasData` says whether any point kept a value.
 */
export function applyDataHistory<P extends { time: string }>(
  core: SimCore,
  deviceId: string,
  buckets: readonly { start: number; end: number }[],
  points: readonly P[],
  fillMissing: boolean,
): { points: P[]; hasData: boolean } {
  const empty = new Set(
    buckets
      .filter((bucket) => bucketWithoutData(core, deviceId, bucket.start, bucket.end))
      .map((b) => iso(b.start)),
  );
  const kept: P[] = [];
  let hasData = false;
  for (const point of points) {
    if (empty.has(point.time)) {
      if (!fillMissing) continue;
      kept.push(
        Object.fromEntries(Object.keys(point).map((key) => [key, key === 'time' ? point.time : null])) as P,
      );
      continue;
    }
    if (Object.entries(point).some(([key, value]) => key !== 'time' && value !== null)) hasData = true;
    kept.push(point);
  }
  return { points: kept, hasData };
}

const retentionBodySchema = z.strictObject({ retention_days: z.number().int().min(1).max(3650) });
const gapBodySchema = z
  .strictObject({ from: dateTimeSchema, to: dateTimeSchema })
  .refine((gap) => parseDateTime(gap.to) > parseDateTime(gap.from), {
    message: 'to must be after from',
    path: ['to'],
  });
const DATA_GAPS = /^(POST|DELETE) \/__sim\/devices\/([^/]+)\/data-gaps$/;

function view(core: SimCore) {
  const history = historyOf(core);
  return {
    retention_days: history.retentionDays,
    gaps: Object.fromEntries(
      [...history.outages.entries()].map(([id, outages]) => [
        id,
        outages.map((outage) => ({ from: iso(outage.fromMs), to: iso(outage.toMs) })),
      ]),
    ),
  };
}

/** Handles the `/__sim/` routes above; null when the route is not one of them. */
export function handleDataHistoryControl(
  core: SimCore,
  route: string,
  body: () => unknown,
): SimResponse | null {
  if (route === 'GET /__sim/data-history') return { status: 200, json: view(core) };
  if (route === 'PUT /__sim/data-history') {
    historyOf(core).retentionDays = parseOr422(retentionBodySchema, body(), ['body']).retention_days;
    return { status: 200, json: view(core) };
  }
  const gaps = DATA_GAPS.exec(route);
  if (!gaps) return null;
  const deviceId = decodeURIComponent(gaps[2] ?? '');
  const history = historyOf(core);
  if (gaps[1] === 'DELETE') history.outages.delete(deviceId);
  else {
    const gap = parseOr422(gapBodySchema, body(), ['body']);
    const outages = history.outages.get(deviceId) ?? [];
    outages.push({ fromMs: parseDateTime(gap.from), toMs: parseDateTime(gap.to) });
    history.outages.set(deviceId, outages);
  }
  return { status: 200, json: view(core) };
}
