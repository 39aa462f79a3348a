/**
 * Podero's statistics and savings answers, cached in the main table so that an app showing a customer's
 * savings does not ask Podero each time:
 *
 *   a user's device      pk `USER#<external_user_id>`  sk `STATS#<device id>#<kind>#<query key>`
 *   the organisation     pk `ORG`                      sk `STATS#<kind>#<query key>`
 *
 * A user's entries live in the user's partition, so offboarding's sweep (UserStore.deleteAll) removes
 * them with the rest. `expires_at` lets DynamoDB's TTL drop entries nobody reads again. The answer is
 * stored as gzipped JSON (`body_gzip`, Binary): it round-trips exactly whatever Podero sent, and the
 * longest documented query fits an item. 1,827 daily buckets with every field Podero documents filled
 * with full-precision numbers measure 959 KB as JSON (DynamoDB refuses items over 400 KB) and 196 KB
 * gzipped. An answer that would still not fit is not stored (see `put`).
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { userPk } from './users';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * The most a compressed answer may take: DynamoDB's 400 KB item limit counts attribute names and every
 * other value too (keys, dates: well under the 8 KB kept free here).
 */
export const MAX_STORED_BODY_BYTES = 400 * 1024 - 8 * 1024;

/** Sorts outside the device keys..`PROFILE`, the range the device list reads in one Query. */
export const INSIGHT_SK_PREFIX = 'STATS#';
const ORG_PK = 'ORG';

/** Where an entry lives: a user's device, or the organisation. */
export type InsightOwner = { externalUserId: string; deviceId: string } | { organisation: true };

export interface CachedInsight {
  readonly body: unknown;
  readonly fetchedAt: string;
}

const itemSchema = z.object({ body_gzip: z.instanceof(Uint8Array), fetched_at: z.string() });

export function insightKey(owner: InsightOwner, kind: string, queryKey: string): { pk: string; sk: string } {
  if ('organisation' in owner) return { pk: ORG_PK, sk: `${INSIGHT_SK_PREFIX}${kind}#${queryKey}` };
  return {
    pk: userPk(owner.externalUserId),
    sk: `${INSIGHT_SK_PREFIX}${owner.deviceId}#${kind}#${queryKey}`,
  };
}

export class InsightsCache {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(owner: InsightOwner, kind: string, queryKey: string): Promise<CachedInsight | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: insightKey(owner, kind, queryKey) }),
    );
    const item = itemSchema.safeParse(Item);
    if (!item.success) return undefined;
    const json = (await gunzipAsync(item.data.body_gzip)).toString('utf8');
    return { body: JSON.parse(json) as unknown, fetchedAt: item.data.fetched_at };
  }

  /**
   * Stores an answer; `created` when no entry was there (the caller's erasure guard needs to know).
   * Undefined when the answer is too large for an item even compressed: it is then not cached (and any
   * older entry stays, to age out), so the caller serves it live instead of failing.
   */
  async put(
    owner: InsightOwner,
    kind: string,
    queryKey: string,
    body: unknown,
    fetchedAt: string,
    keepSeconds: number,
  ): Promise<{ created: boolean; sk: string } | undefined> {
    const key = insightKey(owner, kind, queryKey);
    const compressed = await gzipAsync(JSON.stringify(body));
    if (compressed.byteLength > MAX_STORED_BODY_BYTES) return undefined;
    const { Attributes } = await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...key,
          body_gzip: compressed,
          fetched_at: fetchedAt,
          expires_at: Math.ceil(Date.parse(fetchedAt) / 1000) + keepSeconds,
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return { created: Attributes === undefined, sk: key.sk };
  }
}
