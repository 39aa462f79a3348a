/**
 * Tracked changes (domain/devices/changes.ts) in the main table, under their user's partition:
 *
 *   change   pk `USER#<external_user_id>`  sk `CHANGE#<kind>#<device id>#<change id>`
 *
 * A change id sorts by its request time, so one Query on the device's prefix, newest first, pages its
 * history. `CHANGE#` sorts before every kind's snapshot keys (`CHARGER#`, `EV#`, `HEATPUMP#`, ...), so the
 * user's device reads (one range up to `PROFILE`, device-snapshots.ts) never read a change; the offboarding
 * of the user erases them with every other item of the partition.
 *
 * The device's open changes and its latest change's status also live in its user's open-changes item of the
 * kind (storage/open-changes.ts): that copy is what settlement reads and what the health verdict reads;
 * these items are the history the routes answer (and the truth a settlement's event is taken from). A history write is whole and idempotent (the change's
 * content decides it), and never takes a settled change back to pending.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { CHANGE_ID_PATTERN, CHANGE_STATUSES, type DeviceChange } from '../domain/devices/changes';
import { batchWrite } from './batch-write';
import { sendIfCondition } from './conditional';
import { userPk } from './users';

export const CHANGE_SK_PREFIX = 'CHANGE#';

const deviceChangesPrefix = (kind: string, deviceId: string) => `${CHANGE_SK_PREFIX}${kind}#${deviceId}#`;

export const changeSk = (change: Pick<DeviceChange, 'kind' | 'deviceId' | 'id'>): string =>
  `${deviceChangesPrefix(change.kind, change.deviceId)}${change.id}`;

/** The change as a whole item (the API's PutItem, the sync's BatchWriteItem). */
export function changeItem(change: DeviceChange): Record<string, unknown> {
  return {
    pk: userPk(change.externalUserId),
    sk: changeSk(change),
    entity: 'device_change',
    external_user_id: change.externalUserId,
    change_id: change.id,
    kind: change.kind,
    device_id: change.deviceId,
    control: change.control,
    fields: JSON.stringify(change.fields),
    status: change.status,
    requested_at: change.requestedAt,
    settled_at: change.settledAt,
    deadline_at: change.deadlineAt,
    by: change.by,
    reason: change.reason,
    manufacturer: change.manufacturer,
  };
}

const changeItemSchema = z.object({
  external_user_id: z.string(),
  change_id: z.string(),
  kind: z.string(),
  device_id: z.string(),
  control: z.string(),
  fields: z.string(),
  status: z.enum(CHANGE_STATUSES),
  requested_at: z.string(),
  settled_at: z.string().nullable(),
  deadline_at: z.string(),
  by: z.string(),
  reason: z.string().nullable(),
  manufacturer: z.string().nullable(),
});

const fieldsSchema = z.record(z.string(), z.unknown());

export function parseChangeItem(item: Record<string, unknown>): DeviceChange {
  const row = changeItemSchema.parse(item);
  return {
    id: row.change_id,
    kind: row.kind,
    externalUserId: row.external_user_id,
    deviceId: row.device_id,
    control: row.control,
    fields: fieldsSchema.parse(JSON.parse(row.fields)),
    status: row.status,
    requestedAt: row.requested_at,
    settledAt: row.settled_at,
    deadlineAt: row.deadline_at,
    by: row.by,
    reason: row.reason,
    manufacturer: row.manufacturer,
  };
}

/** A change as the open-changes item keeps it (storage/open-changes.ts: the history item's attributes, as JSON). */
export const openChangeJson = (change: DeviceChange): string => JSON.stringify(changeItem(change));

const openChangeItemSchema = z.record(z.string(), z.unknown());

export function parseOpenChange(json: string): DeviceChange {
  return parseChangeItem(openChangeItemSchema.parse(JSON.parse(json)));
}

export interface ChangePage {
  changes: DeviceChange[];
  /** The id of the last change of the page when more may follow (the next page starts after it). */
  nextCursor: string | null;
}

export class DeviceChangeStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Stores the change as it is now, unless the stored one has already left `pending` (a late retry of
   * the request, or a slower observer, must not undo a settlement). True when it was written.
   */
  async put(change: DeviceChange): Promise<boolean> {
    const out = await sendIfCondition(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: changeItem(change),
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        }),
      ),
    );
    return out !== undefined;
  }

  /**
   * Stores a change that just left `pending`, unless its stored item already had (a racing observer, an
   * earlier attempt whose next write was lost): answers the change as the history now keeps it, and
   * whether this call settled it. The history is the truth its events and metrics are taken from.
   */
  async settle(change: DeviceChange): Promise<{ stored: DeviceChange; settledNow: boolean }> {
    if (await this.put(change)) return { stored: change, settledNow: true };
    const stored = await this.get(change.externalUserId, change.kind, change.deviceId, change.id);
    return { stored: stored ?? change, settledNow: false };
  }

  async get(
    externalUserId: string,
    kind: string,
    deviceId: string,
    id: string,
  ): Promise<DeviceChange | null> {
    if (!CHANGE_ID_PATTERN.test(id)) return null;
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: userPk(externalUserId), sk: changeSk({ kind, deviceId, id }) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? parseChangeItem(out.Item) : null;
  }

  /** One page of the device's changes, newest first; `cursor` is the previous page's `nextCursor`. */
  async list(
    externalUserId: string,
    kind: string,
    deviceId: string,
    limit: number,
    cursor?: string,
  ): Promise<ChangePage> {
    const prefix = deviceChangesPrefix(kind, deviceId);
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': userPk(externalUserId), ':prefix': prefix },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
        ...(cursor === undefined
          ? {}
          : { ExclusiveStartKey: { pk: userPk(externalUserId), sk: `${prefix}${cursor}` } }),
      }),
    );
    const changes = (out.Items ?? []).map(parseChangeItem);
    const last = changes.at(-1);
    return { changes, nextCursor: out.LastEvaluatedKey && last ? last.id : null };
  }

  /**
   * Erases a device's change history (its offboarding: the erasure job's sweeps), page by page; answers
   * how many items went. Consistent, so a second sweep sees what a late writer stored after the first.
   */
  async deleteAllOf(externalUserId: string, kind: string, deviceId: string): Promise<number> {
    let deleted = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': userPk(externalUserId),
            ':prefix': deviceChangesPrefix(kind, deviceId),
          },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      const keys = (page.Items ?? []).map((item) => ({ pk: item.pk, sk: item.sk }));
      const result = await batchWrite(
        this.doc,
        keys.map((Key) => ({
          tableName: this.tableName,
          owner: externalUserId,
          request: { DeleteRequest: { Key } },
        })),
      );
      if (result.failedOwners.size > 0) throw new Error('could not delete every change of the device');
      deleted += keys.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  }
}
