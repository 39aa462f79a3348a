/**
 * What the sync writes for one user, decided from what Podero listed and what we stored: pure, no I/O.
 *
 * The sync's write rules, stated here once, and why they differ from the API's:
 * - Snapshots and the list marker are written with BatchWriteItem, which takes no conditions, so the
 *   sync does not use the store's newest-wins `put` (`fetched_at <= :new`). A sync write may therefore
 *   replace an API snapshot read a few seconds later; the next read or pass corrects it. In exchange a
 *   user costs a share of one batched call instead of a conditional write per item (at 10,000 users that
 *   is the difference between ~1,200 and ~30,000 DynamoDB requests a pass, `pnpm bench sync`).
 * - A snapshot stores the kind's projection of Podero's JSON (domain/devices/snapshot-fields.ts). A device
 *   whose projection, state, connection and health are as stored, and whose reading is written, costs no
 *   write: its snapshot keeps the `fetched_at` of the pass that last changed it (a cached read dates it so,
 *   never younger than it is).
 * - Each pass observes the device's connection (domain/devices/rules.ts observeConnection), so `since` is the
 *   first pass (or read) that saw a new state, and its health (domain/devices/health.ts) against the pass's
 *   clock: a device whose answer is byte-identical to the last one is still written when it turns stale.
 * - A reading is written once per state timestamp (readings are keyed by it), compared with the last
 *   reading the sync wrote, not with the snapshot's state: an API live read may have stored the state in
 *   the snapshot already, and its reading is still owed. Re-processing a user is therefore harmless.
 * - Devices no longer listed (deleted at Podero, or another owner's) lose their snapshot and leave a
 *   removal record (storage/device-removals.ts, for the monthly statement). The marker is
 *   rewritten when the list changed (ids, a removal, a deletion event), not each pass: each snapshot written
 *   carries the list's fingerprint (`listed_with`), which tells the API's list cache the list was the marker's
 *   as of that snapshot's fetch (devices/service.ts). The marker's own `fetched_at` stays the last change's.
 * - A change the events rules see (domain/events/rules.ts: connection, optimisation, a device gone) is stored
 *   with the item it changes, in its outbox, and pending events read with an item are carried into its
 *   rewrite (storage/outbox.ts), so a pass never stores a state without its event nor drops one.
 * - After the writes, the user must still be onboarded, or what they created is removed again
 *   (UserStore.beginOffboarding: erasure under a racing DELETE); that check is the run's, not the plan's.
 */

import { type DeviceKind, readingValuesOf } from '../domain/devices/kinds';
import { observedSnapshot } from '../domain/devices/rules';
import type { StoredHealth } from '../domain/devices/state';
import { outboxEntriesOf } from '../domain/events/catalogue';
import { listMarkerBatchItem, readingBatchItem, snapshotBatchItem } from '../storage/batch-items';
import type { PendingWrite } from '../storage/batch-write';
import { deviceRemovalItem } from '../storage/device-removals';
import {
  type DeviceJson,
  deviceSk,
  listFingerprintOf,
  stateTimestampOf,
  storedDeviceJsonOf,
  type UserDeviceState,
  userPk,
} from '../storage/device-snapshots';
import { readingExpiry } from '../storage/readings';

export interface PlanInput {
  /** The kind of the listed devices: its rules, events and reading fields. */
  kind: Pick<
    DeviceKind,
    'visible' | 'changeEvents' | 'deletedEvents' | 'readingFields' | 'storage' | 'health'
  >;
  externalUserId: string;
  poderoUserId: string;
  /** What Podero listed for the user, as it came. */
  listed: readonly DeviceJson[];
  /** What we stored: the marker and the snapshots the listed ids (and the marker) name. */
  stored: UserDeviceState;
  /** When the list was fetched (ISO). */
  fetchedAt: string;
  tables: { main: string; readings: string };
  readingsRetentionDays: number;
  /** The stage's sync interval: a kind's stale threshold counts in it (domain/devices/health.ts). */
  syncIntervalMs: number;
}

export interface UserPlan {
  readonly writes: PendingWrite[];
  /** The user's visible devices of the kind. */
  readonly devices: number;
  /** Change events stored with these writes. */
  readonly events: number;
  /** Of the visible devices, those connected whose reporting was judged (`ok` or `stale`), and the stale ones. */
  readonly reporting: { readonly judged: number; readonly stale: number };
}

const sameHealth = (a: StoredHealth | null | undefined, b: StoredHealth | null | undefined): boolean =>
  a?.reporting.state === b?.reporting.state &&
  a?.reporting.since === b?.reporting.since &&
  a?.steering.state === b?.steering.state &&
  a?.steering.since === b?.steering.since;

