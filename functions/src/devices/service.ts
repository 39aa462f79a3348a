/**
 * A device kind's reads and writes behind the API routes (domain/devices/kinds.ts: one service per kind):
 * cache vs live, its controls, offboarding, readings. Nothing here names a kind; the kind says how to call
 * Podero, what a caller sees and what a control checks.
 *
 * Ownership is never taken from the path alone: the device must be one Podero lists or returns
 * under the Podero user id we stored for the external user (and, where Podero says who owns it,
 * `owner.id` must match), or a snapshot stored from such an answer.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { PoderoNotFoundError } from '@podero-bridge/podero-client';
import {
  type ChangeStatus,
  lastChangeStatus,
  manufacturerOf,
  newChange,
  newChangeId,
} from '../domain/devices/changes';
import { deviceHealthView, type HealthRules } from '../domain/devices/health';
import type { ControlIssue, DeviceKind } from '../domain/devices/kinds';
import {
  connectionStateOf,
  isDeleted,
  isUpstreamOutage,
  observedSnapshot,
  ownedBy,
} from '../domain/devices/rules';
import type { DeviceListAnswer } from '../domain/devices/view';
import { InvalidError, NotFoundError, UnknownUserError } from '../domain/errors';
import { outboxEntriesOf } from '../domain/events/catalogue';
import { QUARTER_HOUR_MS, readingCoverage } from '../domain/readings/coverage';
import type { BackfillStateStore } from '../storage/backfill-state';
import type { ChangePage, DeviceChangeStore } from '../storage/device-changes';
import type { DeviceRemovalRecord, DeviceRemovalStore } from '../storage/device-removals';
import {
  type DeviceJson,
  type DeviceSnapshot,
  type DeviceSnapshotStore,
  deviceSk,
  storedListFetchedAt,
  type UserDeviceState,
  userPk,
} from '../storage/device-snapshots';
import { type OutboxEntry, type OutboxStore, outboxEntryOf } from '../storage/outbox';
import type { Reading, ReadingsStore } from '../storage/readings';
import { type ChangeView, changeViewOf } from './change-schemas';
import type { ChangeTracker } from './change-tracker';
import { bucketReadings } from './reading-buckets';
import {
  type CoverageQuery,
  type CoverageResponse,
  type DeviceReadQuery,
  READINGS_LIMIT_MAX,
  type ReadingBucket,
  type ReadingBucketsResponse,
  type ReadingsQuery,
  type ReadingsResponse,
} from './schemas';

/** Finds the Podero user id of an onboarded user; null when we do not know the user. */
export type PoderoUserIdLookup = (externalUserId: string) => Promise<string | null>;

/**
 * After writes that created items under a user: true if the user is still onboarded with this Podero id,
 * else the items are removed again (UserStore.removeUnlessOnboarded: erasure under a racing DELETE).
 */
export type OnboardedGuard = (
  externalUserId: string,
  poderoUserId: string,
  createdSortKeys: readonly string[],
) => Promise<boolean>;

/** A device of the kind that is not the user's (or not at all): `<noun> not found`. */
export class UnknownDeviceError extends NotFoundError {
  override readonly name = 'UnknownDeviceError';
  constructor(
    readonly noun: string,
    readonly deviceId: string,
  ) {
    super(`${noun} not found`, { subject: noun });
  }
}

/** The change would leave the device (or record) inconsistent (e.g. minimum above maximum). */
export class SettingsConflictError extends InvalidError {
  override readonly name = 'SettingsConflictError';
  constructor(
    readonly issues: ControlIssue[],
    message = 'the settings are inconsistent',
  ) {
    super(message, {
      fields: issues.map((i) => ({ field: ['body', ...i.path].join('.'), message: i.message })),
    });
  }
}

/** A control's answer: the device as Podero answered the write, and the change it recorded. */
export type DeviceControlAnswer<Name extends string, View> = DeviceReadAnswer<Name, View> & {
  change: ChangeView;
};

/** A change of the device that is not there (or not the user's device's): `change not found`. */
export class UnknownChangeError extends NotFoundError {
  override readonly name = 'UnknownChangeError';
  constructor() {
    super('change not found', { subject: 'change' });
  }
}

