/**
 * One run of the device sync (every kind of domain/devices/kinds.ts), as a class whose fields are the run's state and whose methods each do
 * one thing: take the lease, start users in walk order while the C Podero slots and the window allow,
 * sync one user (list -> read stored state -> plan -> write -> check), move and save the cursor, drain,
 * and finish the pass. Module doc of the behaviour: sync.ts.
 *
 * Pipelined: a user starts as soon as one of the C Podero slots frees, while earlier users' writes,
 * failure records and cursor saves run in the background (`WritePipeline`). Progress is still a prefix:
 * users start in walk order, a stop only prevents further starts, and the cursor moves only past the
 * longest prefix of finished users, so a later run resumes without gaps.
 */
import { PoderoError } from '@podero-bridge/podero-client';
import { ChangeMetrics } from '../devices/change-metrics';
import { ChangeTracker } from '../devices/change-tracker';
import type { DeviceChange, DeviceObservation } from '../domain/devices/changes';
import type { ChangeReadBack } from '../domain/devices/kind';
import { type DeviceKindsPlan, foundKinds, planDeviceKinds } from '../domain/devices/kind-plan';
import { type DeviceFigures, deviceFiguresOf, deviceKinds, SYNC_NAMES } from '../domain/devices/kinds';
import { isUpstreamOutage } from '../domain/devices/rules';
import { outboxEntriesOf } from '../domain/events/catalogue';
import { syncCompletedEvent } from '../domain/events/rules';
import { addCensus, censusOf, emptyCensus, type FleetCensus } from '../domain/fleet-census';
import { pickSyncFigures, syncFiguresOf } from '../domain/sync-figures';
import { MetricUnit } from '../platform/observability';
import type { PendingWrite } from '../storage/batch-write';
import { DeviceChangeStore } from '../storage/device-changes';
import { type DeviceJson, DeviceSnapshotStore, type UserDeviceState } from '../storage/device-snapshots';
import { OpenChangesStore } from '../storage/open-changes';
import { OutboxStore } from '../storage/outbox';
import { SYNC_CURSOR_SK, type SyncCursor, SyncLeaseLostError, SyncStateStore } from '../storage/sync-state';
import { UserStore } from '../storage/users';
import { ChargingConfigSettler } from './charging-config';
import { planUserWrites } from './plan';
import { SnapshotBatchLoader } from './snapshot-loader';
import { StatementReadyAnnouncer } from './statement-ready';
import {
  DEVICE_KINDS_RECHECK_MS_DEFAULT,
  type SyncRunDeps,
  type SyncRunInput,
  type SyncScope,
  type SyncStopReason,
  type SyncSummary,
} from './types';
import { type OnboardedUser, UserStream, UserWalk } from './user-walk';
import { WritePipeline } from './write-pipeline';

/** The health metrics each run publishes (cdk/src/constructs/monitoring.ts watches them by these names). */
export const SYNC_HEALTH_METRICS = {
  judged: 'SyncDevicesReportingJudged',
  stale: 'SyncDevicesStale',
} as const;

/** Consecutive users failing on a Podero outage after which a run stops instead of hammering Podero. */
export const OUTAGE_STOP_THRESHOLD_DEFAULT = 10;

interface UserFailure {
  code: string;
  message: string;
  outage: boolean;
}