export function planUserWrites(input: PlanInput): UserPlan {
  const owner = input.externalUserId;
  const main = input.tables.main;
  const writes: PendingWrite[] = [];
  let eventCount = 0;
  const reporting = { judged: 0, stale: 0 };
  const live = input.kind.visible(input.listed, input.poderoUserId);
  const listedWith = listFingerprintOf(live.map((device) => device.id));

  for (const device of live) {
    const previous = input.stored.snapshots.get(device.id);
    const stateAt = stateTimestampOf(device);
    const readingOwed = stateAt !== null && stateAt !== previous?.lastReadingStateAt;
    // The connection is observed on every pass, so a lost connection is recorded within one interval
    // even when nobody reads the device.
    const snapshot = observedSnapshot(
      owner,
      device,
      input.fetchedAt,
      previous,
      readingOwed ? stateAt : (previous?.lastReadingStateAt ?? null),
      input.kind.storage.kind,
      {
        staleAfterSyncIntervals: input.kind.health.staleAfterSyncIntervals,
        syncIntervalMs: input.syncIntervalMs,
      },
    );
    const events = outboxEntriesOf(input.kind.changeEvents(previous, snapshot));
    eventCount += events.length;
    const reportingState = snapshot.health?.reporting.state;
    if (reportingState === 'ok' || reportingState === 'stale') reporting.judged++;
    if (reportingState === 'stale') reporting.stale++;
    const unchanged =
      events.length === 0 &&
      previous !== undefined &&
      !readingOwed &&
      previous.stateUpdatedAt === snapshot.stateUpdatedAt &&
      previous.lastReadingStateAt === snapshot.lastReadingStateAt &&
      previous.connection?.state === snapshot.connection?.state &&
      previous.connection?.since === snapshot.connection?.since &&
      // Judged against the clock: a device whose answer is byte-identical turns stale all the same.
      sameHealth(previous.health, snapshot.health) &&
      // What would be stored, against what is: an item stored whole (before projections) differs, and is
      // replaced by its projection.
      JSON.stringify(previous.device) === storedDeviceJsonOf(device, input.kind.storage);
    if (!unchanged)
      writes.push({
        tableName: main,
        owner,
        request: {
          PutRequest: { Item: snapshotBatchItem(snapshot, events, input.kind.storage, listedWith) },
        },
      });
    if (readingOwed && stateAt !== null) {
      const item = readingBatchItem(
        {
          deviceId: device.id,
          stateAt,
          recordedAt: input.fetchedAt,
          values: readingValuesOf(input.kind, device),
          expiresAt: readingExpiry(stateAt, input.readingsRetentionDays),
        },
        input.kind.storage,
      );
      writes.push({ tableName: input.tables.readings, owner, request: { PutRequest: { Item: item } } });
    }
  }

  const liveIds = new Set(live.map((hp) => hp.id));
  let removed = 0;
  for (const id of input.stored.snapshots.keys()) {
    if (!liveIds.has(id)) {
      removed++;
      writes.push({
        tableName: main,
        owner,
        request: { DeleteRequest: { Key: { pk: userPk(owner), sk: deviceSk(id, input.kind.storage) } } },
      });
    }
  }
  const previousIds = input.stored.marker?.deviceIds ?? null;
  // Gone since the last list (or still stored though not listed): the device is no longer the user's.
  const goneIds = [...new Set([...(previousIds ?? []), ...input.stored.snapshots.keys()])];
  const deleted = outboxEntriesOf(input.kind.deletedEvents(owner, goneIds, liveIds, input.fetchedAt));
  // Each leaves its removal record: its readings stay (retention), and the monthly statement still names it.
  for (const id of goneIds) {
    if (liveIds.has(id)) continue;
    const last = input.stored.snapshots.get(id);
    const building = last?.device.building_id;
    const removal = deviceRemovalItem(
      owner,
      {
        kind: input.kind.storage.kind,
        deviceId: id,
        at: input.fetchedAt,
        by: 'podero',
        readings: 'kept',
        buildingId: typeof building === 'string' ? building : null,
        firstReadingAt: null,
        lastReadingAt: last?.lastReadingStateAt ?? null,
      },
      input.readingsRetentionDays,
    );
    writes.push({ tableName: main, owner, request: { PutRequest: { Item: removal } } });
  }
  eventCount += deleted.length;
  const sameSet =
    previousIds !== null && previousIds.length === liveIds.size && previousIds.every((id) => liveIds.has(id));
  // A removal moves the removed snapshot's pending events to the marker; a deletion event is stored on it.
  if (!sameSet || removed > 0 || deleted.length > 0) {
    const marker = listMarkerBatchItem(
      {
        externalUserId: owner,
        fetchedAt: input.fetchedAt,
        deviceIds: [...liveIds],
        // A removed snapshot's pending events move to the marker with the removal.
        outbox: [
          ...(input.stored.marker?.outbox ?? []),
          ...[...input.stored.snapshots.values()]
            .filter((s) => !liveIds.has(s.deviceId))
            .flatMap((s) => s.outbox),
        ],
      },
      deleted,
      input.kind.storage,
    );
    writes.push({ tableName: main, owner, request: { PutRequest: { Item: marker } } });
  }
  return { writes, devices: live.length, events: eventCount, reporting };
}
