/**
 * The history backfill: walks every onboarded user's devices, finds the quarter-hours of the recent past
 * without a reading (domain/readings/coverage.ts) and fills them from Podero's 15-minute series (`/data`),
 * stored as readings marked `source: 'backfill'`; what it cannot fill (no series for the kind, older than
 * Podero's retention, no data at Podero) it records per device, for the operator.
 *
 * Bounded: at most `maxRequestsPerRun` Podero requests and the invocation's time; resumable: the walk's
 * cursor and each device's `checkedThrough` are stored as it goes, so the next run continues where this one
 * stopped; idempotent: a quarter-hour is only ever filled where no reading exists (storage/readings.ts
 * `putBackfilled`). A 429 ends the run at once (the client does not retry for it: the job's requests are the
 * least urgent of the stage's, so it gives way first and comes back on its next schedule).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { PoderoRateLimitError, PoderoValidationError } from '@podero-bridge/podero-client';
import type { DeviceKind } from '../domain/devices/kind';
import type { deviceKinds, HistoryUpstream } from '../domain/devices/kinds';
import { QUARTER_HOUR_MS, readingCoverage } from '../domain/readings/coverage';
import {
  backfillValuesOf,
  mergeUnfillable,
  planBackfill,
  quarterOfPoint,
  quartersIn,
  type Span,
  type UnfillableGap,
} from '../domain/readings/history';
import type { Clock } from '../platform/clock';
import {
  type BackfillDeviceRecord,
  type BackfillRunFigures,
  type BackfillStateStore,
  noFigures,
  type RunEnding,
} from '../storage/backfill-state';
import { type Reading, type ReadingsStore, readingExpiry } from '../storage/readings';
import type { OnboardedUser } from '../sync/user-walk';

type Kind = (typeof deviceKinds)[number];

export interface BackfillSettings {
  /** How far back the job looks for gaps (days). */
  readonly lookbackDays: number;
  /** How long Podero keeps `/data` (days). Podero documents none: [INFERRED], a stage may set it. */
  readonly poderoRetentionDays: number;
  /** The latest quarter-hours are left alone this long: the sync may still see them, Podero may still be late. */
  readonly settleMinutes: number;
  /** The job's share of the stage's Podero budget: requests per run. */
  readonly maxRequestsPerRun: number;
  /** Users read per page of the walk. */
  readonly usersPerPage: number;
  /** A run stops starting devices when less time than this remains. */
  readonly safetyMarginMs: number;
}

export const BACKFILL_DEFAULTS: BackfillSettings = {
  lookbackDays: 7,
  poderoRetentionDays: 90,
  settleMinutes: 30,
  maxRequestsPerRun: 60,
  usersPerPage: 25,
  safetyMarginMs: 10_000,
};

export interface HistoryBackfillDeps {
  readonly walk: {
    page(after: string | null, limit: number): Promise<{ users: OnboardedUser[]; hasMore: boolean }>;
  };
  /** The user's devices of each kind (from the stored snapshots). */
  loadDevices(externalUserId: string): Promise<{ kind: Kind; deviceIds: readonly string[] }[]>;
  readingsOf(kind: DeviceKind): ReadingsStore;
  readonly state: BackfillStateStore;
  readonly podero: HistoryUpstream;
  readonly now: Clock;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly readingsRetentionDays: number;
  readonly settings: BackfillSettings;
}

export interface BackfillRunSummary extends BackfillRunFigures {
  ending: RunEnding;
  pass: number;
}

class StopRun extends Error {
  constructor(readonly ending: RunEnding) {
    super(ending);
  }
}

