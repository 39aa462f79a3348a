/**
 * Heat-pump reads and writes behind the API routes: cache vs live, settings updates, readings.
 *
 * Ownership is never taken from the path alone: the heat pump must be one Podero lists or returns
 * under the Podero user id we stored for the external user (and, where Podero says who owns it,
 * `owner.id` must match), or a snapshot stored from such an answer.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { PoderoNotFoundError, type UpdateHeatPumpRequest } from '@podero-bridge/podero-client';
import { deletedHeatPumpEvent, deletedHeatPumpEvents, heatPumpEvents } from '../domain/devices/heat-pump';
import {
  isDeleted,
  isUpstreamOutage,
  observedSnapshot,
  ownedBy,
  visibleHeatPumps,
} from '../domain/devices/rules';
import { InvalidError, NotFoundError, UnknownUserError } from '../domain/errors';
import { outboxEntriesOf } from '../domain/events/catalogue';
import type { ErasureService } from '../erasure/erasure';
import {
  DEVICE_LIST_MARKER_SK,
  type DeviceJson,
  type DeviceSnapshot,
  type DeviceSnapshotStore,
  deviceSk,
  type UserDeviceState,
  userPk,
} from '../storage/device-snapshots';
import { type OutboxEntry, type OutboxStore, outboxEntryOf } from '../storage/outbox';
import type { Reading, ReadingsStore } from '../storage/readings';
import { bucketReadings } from './reading-buckets';
import {
  type HeatPumpListResponse,
  type HeatPumpReadQuery,
  type HeatPumpResponse,
  READINGS_LIMIT_MAX,
  type ReadingBucket,
  type ReadingBucketsResponse,
  type ReadingsQuery,
  type ReadingsResponse,
  type SettingsIssue,
  settingsIssues,
  type UpdateHeatPumpSettings,
} from './schemas';
import { heatPumpView } from './view';

/** The part of the Podero client this service uses (the real client satisfies it). */
export interface HeatPumpUpstream {
  heatPumps: {
    list(userId: string): Promise<DeviceJson[]>;
    get(userId: string, deviceId: string, options?: { includeDeleted?: boolean }): Promise<DeviceJson>;
    update(userId: string, deviceId: string, body: UpdateHeatPumpRequest): Promise<DeviceJson>;
    softDelete(userId: string, deviceId: string, at?: Date): Promise<DeviceJson>;
  };
}

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

export class UnknownHeatPumpError extends NotFoundError {
  override readonly name = 'UnknownHeatPumpError';
  constructor(readonly deviceId: string) {
    super('heat pump not found', { subject: 'heat pump' });
  }
}

/** The settings would leave the heat pump inconsistent (e.g. minimum above maximum). */
export class SettingsConflictError extends InvalidError {
  override readonly name = 'SettingsConflictError';
  constructor(readonly issues: SettingsIssue[]) {
    super('the settings are inconsistent', {
      fields: issues.map((i) => ({ field: ['body', ...i.path].join('.'), message: i.message })),
    });
  }
}

export interface HeatPumpServiceDeps {
  podero: HeatPumpUpstream;
  findPoderoUserId: PoderoUserIdLookup;
  removeUnlessOnboarded: OnboardedGuard;
  snapshots: DeviceSnapshotStore;
  readings: ReadingsStore;
  /** Change events of what the reads store (domain/events/rules.ts), kept with the state they describe. */
  outbox: OutboxStore;
  /** Erases an offboarded device's readings (a queued job: a year of them outlasts a request). */
  erasure: Pick<ErasureService, 'requestForHeatPump'>;
  now?: () => number;
  logger?: Logger;
}

/** 92 days at one reading per 15 minutes is 8,832 readings: nine pages; the bound only stops a runaway loop. */
const MAX_BUCKET_PAGES = 40;

const viewOf = (snapshot: DeviceSnapshot) => heatPumpView(snapshot.device, snapshot.connection);

export class HeatPumpService {
  private readonly now: () => number;

