/**
 * Device snapshots in the main table, per kind (domain/devices/kinds.ts names the keys and attributes): the
 * latest Podero JSON per device, and a per-user list marker saying when the user's list of the kind was
 * last fetched (so the list route can tell the age of its cache even when the user has no device).
 *
 *   snapshot     pk `USER#<external_user_id>`  sk `<kind.storage.skPrefix><device id>`   (`HEATPUMP#<id>`)
 *   list marker  pk `USER#<external_user_id>`  sk `<kind.storage.listMarkerSk>`           (`HEATPUMPS`)
 *
 * One Query on `pk = USER#x AND sk BETWEEN <the kind's first key> AND 'PROFILE'` returns the user's
 * profile, the marker and every snapshot.
 * A snapshot keeps the kind's projection of Podero's JSON (domain/devices/snapshot-fields.ts: what the views and
 * the rules read, never the cue links' secrets), compressed (snapshot-json.ts) into a binary attribute: the
 * item fits DynamoDB's 1 KB write unit. Items written before (Podero's whole object as a JSON string) read as
 * they were, and are replaced by the projection at their next write.
 *
 * A snapshot written from a list read (the sync, a live list) carries `listed_with`, the list's fingerprint
 * (listFingerprintOf): it says the list was the marker's ids when the snapshot was fetched, so the sync need
 * not rewrite an unchanged marker each pass (devices/service.ts reads the list's age from both).
 */
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { heatPumpKind } from '../domain/devices/heat-pump';
import type { DeviceKindStorage } from '../domain/devices/kinds';
import {
  type DeviceJson,
  type DeviceSnapshot,
  newSnapshot,
  REPORTING_STATES,
  STEERING_STATES,
  type StoredConnection,
  stateTimestampOf,
} from '../domain/devices/state';
import { sendIfCondition } from './conditional';
import {
  NO_VERSIONED_OPEN_CHANGES,
  openChangesSk,
  parseOpenChangesItem,
  type VersionedOpenChanges,
} from './open-changes';
import { type OutboxEntry, outboxAppend, outboxAttributes, outboxEntryOf, pendingOutboxOf } from './outbox';
import { decodeDeviceJson, encodeDeviceJson, listFingerprintOf, storedDeviceJsonOf } from './snapshot-json';
import { activeUserOf, USER_PROFILE_SK, type UserRecord, userPk } from './users';

export {
  type DeviceJson,
  type DeviceSnapshot,
  listFingerprintOf,
  newSnapshot,
  type StoredConnection,
  stateTimestampOf,
  storedDeviceJsonOf,
  userPk,
};

/** The kind the store functions use when none is named (today's only kind). */
const DEFAULT_KIND: DeviceKindStorage = heatPumpKind.storage;

/** The default kind's key prefix and list marker (the services' keys). */
export const DEVICE_SK_PREFIX = DEFAULT_KIND.skPrefix;
export const DEVICE_LIST_MARKER_SK = DEFAULT_KIND.listMarkerSk;

export const deviceSk = (deviceId: string, kind: DeviceKindStorage = DEFAULT_KIND): string =>
  `${kind.skPrefix}${deviceId}`;

/** The first sort key of a kind's items in a user's partition (its snapshots and its marker). */
const firstSkOf = (kind: DeviceKindStorage): string =>
  [kind.skPrefix, kind.listMarkerSk].sort()[0] ?? kind.skPrefix;

/**
 * The sort-key range holding the user's profile, a kind's list marker and its snapshots. Most kinds' keys
 * sort before `PROFILE` (`HP#`, `EV#`); a kind's that sort after it (`WALLBOX#`, `WALLBOXES`) put the
 * profile first and end after the last of its own keys (the prefix followed by the highest character).
 */
function profileRangeOf(kind: DeviceKindStorage): { first: string; last: string } {
  const first = firstSkOf(kind);
  if (first <= USER_PROFILE_SK) return { first, last: USER_PROFILE_SK };
  const last = [`${kind.skPrefix}\uffff`, kind.listMarkerSk].sort().at(-1) ?? kind.listMarkerSk;
  return { first: USER_PROFILE_SK, last };
}