const DAY_MS = 86_400_000;
const floorQuarter = (ms: number) => Math.floor(ms / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
const iso = (ms: number) => new Date(ms).toISOString();

export class HistoryBackfill {
  constructor(private readonly deps: HistoryBackfillDeps) {}

  /** One bounded run; `remainingTimeMs`: the invocation's time left. */
  async run(remainingTimeMs: () => number): Promise<BackfillRunSummary> {
    const state = await this.deps.state.getRun();
    const figures = noFigures();
    const nowMs = this.deps.now();
    if (state.cursor === null) {
      state.pass += 1;
      state.passStartedAt = iso(nowMs);
    }
    let ending: RunEnding = 'pass_complete';
    try {
      for (;;) {
        const page = await this.deps.walk.page(state.cursor, this.deps.settings.usersPerPage);
        for (const user of page.users) {
          for (const { kind, deviceIds } of await this.deps.loadDevices(user.externalUserId)) {
            for (const deviceId of deviceIds) {
              if (remainingTimeMs() < this.deps.settings.safetyMarginMs) throw new StopRun('time_spent');
              await this.device(kind, user, deviceId, figures);
            }
          }
          state.cursor = user.externalUserId;
        }
        if (!page.hasMore || page.users.length === 0) break;
      }
      state.cursor = null;
      state.lastPassCompletedAt = iso(this.deps.now());
    } catch (error) {
      if (!(error instanceof StopRun)) throw error;
      ending = error.ending;
    } finally {
      state.lastRunAt = iso(this.deps.now());
      state.lastRun = figures;
      state.totals = {
        devices: state.totals.devices + figures.devices,
        requests: state.totals.requests + figures.requests,
        filled: state.totals.filled + figures.filled,
        unfillable: state.totals.unfillable + figures.unfillable,
      };
      state.lastRunEnding = ending;
      await this.deps.state.putRun(state);
    }
    this.deps.logger.info('history backfill run', { ending, pass: state.pass, ...figures });
    return { ending, pass: state.pass, ...figures };
  }

  /** One device's gaps since it was last checked; throws StopRun when the run must end (progress saved). */
  private async device(kind: Kind, user: OnboardedUser, deviceId: string, figures: BackfillRunFigures) {
    const { settings } = this.deps;
    const nowMs = this.deps.now();
    const readings = this.deps.readingsOf(kind);
    const stored = await this.deps.state.getDevice(kind.name, deviceId);
    const record: BackfillDeviceRecord = stored ?? {
      kind: kind.name,
      deviceId,
      externalUserId: user.externalUserId,
      checkedThrough: null,
      filledQuarters: 0,
      unfillableQuarters: 0,
      unfillable: [],
      updatedAt: iso(nowMs),
    };
    const end = floorQuarter(nowMs - settings.settleMinutes * 60_000);
    const earliest = await readings.earliest(deviceId);
    // A device without a reading has no history the bridge expects yet (the sync has not seen it).
    if (!earliest) return;
    const start = Math.max(
      floorQuarter(nowMs - settings.lookbackDays * DAY_MS),
      floorQuarter(Date.parse(earliest.stateAt)),
      record.checkedThrough === null ? 0 : Date.parse(record.checkedThrough),
    );
    if (start >= end) return;
    figures.devices++;
    const range = { from: iso(start), to: iso(end) };
    const times = await readings.times(deviceId, range);
    const { gaps } = readingCoverage(
      times.map((t) => t.at),
      range.from,
      range.to,
    );
    const unfillable: UnfillableGap[] = [];
    const save = async (checkedThrough: string) => {
      const added = unfillable.reduce((sum, gap) => sum + quartersIn(gap), 0);
      figures.unfillable += added;
      await this.deps.state.putDevice({
        ...record,
        checkedThrough,
        unfillableQuarters: record.unfillableQuarters + added,
        unfillable: mergeUnfillable(record.unfillable, unfillable),
        updatedAt: iso(this.deps.now()),
      });
    };

    const history = kind.history;
    if (!history.available) {
      for (const gap of gaps) unfillable.push({ ...gap, reason: 'no_series' });
      await save(range.to);
      return;
    }
    const plan = planBackfill(gaps, nowMs - settings.poderoRetentionDays * DAY_MS);
    for (const gap of plan.beyondRetention) unfillable.push({ ...gap, reason: 'beyond_retention' });
    const missing = new Set<number>();
    for (const gap of gaps)
      for (let t = Date.parse(gap.from); t < Date.parse(gap.to); t += QUARTER_HOUR_MS) missing.add(t);

    for (const request of plan.requests) {
      if (figures.requests >= settings.maxRequestsPerRun) {
        await save(request.from);
        throw new StopRun('requests_spent');
      }
      figures.requests++;
      let points: readonly Readonly<Record<string, unknown>>[];
      try {
        points = await history.series(
          this.deps.podero,
          user.poderoUserId,
          deviceId,
          request.from,
          request.to,
        );
      } catch (error) {
        if (error instanceof PoderoRateLimitError) {
          await save(request.from);
          throw new StopRun('rate_limited');
        }
        // H8/I6 answer 400 when there is no data at all in the range and fill-missing is off.
        if (error instanceof PoderoValidationError && error.status === 400) points = [];
        else {
          // Another failure (Podero down, the device gone): this device waits for the next run, the others go on.
          this.deps.logger.warn('history backfill: series not read', {
            kind: kind.name,
            device_id: deviceId,
            error: error instanceof Error ? error.name : 'unknown',
          });
          await save(request.from);
          return;
        }
      }
      const offered = this.readingsOf(deviceId, request, missing, points, history.fields);
      // Stored only where no reading exists: one the sync wrote meanwhile covers its quarter-hour too.
      const stored = await readings.putBackfilled(offered);
      const filledAt = new Set(offered.map((reading) => Date.parse(reading.stateAt)));
      figures.filled += stored;
      record.filledQuarters += stored;
      unfillable.push(...unfilledRuns(request, missing, filledAt));
    }
    await save(range.to);
  }

  private readingsOf(
    deviceId: string,
    request: Span,
    missing: ReadonlySet<number>,
    points: readonly Readonly<Record<string, unknown>>[],
    fields: Readonly<Record<string, string>>,
  ): Reading[] {
    const from = Date.parse(request.from);
    const to = Date.parse(request.to);
    const recordedAt = iso(this.deps.now());
    const byQuarter = new Map<string, Reading>();
    for (const point of points) {
      const quarter = quarterOfPoint(point);
      if (quarter === undefined) continue;
      const ms = Date.parse(quarter);
      if (ms < from || ms >= to || !missing.has(ms)) continue;
      const values = backfillValuesOf({ fields }, point);
      if (!values) continue;
      byQuarter.set(quarter, {
        deviceId,
        stateAt: quarter,
        recordedAt,
        values,
        expiresAt: readingExpiry(quarter, this.deps.readingsRetentionDays),
        source: 'backfill',
      });
    }
    return [...byQuarter.values()];
  }
}

/** The missing quarter-hours of `request` that no point filled, as runs. */
function unfilledRuns(
  request: Span,
  missing: ReadonlySet<number>,
  filled: ReadonlySet<number>,
): UnfillableGap[] {
  const runs: UnfillableGap[] = [];
  let runStart: number | undefined;
  const to = Date.parse(request.to);
  for (let t = Date.parse(request.from); t <= to; t += QUARTER_HOUR_MS) {
    const open = t < to && missing.has(t) && !filled.has(t);
    if (open && runStart === undefined) runStart = t;
    if (!open && runStart !== undefined) {
      runs.push({ from: iso(runStart), to: iso(t), reason: 'no_data_at_podero' });
      runStart = undefined;
    }
  }
  return runs;
}