/** A one-device answer: the view under the kind's name (`heat_pump`), and where it came from. */
export type DeviceReadAnswer<Name extends string, View> = { [K in Name]: View } & {
  source: 'cache' | 'live';
  fetched_at: string;
  stale: boolean;
};

export interface DeviceServiceDeps<Upstream> {
  podero: Upstream;
  findPoderoUserId: PoderoUserIdLookup;
  removeUnlessOnboarded: OnboardedGuard;
  snapshots: DeviceSnapshotStore;
  readings: ReadingsStore;
  /** Change events of what the reads store (domain/events/rules.ts), kept with the state they describe. */
  outbox: OutboxStore;
  /** The history of tracked changes (domain/devices/changes.ts), which the change routes answer. */
  changes: Pick<DeviceChangeStore, 'get' | 'list'>;
  /** Records the controls' changes and settles them with every live read (change-tracker.ts). */
  tracker: Pick<ChangeTracker, 'read' | 'record' | 'settle' | 'forgetDevice'>;
  /** Draws a change id's random part (tests pin it). */
  random?: () => number;
  /** Erases an offboarded device's readings (a queued job: a year of them outlasts a request). */
  requestErasure(externalUserId: string, deviceId: string): Promise<void>;
  /** Where a device that leaves the account leaves its removal record (the monthly statement reads it). */
  removals?: Pick<DeviceRemovalStore, 'put'>;
  /** The stage's sync interval: the unit of the kind's stale threshold (domain/devices/health.ts). */
  syncIntervalMs: number;
  /** The history backfill's records (its progress and unfillable gaps per device), shown with the coverage. */
  backfill?: Pick<BackfillStateStore, 'getDevice'>;
  now?: () => number;
  logger?: Logger;
}

const DAY_MS = 86_400_000;

/** 92 days at one reading per 15 minutes is 8,832 readings: nine pages; the bound only stops a runaway loop. */
const MAX_BUCKET_PAGES = 40;

/** The Podero client a kind's calls need (its `get`'s: the list's may be narrower, for the sync). */
export type UpstreamOf<K extends DeviceKind> = Parameters<K['get']>[0];
type ViewOf<K extends DeviceKind> = ReturnType<K['view']>;

export class DeviceService<K extends DeviceKind = DeviceKind> {
  private readonly now: () => number;

  constructor(
    readonly kind: K,
    private readonly deps: DeviceServiceDeps<UpstreamOf<K>>,
  ) {
    this.now = deps.now ?? Date.now;
  }

  private get healthRules(): HealthRules {
    return {
      staleAfterSyncIntervals: this.kind.health.staleAfterSyncIntervals,
      syncIntervalMs: this.deps.syncIntervalMs,
    };
  }

  /** The view with its health judged now (a cached snapshot whose state stopped moving shows `stale`). */
  private viewOf(snapshot: DeviceSnapshot, lastChange: ChangeStatus | undefined): ViewOf<K> {
    // The verdict's "last change not failed" reads the device's latest tracked change, from the user's
    // open-changes item (read beside the snapshot; devices/change-tracker.ts).
    const health = deviceHealthView(
      snapshot,
      connectionStateOf(snapshot.device),
      this.now(),
      this.healthRules,
      lastChange,
    );
    return this.kind.view(snapshot.device, snapshot.connection, health) as ViewOf<K>;
  }

  private answer(
    snapshot: DeviceSnapshot,
    lastChange: ChangeStatus | undefined,
    source: 'cache' | 'live',
    stale = false,
  ): DeviceReadAnswer<K['name'], ViewOf<K>> {
    return {
      [this.kind.name]: this.viewOf(snapshot, lastChange),
      source,
      fetched_at: snapshot.fetchedAt,
      stale,
    } as DeviceReadAnswer<K['name'], ViewOf<K>>;
  }

  private unknownDevice(deviceId: string): UnknownDeviceError {
    return new UnknownDeviceError(this.kind.noun, deviceId);
  }

  private async poderoUserId(externalUserId: string): Promise<string> {
    const id = await this.deps.findPoderoUserId(externalUserId);
    if (id === null) throw new UnknownUserError(externalUserId);
    return id;
  }

