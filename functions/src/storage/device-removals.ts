/**
 * The record a device leaves when it leaves a customer's account, so that the monthly statement still
 * covers the months it was there (statements/service.ts):
 *
 *   removal  pk `USER#<external_user_id>`  sk `REMOVED#<kind name>#<device id>`  (TTL: expires_at)
 *
 * Written by the device's offboarding (its readings are then erased: `readings: erased`, with the span of
 * the readings it had, so the statement knows which months to name it in) and by the sync or a live read
 * that finds the device gone at Podero (its readings stay until their retention: `readings: kept`). Ids and
 * times only, no readings. Under the user's partition on purpose: a user's offboarding takes it with
 * everything else, and the erasure's sweeps take one a late writer put back (erasure/erasure.ts). The prefix
 * sorts after `PROFILE`, so it never rides along with the device snapshots' range read.
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { DeviceRemoval } from '../domain/statements/statement';
import { sendIfCondition } from './conditional';
import { userPk } from './users';

export const DEVICE_REMOVAL_SK_PREFIX = 'REMOVED#';

/**
 * How long a record is kept after the removal: as long as the readings it stands beside (the readings'
 * default retention, 400 days), after which no month it could add to has readings left.
 */
export const DEVICE_REMOVAL_KEEP_DAYS = 400;

export interface DeviceRemovalRecord extends DeviceRemoval {
  kind: string;
  deviceId: string;
  /** The building the device was in (its energy contract prices it); null: none known. */
  buildingId: string | null;
  /** The first and last reading the device had when it was removed (ISO); null: none, or not looked up. */
  firstReadingAt: string | null;
  lastReadingAt: string | null;
}

export const deviceRemovalKey = (externalUserId: string, kind: string, deviceId: string) => ({
  pk: userPk(externalUserId),
  sk: `${DEVICE_REMOVAL_SK_PREFIX}${kind}#${deviceId}`,
});

/** The item a removal is stored as (also the sync's batched put). */
export function deviceRemovalItem(
  externalUserId: string,
  record: DeviceRemovalRecord,
  keepDays = DEVICE_REMOVAL_KEEP_DAYS,
): Record<string, unknown> {
  return {
    ...deviceRemovalKey(externalUserId, record.kind, record.deviceId),
    entity: 'device_removal',
    kind: record.kind,
    device_id: record.deviceId,
    removed_at: record.at,
    removed_by: record.by,
    readings: record.readings,
    building_id: record.buildingId,
    first_reading_at: record.firstReadingAt,
    last_reading_at: record.lastReadingAt,
    expires_at: Math.floor(Date.parse(record.at) / 1000) + keepDays * 86_400,
  };
}

const removalItemSchema = z.object({
  kind: z.string(),
  device_id: z.string(),
  removed_at: z.string(),
  removed_by: z.enum(['offboarding', 'podero']),
  readings: z.enum(['kept', 'erased']),
  building_id: z.string().nullable().optional(),
  first_reading_at: z.string().nullable().optional(),
  last_reading_at: z.string().nullable().optional(),
});

export class DeviceRemovalStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(externalUserId: string, record: DeviceRemovalRecord): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: deviceRemovalItem(externalUserId, record) }),
    );
  }

  /**
   * Says a device's readings were erased, on its record if it has one: the erasure's sweeps call it, so a
   * sync pass that read the device before its offboarding and recorded it as removed at Podero (readings
   * kept) after the offboarding's own record cannot leave that claim standing.
   */
  async markErased(externalUserId: string, kind: string, deviceId: string): Promise<void> {
    await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deviceRemovalKey(externalUserId, kind, deviceId),
          UpdateExpression: 'SET readings = :erased, removed_by = :offboarding',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':erased': 'erased', ':offboarding': 'offboarding' },
        }),
      ),
    );
  }

  /** Every removal on record for the user (a handful: one per device that ever left). */
  async list(externalUserId: string): Promise<DeviceRemovalRecord[]> {
    const records: DeviceRemovalRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': userPk(externalUserId), ':prefix': DEVICE_REMOVAL_SK_PREFIX },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const parsed = removalItemSchema.safeParse(item);
        // An item of another shape is skipped rather than failing the customer's statement.
        if (!parsed.success) continue;
        const row = parsed.data;
        records.push({
          kind: row.kind,
          deviceId: row.device_id,
          at: row.removed_at,
          by: row.removed_by,
          readings: row.readings,
          buildingId: row.building_id ?? null,
          firstReadingAt: row.first_reading_at ?? null,
          lastReadingAt: row.last_reading_at ?? null,
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }
}
