/**
 * Users in the main table (key design and access patterns: functions/README.md).
 *
 *   profile        pk `USER#<external_user_id>`  sk `PROFILE`  gsi1pk `USERS`  gsi1sk `<external_user_id>`
 *   creation lease pk `USER#<external_user_id>`  sk `PROFILE`  status `creating` (no gsi1 keys, TTL set)
 *
 * POST /users is idempotent and race-safe without transactions: the first request puts a `creating`
 * lease with a conditional write; only the lease holder talks to Podero, then replaces the lease with
 * the profile (conditional on still holding it). Others wait for the profile. A crashed holder's lease
 * expires and may be taken over.
 */
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { KIND_BEFORE_KINDS } from '../domain/devices/kind-plan';
import { backoffDelayMs, sleep } from '../platform/backoff';
import { sendIfCondition } from './conditional';
import { OutboxStore, pendingOutboxOf } from './outbox';

export const USER_PROFILE_SK = 'PROFILE';
/** The profile's flag of a pending charging-configuration change: the newest one's id (UserStore). */
export const CHARGING_CONFIG_CHANGE_FLAG = 'charging_config_change_pending';
export const USERS_GSI = 'gsi1';
export const USERS_GSI_PK = 'USERS';
export const userPk = (externalUserId: string): string => `USER#${externalUserId}`;
/** The key of a user's profile item (benchmarks read it as the unit of a DynamoDB round trip). */
export const userProfileKey = (externalUserId: string) => ({
  pk: userPk(externalUserId),
  sk: USER_PROFILE_SK,
});

/** Retries of a batch delete's unprocessed items (DynamoDB throttling). */
const UNPROCESSED_BACKOFF = { baseDelayMs: 50, maxDelayMs: 1_000, random: Math.random };

/** Lease items disappear by TTL an hour after their lease ran out, in case nobody takes them over. */
const LEASE_TTL_SECONDS = 3600;

const DEVICES_TO_ERASE_SK = 'ERASE_DEVICES';
const devicesToEraseSchema = z.object({ device_ids: z.set(z.string()).default(new Set()) });