  /**
   * The user's Podero id and a read of our own storage, in parallel: both are keyed by the
   * external user id alone, so neither waits for the other (one DynamoDB round trip instead of
   * two). The user is still settled first, so an unknown user (404) or a failed user lookup wins
   * over whatever the storage read does, exactly as when the reads ran one after the other; the
   * storage read is only a read, so starting it for a user who turns out unknown writes nothing.
   */
  private async poderoUserIdWith<T>(
    externalUserId: string,
    read: () => Promise<T>,
  ): Promise<{ poderoUserId: string; stored: T }> {
    const stored = read();
    // Handled by the await below; without this a rejection while the user lookup is still
    // pending (or after it failed) would be reported as unhandled.
    stored.catch(() => undefined);
    const poderoUserId = await this.poderoUserId(externalUserId);
    return { poderoUserId, stored: await stored };
  }

  private ageSeconds(fetchedAt: string): number {
    return (this.now() - Date.parse(fetchedAt)) / 1000;
  }

  /** `stale_if_error_seconds` is opt-in: 0 (the default) never hides a Podero failure. */
  private servableOnError(fetchedAt: string, query: DeviceReadQuery): boolean {
    return query.stale_if_error_seconds > 0 && this.ageSeconds(fetchedAt) <= query.stale_if_error_seconds;
  }

  async list(externalUserId: string, query: DeviceReadQuery): Promise<DeviceListAnswer<ViewOf<K>>> {
    // One read for the user and the stored list (the other routes still look the user up apart).
    // The open-changes item (the verdict's latest change per device) comes with the list's one Query.
    const { user, state: stored } = await this.deps.snapshots.loadUserWithProfile(externalUserId);
    if (user === undefined) throw new UnknownUserError(externalUserId);
    const poderoUserId = user.podero_user_id;
    const open = stored.openChanges ?? (await this.deps.tracker.read(externalUserId, this.kind));
    const lastChangeOf = (snapshot: DeviceSnapshot) => lastChangeStatus(open.changes, snapshot.deviceId);
    const cached = (() => {
      if (!stored.marker) return null;
      const devices: DeviceSnapshot[] = [];
      for (const id of stored.marker.deviceIds) {
        const snapshot = stored.snapshots.get(id);
        if (!snapshot || !ownedBy(snapshot.device, poderoUserId)) return null;
        devices.push(snapshot);
      }
      // The list is as old as its oldest part (the marker and the snapshots are written concurrently, and
      // the sync rewrites the marker only when the list changed): storage/device-snapshots.ts says how.
      return { devices, fetchedAt: storedListFetchedAt(stored.marker, devices) };
    })();
    if (cached && query.max_age_seconds > 0 && this.ageSeconds(cached.fetchedAt) <= query.max_age_seconds) {
      return {
        items: cached.devices.map((snapshot) => this.viewOf(snapshot, lastChangeOf(snapshot))),
        next_cursor: null,
        source: 'cache',
        fetched_at: cached.fetchedAt,
        stale: false,
      };
    }

    const fetchedAt = new Date(this.now()).toISOString();
    let live: DeviceJson[];
    try {
      live = await this.kind.list(this.deps.podero, poderoUserId);
    } catch (error) {
      if (cached && isUpstreamOutage(error) && this.servableOnError(cached.fetchedAt, query)) {
        this.deps.logger?.warn(`Podero failed; serving a stale ${this.kind.noun} list`, {
          error_name: (error as Error).name,
        });
        return {
          items: cached.devices.map((snapshot) => this.viewOf(snapshot, lastChangeOf(snapshot))),
          next_cursor: null,
          source: 'cache',
          fetched_at: cached.fetchedAt,
          stale: true,
        };
      }
      throw error;
    }
    const snapshots = this.kind.visible(live, poderoUserId).map((device) => {
      const previous = stored.snapshots.get(device.id);
      return observedSnapshot(
        externalUserId,
        device,
        fetchedAt,
        previous,
        previous?.lastReadingStateAt ?? null,
        this.kind.name,
        this.healthRules,
      );
    });
    const { createdSortKeys } = await this.deps.snapshots.replaceUserList(
      externalUserId,
      snapshots,
      fetchedAt,
      stored,
      this.listEvents(externalUserId, snapshots, stored, fetchedAt),
    );
    await this.keepOnlyIfOnboarded(externalUserId, poderoUserId, createdSortKeys);
    return {
      items: snapshots.map((snapshot) => this.viewOf(snapshot, lastChangeOf(snapshot))),
      next_cursor: null,
      source: 'live',
      fetched_at: fetchedAt,
      stale: false,
    };
  }

