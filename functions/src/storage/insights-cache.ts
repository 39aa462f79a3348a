/**
 * Podero's statistics and savings answers, cached in the main table so that an app showing a customer's
 * savings does not ask Podero each time:
 *
 *   a user's heat pump   pk `USER#<external_user_id>`  sk `STATS#<heat_pump_id>#<kind>#<query key>`
 *   the organisation     pk `ORG`                      sk `STATS#<kind>#<query key>`
 *
 * A user's entries live in the user's partition, so offboarding's sweep (UserStore.deleteAll) removes
 * them with the rest. `expires_at` lets DynamoDB's TTL drop entries nobody reads again. The answer is
 * stored as a string: it round-trips exactly whatever Podero sent.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { userPk } from './users';

/** Sorts outside `HEATPUMP`..`PROFILE`, the range the heat-pump list reads in one Query. */
export const INSIGHT_SK_PREFIX = 'STATS#';
const ORG_PK = 'ORG';

/** Where an entry lives: a user's heat pump, or the organisation. */
export type InsightOwner = { externalUserId: string; heatPumpId: string } | { organisation: true };

export interface CachedInsight {
  readonly body: unknown;
  readonly fetchedAt: string;
}

const itemSchema = z.object({ body: z.string(), fetched_at: z.string() });

export function insightKey(owner: InsightOwner, kind: string, queryKey: string): { pk: string; sk: string } {
  if ('organisation' in owner) return { pk: ORG_PK, sk: `${INSIGHT_SK_PREFIX}${kind}#${queryKey}` };
  return {
    pk: userPk(owner.externalUserId),
    sk: `${INSIGHT_SK_PREFIX}${owner.heatPumpId}#${kind}#${queryKey}`,
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
    return { body: JSON.parse(item.data.body) as unknown, fetchedAt: item.data.fetched_at };
  }

  /** Stores an answer; `created` when no entry was there (the caller's erasure guard needs to know). */
  async put(
    owner: InsightOwner,
    kind: string,
    queryKey: string,
    body: unknown,
    fetchedAt: string,
    keepSeconds: number,
  ): Promise<{ created: boolean; sk: string }> {
    const key = insightKey(owner, kind, queryKey);
    const { Attributes } = await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...key,
          body: JSON.stringify(body),
          fetched_at: fetchedAt,
          expires_at: Math.ceil(Date.parse(fetchedAt) / 1000) + keepSeconds,
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return { created: Attributes === undefined, sk: key.sk };
  }
}