  constructor(private readonly deps: HeatPumpServiceDeps) {
    this.now = deps.now ?? Date.now;
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
  private servableOnError(fetchedAt: string, query: HeatPumpReadQuery): boolean {
    return query.stale_if_error_seconds > 0 && this.ageSeconds(fetchedAt) <= query.stale_if_error_seconds;
  }

  async list(externalUserId: string, query: HeatPumpReadQuery): Promise<HeatPumpListResponse> {
    // One read for the user and the stored list (the other routes still look the user up apart).
    const { user, state: stored } = await this.deps.snapshots.loadUserWithProfile(externalUserId);
    if (user === undefined) throw new UnknownUserError(externalUserId);
    const poderoUserId = user.podero_user_id;
    const cached = (() => {
      if (!stored.marker) return null;
      const heatPumps: DeviceSnapshot[] = [];
      // The list is as old as its oldest part: the marker and the snapshots are written concurrently,
      // so a snapshot whose update has not landed (or failed) must not be labelled with the marker's time.
      let fetchedAt = stored.marker.fetchedAt;
      for (const id of stored.marker.deviceIds) {
        const snapshot = stored.snapshots.get(id);
        if (!snapshot || !ownedBy(snapshot.device, poderoUserId)) return null;
        heatPumps.push(snapshot);
        if (Date.parse(snapshot.fetchedAt) < Date.parse(fetchedAt)) fetchedAt = snapshot.fetchedAt;
      }
      return { heatPumps, fetchedAt };
    })();
    if (cached && query.max_age_seconds > 0 && this.ageSeconds(cached.fetchedAt) <= query.max_age_seconds) {
      return {
        items: cached.heatPumps.map(viewOf),
        next_cursor: null,
        source: 'cache',
        fetched_at: cached.fetchedAt,
        stale: false,
      };
    }

    const fetchedAt = new Date(this.now()).toISOString();
    let live: DeviceJson[];
    try {
      live = await this.deps.podero.heatPumps.list(poderoUserId);
    } catch (error) {
      if (cached && isUpstreamOutage(error) && this.servableOnError(cached.fetchedAt, query)) {
        this.deps.logger?.warn('Podero failed; serving a stale heat-pump list', {
          error_name: (error as Error).name,
        });
        return {
          items: cached.heatPumps.map(viewOf),
          next_cursor: null,
          source: 'cache',
          fetched_at: cached.fetchedAt,
          stale: true,
        };
      }
      throw error;
    }
    const snapshots = visibleHeatPumps(live, poderoUserId).map((device) =>
      observedSnapshot(externalUserId, device, fetchedAt, stored.snapshots.get(device.id)),
    );
    const { createdSortKeys } = await this.deps.snapshots.replaceUserList(
      externalUserId,
      snapshots,
      fetchedAt,
      stored,
      this.listEvents(externalUserId, snapshots, stored, fetchedAt),
    );
    await this.keepOnlyIfOnboarded(externalUserId, poderoUserId, createdSortKeys);
    return {
      items: snapshots.map(viewOf),
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
        outboxEntriesOf(heatPumpEvents(stored.snapshots.get(snapshot.deviceId), snapshot)),
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
        ...outboxEntriesOf(deletedHeatPumpEvents(externalUserId, goneIds, current, fetchedAt)),
      ],
    };
  }

  async get(externalUserId: string, deviceId: string, query: HeatPumpReadQuery): Promise<HeatPumpResponse> {
    const { poderoUserId, stored } = await this.poderoUserIdWith(externalUserId, () =>
      this.deps.snapshots.get(externalUserId, deviceId),
    );
    const snapshot = stored && ownedBy(stored.device, poderoUserId) ? stored : null;
    if (
      snapshot &&
      query.max_age_seconds > 0 &&
      this.ageSeconds(snapshot.fetchedAt) <= query.max_age_seconds
    ) {
      return { heat_pump: viewOf(snapshot), source: 'cache', fetched_at: snapshot.fetchedAt, stale: false };
    }
    try {
      const live = await this.fetchOwned(externalUserId, poderoUserId, deviceId, snapshot);
      return { heat_pump: viewOf(live), source: 'live', fetched_at: live.fetchedAt, stale: false };
    } catch (error) {
      if (snapshot && isUpstreamOutage(error) && this.servableOnError(snapshot.fetchedAt, query)) {
        this.deps.logger?.warn('Podero failed; serving a stale heat pump', {
          error_name: (error as Error).name,
        });
        return { heat_pump: viewOf(snapshot), source: 'cache', fetched_at: snapshot.fetchedAt, stale: true };
      }
      throw error;
    }
  }