  /**
   * What a live list read changes: each device's events, stored with its snapshot; the devices gone
   * since the stored list, stored with the new list marker, with the pending events of the snapshots the
   * write removes.
   */
  private listEvents(
    externalUserId: string,
    snapshots: readonly DeviceSnapshot[],
    stored: UserDeviceState,
    fetchedAt: string,
  ): { snapshots: Map<string, OutboxEntry[]>; marker: OutboxEntry[] } {
    const current = new Set(snapshots.map((snapshot) => snapshot.deviceId));
    const byDevice = new Map(
      snapshots.map((snapshot) => [
        snapshot.deviceId,
        outboxEntriesOf(this.kind.changeEvents(stored.snapshots.get(snapshot.deviceId), snapshot)),
      ]),
    );
    const goneIds = [...new Set([...(stored.marker?.deviceIds ?? []), ...stored.snapshots.keys()])];
    const carried = [...stored.snapshots.values()]
      .filter((snapshot) => !current.has(snapshot.deviceId))
      .flatMap((snapshot) => snapshot.outbox)
      .map(outboxEntryOf);
    return {
      snapshots: byDevice,
      marker: [
        ...carried,
        ...outboxEntriesOf(this.kind.deletedEvents(externalUserId, goneIds, current, fetchedAt)),
      ],
    };
  }

  async get(
    externalUserId: string,
    deviceId: string,
    query: DeviceReadQuery,
  ): Promise<DeviceReadAnswer<K['name'], ViewOf<K>>> {
    const openChanges = this.deps.tracker.read(externalUserId, this.kind);
    openChanges.catch(() => undefined);
    const { poderoUserId, stored } = await this.poderoUserIdWith(externalUserId, () =>
      this.deps.snapshots.get(externalUserId, deviceId),
    );
    const snapshot = stored && ownedBy(stored.device, poderoUserId) ? stored : null;
    if (
      snapshot &&
      query.max_age_seconds > 0 &&
      this.ageSeconds(snapshot.fetchedAt) <= query.max_age_seconds
    ) {
      return this.answer(snapshot, lastChangeStatus((await openChanges).changes, deviceId), 'cache');
    }
    try {
      const live = await this.fetchOwned(externalUserId, poderoUserId, deviceId, snapshot, openChanges);
      return this.answer(live.snapshot, live.lastChange, 'live');
    } catch (error) {
      if (snapshot && isUpstreamOutage(error) && this.servableOnError(snapshot.fetchedAt, query)) {
        this.deps.logger?.warn(`Podero failed; serving a stale ${this.kind.noun}`, {
          error_name: (error as Error).name,
        });
        return this.answer(snapshot, lastChangeStatus((await openChanges).changes, deviceId), 'cache', true);
      }
      throw error;
    }
  }

  /** Reads the device live, proves it is the user's, stores the snapshot. */
  private async fetchOwned(
    externalUserId: string,
    poderoUserId: string,
    deviceId: string,
    previous: DeviceSnapshot | null,
    // The open changes, when the caller started reading them already.
    openChanges = this.deps.tracker.read(externalUserId, this.kind),
  ): Promise<{ snapshot: DeviceSnapshot; lastChange: ChangeStatus | undefined }> {
    const fetchedAt = new Date(this.now()).toISOString();
    // The open changes are read while Podero answers (no added round trip); a control recorded after this
    // read makes the settlement's write lose its condition, and it reads them again.
    openChanges.catch(() => undefined);
    let device: DeviceJson;
    try {
      device = await this.kind.get(this.deps.podero, poderoUserId, deviceId);
    } catch (error) {
      if (error instanceof PoderoNotFoundError) {
        if (previous !== null)
          await this.forget(externalUserId, deviceId, {
            by: 'podero',
            readings: 'kept',
            buildingId: typeof previous.device.building_id === 'string' ? previous.device.building_id : null,
            firstReadingAt: null,
            lastReadingAt: previous.lastReadingStateAt ?? null,
          });
        throw this.unknownDevice(deviceId);
      }
      throw error;
    }
    if (device.id !== deviceId || !ownedBy(device, poderoUserId) || isDeleted(device)) {
      throw this.unknownDevice(deviceId);
    }
    const snapshot = this.observed(externalUserId, device, fetchedAt, previous);
    await this.putSnapshot(snapshot, poderoUserId, previous);
    // A live read is an observation: it settles the device's open changes (their events go with them).
    const open = await openChanges;
    const settled = await this.deps.tracker.settle(
      externalUserId,
      this.kind,
      new Map([[deviceId, { device, observedAt: fetchedAt }]]),
      { preloaded: open },
    );
    // The latest change as this observation left it: settled now, or as the item recorded it.
    const latest = open.changes.last[deviceId];
    const settledLatest = settled.find((change) => change.id === latest?.id);
    return { snapshot, lastChange: settledLatest?.status ?? latest?.status };
  }

