/**
 * Idempotency records of the API's POSTs (lambdas/api/idempotency.ts has the HTTP rules), in the main table:
 *
 *   pk `USER#<external_user_id>` (the end user the request is about)  sk `REQUEST#<key id>`
 *   pk `REQUEST_KEY#<key id>`                                          sk `BINDING`
 *
 * The binding ties a key (within its caller and operation) to the first request sent with it, whichever
 * user that request names; it holds hashes only. The record holds the answer.
 * In the user's partition, so that offboarding's sweep erases the stored answers (they hold personal
 * data) with the rest; `expires_at` lets DynamoDB's TTL drop them after 24 h. `REQUEST#` sorts after
 * `PROFILE`, outside the range the device list reads in one Query. One request at a time owns a record
 * (its `lease_id`), by conditional writes only: the house's way (storage/conditional.ts), which dynalite
 * runs as DynamoDB does.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { sendIfCondition } from './conditional';
import { userPk } from './users';

export const REQUEST_SK_PREFIX = 'REQUEST#';
const bindingKey = (keyId: string) => ({ pk: `REQUEST_KEY#${keyId}`, sk: 'BINDING' });
const bindingSchema = z.object({ request_hash: z.string(), expires_at: z.number() });

export interface StoredResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type IdempotencyRecord =
  | { readonly state: 'in_progress'; readonly requestHash: string; readonly leaseUntil: number }
  | { readonly state: 'completed'; readonly requestHash: string; readonly response: StoredResponse };

const recordSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('in_progress'), request_hash: z.string(), lease_until: z.number() }),
  z.object({ state: z.literal('completed'), request_hash: z.string(), response: z.string() }),
]);
const storedResponseSchema = z.object({
  status: z.number().int(),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

export interface RecordKey {
  /** The end user the request is about; undefined for a request about no user (pk `REQUESTS`). */
  readonly externalUserId: string | undefined;
  /** A hash naming the key within its scope (caller, operation, key): never the key itself. */
  readonly keyId: string;
}

const keyOf = (key: RecordKey) => ({
  pk: key.externalUserId === undefined ? 'REQUESTS' : userPk(key.externalUserId),
  sk: `${REQUEST_SK_PREFIX}${key.keyId}`,
});

export class IdempotencyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Binds the key to this request unless a live binding exists (one is never moved before it expires).
   * Returns the hash of the request the key is bound to; undefined when the binding expired or vanished
   * between the write and the read (bind again).
   */
  async bind(
    keyId: string,
    binding: { requestHash: string; nowMs: number; ttlSeconds: number },
  ): Promise<string | undefined> {
    const nowS = Math.floor(binding.nowMs / 1000);
    const bound = await sendIfCondition(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...bindingKey(keyId),
            entity: 'idempotency_key',
            request_hash: binding.requestHash,
            expires_at: Math.ceil(binding.nowMs / 1000) + binding.ttlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expires_at < :now_s',
          ExpressionAttributeValues: { ':now_s': nowS },
        }),
      ),
    );
    if (bound) return binding.requestHash;
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: bindingKey(keyId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const existing = bindingSchema.parse(Item);
    return existing.expires_at < nowS ? undefined : existing.request_hash;
  }

  /**
   * Takes the record for this request: when there is none, it expired, or it is an abandoned claim of the
   * same request (lease over). Otherwise returns what is there (undefined if it vanished meanwhile).
   */
  async claim(
    key: RecordKey,
    claim: { requestHash: string; leaseId: string; nowMs: number; leaseMs: number; ttlSeconds: number },
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord | undefined }> {
    const taken = await sendIfCondition(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keyOf(key),
            state: 'in_progress',
            request_hash: claim.requestHash,
            lease_id: claim.leaseId,
            lease_until: claim.nowMs + claim.leaseMs,
            expires_at: Math.ceil(claim.nowMs / 1000) + claim.ttlSeconds,
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR expires_at < :now_s OR (#state = :in_progress AND lease_until < :now_ms AND request_hash = :hash)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':now_s': Math.floor(claim.nowMs / 1000),
            ':now_ms': claim.nowMs,
            ':in_progress': 'in_progress',
            ':hash': claim.requestHash,
          },
        }),
      ),
    );
    if (taken) return { claimed: true };
    return { claimed: false, existing: await this.get(key, claim.nowMs) };
  }

  /** The live record (an expired one counts as none). */
  async get(key: RecordKey, nowMs: number): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(key), ConsistentRead: true }),
    );
    if (!Item || (typeof Item.expires_at === 'number' && Item.expires_at < Math.floor(nowMs / 1000)))
      return undefined;
    const item = recordSchema.parse(Item);
    if (item.state === 'in_progress') {
      return { state: 'in_progress', requestHash: item.request_hash, leaseUntil: item.lease_until };
    }
    return {
      state: 'completed',
      requestHash: item.request_hash,
      response: storedResponseSchema.parse(JSON.parse(item.response)),
    };
  }

  /** Stores the answer of the request that owns the record; false if it no longer does. */
  async complete(key: RecordKey, leaseId: string, response: StoredResponse): Promise<boolean> {
    const done = await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(key),
          UpdateExpression: 'SET #state = :completed, #response = :response REMOVE lease_id, lease_until',
          ConditionExpression: 'lease_id = :lease',
          ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
          ExpressionAttributeValues: {
            ':completed': 'completed',
            ':response': JSON.stringify(response),
            ':lease': leaseId,
          },
        }),
      ),
    );
    return done !== undefined;
  }

  /** Gives the record up (the request failed in a way a retry should run again). */
  async release(key: RecordKey, leaseId: string): Promise<void> {
    await sendIfCondition(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keyOf(key),
          ConditionExpression: 'lease_id = :lease',
          ExpressionAttributeValues: { ':lease': leaseId },
        }),
      ),
    );
  }
}
