/**
 * A customer's published change events, for the customer timeline (`GET /users/{id}/timeline`):
 *
 *   event  pk `USER#<external_user_id>`  sk `TIMELINE#<timestamp>#<event id>`  (TTL: EVENT_HISTORY_RETENTION_DAYS)
 *
 * Written by the outbox relay once an event is published (webhooks/relay.ts), so the history holds what the
 * partner's bus and webhooks were sent, nothing the bridge kept to itself. Under the user's partition on
 * purpose: the offboarding's sweep takes it with everything else, and the erasure's sweeps take what a relay
 * put back after it (erasure/erasure.ts). A re-published event (the relay is at-least-once) rewrites its
 * fields: same key, same content.
 *
 * The item also keeps, per endpoint, how the event's delivery stands (`deliveries`: the latest attempt's
 * outcome, written by the delivery worker after each attempt, webhooks/delivery.ts), so a timeline page
 * shows each event's deliveries without another read, for as long as the event itself is kept (the endpoints'
 * attempt logs keep 7 days). Only ids, outcomes, status codes and error codes: never a body or a
 * receiver's answer. The relay writes the item before it queues the deliveries, so the first attempt finds
 * it; an attempt only updates an item that exists, so none recreates a customer's partition after an
 * offboarding.
 */
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type BridgeEvent, EVENT_TYPES, type EventType } from '../domain/events/catalogue';
import { sendIfCondition } from './conditional';
import { userPk } from './users';

/** How long a customer's events stay on its timeline after they were published. */
export const EVENT_HISTORY_RETENTION_DAYS = 90;
// After `PROFILE`: outside the sort-key range a device read queries (storage/device-snapshots.ts
// profileRangeOf, every kind's prefix sorts before `PROFILE`), so 90 days of events never ride along with it.
export const EVENT_HISTORY_PREFIX = 'TIMELINE#';

/** How one endpoint's delivery of an event stands: its latest attempt (a resend or a replay starts at 1 again). */
export const deliveryStateSchema = z.object({
  attempt: z.number().int().min(1),
  attempted_at: z.string(),
  outcome: z.enum(['delivered', 'retrying', 'dead_lettered']),
  status_code: z.number().int().nullable(),
  /** The error's code (`http_status`, `timeout`, `network`, …), never the receiver's answer. */
  error: z.string().nullable(),
  duration_ms: z.number().int(),
  next_attempt_at: z.string().nullable(),
  /** The attempt's id in the endpoint's log (`GET /webhooks/{webhook_id}/deliveries/{delivery_id}`). */
  delivery_id: z.string(),
});
export type DeliveryState = z.infer<typeof deliveryStateSchema>;

export const historyEventSchema = z.object({
  id: z.string(),
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  timestamp: z.string(),
  data: z.record(z.string(), z.unknown()),
  /** The webhook endpoints the relay queued a delivery of the event for. */
  webhook_ids: z.array(z.string()),
  /**
   * Per endpoint id, its delivery's latest attempt; an endpoint of `webhook_ids` without one has not been
   * attempted yet. Absent on events recorded before the history kept deliveries.
   */
  deliveries: z.record(z.string(), deliveryStateSchema).optional(),
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

  /**
   * Keeps a published event on the customer's timeline. An update, not a put: a re-publication keeps the
   * delivery states its first publication's attempts recorded.
   */
  async record(
    externalUserId: string,
    event: BridgeEvent,
    webhookIds: readonly string[],
    nowMs: number,
  ): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: userPk(externalUserId), sk: historySk(event) },
        // Every name aliased: `type`, `timestamp` and `data` are reserved words.
        UpdateExpression:
          'SET #entity = :entity, #id = :id, #type = :type, #timestamp = :timestamp, #data = :data, ' +
          '#webhook_ids = :webhook_ids, #deliveries = if_not_exists(#deliveries, :none), #expires_at = :expires_at',
        ExpressionAttributeNames: Object.fromEntries(
          ['entity', 'id', 'type', 'timestamp', 'data', 'webhook_ids', 'deliveries', 'expires_at'].map(
            (name) => [`#${name}`, name],
          ),
        ),
        ExpressionAttributeValues: {
          ':entity': 'event_history',
          ':id': event.id,
          ':type': event.type,
          ':timestamp': event.timestamp,
          ':data': event.data,
          ':webhook_ids': [...webhookIds],
          ':none': {},
          ':expires_at': Math.floor(nowMs / 1000) + EVENT_HISTORY_RETENTION_DAYS * 86_400,
        },
      }),
    );
  }

  /**
   * Records an attempt as the state of the event's delivery to `webhookId`, unless a later attempt was
   * recorded already (SQS may deliver a message twice). Never creates the item: an event not on the
   * timeline (not about an onboarded customer, offboarded since, expired, or recorded before the history
   * kept deliveries) is left alone. Answers whether it was recorded.
   */
  async recordDelivery(
    externalUserId: string,
    event: Pick<BridgeEvent, 'timestamp' | 'id'>,
    webhookId: string,
    state: DeliveryState,
  ): Promise<boolean> {
    const out = await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: userPk(externalUserId), sk: historySk(event) },
          UpdateExpression: 'SET deliveries.#webhook = :state',
          ConditionExpression:
            'attribute_exists(deliveries) AND (attribute_not_exists(deliveries.#webhook) OR deliveries.#webhook.attempted_at <= :at)',
          ExpressionAttributeNames: { '#webhook': webhookId },
          ExpressionAttributeValues: {
            ':state': deliveryStateSchema.parse(state),
            ':at': state.attempted_at,
          },
        }),
      ),
    );
    return out !== undefined;
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