  /**
   * Stores a snapshot read from Podero with the events of its change from `previous`; undone (404) if the
   * user was offboarded meanwhile.
   */
  private async putSnapshot(
    snapshot: DeviceSnapshot,
    poderoUserId: string,
    previous: DeviceSnapshot | null,
  ): Promise<void> {
    const outcome = await this.deps.snapshots.put(
      snapshot,
      outboxEntriesOf(this.kind.changeEvents(previous, snapshot)),
    );
    if (outcome === 'created') {
      await this.keepOnlyIfOnboarded(snapshot.externalUserId, poderoUserId, [
        deviceSk(snapshot.deviceId, this.kind.storage),
      ]);
    }
  }

  private async keepOnlyIfOnboarded(
    externalUserId: string,
    poderoUserId: string,
    createdSortKeys: readonly string[],
  ): Promise<void> {
    if (!(await this.deps.removeUnlessOnboarded(externalUserId, poderoUserId, createdSortKeys))) {
      throw new UnknownUserError(externalUserId);
    }
  }

  /**
   * Applies one of the kind's controls (`name`: its key in `kind.controls`) to a device: a live read first
   * (it proves ownership and gives the current values the control's check needs), the check, then the
   * Podero call; the device as Podero returns it is stored and answered.
   */
  async control(
    externalUserId: string,
    deviceId: string,
    name: string,
    body: unknown,
    by = 'unknown',
  ): Promise<DeviceControlAnswer<K['name'], ViewOf<K>>> {
    const control = this.kind.controls[name];
    if (control === undefined) throw new Error(`${this.kind.name} has no control ${name}`);
    const { poderoUserId, stored } = await this.poderoUserIdWith(externalUserId, () =>
      this.deps.snapshots.get(externalUserId, deviceId),
    );
    const { snapshot: current } = await this.fetchOwned(externalUserId, poderoUserId, deviceId, stored);
    const issues = control.issues(body, current.device, this.now());
    if (issues.length > 0) throw new SettingsConflictError(issues, control.refusal);

    const fetchedAt = new Date(this.now()).toISOString();
    let updated: DeviceJson;
    try {
      updated = await control.apply(this.deps.podero, poderoUserId, deviceId, body);
    } catch (error) {
      if (error instanceof PoderoNotFoundError) throw this.unknownDevice(deviceId);
      throw error;
    }
    // Podero took the write: the change is recorded pending. The device Podero answered is not an
    // observation of the device (Podero echoes what it was sent), so it settles nothing; a later read or
    // sync pass does. A refused write (thrown above) records nothing.
    const snapshot = this.observed(externalUserId, updated, fetchedAt, current);
    await this.putSnapshot(snapshot, poderoUserId, current);
    const change = await this.recordChange(
      externalUserId,
      deviceId,
      name,
      body as Record<string, unknown>,
      by,
      current.device,
    );
    return { ...this.answer(snapshot, change.status, 'live'), change };
  }

