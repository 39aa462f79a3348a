/**
 * The heat-pump sync: walks every onboarded user (gsi1, external_user_id order) from the stored
 * cursor, lists each user's heat pumps from Podero with bounded concurrency, and stores the latest
 * snapshot plus one reading per new state timestamp, in BatchWriteItem batches.
 *
 * Pipelined: a user starts as soon as one of the C Podero slots frees, while earlier users' writes,
 * failure records and cursor saves run in the background (`WritePipeline`); nothing waits for a page
 * to finish. Progress is still a prefix: users start in walk order, a stop only prevents further
 * starts, and the cursor moves only past the longest prefix of finished users, so "every user up to
 * the cursor was processed" always holds and a later run resumes without gaps. Re-processing a user
 * is harmless (readings are keyed by state time), so a run that dies between writing and saving the
 * cursor causes repeated work, never duplicates.
 *
 * Failures: a user whose Podero call or writes fail is recorded (`FAILURE#<id>`) and skipped; the
 * next pass walks every user again, so a failed user is retried as part of the next pass (and its
 * failure record is cleared once it succeeds). One pass per run at most: when the walk reaches the
 * end, the cursor is reset and the next scheduled run starts the next pass.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PoderoError } from '@podero-bridge/podero-client';
import { isUpstreamOutage, visibleHeatPumps } from '../heat-pumps/rules';
import { type MetricsSink, MetricUnit } from '../shared/observability';
import {
  type HeatPumpJson,
  HeatPumpSnapshotStore,
  heatPumpSk,
  listMarkerItem,
  newSnapshot,
  snapshotItem,
  stateTimestampOf,
  type UserHeatPumpState,
  userPk,
} from '../storage/heat-pump-snapshots';
import { readingExpiry, readingItem, readingValuesOf } from '../storage/readings';
import { type SyncCursor, SyncLeaseLostError, SyncStateStore } from '../storage/sync-state';
import { UserStore } from '../storage/users';
import type { BatchWriteOptions, PendingWrite } from './batch-write';
import { SnapshotBatchLoader, type SnapshotLoaderOptions } from './snapshot-loader';
import { type OnboardedUser, UserStream, UserWalk } from './user-walk';
import { WritePipeline } from './write-pipeline';

export interface SyncSettings {
  mainTableName: string;
  readingsTableName: string;
  readingsRetentionDays: number;
  syncConcurrency: number;
  safetyMarginMs: number;
  userPageSize: number;
  /** Default OUTAGE_STOP_THRESHOLD_DEFAULT. */
  outageStopThreshold?: number;
}

export interface SyncUpstream {
  heatPumps: { list(userId: string): Promise<HeatPumpJson[]> };
}

export interface SyncRunDeps {
  db: DynamoDBDocumentClient;
  podero: SyncUpstream;
  settings: SyncSettings;
  logger: Pick<Logger, 'info' | 'warn'>;
  metrics: MetricsSink;
  now: () => number;
  batchWriteOptions?: Partial<BatchWriteOptions>;
  snapshotLoaderOptions?: Partial<SnapshotLoaderOptions>;
}

export interface SyncRunInput {
  /** Unique per invocation (the Lambda request id): the lease owner. */
  runId: string;
  source: string;
  /** The invocation's remaining time in ms (Lambda `context.getRemainingTimeInMillis`). */
  remainingTimeMs: () => number;
}

export type SyncStopReason =
  | 'completed_pass'
  | 'time_budget'
  | 'upstream_outage'
  | 'lease_held'
  | 'lease_lost';

export interface SyncSummary {
  run_id: string;
  source: string;
  users: number;
  heat_pumps: number;
  readings_written: number;
  snapshots_written: number;
  failures: number;
  batch_write_calls: number;
  duration_ms: number;
  completed_pass: boolean;
  stopped: SyncStopReason;
  /** The last external_user_id processed in the current pass (null after a completed pass). */
  cursor: string | null;
}

interface UserOutcome {
  user: OnboardedUser;
  writes: PendingWrite[];
  heatPumps: number;
  error?: { code: string; message: string; outage: boolean };
}

