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
}

const profileSchema = z.object({ gsi1sk: z.string(), podero_user_id: z.string().min(1) });

export class UserWalk {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Up to `limit` users after `afterExternalUserId` (exclusive), and whether more may follow. */
  async page(
    afterExternalUserId: string | null,
    limit: number,
  ): Promise<{ users: OnboardedUser[]; hasMore: boolean }> {
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
          KeyConditionExpression:
            afterExternalUserId === null ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND gsi1sk > :after',
          ExpressionAttributeValues: {
            ':pk': USERS_GSI_PK,
            ...(afterExternalUserId === null ? {} : { ':after': afterExternalUserId }),
          },
          ExclusiveStartKey: startKey,
          Limit: limit - users.length,
        }),
      );
      for (const item of out.Items ?? []) {
        const parsed = profileSchema.safeParse(item);
        if (parsed.success) {
          users.push({ externalUserId: parsed.data.gsi1sk, poderoUserId: parsed.data.podero_user_id });
        }
      }
      startKey = out.LastEvaluatedKey;
      hasMore = startKey !== undefined;
      if (!hasMore) break;
    }
    return { users, hasMore };
  }
}