  /**
   * Records a control write Podero accepted as a tracked change, pending until an observation settles it:
   * the kind's own controls above, and those of other services (the charging service's boost), whose
   * check is the kind's `changeChecks` entry of the same name. `device`: as read just before the write.
   */
  async recordChange(
    externalUserId: string,
    deviceId: string,
    control: string,
    fields: Record<string, unknown>,
    by: string,
    device: DeviceJson,
  ): Promise<ChangeView> {
    const change = newChange({
      id: newChangeId(this.now(), this.deps.random),
      kind: this.kind.name,
      externalUserId,
      deviceId,
      control,
      fields,
      requestedAtMs: this.now(),
      timeoutSeconds: this.kind.changeTimeoutSeconds,
      by,
      manufacturer: manufacturerOf(device),
    });
    await this.deps.tracker.record(change);
    return changeViewOf(change);
  }

  /**
   * Settles the device's open changes of `control` by a read-back of it (a Podero read that shows what the
   * device's JSON does not: the kind's `changeReadBacks`, E8's weekly policy), made at `observedAt` by a
   * caller that has proved the device is the user's. Answers the latest change of that control this read
   * settled, as the history now keeps it; null when it settled none (none open, or still not shown).
   */
  async settleReadBack(
    externalUserId: string,
    deviceId: string,
    control: string,
    document: Readonly<Record<string, unknown>>,
    observedAt: string,
  ): Promise<ChangeView | null> {
    const open = await this.deps.tracker.read(externalUserId, this.kind);
    if (!open.changes.open.some((change) => change.deviceId === deviceId && change.control === control)) {
      return null;
    }
    const settled = await this.deps.tracker.settle(
      externalUserId,
      this.kind,
      new Map([[deviceId, { observedAt, readBacks: { [control]: { document, observedAt } } }]]),
      { preloaded: open },
    );
    const latest = [...settled]
      .reverse()
      .find((change) => change.deviceId === deviceId && change.control === control);
    return latest ? changeViewOf(latest) : null;
  }

  /** One page of a device's changes, newest first (its history outlives the device, as readings do). */
  async listChanges(
    externalUserId: string,
    deviceId: string,
    query: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: ChangeView[]; next_cursor: string | null }> {
    await this.requireOwnedForHistory(externalUserId, deviceId);
    const page: ChangePage = await this.deps.changes.list(
      externalUserId,
      this.kind.name,
      deviceId,
      query.limit,
      query.cursor,
    );
    return { items: page.changes.map(changeViewOf), next_cursor: page.nextCursor };
  }

  async getChange(
    externalUserId: string,
    deviceId: string,
    changeId: string,
  ): Promise<{ change: ChangeView }> {
    await this.requireOwnedForHistory(externalUserId, deviceId);
    const change = await this.deps.changes.get(externalUserId, this.kind.name, deviceId, changeId);
    if (change === null) throw new UnknownChangeError();
    return { change: changeViewOf(change) };
  }

  private observed(
    externalUserId: string,
    device: DeviceJson,
    fetchedAt: string,
    previous: DeviceSnapshot | null,
  ): DeviceSnapshot {
    return observedSnapshot(
      externalUserId,
      device,
      fetchedAt,
      previous,
      previous?.lastReadingStateAt ?? null,
      this.kind.name,
      this.healthRules,
    );
  }

  /**
   * Offboards one device the documented way: soft delete at Podero (`PUT deleted_at`), then our snapshot
   * goes and the list cache is forgotten, and a queued job erases its readings. Idempotent: a device that is
   * already deleted at Podero (but was this user's) answers the same. Ownership is proven first, including
   * deleted devices, so a path naming another user's device deletes nothing.
   */
  async offboard(externalUserId: string, deviceId: string): Promise<void> {
    const poderoUserId = await this.poderoUserId(externalUserId);
    let current: DeviceJson;
    try {
      current = await this.kind.get(this.deps.podero, poderoUserId, deviceId, { includeDeleted: true });
    } catch (error) {
      if (error instanceof PoderoNotFoundError) throw this.unknownDevice(deviceId);
      throw error;
    }
    if (current.id !== deviceId || !ownedBy(current, poderoUserId)) throw this.unknownDevice(deviceId);
    if (!isDeleted(current)) {
      try {
        await this.kind.softDelete(this.deps.podero, poderoUserId, deviceId, new Date(this.now()));
      } catch (error) {
        // Deleted by a concurrent request between the read and the write: the outcome we wanted.
        if (!(error instanceof PoderoNotFoundError)) throw error;
      }
    }
    // The span of its readings, before the erasure takes them: the statement names it in those months.
    const [first, last] = await Promise.all([
      this.deps.readings.earliest(deviceId),
      this.deps.readings.latest(deviceId),
    ]);
    await this.forget(externalUserId, deviceId, {
      by: 'offboarding',
      readings: 'erased',
      buildingId: typeof current.building_id === 'string' ? current.building_id : null,
      firstReadingAt: first?.stateAt ?? null,
      lastReadingAt: last?.stateAt ?? null,
    });
    await this.deps.tracker.forgetDevice(externalUserId, this.kind, deviceId);
    await this.deps.requestErasure(externalUserId, deviceId);
    this.deps.logger?.info(`${this.kind.noun} offboarded`, { [this.kind.storage.idAttribute]: deviceId });
  }

