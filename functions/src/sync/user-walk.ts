/**
 * Walks onboarded users in external_user_id order through gsi1 (`gsi1pk = USERS`,
 * `gsi1sk = <external_user_id>`), resuming after a given id. See functions/README.md (key design).
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { USERS_GSI, USERS_GSI_PK } from '../storage/users';

export interface OnboardedUser {
  externalUserId: string;
  poderoUserId: string;
  /** The device kinds the profile records (domain/devices/kind-plan.ts); null: recorded before kinds were. */
  deviceKinds?: readonly string[] | null;
  deviceKindsCheckedAt?: string | null;
  /** The profile's `created_at` and newest month announced `statement.ready` (sync/statement-ready.ts). */
  onboardedAt?: string | null;
  statementAnnouncedMonth?: string | null;
  /** The id of the newest charging-configuration change, while one is pending (sync/charging-config.ts). */
  chargingConfigChangePending?: string | null;
}

const profileSchema = z.object({
  gsi1sk: z.string(),
  podero_user_id: z.string().min(1),
  // A malformed record counts as none: the plan treats the user as recorded before kinds were.
  device_kinds: z.array(z.string()).nullish().catch(null),
  device_kinds_checked_at: z.string().nullish().catch(null),
  created_at: z.string().nullish().catch(null),
  statement_announced_month: z.string().nullish().catch(null),
  charging_config_change_pending: z.string().nullish().catch(null),
});

export class UserWalk {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Up to `limit` users after `afterExternalUserId` (exclusive) and up to `until` (inclusive; null: to the
   * end of the walk), and whether more may follow.
   */
  async page(
    afterExternalUserId: string | null,
    limit: number,
    until: string | null = null,
  ): Promise<{ users: OnboardedUser[]; hasMore: boolean }> {
    const { condition, values } = rangeCondition(afterExternalUserId, until);
    const users: OnboardedUser[] = [];
    let startKey: Record<string, unknown> | undefined;
    let hasMore = false;
    // Items without a Podero id (e.g. a user whose creation is still in flight) are skipped, so a page
    // may need more than one Query to fill; bounded so a table of such items cannot spin forever.
    for (let round = 0; round < 20 && users.length < limit; round++) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: USERS_GSI,
          KeyConditionExpression: condition,
          ExpressionAttributeValues: { ':pk': USERS_GSI_PK, ...values },
          ExclusiveStartKey: startKey,
          Limit: limit - users.length,
        }),
      );
      for (const item of out.Items ?? []) {
        const parsed = profileSchema.safeParse(item);
        // BETWEEN includes its lower bound, which belongs to the range before.
        if (parsed.success && parsed.data.gsi1sk !== afterExternalUserId) {
          users.push({
            externalUserId: parsed.data.gsi1sk,
            poderoUserId: parsed.data.podero_user_id,
            deviceKinds: parsed.data.device_kinds ?? null,
            deviceKindsCheckedAt: parsed.data.device_kinds_checked_at ?? null,
            onboardedAt: parsed.data.created_at ?? null,
            statementAnnouncedMonth: parsed.data.statement_announced_month ?? null,
            chargingConfigChangePending: parsed.data.charging_config_change_pending ?? null,
          });
        }
      }
      startKey = out.LastEvaluatedKey;
      hasMore = startKey !== undefined;
      if (!hasMore) break;
    }
    return { users, hasMore };
  }
}

/** The key condition of a range of the walk: one condition on the sort key is all DynamoDB allows. */
function rangeCondition(
  after: string | null,
  until: string | null,
): { condition: string; values: Record<string, string> } {
  if (after !== null && until !== null) {
    return {
      condition: 'gsi1pk = :pk AND gsi1sk BETWEEN :after AND :until',
      values: { ':after': after, ':until': until },
    };
  }
  if (after !== null) return { condition: 'gsi1pk = :pk AND gsi1sk > :after', values: { ':after': after } };
  if (until !== null) return { condition: 'gsi1pk = :pk AND gsi1sk <= :until', values: { ':until': until } };
  return { condition: 'gsi1pk = :pk', values: {} };
}

/**
 * The walk as a stream of users: the next page is requested as soon as the previous one arrives, so
 * the sync rarely waits for the walk. `next` resolves null at the end of the walk.
 */
export class UserStream {
  private users: OnboardedUser[] = [];
  private index = 0;
  private nextPage: Promise<{ users: OnboardedUser[]; hasMore: boolean }> | null;

  constructor(
    private readonly walk: Pick<UserWalk, 'page'>,
    afterExternalUserId: string | null,
    private readonly pageSize: number,
    /** The last id of the range walked (inclusive); null: to the end. */
    private readonly until: string | null = null,
  ) {
    this.nextPage = this.request(afterExternalUserId);
  }

  /** True when `next` would answer without a database round trip. */
  get ready(): boolean {
    return this.index < this.users.length || this.nextPage === null;
  }

  /** True when the walk has ended and every user was handed out. */
  get exhausted(): boolean {
    return this.index >= this.users.length && this.nextPage === null;
  }

  async next(): Promise<OnboardedUser | null> {
    // Bounded: a page that comes back empty while more may follow is rare (items without a Podero id).
    for (let empty = 0; this.index >= this.users.length && empty < 1000; empty++) {
      if (this.nextPage === null) return null;
      const page = await this.nextPage;
      const last = page.users.at(-1);
      this.users = page.users;
      this.index = 0;
      this.nextPage = page.hasMore && last ? this.request(last.externalUserId) : null;
    }
    return this.users[this.index++] ?? null;
  }

  private request(after: string | null) {
    const page = this.walk.page(after, this.pageSize, this.until);
    // A page requested ahead may never be awaited (the run stopped): its failure must not be unhandled.
    page.catch(() => {});
    return page;
  }
}