export interface DeviceListMarker {
  externalUserId: string;
  fetchedAt: string;
  deviceIds: string[];
  /** Pending events carried by the marker (a deleted device's), as on snapshots. */
  outbox?: readonly string[];
}

/** A kind's id and JSON attributes, and its marker's ids (their names are the kind's). */
const attributeSchema = z.string();
const idsAttributeSchema = z.array(z.string());

const deviceJsonSchema = z.looseObject({ id: z.string().min(1) });

const snapshotItemSchema = z.object({
  pk: z.string(),
  sk: z.string(),
  external_user_id: z.string(),
  fetched_at: z.string(),
  state_updated_at: z.string().nullable().optional(),
  last_reading_state_at: z.string().nullable().optional(),
  connection_state: z.string().nullable().optional(),
  connection_since: z.string().nullable().optional(),
  // The observed health (domain/devices/health.ts); absent in items written before it.
  reporting_state: z.enum(REPORTING_STATES).nullable().optional(),
  reporting_since: z.string().nullable().optional(),
  steering_state: z.enum(STEERING_STATES).nullable().optional(),
  steering_since: z.string().nullable().optional(),
  // The fingerprint of the list this snapshot was fetched with; absent when a single-device read wrote it.
  listed_with: z.string().optional(),
});

const markerItemSchema = z.object({
  pk: z.string(),
  sk: z.string(),
  external_user_id: z.string(),
  fetched_at: z.string(),
});

/**
 * A snapshot's item. `listedWith`: the fingerprint of the list it was fetched with (listFingerprintOf), for the
 * writers that fetched a list (the sync, a live list read); absent for a single device's read.
 */
export function snapshotItem(
  snapshot: DeviceSnapshot,
  kind: DeviceKindStorage = DEFAULT_KIND,
  listedWith?: string,
): Record<string, unknown> {
  return {
    pk: userPk(snapshot.externalUserId),
    sk: deviceSk(snapshot.deviceId, kind),
    entity: kind.snapshotEntity,
    external_user_id: snapshot.externalUserId,
    [kind.idAttribute]: snapshot.deviceId,
    [kind.jsonAttribute]: encodeDeviceJson(storedDeviceJsonOf(snapshot.device, kind)),
    fetched_at: snapshot.fetchedAt,
    state_updated_at: snapshot.stateUpdatedAt,
    last_reading_state_at: snapshot.lastReadingStateAt,
    connection_state: snapshot.connection?.state ?? null,
    connection_since: snapshot.connection?.since ?? null,
    reporting_state: snapshot.health?.reporting.state ?? null,
    reporting_since: snapshot.health?.reporting.since ?? null,
    steering_state: snapshot.health?.steering.state ?? null,
    steering_since: snapshot.health?.steering.since ?? null,
    ...(listedWith === undefined ? {} : { listed_with: listedWith }),
  };
}

export function listMarkerItem(
  marker: DeviceListMarker,
  kind: DeviceKindStorage = DEFAULT_KIND,
): Record<string, unknown> {
  return {
    pk: userPk(marker.externalUserId),
    sk: kind.listMarkerSk,
    entity: kind.markerEntity,
    external_user_id: marker.externalUserId,
    fetched_at: marker.fetchedAt,
    [kind.idsAttribute]: marker.deviceIds,
  };
}

/**
 * The whole items the sync writes (BatchWriteItem replaces an item): the state plus its pending events,
 * those read with the previous state and the new ones, so that the write drops none of them.
 */
export function snapshotWholeItem(
  snapshot: DeviceSnapshot,
  newEvents: readonly OutboxEntry[],
  kind: DeviceKindStorage = DEFAULT_KIND,
  listedWith?: string,
): Record<string, unknown> {
  const item = snapshotItem(snapshot, kind, listedWith);
  return {
    ...item,
    ...outboxAttributes(carried(snapshot.outbox, newEvents), { pk: String(item.pk), sk: String(item.sk) }),
  };
}

export function listMarkerWholeItem(
  marker: DeviceListMarker,
  newEvents: readonly OutboxEntry[],
  kind: DeviceKindStorage = DEFAULT_KIND,
): Record<string, unknown> {
  const item = listMarkerItem(marker, kind);
  return {
    ...item,
    ...outboxAttributes(carried(marker.outbox ?? [], newEvents), {
      pk: String(item.pk),
      sk: String(item.sk),
    }),
  };
}