  /**
   * Our records of a device Podero no longer lists: its snapshot and the list that named it, leaving its
   * removal record (storage/device-removals.ts) for the monthly statement. Its
   * deletion event (`<kind>.deleted`), and the events still pending on the two items, are stored first as
   * standalone events (their ids are the transitions', so a retried forget stores the same ones).
   */
  async forget(
    externalUserId: string,
    deviceId: string,
    removal: Omit<DeviceRemovalRecord, 'kind' | 'deviceId' | 'at'>,
  ): Promise<void> {
    const at = new Date(this.now()).toISOString();
    // First: a forget that fails after it is retried, and the record is the same but for its time.
    await this.deps.removals?.put(externalUserId, { ...removal, kind: this.kind.name, deviceId, at });
    const [deleted] = outboxEntriesOf(this.kind.deletedEvents(externalUserId, [deviceId], new Set(), at));
    const items = [deviceSk(deviceId, this.kind.storage), this.kind.storage.listMarkerSk].map((sk) => ({
      pk: userPk(externalUserId),
      sk,
    }));
    await this.deps.outbox.rescue(items, this.now());
    if (deleted) await this.deps.outbox.putStandalone(deleted, this.now());
    await Promise.all([
      this.deps.snapshots.delete(externalUserId, deviceId, at),
      this.deps.snapshots.forgetList(externalUserId),
    ]);
  }

  /** A live, owned read for the reauthentication flow: the device with its pending actions (and secrets). */
  async readLive(
    externalUserId: string,
    deviceId: string,
  ): Promise<{ poderoUserId: string; device: DeviceJson }> {
    const { poderoUserId, stored } = await this.poderoUserIdWith(externalUserId, () =>
      this.deps.snapshots.get(externalUserId, deviceId),
    );
    const { snapshot: live } = await this.fetchOwned(externalUserId, poderoUserId, deviceId, stored);
    return { poderoUserId, device: live.device };
  }