/** A short, safe description of why a user failed: never Podero's body, never a token. */
function describeFailure(error: unknown): UserFailure {
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
export function maxUsersAheadOfCursor(settings: { userPageSize: number; syncConcurrency: number }): number {
  return Math.max(settings.userPageSize, 8 * settings.syncConcurrency);
}

/** The whole user walk under the `CURSOR` item: a pass completes when the walk reaches its end. */
export const WHOLE_WALK: SyncScope = { progressKey: SYNC_CURSOR_SK, after: null, until: null };

/** The kinds' names in registry order, as the kinds plan takes them (built once, not per user). */
const DEVICE_KIND_NAMES_IN_ORDER = deviceKinds.map((kind) => kind.name);

export class SyncRun {
  private readonly scope: SyncScope;
  private readonly config: SyncRunDeps['config'];
  private readonly startedAt: number;
  private readonly state: SyncStateStore;
  private readonly outbox: OutboxStore;
  private readonly users: UserStore;
  private readonly loaders: SnapshotBatchLoader[];
  private readonly writer: WritePipeline;
  private readonly statements: StatementReadyAnnouncer;
  private readonly chargingConfig: ChargingConfigSettler;
  private readonly summary: SyncSummary;
  private readonly signal = new Signal();
  private readonly changes: ChangeTracker;
  private readonly outageThreshold: number;
  /** Started users in walk order; the head is the first not yet done. */
  private readonly tasks: UserTask[] = [];
  private readonly failedBefore = new Set<string>();
  private cursor: SyncCursor = {
    lastExternalUserId: null,
    passStartedAt: null,
    passesCompleted: 0,
    lastPassCompletedAt: null,
  };
  /**
   * Devices whose reporting this run judged (connected: `ok` or `stale`) and the stale ones: the fleet's stale
   * share, published as metrics (not a sync figure: the figures' payloads stay as they were).
   */
  private readonly reporting = { judged: 0, stale: 0 };
  /** Podero calls in flight: the C slots. */
  private fetching = 0;
  /** Users whose Podero list arrived and whose stored state is being read. */
  private loading = 0;
  private noMoreStarts = false;
  /** Why the start loop waits, if not for a free Podero slot. */
  private startsBlocked: 'walk' | 'window' | null = null;
  private fatal: { error: unknown } | undefined;
  private leaseLost = false;
  private saving: Promise<void> | null = null;
  private doneSinceSave = 0;
  private consecutiveOutages = 0;
  /** Latched when the first stop is seen: users in flight may succeed afterwards and reset the outage count. */
  private stopCause: 'outage' | 'other' | null = null;

  constructor(
    private readonly deps: SyncRunDeps,
    private readonly input: SyncRunInput,
  ) {
    const { db, config } = deps;
    this.config = config;
    this.startedAt = deps.now();
    this.scope = input.scope ?? WHOLE_WALK;
    this.state = new SyncStateStore(db, config.mainTableName, this.scope.progressKey);
    this.outbox = new OutboxStore(db, config.mainTableName);
    this.users = new UserStore(db, config.mainTableName);
    // One loader per kind (each batches its own keys across users); the first also answers the profile check.
    this.loaders = deviceKinds.map(
      (kind) =>
        new SnapshotBatchLoader(
          new DeviceSnapshotStore(db, config.mainTableName, kind.storage),
          deps.snapshotLoaderOptions,
        ),
    );
    this.statements = new StatementReadyAnnouncer(deps);
    this.outageThreshold = config.outageStopThreshold ?? OUTAGE_STOP_THRESHOLD_DEFAULT;
    this.changes = new ChangeTracker({
      open: new OpenChangesStore(db, config.mainTableName),
      history: new DeviceChangeStore(db, config.mainTableName),
      metrics: new ChangeMetrics(deps.metrics),
      logger: deps.logger,
    });
    this.chargingConfig = new ChargingConfigSettler(deps, this.changes);
    this.summary = {
      run_id: input.runId,
      source: input.source,
      ...syncFiguresOf(),
      snapshots_written: 0,
      batch_write_calls: 0,
      duration_ms: 0,
      completed_pass: false,
      stopped: 'time_budget',
      cursor: null,
      census: emptyCensus(),
    };
    this.writer = new WritePipeline(deps, {
      // Nothing new will be fetched soon: partial batches go now rather than wait to fill. With the
      // window full, only the fetches in flight can add writes, and one of them may be slow: don't wait.
      isIdle: () =>
        this.startsBlocked === 'window' ||
        (this.fetching === 0 && this.loading === 0 && (this.noMoreStarts || this.startsBlocked === 'walk')),
      onProgress: () => this.signal.notify(),
      onFatal: (error) => this.onFatal(error),
    });
  }

  /** The whole run: lease, walk, drain, cursor; the lease is released whatever happens. */
  async run(): Promise<SyncSummary> {
    const acquired = await this.state.acquireLease(
      this.input.runId,
      this.startedAt,
      this.startedAt + this.input.remainingTimeMs(),
    );
    if (acquired === null) return this.finish('lease_held');
    this.cursor =
      acquired.lastExternalUserId === null
        ? { ...acquired, passStartedAt: new Date(this.startedAt).toISOString() }
        : acquired;
    this.summary.cursor = this.cursor.lastExternalUserId;
    try {
      for (const failure of await this.state.listFailures(this.scope)) {
        this.failedBefore.add(failure.externalUserId);
      }
      const walk = await this.startUsers();
      await this.drain();
      await this.complete(walk);
    } catch (error) {
      if (!(error instanceof SyncLeaseLostError)) throw error;
      this.summary.stopped = 'lease_lost';
    } finally {
      await this.state.releaseLease(this.input.runId);
    }
    const summary = this.finish(this.summary.stopped);
    await this.recordRun(summary);
    return summary;
  }

  /**
   * `sync.completed` when this run completed a pass: stored before the cursor moves to the next pass, so a
   * run that dies between the two completes the pass again and stores the same event (its id is the run's
   * pass start) instead of losing it.
   */
  private async storePassCompleted(passStartedAt: string | null): Promise<void> {
    const [entry] = outboxEntriesOf([
      syncCompletedEvent({
        run_id: this.input.runId,
        pass_started_at: passStartedAt,
        completed_at: new Date(this.deps.now()).toISOString(),
        ...pickSyncFigures(this.summary),
      }),
    ]);
    if (entry) await this.outbox.putStandalone(entry, this.deps.now());
  }

  /** History for GET /sync/status; best effort: a run that synced is not failed by its diary. */
  private async recordRun(summary: SyncSummary): Promise<void> {
    try {
      await this.state.recordRun({
        runId: summary.run_id,
        source: summary.source,
        startedAt: new Date(this.startedAt).toISOString(),
        durationMs: summary.duration_ms,
        figures: pickSyncFigures(summary),
        completedPass: summary.completed_pass,
        stopped: summary.stopped,
      });
    } catch (error) {
      this.deps.logger.warn('could not record the sync run', { error_name: (error as Error).name });
    }
  }

  private onFatal(error: unknown): void {
    if (error instanceof SyncLeaseLostError) this.leaseLost = true;
    else this.fatal ??= { error };
    this.signal.notify();
  }

  /** Monotonic: once a stop is seen no later user starts, so the started users are a prefix of the walk. */
  private shouldStop(): boolean {
    if (this.stopCause === null) {
      if (this.consecutiveOutages >= this.outageThreshold) this.stopCause = 'outage';
      else if (this.fatal !== undefined || this.leaseLost || this.outOfTime()) this.stopCause = 'other';
    }
    return this.stopCause !== null;
  }

  private outOfTime(): boolean {
    return this.input.remainingTimeMs() < this.config.safetyMarginMs;
  }

  /**
   * Starts users in walk order until the walk ends or a stop is seen. A failed walk Query ends the starts,
   * but the users in flight still finish and the cursor is saved (`complete` rethrows it).
   */
  private async startUsers(): Promise<{ ended: boolean; error?: unknown }> {
    const users = new UserStream(
      new UserWalk(this.deps.db, this.config.mainTableName),
      this.cursor.lastExternalUserId ?? this.scope.after,
      this.config.userPageSize,
      this.scope.until,
    );
    const maxAhead = maxUsersAheadOfCursor(this.config);
    try {
      // Bounded: every turn starts a user or ends the loop.
      for (let turn = 0; turn < 100_000_000; turn++) {
        while (
          !users.exhausted &&
          !this.shouldStop() &&
          (this.fetching >= this.config.syncConcurrency || this.tasks.length >= maxAhead)
        ) {
          this.startsBlocked = this.tasks.length >= maxAhead ? 'window' : null;
          this.writer.flush();
          await this.signal.wait();
        }
        this.startsBlocked = null;
        if (users.exhausted) return { ended: true };
        if (this.shouldStop()) return { ended: false };
        if (!users.ready) {
          this.startsBlocked = 'walk';
          this.writer.flush();
        }
        const user = await users.next();
        this.startsBlocked = null;
        if (user === null) return { ended: true };
        if (this.shouldStop()) return { ended: false };
        this.startUser(user);
      }
      return { ended: false };
    } catch (error) {
      return { ended: false, error };
    }
  }

  /** One user, in the background: list, read, plan, write, check, finish. */
  private startUser(user: OnboardedUser): void {
    const task: UserTask = { user, done: false };
    this.tasks.push(task);
    this.fetching++;
    // The slot frees when Podero answers: the batched read of the stored state that follows is not
    // a Podero call, and holding the slot through it would leave Podero capacity idle.
    let listed = false;
    const onListed = () => {
      if (listed) return;
      listed = true;
      this.fetching--;
      this.loading++;
      this.signal.notify();
    };
    this.planUser(user, onListed)
      .then((outcome) => {
        onListed();
        this.loading--;
        this.consecutiveOutages =
          'failure' in outcome && outcome.failure.outage ? this.consecutiveOutages + 1 : 0;
        this.summary.users++;
        if ('failure' in outcome) {
          this.finishUser(task, outcome.failure).catch((error) => this.onFatal(error));
        } else {
          for (const kind of deviceKinds) this.summary[kind.figure] += outcome.devices[kind.figure];
          addCensus(this.summary.census, outcome.census);
          this.write(task, outcome.writes);
        }
        this.writer.flush();
        this.signal.notify();
      })
      .catch((error) => this.onFatal(error));
  }

  /** Podero's list and our stored state for one user, turned into the writes the plan asks for. */
  private async planUser(
    user: OnboardedUser,
    onListed: () => void,
  ): Promise<
    { writes: PendingWrite[]; devices: DeviceFigures; census: FleetCensus } | { failure: UserFailure }
  > {
    const nowMs = this.deps.now();
    const kinds = planDeviceKinds(
      {
        externalUserId: user.externalUserId,
        deviceKinds: user.deviceKinds ?? null,
        checkedAt: user.deviceKindsCheckedAt ?? null,
      },
      DEVICE_KIND_NAMES_IN_ORDER,
      nowMs,
      this.config.deviceKindsRecheckMs ?? DEVICE_KINDS_RECHECK_MS_DEFAULT,
    );
    // Null: a kind the user does not have (Podero is not asked; its stored state is left alone).
    const listedByKind: (DeviceJson[] | null)[] = [];
    try {
      for (const kind of deviceKinds) {
        listedByKind.push(
          kinds.ask.includes(kind.name) ? await kind.list(this.deps.podero, user.poderoUserId) : null,
        );
      }
    } catch (error) {
      onListed();
      return { failure: describeFailure(error) };
    }
    onListed();
    try {
      await this.recordDeviceKinds(user, kinds, listedByKind, nowMs);
    } catch (error) {
      return { failure: describeFailure(error) };
    }
    const writes: PendingWrite[] = [];
    const devices = deviceFiguresOf();
    const census = emptyCensus();
    for (const [index, kind] of deviceKinds.entries()) {
      const listed = listedByKind[index];
      const loader = this.loaders[index];
      if (!loader || !listed) continue;
      const planned = await this.planKind(user, kind, listed, loader);
      if ('failure' in planned) return planned;
      writes.push(...planned.writes);
      devices[kind.figure] += planned.devices;
      addCensus(census, planned.census);
    }
    return { writes, devices, census };
  }

  /**
   * What the user's profile records about their kinds after this pass's lists: a recheck records the kinds
   * with a device of the user's (unless an onboarding session added one since the lists were asked for); a
   * user recorded before kinds were gets the plan's staggered record.
   */
  private async recordDeviceKinds(
    user: OnboardedUser,
    kinds: DeviceKindsPlan,
    listedByKind: readonly (DeviceJson[] | null)[],
    listedAtMs: number,
  ): Promise<void> {
    if (kinds.recheck) {
      const listedAt = new Date(listedAtMs).toISOString();
      const found = foundKinds(
        new Map(
          deviceKinds.map((kind, index) => [
            kind.name,
            kind.visible(listedByKind[index] ?? [], user.poderoUserId).length,
          ]),
        ),
      );
      await this.users.recordDeviceKinds(user.externalUserId, found, listedAt, listedAt);
    } else if (kinds.backfill) {
      await this.users.recordDeviceKinds(
        user.externalUserId,
        kinds.backfill.deviceKinds,
        kinds.backfill.checkedAt,
      );
    }
  }

  /** One kind's list and stored state for one user, turned into the writes the plan asks for. */
  private async planKind(
    user: OnboardedUser,
    kind: (typeof deviceKinds)[number],
    listed: DeviceJson[],
    loader: SnapshotBatchLoader,
  ): Promise<{ writes: PendingWrite[]; devices: number; census: FleetCensus } | { failure: UserFailure }> {
    try {
      // Only the keys this list (and the stored marker) can name: a snapshot that neither names is not
      // read, so not deleted; the API's list cache goes by the marker and never serves it.
      const stored = await loader.loadUser(
        user.externalUserId,
        listed.map((hp) => hp.id),
      );
      const fetchedAt = new Date(this.deps.now()).toISOString();
      const plan = planUserWrites({
        kind,
        externalUserId: user.externalUserId,
        poderoUserId: user.poderoUserId,
        listed,
        stored,
        fetchedAt,
        tables: { main: this.config.mainTableName, readings: this.config.readingsTableName },
        readingsRetentionDays: this.config.readingsRetentionDays,
        syncIntervalMs: this.config.syncIntervalMs,
      });
      // Counted when planned: a user whose writes then fail is judged again next pass.
      this.reporting.judged += plan.reporting.judged;
      this.reporting.stale += plan.reporting.stale;
      await this.settleChanges(user, kind, listed, stored, fetchedAt);
      // The pass's census: connection states as listed, and the devices judged stale (device health).
      const census = censusOf(kind.visible(listed, user.poderoUserId));
      census.stale = plan.reporting.stale;
      return { writes: plan.writes, devices: plan.devices, census };
    } catch (error) {
      return { failure: describeFailure(error) };
    }
  }

  /**
   * The pass is an observation of every listed device: it settles the user's open changes of the kind
   * and fails those past their deadline, listed or not (the sweep). Apart from the batched writes (ADR
   * 0004): the open-changes item is written with a condition, only for a user with open changes, and a
   * write that lost to a concurrent control is left to the next pass. A failure here fails no sync.
   */
  private async settleChanges(
    user: OnboardedUser,
    kind: (typeof deviceKinds)[number],
    listed: readonly DeviceJson[],
    stored: UserDeviceState,
    fetchedAt: string,
  ): Promise<void> {
    if (!stored.openChanges || stored.openChanges.changes.open.length === 0) return;
    const open = stored.openChanges.changes.open;
    try {
      const observations = new Map<string, DeviceObservation>();
      for (const device of kind.visible(listed, user.poderoUserId)) {
        const readBacks = await this.readBacks(user, kind, device.id, open);
        observations.set(device.id, { device, observedAt: fetchedAt, readBacks });
      }
      await this.changes.settle(user.externalUserId, kind, observations, {
        sweepAt: fetchedAt,
        preloaded: stored.openChanges,
        once: true,
      });
    } catch (error) {
      this.deps.logger.warn('tracked changes not settled this pass', {
        external_user_id: user.externalUserId,
        device_kind: kind.name,
        error_name: (error as Error).name,
      });
    }
  }

  /**
   * The reads that observe a listed device's open changes its JSON cannot show (the kind's
   * `changeReadBacks`: a vehicle's weekly policy, E8), one per control with a change open: none for a
   * device without one, so the pass asks Podero nothing more for the rest. A failed read observes nothing
   * (the change waits for a later read; past its deadline the sweep fails it, as for an unlisted device).
   */
  private async readBacks(
    user: OnboardedUser,
    kind: (typeof deviceKinds)[number],
    deviceId: string,
    open: readonly DeviceChange[],
  ): Promise<DeviceObservation['readBacks']> {
    const declared: Readonly<Record<string, ChangeReadBack<SyncRunDeps['podero']>>> =
      'changeReadBacks' in kind ? kind.changeReadBacks : {};
    const controls = new Set(
      open
        .filter((change) => change.deviceId === deviceId && declared[change.control] !== undefined)
        .map((change) => change.control),
    );
    const reads: Record<string, { document: Readonly<Record<string, unknown>>; observedAt: string }> = {};
    for (const control of controls) {
      try {
        const document = await declared[control]?.read(this.deps.podero, user.poderoUserId, deviceId);
        if (document) reads[control] = { document, observedAt: new Date(this.deps.now()).toISOString() };
      } catch (error) {
        this.deps.logger.warn('a tracked change’s read-back failed this pass', {
          external_user_id: user.externalUserId,
          device_kind: kind.name,
          control,
          error_name: (error as Error).name,
        });
      }
    }
    return reads;
  }

  /** Hands the user's writes to the pipeline; the user finishes when they landed (and were checked). */
  private write(task: UserTask, writes: PendingWrite[]): void {
    const readings = writes.filter((w) => w.tableName === this.config.readingsTableName);
    const main = writes.filter((w) => w.tableName !== this.config.readingsTableName);
    this.writer.add({ readings, main }, (writeError) => {
      const finished =
        writeError !== undefined
          ? this.finishUser(task, { code: 'WriteFailed', message: writeError, outage: false })
          : this.keepOnlyIfOnboarded(task.user, main)
              .then(() => this.statements.afterUserSynced(task.user))
              .then(() => this.chargingConfig.afterUserSynced(task.user))
              .then(() => this.finishUser(task, undefined));
      finished.catch((error) => this.onFatal(error));
    });
  }

  /**
   * The writer's half of erasure (UserStore.beginOffboarding): a user offboarded while the sync listed it
   * may have had its snapshots and marker re-created by these writes. The check shares the batched reads;
   * only a user found gone pays a second, consistent look and the deletes.
   */
  private async keepOnlyIfOnboarded(user: OnboardedUser, main: PendingWrite[]): Promise<void> {
    const created = main.flatMap((w) =>
      'PutRequest' in w.request && typeof w.request.PutRequest.Item.sk === 'string'
        ? [w.request.PutRequest.Item.sk]
        : [],
    );
    if (created.length === 0) return;
    if (await this.loaders[0]?.isOnboardedAs(user.externalUserId, user.poderoUserId)) return;
    if (!(await this.users.removeUnlessOnboarded(user.externalUserId, user.poderoUserId, created))) {
      this.deps.logger.info('user offboarded during the sync; its new items were removed', {
        external_user_id: user.externalUserId,
      });
    }
  }

  /** Records (or clears) the user's failure, marks it done and moves the cursor. */
  private async finishUser(task: UserTask, failure: UserFailure | undefined): Promise<void> {
    const ext = task.user.externalUserId;
    if (failure) {
      this.summary.failures++;
      this.deps.logger.warn(`${SYNC_NAMES.logLabel} failed for a user`, {
        external_user_id: ext,
        error_code: failure.code,
      });
      await this.state.recordFailure(
        ext,
        failure.code,
        failure.message,
        new Date(this.deps.now()).toISOString(),
      );
    } else if (this.failedBefore.has(ext)) {
      await this.state.clearFailure(ext);
    }
    task.done = true;
    this.advanceCursor();
  }

  /** Moves the cursor past the longest prefix of finished users; saves it every page or so. */
  private advanceCursor(): void {
    while (this.tasks[0]?.done) {
      const task = this.tasks.shift() as UserTask;
      this.cursor = { ...this.cursor, lastExternalUserId: task.user.externalUserId };
      this.doneSinceSave++;
    }
    if (this.doneSinceSave >= this.config.userPageSize && !this.noMoreStarts) this.saveCursorInBackground();
    this.signal.notify();
  }

  private saveCursorInBackground(): void {
    if (this.saving !== null || this.doneSinceSave === 0 || this.leaseLost) return;
    const position = this.cursor;
    this.doneSinceSave = 0;
    this.saving = this.state
      .saveCursor(this.input.runId, position)
      .catch((error) => this.onFatal(error))
      .finally(() => {
        this.saving = null;
        if (this.doneSinceSave >= this.config.userPageSize && !this.noMoreStarts) {
          this.saveCursorInBackground();
        }
        this.signal.notify();
      });
  }

  /** Every started user finishes (writes, failure record) and the background save lands. */
  private async drain(): Promise<void> {
    this.noMoreStarts = true;
    this.writer.flush();
    while ((this.tasks.length > 0 || this.saving !== null) && this.fatal === undefined) {
      this.writer.flush();
      await this.signal.wait();
    }
    if (this.fatal !== undefined) throw this.fatal.error;
    this.summary.batch_write_calls = this.writer.totals.calls;
    this.summary.readings_written = this.writer.totals.readingsWritten;
    this.summary.snapshots_written = this.writer.totals.mainWritten;
    if (this.leaseLost) throw new SyncLeaseLostError();
  }

  /** Saves the final cursor: reset after a completed pass, else where the run stopped. */
  private async complete(walk: { ended: boolean; error?: unknown }): Promise<void> {
    if (walk.error !== undefined) {
      await this.state.saveCursor(this.input.runId, this.cursor);
      throw walk.error;
    }
    if (walk.ended) {
      // drain() has put the writer's totals into the summary.
      const figures = pickSyncFigures(this.summary);
      if (this.scope.completed) {
        await this.scope.completed(figures, this.cursor.passStartedAt, this.summary.census);
      } else await this.storePassCompleted(this.cursor.passStartedAt);
      this.cursor = {
        lastExternalUserId: null,
        passStartedAt: null,
        passesCompleted: this.cursor.passesCompleted + 1,
        lastPassCompletedAt: new Date(this.deps.now()).toISOString(),
      };
    }
    await this.state.saveCursor(this.input.runId, this.cursor);
    this.summary.completed_pass = walk.ended;
    this.summary.stopped = walk.ended
      ? 'completed_pass'
      : this.stopCause === 'outage'
        ? 'upstream_outage'
        : 'time_budget';
    this.summary.cursor = this.cursor.lastExternalUserId;
  }

  /** The summary, logged and as metrics. */
  private finish(stopped: SyncStopReason): SyncSummary {
    const summary = this.summary;
    summary.stopped = stopped;
    summary.duration_ms = this.deps.now() - this.startedAt;
    this.deps.logger.info(`${SYNC_NAMES.logLabel} run`, { summary });
    const m = this.deps.metrics;
    m.addMetric('SyncUsers', MetricUnit.Count, summary.users);
    for (const kind of deviceKinds) m.addMetric(kind.metric, MetricUnit.Count, summary[kind.figure]);
    m.addMetric('SyncReadingsWritten', MetricUnit.Count, summary.readings_written);
    m.addMetric('SyncSnapshotsWritten', MetricUnit.Count, summary.snapshots_written);
    m.addMetric('SyncFailures', MetricUnit.Count, summary.failures);
    m.addMetric('SyncBatchWriteCalls', MetricUnit.Count, summary.batch_write_calls);
    m.addMetric('SyncDuration', MetricUnit.Milliseconds, summary.duration_ms);
    m.addMetric('SyncCompletedPass', MetricUnit.Count, summary.completed_pass ? 1 : 0);
    // The stale share: summed over a sync interval across every run (shard) of a pass, stale / judged is the
    // pass's share (infra's DevicesStaleShare alarm divides them).
    m.addMetric(SYNC_HEALTH_METRICS.judged, MetricUnit.Count, this.reporting.judged);
    m.addMetric(SYNC_HEALTH_METRICS.stale, MetricUnit.Count, this.reporting.stale);
    m.publishStoredMetrics();
    return summary;
  }
}