  /** Reads the heat pump live, proves it is the user's, stores the snapshot. */
  private async fetchOwned(
    externalUserId: string,
    poderoUserId: string,
    deviceId: string,
    previous: DeviceSnapshot | null,
  ): Promise<DeviceSnapshot> {
    const fetchedAt = new Date(this.now()).toISOString();
    let device: DeviceJson;
    try {
      device = await this.deps.podero.heatPumps.get(poderoUserId, deviceId);
    } catch (error) {
      if (error instanceof PoderoNotFoundError) {
        if (previous !== null) await this.forget(externalUserId, deviceId);
        throw new UnknownHeatPumpError(deviceId);
      }
      throw error;
    }
    if (device.id !== deviceId || !ownedBy(device, poderoUserId) || isDeleted(device)) {
      throw new UnknownHeatPumpError(deviceId);
    }
    const snapshot = observedSnapshot(externalUserId, device, fetchedAt, previous);
    await this.putSnapshot(snapshot, poderoUserId, previous);
    return snapshot;
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
      outboxEntriesOf(heatPumpEvents(previous, snapshot)),
    );
    if (outcome === 'created') {
      await this.keepOnlyIfOnboarded(snapshot.externalUserId, poderoUserId, [deviceSk(snapshot.deviceId)]);
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

  async updateSettings(
    externalUserId: string,
    deviceId: string,
    settings: UpdateHeatPumpSettings,
  ): Promise<HeatPumpResponse> {
    const { poderoUserId, stored } = await this.poderoUserIdWith(externalUserId, () =>
      this.deps.snapshots.get(externalUserId, deviceId),
    );
    // A live read first: it proves ownership and gives the current values the cross-field rules need.
    const current = await this.fetchOwned(externalUserId, poderoUserId, deviceId, stored);
    const issues = settingsIssues(settings, current.device, this.now());
    if (issues.length > 0) throw new SettingsConflictError(issues);

    const fetchedAt = new Date(this.now()).toISOString();
    let updated: DeviceJson;
    try {
      updated = await this.deps.podero.heatPumps.update(poderoUserId, deviceId, settings);
    } catch (error) {
      if (error instanceof PoderoNotFoundError) throw new UnknownHeatPumpError(deviceId);
      throw error;
    }
    const snapshot = observedSnapshot(externalUserId, updated, fetchedAt, current);
    await this.putSnapshot(snapshot, poderoUserId, current);
    return { heat_pump: viewOf(snapshot), source: 'live', fetched_at: fetchedAt, stale: false };
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
      current = await this.deps.podero.heatPumps.get(poderoUserId, deviceId, { includeDeleted: true });
    } catch (error) {
      if (error instanceof PoderoNotFoundError) throw new UnknownHeatPumpError(deviceId);
      throw error;
    }
    if (current.id !== deviceId || !ownedBy(current, poderoUserId)) throw new UnknownHeatPumpError(deviceId);
    if (!isDeleted(current)) {
      try {
        await this.deps.podero.heatPumps.softDelete(poderoUserId, deviceId, new Date(this.now()));
      } catch (error) {
        // Deleted by a concurrent request between the read and the write: the outcome we wanted.
        if (!(error instanceof PoderoNotFoundError)) throw error;
      }
    }
    await this.forget(externalUserId, deviceId);
    await this.deps.erasure.requestForHeatPump(externalUserId, deviceId);
    this.deps.logger?.info('heat pump offboarded', { heat_pump_id: deviceId });
  }

  /**
   * Our records of a device Podero no longer lists: its snapshot and the list that named it. Its
   * `heat_pump.deleted` event, and the events still pending on the two items, are stored first as
   * standalone events (their ids are the transitions', so a retried forget stores the same ones).
   */
  async forget(externalUserId: string, deviceId: string): Promise<void> {
    const at = new Date(this.now()).toISOString();
    const [deleted] = outboxEntriesOf([deletedHeatPumpEvent(externalUserId, deviceId, at)]);
    const items = [deviceSk(deviceId), DEVICE_LIST_MARKER_SK].map((sk) => ({
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
    const live = await this.fetchOwned(externalUserId, poderoUserId, deviceId, stored);
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
        values: r.values,
      })),
      next_cursor: page.nextCursor,
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
   * History outlives the device: a heat pump deleted at Podero keeps its readings (billing), so
   * ownership is proven by our snapshot, or else by Podero including soft-deleted devices.
   */
  private async assertOwnsForHistory(
    poderoUserId: string,
    deviceId: string,
    snapshot: DeviceSnapshot | null,
  ) {
    if (snapshot && ownedBy(snapshot.device, poderoUserId)) return;
    try {
      const device = await this.deps.podero.heatPumps.get(poderoUserId, deviceId, {
        includeDeleted: true,
      });
      if (device.id === deviceId && ownedBy(device, poderoUserId)) return;
    } catch (error) {
      if (!(error instanceof PoderoNotFoundError)) throw error;
    }
    throw new UnknownHeatPumpError(deviceId);
  }
}