/** Pending events as read followed by new ones (an id already pending is not added twice). */
function carried(pending: readonly string[], newEvents: readonly OutboxEntry[]): OutboxEntry[] {
  const entries = pending.map(outboxEntryOf);
  const ids = new Set(entries.map((entry) => entry.id));
  return [...entries, ...newEvents.filter((entry) => !ids.has(entry.id))];
}

function parseSnapshotItem(item: Record<string, unknown>, kind: DeviceKindStorage): DeviceSnapshot {
  const row = snapshotItemSchema.parse(item);
  if (!row.sk.startsWith(kind.skPrefix)) throw new Error(`not a ${kind.snapshotEntity}: ${row.sk}`);
  return {
    kind: kind.kind,
    externalUserId: row.external_user_id,
    deviceId: attributeSchema.parse(item[kind.idAttribute]),
    device: deviceJsonSchema.parse(decodeDeviceJson(item[kind.jsonAttribute])),
    fetchedAt: row.fetched_at,
    stateUpdatedAt: row.state_updated_at ?? null,
    lastReadingStateAt: row.last_reading_state_at ?? null,
    connection:
      row.connection_state === undefined || row.connection_state === null
        ? null
        : { state: row.connection_state, since: row.connection_since ?? null },
    health:
      row.reporting_state == null || row.steering_state == null
        ? null
        : {
            reporting: { state: row.reporting_state, since: row.reporting_since ?? null },
            steering: { state: row.steering_state, since: row.steering_since ?? null },
          },
    outbox: pendingOutboxOf(item),
    ...(row.listed_with === undefined ? {} : { listedWith: row.listed_with }),
  };
}

/**
 * When a stored list was as stored, for the list cache: the list as old as its oldest part. The marker says
 * the ids as of its `fetched_at`; a snapshot fetched later with the same ids' fingerprint says the ids were
 * the same then (the sync rewrites the marker only when the list changes); each snapshot's data is as of its
 * own `fetched_at`. A snapshot whose update did not land (or has not yet) keeps its older time, and a marker
 * whose update did not land leaves the new snapshots' fingerprint unmatched: neither part is dated by the other.
 */
export function storedListFetchedAt(
  marker: Pick<DeviceListMarker, 'fetchedAt' | 'deviceIds'>,
  snapshots: readonly Pick<DeviceSnapshot, 'fetchedAt' | 'listedWith'>[],
): string {
  const fingerprint = listFingerprintOf(marker.deviceIds);
  let listedAt = marker.fetchedAt;
  for (const snapshot of snapshots) {
    if (snapshot.listedWith === fingerprint && Date.parse(snapshot.fetchedAt) > Date.parse(listedAt))
      listedAt = snapshot.fetchedAt;
  }
  let fetchedAt = listedAt;
  for (const snapshot of snapshots) {
    if (Date.parse(snapshot.fetchedAt) < Date.parse(fetchedAt)) fetchedAt = snapshot.fetchedAt;
  }
  return fetchedAt;
}

/** What a newest-wins write did: created the item, updated it, or lost to a newer one. */
export type WriteOutcome = 'created' | 'updated' | 'stale';

export interface UserDeviceState {
  marker: DeviceListMarker | null;
  snapshots: Map<string, DeviceSnapshot>;
  /** The user's open changes of the kind (storage/open-changes.ts), where the reader asked for them. */
  openChanges?: VersionedOpenChanges;
}

/**
 * A key of the items the sync reads for one user: a snapshot, the list marker (`deviceId` null), or
 * the user's profile (`profile`), which the sync reads after its writes to learn whether an offboarding
 * overtook them (UserStore.beginOffboarding).
 */
export interface DeviceItemKey {
  externalUserId: string;
  deviceId: string | null;
  profile?: true;
  /** The user's open-changes item of the kind (storage/open-changes.ts; `deviceId` null). */
  openChanges?: true;
}

export type StoredDeviceItem =
  | { kind: 'marker'; key: DeviceItemKey; marker: DeviceListMarker }
  | { kind: 'snapshot'; key: DeviceItemKey; snapshot: DeviceSnapshot }
  | { kind: 'profile'; key: DeviceItemKey; user: UserRecord | undefined }
  | { kind: 'open_changes'; key: DeviceItemKey; openChanges: VersionedOpenChanges };

