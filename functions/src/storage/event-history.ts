/**
 * A customer's published change events, for the customer timeline (`GET /users/{id}/timeline`):
 *
 *   event  pk `USER#<external_user_id>`  sk `TIMELINE#<timestamp>#<event id>`  (TTL: EVENT_HISTORY_RETENTION_DAYS)
 *
 * Written by the outbox relay once an event is published (webhooks/relay.ts), so the history holds what the
 * partner's bus and webhooks were sent, nothing the bridge kept to itself. Under the user's partition on
 * purpose: the offboarding's sweep takes it with everything else, and the erasure's sweeps take what a relay
 * put back after it (erasure/erasure.ts). A re-published event (the relay is at-least-once) overwrites its
 * item: same key, same content.
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type BridgeEvent, EVENT_TYPES, type EventType } from '../domain/events/catalogue';
import { userPk } from './users';

/** How long a customer's events stay on its timeline after they were published. */
export const EVENT_HISTORY_RETENTION_DAYS = 90;
// After `PROFILE`: outside the sort-key range a device read queries (storage/device-snapshots.ts
// profileRangeOf, every kind's prefix sorts before `PROFILE`), so 90 days of events never ride along with it.
export const EVENT_HISTORY_PREFIX = 'TIMELINE#';

export const historyEventSchema = z.object({
  id: z.string(),
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  timestamp: z.string(),
  data: z.record(z.string(), z.unknown()),
  /** The webhook endpoints the relay queued a delivery of the event for (their delivery logs say how it went). */
  webhook_ids: z.array(z.string()),
});
export type HistoryEvent = z.infer<typeof historyEventSchema>;

/** The customer an event is about, if it names one (webhook tests and trading events do not). */
export function subjectOf(event: BridgeEvent): string | undefined {
  const data: Record<string, unknown> = event.data;
  const subject = data.external_user_id;
  return typeof subject === 'string' && subject.length > 0 ? subject : undefined;
}

export const historySk = (event: Pick<BridgeEvent, 'timestamp' | 'id'>) =>
  `${EVENT_HISTORY_PREFIX}${event.timestamp}#${event.id}`;

export class EventHistoryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(
    externalUserId: string,
    event: BridgeEvent,
    webhookIds: readonly string[],
    nowMs: number,
  ): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: userPk(externalUserId),
          sk: historySk(event),
          entity: 'event_history',
          id: event.id,
          type: event.type,
          timestamp: event.timestamp,
          data: event.data,
          webhook_ids: [...webhookIds],
          expires_at: Math.floor(nowMs / 1000) + EVENT_HISTORY_RETENTION_DAYS * 86_400,
        },
      }),
    );
  }

  /**
   * The customer's events newest first, from before `beforeSk` (exclusive; a `historySk`) if given.
   * Returns up to `limit` events and whether more lie beyond them.
   */
  async listForUser(
    externalUserId: string,
    options: { limit: number; beforeSk?: string | undefined },
  ): Promise<{ items: (HistoryEvent & { sk: string })[]; more: boolean }> {
    const items: (HistoryEvent & { sk: string })[] = [];
    let startKey: Record<string, unknown> | undefined =
      options.beforeSk === undefined ? undefined : { pk: userPk(externalUserId), sk: options.beforeSk };
    // One more than asked: whether a next page exists without an empty last page.
    while (items.length <= options.limit) {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': userPk(externalUserId), ':prefix': EVENT_HISTORY_PREFIX },
          ScanIndexForward: false,
          Limit: options.limit + 1 - items.length,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      for (const item of out.Items ?? [])
        items.push({ ...historyEventSchema.parse(item), sk: String(item.sk) });
      startKey = out.LastEvaluatedKey;
      if (startKey === undefined) break;
    }
    return { items: items.slice(0, options.limit), more: items.length > options.limit };
  }
}