export const userRecordSchema = z.object({
  external_user_id: z.string(),
  podero_user_id: z.string(),
  email: z.string(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  street_and_number: z.string().nullable(),
  zip_code: z.string().nullable(),
  town: z.string().nullable(),
  country: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type UserRecord = z.infer<typeof userRecordSchema>;

const profileItemSchema = userRecordSchema.extend({ status: z.literal('active') });
const offboardingItemSchema = userRecordSchema.extend({ status: z.literal('offboarding') });
const leaseItemSchema = z.object({
  status: z.literal('creating'),
  lease_id: z.string(),
  lease_expires_at_ms: z.number(),
});

export type UserItemState =
  | { kind: 'active'; user: UserRecord }
  | { kind: 'creating'; leaseId: string; leaseExpiresAtMs: number }
  /** DELETE has begun removing the user's items: no route serves or writes it any more. */
  | { kind: 'offboarding'; user: UserRecord }
  | { kind: 'absent' };

function toRecord(item: Record<string, unknown>): UserRecord {
  const parsed = profileItemSchema.parse(item);
  const { status: _status, ...record } = parsed;
  return record;
}

/** The onboarded user an item holds, or undefined for no item or one still being created. */
export function activeUserOf(item: Record<string, unknown> | undefined): UserRecord | undefined {
  return item?.status === 'active' ? toRecord(item) : undefined;
}

export class UserStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getState(externalUserId: string): Promise<UserItemState> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: userPk(externalUserId), sk: USER_PROFILE_SK },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return { kind: 'absent' };
    const user = activeUserOf(out.Item);
    if (user) return { kind: 'active', user };
    if (out.Item.status === 'offboarding') {
      const { status: _status, ...record } = offboardingItemSchema.parse(out.Item);
      return { kind: 'offboarding', user: record };
    }
    const lease = leaseItemSchema.parse(out.Item);
    return { kind: 'creating', leaseId: lease.lease_id, leaseExpiresAtMs: lease.lease_expires_at_ms };
  }

  /** The onboarded user, or undefined (absent, or still being created). */
  async get(externalUserId: string): Promise<UserRecord | undefined> {
    const state = await this.getState(externalUserId);
    return state.kind === 'active' ? state.user : undefined;
  }

  /**
   * Takes the creation lease if there is no item yet, or if the previous holder's lease ran out.
   * Returns false when someone else holds it or the user already exists.
   */
  async acquireCreationLease(
    externalUserId: string,
    leaseId: string,
    nowMs: number,
    leaseMs: number,
  ): Promise<boolean> {
    const written = await sendIfCondition(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: userPk(externalUserId),
            sk: USER_PROFILE_SK,
            entity: 'user',
            status: 'creating',
            external_user_id: externalUserId,
            lease_id: leaseId,
            lease_expires_at_ms: nowMs + leaseMs,
            expires_at: Math.ceil((nowMs + leaseMs) / 1000) + LEASE_TTL_SECONDS,
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR (#status = :creating AND lease_expires_at_ms < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':creating': 'creating', ':now': nowMs },
        }),
      ),
    );
    return written !== undefined;
  }

  /** Replaces our lease with the profile. False if the lease was lost (expired and taken over). */
  async completeCreation(user: UserRecord, leaseId: string): Promise<boolean> {
    const written = await sendIfCondition(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: userProfileItem(user),
          ConditionExpression: '#status = :creating AND lease_id = :lease',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':creating': 'creating', ':lease': leaseId },
        }),
      ),
    );
    return written !== undefined;
  }

  /** Gives the lease up after a failed creation, so the next request can try again at once. */
  async releaseCreationLease(externalUserId: string, leaseId: string): Promise<void> {
    await sendIfCondition(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: userPk(externalUserId), sk: USER_PROFILE_SK },
          ConditionExpression: '#status = :creating AND lease_id = :lease',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':creating': 'creating', ':lease': leaseId },
        }),
      ),
    );
  }

  /**
   * Overwrites an existing profile's fields. False when the user no longer exists (deleted meanwhile). An
   * update, not a put: the item's other attributes (the device kinds the sync keeps) stay.
   */
  async replace(user: UserRecord): Promise<boolean> {
    const fields = Object.entries(userProfileItem(user)).filter(([name]) => name !== 'pk' && name !== 'sk');
    const written = await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: userPk(user.external_user_id), sk: USER_PROFILE_SK },
          UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: {
            '#status': 'status',
            ...Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
          },
          ExpressionAttributeValues: {
            ':active': 'active',
            ...Object.fromEntries(fields.map(([, value], i) => [`:f${i}`, value])),
          },
        }),
      ),
    );
    return written !== undefined;
  }

  /**
   * Records the device kinds the user has (domain/devices/kind-plan.ts) and when they were checked, while
   * the user is onboarded. With `unlessAddedSince`, not over a kind an onboarding session added after that
   * instant (the recheck's lists were read before it): false then, and the next pass checks again.
   */
  /**
   * Flags the profile: a charging-configuration change is pending (domain/devices/charging-config-change.ts),
   * the newest one's id. The sync's user walk reads the profile anyway, so it reads CC1 for flagged users
   * only. Set before the change is recorded: every pending change is under a flag. False: no active profile.
   */
  async flagChargingConfigChange(externalUserId: string, changeId: string): Promise<boolean> {
    const written = await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: userPk(externalUserId), sk: USER_PROFILE_SK },
          UpdateExpression: 'SET #flag = :id',
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status', '#flag': CHARGING_CONFIG_CHANGE_FLAG },
          ExpressionAttributeValues: { ':active': 'active', ':id': changeId },
        }),
      ),
    );
    return written !== undefined;
  }

  /**
   * Lowers the flag once no change is open, unless it names a change other than those just settled (one
   * recorded meanwhile keeps it up: its writer flagged before recording it).
   */
  async clearChargingConfigChange(externalUserId: string, settledIds: readonly string[]): Promise<void> {
    if (settledIds.length === 0) return;
    const ids = Object.fromEntries(settledIds.slice(0, 99).map((id, index) => [`:id${index}`, id]));
    await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: userPk(externalUserId), sk: USER_PROFILE_SK },
          UpdateExpression: 'REMOVE #flag',
          ConditionExpression: `#flag IN (${Object.keys(ids).join(', ')})`,
          ExpressionAttributeNames: { '#flag': CHARGING_CONFIG_CHANGE_FLAG },
          ExpressionAttributeValues: ids,
        }),
      ),
    );
  }

  async recordDeviceKinds(
    externalUserId: string,
    deviceKinds: readonly string[],
    checkedAt: string,
    unlessAddedSince?: string,
  ): Promise<boolean> {
    const written = await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: userPk(externalUserId), sk: USER_PROFILE_SK },
          UpdateExpression: 'SET device_kinds = :kinds, device_kinds_checked_at = :at',
          ConditionExpression:
            unlessAddedSince === undefined
              ? '#status = :active'
              : '#status = :active AND (attribute_not_exists(device_kinds_added_at) OR device_kinds_added_at < :since)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':active': 'active',
            ':kinds': [...new Set(deviceKinds)],
            ':at': checkedAt,
            ...(unlessAddedSince === undefined ? {} : { ':since': unlessAddedSince }),
          },
        }),
      ),
    );
    return written !== undefined;
  }

  /**
   * Adds a kind the user was found to have (an onboarding session connected one), while the user is
   * onboarded. A user recorded before kinds were keeps the heat pump they counted as having.
   */
  async addDeviceKind(externalUserId: string, kind: string, at: string): Promise<void> {
    await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: userPk(externalUserId), sk: USER_PROFILE_SK },
          UpdateExpression:
            'SET device_kinds = list_append(if_not_exists(device_kinds, :before), :kind), device_kinds_added_at = :at',
          ConditionExpression: '#status = :active AND NOT contains(device_kinds, :name)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':active': 'active',
            ':before': [KIND_BEFORE_KINDS],
            ':kind': [kind],
            ':name': kind,
            ':at': at,
          },
        }),
      ),
    );
  }

  /**
   * Remembers, under the user's own partition, the devices an offboarding is about to soft-delete at Podero, so
   * that a retried DELETE erases their readings although Podero no longer lists them and the sync may have
   * dropped their snapshots meanwhile. A set: each attempt adds what it found. The partition's deletion at the
   * end of the offboarding removes it.
   */
  async rememberDevicesToErase(externalUserId: string, deviceIds: readonly string[]): Promise<void> {
    if (deviceIds.length === 0) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: userPk(externalUserId), sk: DEVICES_TO_ERASE_SK },
        UpdateExpression: 'ADD device_ids :ids',
        ExpressionAttributeValues: { ':ids': new Set(deviceIds) },
      }),
    );
  }

  /** The devices earlier attempts of this offboarding remembered (see rememberDevicesToErase). */
  async devicesToErase(externalUserId: string): Promise<string[]> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: userPk(externalUserId), sk: DEVICES_TO_ERASE_SK },
        ConsistentRead: true,
      }),
    );
    return [...devicesToEraseSchema.parse(out.Item ?? {}).device_ids].sort();
  }

  /**
   * Marks the user as being offboarded, before its items are removed, and takes it out of the sync's
   * walk (gsi1). False when there is no such user (or it is still being created).
   *
   * Erasure holds under any interleaving because of an order on both sides, without transactions:
   * DELETE marks the profile, then reads the partition (strongly consistent) and deletes what it finds;
   * every writer that may create an item under the user checks the profile again after its write
   * (`removeUnlessOnboarded`) and removes what it created unless the user is still active. A write the
   * sweep's read missed landed after the read, so after the mark, so that writer's check sees the mark.
   */
  async beginOffboarding(externalUserId: string): Promise<boolean> {
    const written = await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: userPk(externalUserId), sk: USER_PROFILE_SK },
          UpdateExpression: 'SET #status = :offboarding REMOVE gsi1pk, gsi1sk',
          ConditionExpression: '#status IN (:active, :offboarding)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':active': 'active', ':offboarding': 'offboarding' },
        }),
      ),
    );
    return written !== undefined;
  }

  /**
   * The writer's half of erasure (see `beginOffboarding`): after creating items under a user, true when
   * the user is still the onboarded user with this Podero id; otherwise the items are deleted again and
   * the answer is false (the caller answers 404). Only writes that may have created an item need this:
   * an item that existed when it was overwritten is found by the sweep's read or was deleted by it.
   */
  async removeUnlessOnboarded(
    externalUserId: string,
    poderoUserId: string,
    createdSortKeys: readonly string[],
  ): Promise<boolean> {
    if (createdSortKeys.length === 0) return true;
    const state = await this.getState(externalUserId);
    if (state.kind === 'active' && state.user.podero_user_id === poderoUserId) return true;
    await Promise.all(
      createdSortKeys.map((sk) =>
        this.db.send(
          new DeleteCommand({ TableName: this.tableName, Key: { pk: userPk(externalUserId), sk } }),
        ),
      ),
    );
    return false;
  }

  /**
   * Removes every item under the user's partition (profile, buildings, onboarding sessions, device
   * snapshots), after `beginOffboarding`. The profile goes last, so a partial failure leaves a user
   * being offboarded that a retried DELETE finds. What lies outside the partition (readings, the sync's
   * failure record, re-authentication attempts) is the erasure job's (erasure/erasure.ts).
   */
  async deleteAll(externalUserId: string, nowMs = Date.now()): Promise<number> {
    const keys: { pk: string; sk: string }[] = [];
    const pending: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': userPk(externalUserId) },
          ProjectionExpression: 'pk, sk, outbox',
          ExclusiveStartKey: startKey,
          // Must see every write that landed before it (the erasure argument in beginOffboarding).
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) {
        keys.push({ pk: String(item.pk), sk: String(item.sk) });
        pending.push(...pendingOutboxOf(item));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    // Events still pending on the user's items (a device's last change) outlive them as standalone events.
    await new OutboxStore(this.db, this.tableName).rescueEvents(pending, nowMs);
    const children = keys.filter((k) => k.sk !== USER_PROFILE_SK);
    for (let i = 0; i < children.length; i += 25) {
      let requests = children.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt >= 5) throw new Error('could not delete all user items (unprocessed items remain)');
        const out = await this.db.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
        if (requests.length > 0) await sleep(backoffDelayMs(attempt + 1, UNPROCESSED_BACKOFF));
      }
    }
    await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: userPk(externalUserId), sk: USER_PROFILE_SK },
      }),
    );
    return keys.length;
  }

  /** Onboarded users in external_user_id order, resumable after `after` (the sync's walk). */
  async listPage(options: {
    after?: string;
    limit: number;
  }): Promise<{ users: UserRecord[]; last?: string }> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: USERS_GSI,
        KeyConditionExpression: options.after ? 'gsi1pk = :pk AND gsi1sk > :after' : 'gsi1pk = :pk',
        ExpressionAttributeValues: {
          ':pk': USERS_GSI_PK,
          ...(options.after ? { ':after': options.after } : {}),
        },
        Limit: options.limit,
      }),
    );
    const users = (out.Items ?? []).filter((i) => i.status === 'active').map(toRecord);
    const lastKey = out.LastEvaluatedKey?.gsi1sk;
    return { users, ...(typeof lastKey === 'string' ? { last: lastKey } : {}) };
  }
}

/** The item of an onboarded user: what a completed POST /users leaves, and what seeding tools write. */
export function userProfileItem(user: UserRecord): Record<string, unknown> {
  return {
    pk: userPk(user.external_user_id),
    sk: USER_PROFILE_SK,
    entity: 'user',
    status: 'active',
    gsi1pk: USERS_GSI_PK,
    gsi1sk: user.external_user_id,
    ...user,
  };
}

/** A user record with only the ids and email set, for users seeded directly (tests, benchmarks). */
export function minimalUserRecord(fields: {
  externalUserId: string;
  poderoUserId: string;
  email: string;
  at: string;
}): UserRecord {
  return {
    external_user_id: fields.externalUserId,
    podero_user_id: fields.poderoUserId,
    email: fields.email,
    first_name: null,
    last_name: null,
    street_and_number: null,
    zip_code: null,
    town: null,
    country: null,
    created_at: fields.at,
    updated_at: fields.at,
  };
}