/** BatchGetItem's limit on keys per call. */
export const BATCH_GET_MAX_KEYS = 100;

const itemKeyOf = (key: DeviceItemKey, kind: DeviceKindStorage) => ({
  pk: userPk(key.externalUserId),
  sk: key.profile
    ? USER_PROFILE_SK
    : key.openChanges
      ? openChangesSk(kind.kind)
      : key.deviceId === null
        ? kind.listMarkerSk
        : deviceSk(key.deviceId, kind),
});

const itemKeySchema = z.object({ pk: z.string().startsWith('USER#'), sk: z.string() });

function parseItemKey(raw: Record<string, unknown>, kind: DeviceKindStorage): DeviceItemKey {
  const { pk, sk } = itemKeySchema.parse(raw);
  const externalUserId = pk.slice('USER#'.length);
  if (sk === USER_PROFILE_SK) return { externalUserId, deviceId: null, profile: true };
  if (sk === openChangesSk(kind.kind)) return { externalUserId, deviceId: null, openChanges: true };
  return {
    externalUserId,
    deviceId: sk === kind.listMarkerSk ? null : sk.slice(kind.skPrefix.length),
  };
}

function parseMarkerItem(item: Record<string, unknown>, kind: DeviceKindStorage): DeviceListMarker {
  const row = markerItemSchema.parse(item);
  if (row.sk !== kind.listMarkerSk) throw new Error(`not a ${kind.markerEntity}: ${row.sk}`);
  return {
    externalUserId: row.external_user_id,
    fetchedAt: row.fetched_at,
    deviceIds: idsAttributeSchema.parse(item[kind.idsAttribute]),
    outbox: pendingOutboxOf(item),
  };
}

/**
 * The onboarded user (undefined if absent or still being created) with each kind's list marker and
 * snapshots (`states[i]` is `kinds[i]`'s), in one paginated Query over the range that holds them all: a
 * page of the operator's user list reads every kind of a user in one request, not one per kind.
 */
export async function loadUserDevices(
  doc: DynamoDBDocumentClient,
  tableName: string,
  externalUserId: string,
  kinds: readonly DeviceKindStorage[],
): Promise<{ user: UserRecord | undefined; states: UserDeviceState[] }> {
  // Each kind's open-changes item (`OPENCHANGES#<kind>`) sorts inside its range: read with it, absent = none.
  const states: UserDeviceState[] = kinds.map(() => ({
    marker: null,
    snapshots: new Map(),
    openChanges: NO_VERSIONED_OPEN_CHANGES,
  }));
  const ranges = kinds.map(profileRangeOf);
  const first = ranges.map((r) => r.first).sort()[0] ?? USER_PROFILE_SK;
  const last =
    ranges
      .map((r) => r.last)
      .sort()
      .at(-1) ?? USER_PROFILE_SK;
  let profile: Record<string, unknown> | undefined;
  let startKey: Record<string, unknown> | undefined;
  // A user has a handful of devices; the bound only guards against a runaway loop.
  for (let page = 0; page < 100; page++) {
    const out = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: { ':pk': userPk(externalUserId), ':first': first, ':last': last },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    for (const item of out.Items ?? []) {
      const sk = item.sk;
      if (typeof sk !== 'string') continue;
      if (sk === USER_PROFILE_SK) {
        profile = item;
        continue;
      }
      // Anything else in the range (onboarding sessions: `ONBOARDING#…`, another kind's keys) is skipped.
      for (const [index, kind] of kinds.entries()) {
        const state = states[index];
        if (!state) continue;
        if (sk === kind.listMarkerSk) state.marker = parseMarkerItem(item, kind);
        else if (sk === openChangesSk(kind.kind)) state.openChanges = parseOpenChangesItem(item);
        else if (sk.startsWith(kind.skPrefix)) {
          const snapshot = parseSnapshotItem(item, kind);
          state.snapshots.set(snapshot.deviceId, snapshot);
        } else continue;
        break;
      }
    }
    startKey = out.LastEvaluatedKey;
    if (!startKey) break;
  }
  return { user: activeUserOf(profile), states };
}

