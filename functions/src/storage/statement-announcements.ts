/**
 * The `statement.ready` announcements of a user's months (domain/statements/ready.ts), in the user's partition:
 *
 *   marker  pk `USER#<external_user_id>`  sk `STATEMENT#<YYYY-MM>`  (its event in the embedded outbox)
 *   profile `statement_announced_month`: the newest month announced, read free by the sync's user walk
 *
 * Exactly once: the marker is put only if absent, in one single-item write with its event (ADR 0011), so
 * two runs, or a run retried after it died, store one event. The profile's month is a cache written after
 * the marker, so that an ordinary pass skips the write without a read; a run that died between the two writes
 * meets the marker next time, stores nothing, and moves the cache on. The offboarding's sweep of the
 * partition takes the markers along (UserStore.deleteAll).
 */
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../domain/events/catalogue';
import { sendIfCondition } from './conditional';
import { outboxAttributes } from './outbox';
import { USER_PROFILE_SK, userPk } from './users';

export const STATEMENT_MARKER_PREFIX = 'STATEMENT#';
/** The profile attribute caching the newest month announced. */
export const STATEMENT_ANNOUNCED_MONTH_ATTRIBUTE = 'statement_announced_month';
/** A marker is needed only until the profile's cache has passed its month; kept a while longer as a record. */
const MARKER_KEEP_SECONDS = 400 * 86_400;

export const statementMarkerKey = (externalUserId: string, month: string) => ({
  pk: userPk(externalUserId),
  sk: `${STATEMENT_MARKER_PREFIX}${month}`,
});

export class StatementAnnouncementStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Puts the month's marker with its event; false when it was there already (the event was stored then). */
  async putMarker(
    externalUserId: string,
    month: string,
    event: OutboxEntry,
    nowMs: number,
  ): Promise<boolean> {
    const key = statementMarkerKey(externalUserId, month);
    const written = await sendIfCondition(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            entity: 'statement_announcement',
            month,
            announced_at: event.timestamp,
            expires_at: Math.floor(nowMs / 1000) + MARKER_KEEP_SECONDS,
            ...outboxAttributes([event], key),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return written !== undefined;
  }

  /** Moves the profile's cache on to `month` (never back), while the user is onboarded. */
  async recordAnnounced(externalUserId: string, month: string): Promise<void> {
    await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: userPk(externalUserId), sk: USER_PROFILE_SK },
          UpdateExpression: 'SET #announced = :month',
          ConditionExpression:
            '#status = :active AND (attribute_not_exists(#announced) OR #announced < :month)',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#announced': STATEMENT_ANNOUNCED_MONTH_ATTRIBUTE,
          },
          ExpressionAttributeValues: { ':active': 'active', ':month': month },
        }),
      ),
    );
  }
}
