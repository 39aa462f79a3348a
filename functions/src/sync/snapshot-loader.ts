/**
 * The sync's reads of stored device state (one kind per loader), batched across users with BatchGetItem.
 *
 * A Query per user was most of the sync's per-request SDK work (the CPU a C = 32 run is bound by).
 * Once a user's Podero list has arrived, the keys it needs are known: the list marker, a snapshot per
 * listed device, and (second round, rarely needed) the snapshots of ids the stored marker names but
 * Podero no longer lists, which must be deleted. Requests from many users are collected for a few ms,
 * or until 100 keys (BatchGetItem's limit) are waiting, and sent as one strongly consistent call;
 * `UnprocessedKeys` are retried with capped exponential backoff and full jitter, a bounded number of
 * times. A key still unread after that fails the users that asked for it, and only them.
 */
import { backoffDelayMs, sleep } from '../platform/backoff';
import {
  BATCH_GET_MAX_KEYS,
  type DeviceItemKey,
  type DeviceSnapshotStore,
  type StoredDeviceItem,
  type UserDeviceState,
} from '../storage/device-snapshots';

export interface SnapshotLoaderOptions {
  /** How long a request waits for others to join its call, unless 100 keys are waiting sooner. */
  maxWaitMs: number;
  /** Attempts per call, counting the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const defaultSnapshotLoaderOptions: SnapshotLoaderOptions = {
  maxWaitMs: 2,
  maxAttempts: 6,
  baseDelayMs: 50,
  maxDelayMs: 2_000,
  sleep,
  random: Math.random,
};

/** One `load` call, waiting for all its keys. */
interface LoadRequest {
  keysLeft: number;
  items: StoredDeviceItem[];
  settled: boolean;
  resolve: (items: StoredDeviceItem[]) => void;
  reject: (error: unknown) => void;
}

interface PendingKey {
  key: DeviceItemKey;
  requests: LoadRequest[];
}

const idOf = (key: DeviceItemKey): string =>
  JSON.stringify([key.externalUserId, key.deviceId, key.profile === true, key.openChanges === true]);

export class UnprocessedKeysError extends Error {
  constructor(count: number, attempts: number) {
    super(`BatchGetItem left ${count} keys unprocessed after ${attempts} attempts`);
    this.name = 'UnprocessedKeysError';
  }
}

export class SnapshotBatchLoader {
  private readonly opts: SnapshotLoaderOptions;
  /** Keys not yet sent, in arrival order (one entry per distinct key: BatchGetItem rejects duplicates). */
  private pending = new Map<string, PendingKey>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  readonly totals = { calls: 0, keys: 0 };

  constructor(
    private readonly store: Pick<DeviceSnapshotStore, 'batchGetOnce'>,
    options: Partial<SnapshotLoaderOptions> = {},
  ) {
    this.opts = { ...defaultSnapshotLoaderOptions, ...options };
  }

  /** The stored items (found ones only) under these keys. */
  load(keys: readonly DeviceItemKey[]): Promise<StoredDeviceItem[]> {
    return new Promise((resolve, reject) => {
      const request: LoadRequest = { keysLeft: 0, items: [], settled: false, resolve, reject };
      const seen = new Set<string>();
      for (const key of keys) {
        const id = idOf(key);
        if (seen.has(id)) continue;
        seen.add(id);
        request.keysLeft++;
        const entry = this.pending.get(id);
        if (entry) entry.requests.push(request);
        else this.pending.set(id, { key, requests: [request] });
      }
      if (request.keysLeft === 0) {
        request.settled = true;
        resolve([]);
        return;
      }
      while (this.pending.size >= BATCH_GET_MAX_KEYS) this.sendBatch();
      if (this.pending.size > 0 && this.timer === null) {
        this.timer = setTimeout(() => {
          this.timer = null;
          while (this.pending.size > 0) this.sendBatch();
        }, this.opts.maxWaitMs);
      }
    });
  }

  /**
   * A user's stored marker and snapshots as far as the sync needs them: the marker, the open-changes
   * item (one key per user and kind, as the marker: the pass settles and sweeps them) and the listed
   * devices' snapshots, then the snapshots of ids the marker names beyond the list (to delete them).
   */
  async loadUser(externalUserId: string, listedIds: readonly string[]): Promise<UserDeviceState> {
    const state: UserDeviceState = { marker: null, snapshots: new Map() };
    const collect = (items: StoredDeviceItem[]) => {
      for (const item of items) {
        if (item.kind === 'marker') state.marker = item.marker;
        else if (item.kind === 'open_changes') state.openChanges = item.openChanges;
        else if (item.kind === 'snapshot') state.snapshots.set(item.snapshot.deviceId, item.snapshot);
      }
    };
    collect(
      await this.load([
        { externalUserId, deviceId: null },
        { externalUserId, deviceId: null, openChanges: true },
        ...listedIds.map((deviceId) => ({ externalUserId, deviceId })),
      ]),
    );
    const listed = new Set(listedIds);
    const unlisted = (state.marker?.deviceIds ?? []).filter((id) => !listed.has(id));
    if (unlisted.length > 0)
      collect(await this.load(unlisted.map((deviceId) => ({ externalUserId, deviceId }))));
    return state;
  }

  /**
   * Whether the user is still onboarded with this Podero id, read in the same batched calls: the check
   * the sync makes after writing a user's items (erasure under a racing DELETE, UserStore).
   */
  async isOnboardedAs(externalUserId: string, poderoUserId: string): Promise<boolean> {
    const items = await this.load([{ externalUserId, deviceId: null, profile: true }]);
    return items.some((item) => item.kind === 'profile' && item.user?.podero_user_id === poderoUserId);
  }

  private sendBatch(): void {
    const batch: PendingKey[] = [];
    for (const [id, entry] of this.pending) {
      if (batch.length >= BATCH_GET_MAX_KEYS) break;
      batch.push(entry);
      this.pending.delete(id);
    }
    if (this.pending.size === 0 && this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.fetch(batch).catch((error: unknown) => {
      for (const entry of batch) for (const request of entry.requests) fail(request, error);
    });
  }

  private async fetch(batch: PendingKey[]): Promise<void> {
    let waiting = new Map(batch.map((entry) => [idOf(entry.key), entry]));
    for (let attempt = 0; attempt < this.opts.maxAttempts; attempt++) {
      if (attempt > 0) {
        await this.opts.sleep(backoffDelayMs(attempt, this.opts));
      }
      this.totals.calls++;
      this.totals.keys += waiting.size;
      const out = await this.store.batchGetOnce([...waiting.values()].map((entry) => entry.key));
      const found = new Map<string, StoredDeviceItem>();
      for (const item of out.items) found.set(idOf(item.key), item);
      const unprocessed = new Set(out.unprocessed.map(idOf));
      const next = new Map<string, PendingKey>();
      for (const [id, entry] of waiting) {
        if (unprocessed.has(id)) {
          next.set(id, entry);
          continue;
        }
        const item = found.get(id);
        for (const request of entry.requests) {
          if (request.settled) continue;
          if (item) request.items.push(item);
          if (--request.keysLeft === 0) {
            request.settled = true;
            request.resolve(request.items);
          }
        }
      }
      waiting = next;
      if (waiting.size === 0) return;
    }
    throw new UnprocessedKeysError(waiting.size, this.opts.maxAttempts);
  }
}

function fail(request: LoadRequest, error: unknown): void {
  if (request.settled) return;
  request.settled = true;
  request.reject(error);
}