export class DeviceSnapshotStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The kind whose snapshots and list marker this store reads and writes. */
    private readonly kind: DeviceKindStorage = DEFAULT_KIND,
  ) {}

  /**
   * The onboarded user (undefined if absent or still being created) with the list marker and every
   * snapshot, in one paginated Query over the range that holds both (profileRangeOf). One request instead of a GetItem and a Query side by side: the list route's reads cost
   * one round trip either way, but a request less is SDK and DynamoDB work less (`pnpm bench overhead`).
   */
  async loadUserWithProfile(
    externalUserId: string,
  ): Promise<{ user: UserRecord | undefined; state: UserDeviceState }> {
    const { user, states } = await loadUserDevices(this.doc, this.tableName, externalUserId, [this.kind]);
    return { user, state: states[0] ?? { marker: null, snapshots: new Map() } };
  }

  /**
   * One BatchGetItem call (at most `BATCH_GET_MAX_KEYS` distinct keys, any users), strongly
   * consistent. Returns the items found and the keys DynamoDB left unprocessed; retrying those is
   * the caller's choice (the sync's batching loader does, with backoff).
   */
  async batchGetOnce(
    keys: readonly DeviceItemKey[],
  ): Promise<{ items: StoredDeviceItem[]; unprocessed: DeviceItemKey[] }> {
    if (keys.length === 0) return { items: [], unprocessed: [] };
    if (keys.length > BATCH_GET_MAX_KEYS) {
      throw new RangeError(`batchGetOnce takes at most ${BATCH_GET_MAX_KEYS} keys, got ${keys.length}`);
    }
    const out = await this.doc.send(
      new BatchGetCommand({
        RequestItems: {
          [this.tableName]: { Keys: keys.map((key) => itemKeyOf(key, this.kind)), ConsistentRead: true },
        },
      }),
    );
    const items = (out.Responses?.[this.tableName] ?? []).map((item): StoredDeviceItem => {
      const key = parseItemKey(item, this.kind);
      if (key.profile) return { kind: 'profile', key, user: activeUserOf(item) };
      if (key.openChanges) return { kind: 'open_changes', key, openChanges: parseOpenChangesItem(item) };
      return key.deviceId === null
        ? { kind: 'marker', key, marker: parseMarkerItem(item, this.kind) }
        : { kind: 'snapshot', key, snapshot: parseSnapshotItem(item, this.kind) };
    });
    const unprocessed = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map((key) =>
      parseItemKey(key, this.kind),
    );
    return { items, unprocessed };
  }

  async get(externalUserId: string, deviceId: string): Promise<DeviceSnapshot | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: userPk(externalUserId), sk: deviceSk(deviceId, this.kind) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? parseSnapshotItem(out.Item, this.kind) : null;
  }

  /**
   * Stores a snapshot unless a newer one is already there: two concurrent live reads must not
   * leave the older answer behind. Says whether the write created the item, updated it, or lost to a
   * newer one (`stale`); a creation is what an offboarding may have to undo
   * (UserStore.removeUnlessOnboarded). An update rather than a put, so that `last_reading_state_at`
   * (owned by the sync) survives API reads.
   */
  async put(
    snapshot: DeviceSnapshot,
    events: readonly OutboxEntry[] = [],
    listedWith?: string,
  ): Promise<WriteOutcome> {
    const {
      pk,
      sk,
      last_reading_state_at: _ownedBySync,
      ...fields
    } = snapshotItem(snapshot, this.kind, listedWith);
    // A single device's read knows nothing of the list: the fingerprint a list read left would date the
    // list by this newer fetch.
    const remove = listedWith === undefined ? ['listed_with'] : [];
    return this.updateNewestWins(
      { pk: String(pk), sk: String(sk) },
      fields,
      snapshot.fetchedAt,
      events,
      remove,
    );
  }

  /**
   * SET `fields` unless the stored item was fetched later, appending `events` to its outbox in the same
   * write (the state and its events are stored together or not at all).
   */
  private async updateNewestWins(
    key: { pk: string; sk: string },
    fields: Record<string, unknown>,
    fetchedAt: string,
    events: readonly OutboxEntry[],
    remove: readonly string[] = [],
  ): Promise<WriteOutcome> {
    const append = outboxAppend(events, key);
    const names: Record<string, string> = { ...append.names };
    const values: Record<string, unknown> = { ':fetched_at': fetchedAt, ...append.values };
    const sets = Object.entries(fields).map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
    names['#fetched_at'] = 'fetched_at';
    const removes = remove.map((name, i) => {
      names[`#r${i}`] = name;
      return `#r${i}`;
    });
    const out = await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${[...sets, ...append.set].join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_not_exists(pk) OR #fetched_at <= :fetched_at',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          // No old values: the item did not exist, this write created it.
          ReturnValues: 'UPDATED_OLD',
        }),
      ),
    );
    if (out === undefined) return 'stale';
    return out.Attributes === undefined ? 'created' : 'updated';
  }

  /** Same newest-wins rule and outcome as `put`, for the list marker (its pending events are kept). */
  async putListMarker(marker: DeviceListMarker, events: readonly OutboxEntry[] = []): Promise<WriteOutcome> {
    const { pk, sk, ...fields } = listMarkerItem(marker, this.kind);
    return this.updateNewestWins({ pk: String(pk), sk: String(sk) }, fields, marker.fetchedAt, events);
  }

  /**
   * Stores a freshly fetched list: every snapshot, the marker, and removes snapshots of devices
   * that are no longer in the list (deleted at Podero). Newest-wins per item.
   *
   * All writes go out at once (one round trip instead of two or three). Each item keeps its own
   * newest-wins condition, so which answer survives concurrent live reads does not depend on the
   * order in which the writes land. The order shows only to a reader that looks while they are in
   * flight, or after one of them failed: a marker naming a device whose snapshot is not stored
   * yet is a cache miss (a live read); a snapshot not yet deleted is ignored because the new marker
   * no longer names it; a new marker next to a snapshot not yet updated serves that snapshot's
   * previous JSON under the new `fetched_at` until the update lands (if the update fails, the
   * request fails, and the state lasts until the next live read of the list rewrites both). The
   * sync's BatchWriteItem calls, which order nothing, have always been able to leave these same
   * states behind on a partial failure.
   */
  async replaceUserList(
    externalUserId: string,
    snapshots: readonly DeviceSnapshot[],
    fetchedAt: string,
    previous: UserDeviceState,
    events: { snapshots: ReadonlyMap<string, readonly OutboxEntry[]>; marker: readonly OutboxEntry[] } = {
      snapshots: new Map(),
      marker: [],
    },
  ): Promise<{ createdSortKeys: string[] }> {
    const current = new Set(snapshots.map((s) => s.deviceId));
    const gone = [...previous.snapshots.values()].filter(
      (s) => !current.has(s.deviceId) && s.fetchedAt <= fetchedAt,
    );
    const [markerOutcome, ...snapshotOutcomes] = await Promise.all([
      this.putListMarker({ externalUserId, fetchedAt, deviceIds: [...current] }, events.marker),
      ...snapshots.map((s) =>
        this.put(s, events.snapshots.get(s.deviceId) ?? [], listFingerprintOf([...current])),
      ),
      ...gone.map((s) => this.delete(externalUserId, s.deviceId, fetchedAt).then(() => 'deleted' as const)),
    ]);
    const createdSortKeys = [
      ...(markerOutcome === 'created' ? [this.kind.listMarkerSk] : []),
      ...snapshots
        .filter((_, i) => snapshotOutcomes[i] === 'created')
        .map((s) => deviceSk(s.deviceId, this.kind)),
    ];
    return { createdSortKeys };
  }

  /** Forgets the user's list marker, so the next list read is live (a device was removed). */
  async forgetList(externalUserId: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: userPk(externalUserId), sk: this.kind.listMarkerSk },
      }),
    );
  }

  /** Deletes a snapshot unless it was refreshed after `notAfter` (a concurrent newer read). */
  async delete(externalUserId: string, deviceId: string, notAfter: string): Promise<void> {
    await sendIfCondition(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: userPk(externalUserId), sk: deviceSk(deviceId, this.kind) },
          ConditionExpression: 'attribute_not_exists(pk) OR fetched_at <= :t',
          ExpressionAttributeValues: { ':t': notAfter },
        }),
      ),
    );
  }
}
