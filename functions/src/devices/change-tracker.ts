/**
 * Records and settles tracked changes (domain/devices/changes.ts) across their two stores: the user's
 * open-changes item of the kind (storage/open-changes.ts, written only with a condition on its version)
 * and the history (storage/device-changes.ts). The API's controls record; the API's live reads and every
 * sync pass settle (a pass also fails whatever passed its deadline unobserved: the sweep).
 *
 * The order of the writes keeps one invariant, so that no history item stays `pending` past its deadline:
 * every pending history item is in its open-changes item. A new change enters the open item before its
 * history item is written; a change leaves it only after its history item was settled. The settled
 * change's event is taken from the history as stored (a slower observer that lost the race announces the
 * winner's settlement, with the same event id), appended in the same write that removes it from the item.
 */
import { settleObserved } from '../domain/devices/change-settlement';
import {
  changeSettledEvent,
  type DeviceChange,
  type DeviceObservation,
  type OpenChanges,
  withoutDevice,
  withRecordedChange,
  withSettled,
} from '../domain/devices/changes';
import type { DeviceKind } from '../domain/devices/kind';
import { type BridgeEvent, outboxEntriesOf } from '../domain/events/catalogue';
import type { DeviceChangeStore } from '../storage/device-changes';
import type { OpenChangesStore, VersionedOpenChanges } from '../storage/open-changes';
import type { ChangeMetrics } from './change-metrics';

/** Writes of the open item that lost to another writer before one of ours is given up. */
const WRITE_ATTEMPTS = 6;

export class ChangeConflictError extends Error {
  constructor(kind: string) {
    super(`the open changes of a ${kind} user kept changing: ${WRITE_ATTEMPTS} writes lost`);
    this.name = 'ChangeConflictError';
  }
}

export interface ChangeTrackerDeps {
  open: Pick<OpenChangesStore, 'get' | 'write'>;
  history: Pick<DeviceChangeStore, 'put' | 'settle'>;
  metrics?: ChangeMetrics;
  logger?: { warn(message: string): void };
}

/**
 * What changes are tracked of: a device kind, or a subject of the user's own (the charging configuration,
 * domain/devices/charging-config-change.ts) declared in the same terms. `api.idParam` names the device in
 * the settled changes' events; null for a subject without one.
 */
export type TrackedSubject = Pick<DeviceKind, 'name' | 'controls' | 'changeChecks' | 'changeReadBacks'> & {
  readonly api: { readonly idParam: string | null };
};

export class ChangeTracker {
  constructor(private readonly deps: ChangeTrackerDeps) {}

  /** The user's open changes of the kind, with the version a write back needs. */
  read(externalUserId: string, kind: Pick<DeviceKind, 'name'>): Promise<VersionedOpenChanges> {
    return this.deps.open.get(externalUserId, kind.name);
  }

  /**
   * Records a change Podero accepted: into the open item (superseding the pending changes of the same
   * device to one of its fields, whose history is settled first), then its history item, pending.
   */
  async record(change: DeviceChange): Promise<DeviceChange> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const read = await this.deps.open.get(change.externalUserId, change.kind);
      const { changes, superseded } = withRecordedChange(read.changes, change);
      const stored = await this.settleHistory(superseded);
      const written = await this.deps.open.write(change.externalUserId, change.kind, changes, read.version);
      if (!written) continue;
      this.deps.metrics?.record(stored.counted);
      await this.deps.history.put(change);
      return change;
    }
    throw new ChangeConflictError(change.kind);
  }

  /**
   * Settles the user's open changes of the kind against these observations (by device id). `sweepAt`
   * (a sync pass) also fails the unobserved ones past their deadline. `preloaded` is the open item as
   * read with the observation's other reads (the sync's batched read, the API's read beside the
   * snapshot); with `once` (the sync), a lost write is left to the next pass instead of read again.
   * Answers the changes as the history now keeps them.
   */
  async settle(
    externalUserId: string,
    kind: TrackedSubject,
    observations: ReadonlyMap<string, DeviceObservation>,
    options: { sweepAt?: string; preloaded?: VersionedOpenChanges; once?: boolean } = {},
  ): Promise<readonly DeviceChange[]> {
    let read = options.preloaded ?? (await this.deps.open.get(externalUserId, kind.name));
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const { settled } = settleObserved(kind, read.changes, observations, options.sweepAt);
      if (settled.length === 0) return [];
      const stored = await this.settleHistory(settled);
      const next: OpenChanges = withSettled(read.changes, stored.changes);
      const events = stored.changes
        .map((change) => changeSettledEvent(change, kind.api.idParam))
        .filter((event): event is BridgeEvent => event !== null);
      const written = await this.deps.open.write(
        externalUserId,
        kind.name,
        next,
        read.version,
        outboxEntriesOf(events),
        false,
      );
      // Counted once, by whoever settled the history item (even if its open-item write then lost).
      this.deps.metrics?.record(stored.counted);
      if (written) return stored.changes;
      if (options.once) return [];
      read = await this.deps.open.get(externalUserId, kind.name);
    }
    this.deps.logger?.warn(`tracked ${kind.name} changes left open: their item kept changing`);
    return [];
  }

  /** Forgets a device's open changes and latest change (the device was offboarded). */
  async forgetDevice(
    externalUserId: string,
    kind: Pick<DeviceKind, 'name'>,
    deviceId: string,
  ): Promise<void> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const read = await this.deps.open.get(externalUserId, kind.name);
      if (read.version === 0) return;
      const next = withoutDevice(read.changes, deviceId);
      if (await this.deps.open.write(externalUserId, kind.name, next, read.version, [], false)) return;
    }
    throw new ChangeConflictError(kind.name);
  }

  /** Settles history items; `counted`: those this call settled (the metrics count each change once). */
  private async settleHistory(
    changes: readonly DeviceChange[],
  ): Promise<{ changes: DeviceChange[]; counted: DeviceChange[] }> {
    const results = await Promise.all(changes.map((change) => this.deps.history.settle(change)));
    return {
      changes: results.map((result) => result.stored),
      counted: results.filter((result) => result.settledNow).map((result) => result.stored),
    };
  }
}