/** Consecutive users failing on a Podero outage after which a run stops instead of hammering Podero. */
export const OUTAGE_STOP_THRESHOLD_DEFAULT = 10;

/** A short, safe description of why a user failed: never Podero's body, never a token. */
function describeFailure(error: unknown): NonNullable<UserOutcome['error']> {
  if (error instanceof PoderoError) {
    return {
      code: error.name,
      outage: isUpstreamOutage(error),
      message: `${error.method} ${error.path.replace(/\/users\/[^/]+/, '/users/{user_id}')} -> ${error.status ?? 'no response'}`,
    };
  }
  return {
    code: error instanceof Error ? error.name : 'Error',
    message: 'unexpected error while syncing the user',
    outage: false,
  };
}

/** A wake-up for the run loop: `wait` resolves at the next `notify`. Check the condition, then wait. */
class Signal {
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** A user started in this run, until the cursor has moved past it. */
interface UserTask {
  user: OnboardedUser;
  done: boolean;
}

/**
 * How many started users may wait behind the first unfinished one. Bounds the memory a run holds and
 * the work a stuck write (a hung call, a run about to be killed) makes the next run repeat, while
 * leaving room for the writes of several rounds of concurrency to be in flight.
 */
export function maxUsersAheadOfCursor(
  settings: Pick<SyncSettings, 'userPageSize' | 'syncConcurrency'>,
): number {
  return Math.max(settings.userPageSize, 8 * settings.syncConcurrency);
}

export async function runHeatPumpSync(deps: SyncRunDeps, input: SyncRunInput): Promise<SyncSummary> {
  const { db, settings, logger, now } = deps;
  const startedAt = now();
  const state = new SyncStateStore(db, settings.mainTableName);
  const snapshots = new SnapshotBatchLoader(
    new HeatPumpSnapshotStore(db, settings.mainTableName),
    deps.snapshotLoaderOptions,
  );
  const summary: SyncSummary = {
    run_id: input.runId,
    source: input.source,
    users: 0,
    heat_pumps: 0,
    readings_written: 0,
    snapshots_written: 0,
    failures: 0,
    batch_write_calls: 0,
    duration_ms: 0,
    completed_pass: false,
    stopped: 'time_budget',
    cursor: null,
  };
  const outOfTime = () => input.remainingTimeMs() < settings.safetyMarginMs;

  const acquired = await state.acquireLease(input.runId, startedAt, startedAt + input.remainingTimeMs());
  if (acquired === null) {
    summary.stopped = 'lease_held';
    return finish(summary, deps, startedAt);
  }
  let cursor: SyncCursor = acquired;
  if (cursor.lastExternalUserId === null)
    cursor = { ...cursor, passStartedAt: new Date(startedAt).toISOString() };
  summary.cursor = cursor.lastExternalUserId;

  // State of the pipeline, shared by the start loop and the completions (one thread: no locks).
  const signal = new Signal();
  const tasks: UserTask[] = []; // started users in walk order; the head is the first not yet done
  let fetching = 0; // Podero calls in flight: the C slots
  let loading = 0; // users whose Podero list arrived and whose stored state is being read
  let noMoreStarts = false;
  // Why the start loop is waiting, if not for a free Podero slot.
  let startsBlocked: 'walk' | 'window' | null = null;
  let fatal: { error: unknown } | undefined;
  let leaseLost = false;
  let saving: Promise<void> | null = null;
  let doneSinceSave = 0;
  // When Podero itself is down (5xx, timeouts, rate limits), walking the rest of the fleet only
  // records the same failure for every user and adds load; stop and let the next run try again.
  const outageThreshold = settings.outageStopThreshold ?? OUTAGE_STOP_THRESHOLD_DEFAULT;
  let consecutiveOutages = 0;

  const onFatal = (error: unknown) => {
    if (error instanceof SyncLeaseLostError) leaseLost = true;
    else fatal ??= { error };
    signal.notify();
  };
  const writer = new WritePipeline({
    doc: db,
    readingsTableName: settings.readingsTableName,
    mainTableName: settings.mainTableName,
    ...(deps.batchWriteOptions ? { batchWriteOptions: deps.batchWriteOptions } : {}),
    // Nothing new will be fetched soon: partial batches go now rather than wait to fill. With the
    // window full, only the fetches in flight can add writes, and one of them may be slow: don't wait.
    isIdle: () =>
      startsBlocked === 'window' ||
      (fetching === 0 && loading === 0 && (noMoreStarts || startsBlocked === 'walk')),
    onProgress: () => signal.notify(),
    onFatal,
  });

  const saveCursorInBackground = () => {
    if (saving !== null || doneSinceSave === 0 || leaseLost) return;
    const position = cursor;
    doneSinceSave = 0;
    saving = state
      .saveCursor(input.runId, position)
      .catch(onFatal)
      .finally(() => {
        saving = null;
        if (doneSinceSave >= settings.userPageSize && !noMoreStarts) saveCursorInBackground();
        signal.notify();
      });
  };

  /** Moves the cursor past the longest prefix of finished users; saves it every page or so. */
  const advanceCursor = () => {
    while (tasks[0]?.done) {
      const task = tasks.shift() as UserTask;
      cursor = { ...cursor, lastExternalUserId: task.user.externalUserId };
      doneSinceSave++;
    }
    if (doneSinceSave >= settings.userPageSize && !noMoreStarts) saveCursorInBackground();
    signal.notify();
  };

  /**
   * The writer's half of erasure (UserStore.beginOffboarding): a user offboarded while the sync listed
   * it may have had its snapshots and marker re-created by these writes. The check shares the batched
   * reads; only a user found gone pays a second, consistent look and the deletes.
   */
  const users = new UserStore(db, settings.mainTableName);
  const keepOnlyIfOnboarded = async (user: OnboardedUser, main: PendingWrite[]): Promise<void> => {
    const created = main.flatMap((w) =>
      'PutRequest' in w.request && typeof w.request.PutRequest.Item.sk === 'string'
        ? [w.request.PutRequest.Item.sk]
        : [],
    );
    if (created.length === 0) return;
    if (await snapshots.isOnboardedAs(user.externalUserId, user.poderoUserId)) return;
    if (!(await users.removeUnlessOnboarded(user.externalUserId, user.poderoUserId, created))) {
      logger.info('user offboarded during the sync; its new items were removed', {
        external_user_id: user.externalUserId,
      });
    }
  };

  const failedBefore = new Set<string>();
  const finishUser = async (task: UserTask, error: UserOutcome['error'] | undefined) => {
    const ext = task.user.externalUserId;
    if (error) {
      summary.failures++;
      logger.warn('heat-pump sync failed for a user', { external_user_id: ext, error_code: error.code });
      await state.recordFailure(ext, error.code, error.message, new Date(now()).toISOString());
    } else if (failedBefore.has(ext)) {
      await state.clearFailure(ext);
    }
    task.done = true;
    advanceCursor();
  };

  const startUser = (user: OnboardedUser) => {
    const task: UserTask = { user, done: false };
    tasks.push(task);
    fetching++;
    // The slot frees when Podero answers: the batched read of the stored state that follows is not
    // a Podero call, and holding the slot through it would leave Podero capacity idle.
    let listed = false;
    const onListed = () => {
      if (listed) return;
      listed = true;
      fetching--;
      loading++;
      signal.notify();
    };
    syncUser(user, deps, snapshots, onListed)
      .then((outcome) => {
        onListed();
        loading--;
        consecutiveOutages = outcome.error?.outage ? consecutiveOutages + 1 : 0;
        summary.users++;
        summary.heat_pumps += outcome.heatPumps;
        if (outcome.error) {
          finishUser(task, outcome.error).catch(onFatal);
        } else {
          const readings = outcome.writes.filter((w) => w.tableName === settings.readingsTableName);
          const main = outcome.writes.filter((w) => w.tableName !== settings.readingsTableName);
          writer.add({ readings, main }, (writeError) => {
            if (writeError !== undefined) {
              finishUser(task, { code: 'WriteFailed', message: writeError, outage: false }).catch(onFatal);
              return;
            }
            keepOnlyIfOnboarded(user, main)
              .then(() => finishUser(task, undefined))
              .catch(onFatal);
          });
        }
        writer.flush();
        signal.notify();
      })
      .catch(onFatal);
  };

  try {
    for (const failure of await state.listFailures()) failedBefore.add(failure.externalUserId);
    const users = new UserStream(
      new UserWalk(db, settings.mainTableName),
      cursor.lastExternalUserId,
      settings.userPageSize,
    );
    const maxAhead = maxUsersAheadOfCursor(settings);
    // Monotonic: once a stop is seen, no later user starts, so the started users are a prefix of the walk.
    // Its cause is latched with it: users still in flight may succeed afterwards and reset the outage
    // count, and the summary must still say what stopped the run.
    let stopCause: 'outage' | 'other' | null = null;
    const shouldStop = () => {
      if (stopCause === null) {
        if (consecutiveOutages >= outageThreshold) stopCause = 'outage';
        else if (fatal !== undefined || leaseLost || outOfTime()) stopCause = 'other';
      }
      return stopCause !== null;
    };
    let walkEnded = false;
    // A failed walk Query ends the starts, but the users in flight still finish and the cursor is saved.
    let walkError: { error: unknown } | undefined;
    try {
      // Bounded: every turn starts a user or ends the loop.
      for (let turn = 0; turn < 100_000_000; turn++) {
        while (
          !users.exhausted &&
          !shouldStop() &&
          (fetching >= settings.syncConcurrency || tasks.length >= maxAhead)
        ) {
          startsBlocked = tasks.length >= maxAhead ? 'window' : null;
          writer.flush();
          await signal.wait();
        }
        startsBlocked = null;
        if (users.exhausted) {
          walkEnded = true;
          break;
        }
        if (shouldStop()) break;
        if (!users.ready) {
          startsBlocked = 'walk';
          writer.flush();
        }
        const user = await users.next();
        startsBlocked = null;
        if (user === null) {
          walkEnded = true;
          break;
        }
        if (shouldStop()) break;
        startUser(user);
      }
    } catch (error) {
      walkError = { error };
    }

    // Drain: every started user finishes (writes, failure record), then the cursor is final.
    noMoreStarts = true;
    writer.flush();
    while ((tasks.length > 0 || saving !== null) && fatal === undefined) {
      writer.flush();
      await signal.wait();
    }
    if (fatal !== undefined) throw fatal.error;
    summary.batch_write_calls = writer.totals.calls;
    summary.readings_written = writer.totals.readingsWritten;
    summary.snapshots_written = writer.totals.mainWritten;
    if (leaseLost) throw new SyncLeaseLostError();
    if (walkError !== undefined) {
      await state.saveCursor(input.runId, cursor);
      throw walkError.error;
    }

    if (walkEnded) {
      cursor = {
        lastExternalUserId: null,
        passStartedAt: null,
        passesCompleted: cursor.passesCompleted + 1,
        lastPassCompletedAt: new Date(now()).toISOString(),
      };
      await state.saveCursor(input.runId, cursor);
      summary.completed_pass = true;
      summary.stopped = 'completed_pass';
    } else {
      await state.saveCursor(input.runId, cursor);
      summary.stopped = stopCause === 'outage' ? 'upstream_outage' : 'time_budget';
    }
    summary.cursor = cursor.lastExternalUserId;
  } catch (error) {
    if (!(error instanceof SyncLeaseLostError)) throw error;
    summary.stopped = 'lease_lost';
  } finally {
    await state.releaseLease(input.runId);
  }
  return finish(summary, deps, startedAt);
}

function finish(summary: SyncSummary, deps: SyncRunDeps, startedAt: number): SyncSummary {
  summary.duration_ms = deps.now() - startedAt;
  deps.logger.info('heat-pump sync run', { summary });
  const m = deps.metrics;
  m.addMetric('SyncUsers', MetricUnit.Count, summary.users);
  m.addMetric('SyncHeatPumps', MetricUnit.Count, summary.heat_pumps);
  m.addMetric('SyncReadingsWritten', MetricUnit.Count, summary.readings_written);
  m.addMetric('SyncSnapshotsWritten', MetricUnit.Count, summary.snapshots_written);
  m.addMetric('SyncFailures', MetricUnit.Count, summary.failures);
  m.addMetric('SyncBatchWriteCalls', MetricUnit.Count, summary.batch_write_calls);
  m.addMetric('SyncDuration', MetricUnit.Milliseconds, summary.duration_ms);
  m.addMetric('SyncCompletedPass', MetricUnit.Count, summary.completed_pass ? 1 : 0);
  m.publishStoredMetrics();
  return summary;
}

/**
 * Fetches one user's heat pumps and works out the writes: a snapshot when anything changed, a
 * reading when the state timestamp is new, removal of heat pumps Podero no longer lists, and the
 * list marker when the set of heat pumps changed. An unchanged heat pump costs no write at all.
 */
async function syncUser(
  user: OnboardedUser,
  deps: SyncRunDeps,
  snapshots: SnapshotBatchLoader,
  onListed: () => void,
): Promise<UserOutcome> {
  const { settings } = deps;
  let listed: HeatPumpJson[];
  let stored: UserHeatPumpState;
  try {
    listed = await deps.podero.heatPumps.list(user.poderoUserId);
  } catch (error) {
    onListed();
    return { user, writes: [], heatPumps: 0, error: describeFailure(error) };
  }
  onListed();
  try {
    // Only the keys this list (and the stored marker) can name: a snapshot that neither names is
    // not read, so not deleted; the API's list cache goes by the marker and never serves it.
    stored = await snapshots.loadUser(
      user.externalUserId,
      listed.map((hp) => hp.id),
    );
  } catch (error) {
    return { user, writes: [], heatPumps: 0, error: describeFailure(error) };
  }
  const fetchedAt = new Date(deps.now()).toISOString();
  const owner = user.externalUserId;
  const writes: PendingWrite[] = [];
  const main = settings.mainTableName;
  const live = visibleHeatPumps(listed, user.poderoUserId);

  for (const heatPump of live) {
    const previous = stored.snapshots.get(heatPump.id);
    const stateAt = stateTimestampOf(heatPump);
    // Compare with the last reading written, not the snapshot's state: an API live read may have
    // stored this state in the snapshot already, and its reading is still owed.
    const readingOwed = stateAt !== null && stateAt !== previous?.lastReadingStateAt;
    const snapshot = newSnapshot(
      user.externalUserId,
      heatPump,
      fetchedAt,
      readingOwed ? stateAt : (previous?.lastReadingStateAt ?? null),
    );
    const unchanged =
      previous !== undefined &&
      !readingOwed &&
      previous.stateUpdatedAt === snapshot.stateUpdatedAt &&
      previous.lastReadingStateAt === snapshot.lastReadingStateAt &&
      JSON.stringify(previous.heatPump) === JSON.stringify(heatPump);
    if (!unchanged)
      writes.push({ tableName: main, owner, request: { PutRequest: { Item: snapshotItem(snapshot) } } });
    if (readingOwed && stateAt !== null) {
      const item = readingItem({
        heatPumpId: heatPump.id,
        stateAt,
        recordedAt: fetchedAt,
        values: readingValuesOf(heatPump),
        expiresAt: readingExpiry(stateAt, settings.readingsRetentionDays),
      });
      writes.push({ tableName: settings.readingsTableName, owner, request: { PutRequest: { Item: item } } });
    }
  }
  const liveIds = new Set(live.map((hp) => hp.id));
  for (const id of stored.snapshots.keys()) {
    if (!liveIds.has(id)) {
      writes.push({
        tableName: main,
        owner,
        request: { DeleteRequest: { Key: { pk: userPk(user.externalUserId), sk: heatPumpSk(id) } } },
      });
    }
  }
  const previousIds = stored.marker?.heatPumpIds ?? null;
  const sameSet =
    previousIds !== null && previousIds.length === liveIds.size && previousIds.every((id) => liveIds.has(id));
  if (!sameSet || writes.length > 0) {
    const marker = listMarkerItem({
      externalUserId: user.externalUserId,
      fetchedAt,
      heatPumpIds: [...liveIds],
    });
    writes.push({ tableName: main, owner, request: { PutRequest: { Item: marker } } });
  }
  return { user, writes, heatPumps: live.length };
}