  async readings(externalUserId: string, deviceId: string, query: ReadingsQuery): Promise<ReadingsResponse> {
    await this.requireOwnedForHistory(externalUserId, deviceId);
    const range = { ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}) };
    const page = await this.deps.readings.list(deviceId, range, query.limit, query.cursor, query.order);
    return {
      items: page.readings.map((r) => ({
        state_at: r.stateAt,
        recorded_at: r.recordedAt,
        source: r.source ?? 'sync',
        values: r.values,
      })),
      next_cursor: page.nextCursor,
    };
  }

  /**
   * How complete a device's history is: per UTC day of the range, the whole quarter-hours that hold a reading
   * against those expected (up to now), the gaps, how many the backfill filled, and the backfill's record.
   */
  async coverage(externalUserId: string, deviceId: string, query: CoverageQuery): Promise<CoverageResponse> {
    await this.requireOwnedForHistory(externalUserId, deviceId);
    const nowMs = (this.deps.now ?? Date.now)();
    const toMs = Math.min(query.to ? Date.parse(query.to) : nowMs, nowMs);
    const fromMs = Math.min(query.from ? Date.parse(query.from) : toMs - 7 * DAY_MS, toMs);
    const from = new Date(fromMs).toISOString();
    const to = new Date(toMs).toISOString();
    const times = fromMs < toMs ? await this.deps.readings.times(deviceId, { from, to }) : [];
    const at = times.map((t) => t.at);
    const backfilledQuarters = new Set(
      times
        .filter((t) => t.source === 'backfill')
        .map((t) => Math.floor(Date.parse(t.at) / QUARTER_HOUR_MS) * QUARTER_HOUR_MS),
    );
    const days: CoverageResponse['days'] = [];
    for (let day = Math.floor(fromMs / DAY_MS) * DAY_MS; day < toMs; day += DAY_MS) {
      const dayFrom = Math.max(day, fromMs);
      const dayTo = Math.min(day + DAY_MS, toMs);
      const { expected, covered, ratio, gaps } = readingCoverage(
        at,
        new Date(dayFrom).toISOString(),
        new Date(dayTo).toISOString(),
      );
      let backfilled = 0;
      for (const quarter of backfilledQuarters) if (quarter >= dayFrom && quarter < dayTo) backfilled++;
      days.push({
        day: new Date(day).toISOString().slice(0, 10),
        expected,
        covered,
        ratio,
        backfilled,
        gaps,
      });
    }
    const { expected, covered, ratio } = readingCoverage(at, from, to);
    const record = await this.deps.backfill?.getDevice(this.kind.name, deviceId);
    const history = this.kind.history;
    return {
      from,
      to,
      total: { expected, covered, ratio },
      days,
      backfill: {
        available: history.available,
        reason: history.available ? null : history.reason,
        checked_through: record?.checkedThrough ?? null,
        filled_quarters: record?.filledQuarters ?? 0,
        unfillable: record?.unfillable ?? [],
      },
    };
  }

  /**
   * The readings of a range folded into buckets (a chart's series). Reads the whole range page by page:
   * the schema bounds it (at most 92 days of daily buckets, about 8,800 readings at one per 15 minutes).
   */
  async readingBuckets(
    externalUserId: string,
    deviceId: string,
    query: ReadingsQuery & { bucket: ReadingBucket },
  ): Promise<ReadingBucketsResponse> {
    await this.requireOwnedForHistory(externalUserId, deviceId);
    const range = { ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}) };
    const readings: Reading[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_BUCKET_PAGES; page++) {
      const next = await this.deps.readings.list(deviceId, range, READINGS_LIMIT_MAX, cursor);
      readings.push(...next.readings);
      if (next.nextCursor === null) break;
      cursor = next.nextCursor;
    }
    const buckets = bucketReadings(readings, query.bucket);
    return {
      items: query.order === 'desc' ? buckets.reverse() : buckets,
      next_cursor: null,
      bucket: query.bucket,
    };
  }

  /** The user's Podero id once the device is proven theirs (for its history: deleted devices count). */
  async requireOwnedForHistory(externalUserId: string, deviceId: string): Promise<string> {
    const { poderoUserId, stored } = await this.poderoUserIdWith(externalUserId, () =>
      this.deps.snapshots.get(externalUserId, deviceId),
    );
    await this.assertOwnsForHistory(poderoUserId, deviceId, stored);
    return poderoUserId;
  }

  /**
   * History outlives the device: a device deleted at Podero keeps its readings (billing), so
   * ownership is proven by our snapshot, or else by Podero including soft-deleted devices.
   */
  private async assertOwnsForHistory(
    poderoUserId: string,
    deviceId: string,
    snapshot: DeviceSnapshot | null,
  ) {
    if (snapshot && ownedBy(snapshot.device, poderoUserId)) return;
    try {
      const device = await this.kind.get(this.deps.podero, poderoUserId, deviceId, {
        includeDeleted: true,
      });
      if (device.id === deviceId && ownedBy(device, poderoUserId)) return;
    } catch (error) {
      if (!(error instanceof PoderoNotFoundError)) throw error;
    }
    throw this.unknownDevice(deviceId);
  }
}

/** One device service per kind (the routes find theirs by the kind they were generated from). */
export class DeviceServices {
  private readonly byName: ReadonlyMap<string, unknown>;

  /** Each kind's service (a DeviceService of any kind: typed again by `of`). */
  constructor(services: readonly { readonly kind: Pick<DeviceKind, 'name'> }[]) {
    this.byName = new Map(services.map((service) => [service.kind.name, service]));
  }

  of<K extends DeviceKind>(kind: K): DeviceService<K> {
    const service = this.byName.get(kind.name);
    if (service === undefined) throw new Error(`no device service for the kind ${kind.name}`);
    return service as unknown as DeviceService<K>;
  }
}
