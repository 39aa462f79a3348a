/**
 * Webhook endpoints and their delivery log in the main table (secrets are in Secrets Manager:
 * webhooks/secrets.ts):
 *
 *   endpoint     pk `WEBHOOKS`      sk `WEBHOOK#<id>`
 *   attempt      pk `WEBHOOK#<id>`  sk `DELIVERY#<attempted_at>#<event_id>#<attempt>`  (kept 7 days)
 *   event        pk `WEBHOOK#<id>`  sk `EVENT#<event_id>`   the event as sent, to show and resend (7 days)
 *   dead letter  pk `WEBHOOK#<id>`  sk `DEAD#<event_id>`    a delivery whose retries are spent, until it is
 *                                                           replayed (14 days, as the dead-letter queue)
 *
 * A partner registers a handful of endpoints: one Query reads them all (the relay's fan-out, GET /webhooks).
 * An attempt keeps what the support desk needs to see (the request's headers, the answer's status and an
 * excerpt of at most 512 bytes (webhooks/sender.ts), the error, the duration, the next attempt), never a secret: the
 * headers are those sent, whose signature is a MAC of the body and reveals nothing of the key.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type BridgeEvent, bridgeEventSchema } from '../domain/events/catalogue';
import { batchWrite } from './batch-write';
import { sendIfCondition } from './conditional';
import { subjectOf } from './event-history';

const ENDPOINTS_PK = 'WEBHOOKS';
const endpointSk = (id: string) => `WEBHOOK#${id}`;
const deliveriesPk = (id: string) => `WEBHOOK#${id}`;
/**
 * A kept event, dead letter or attempt about a customer is indexed by that customer on gsi1, so that the
 * customer's offboarding finds and erases them without reading every endpoint's log: the events name the
 * customer, and an attempt keeps the start of the receiver's answer, which may too.
 */
const customerEventsPk = (externalUserId: string) => `WEBHOOK_EVENTS#${externalUserId}`;
function customerIndexOf(webhookId: string, event: BridgeEvent): Record<string, string> {
  const customer = subjectOf(event);
  return customer === undefined
    ? {}
    : { gsi1pk: customerEventsPk(customer), gsi1sk: `${webhookId}#${event.id}` };
}
const itemKeySchema = z.object({ pk: z.string(), sk: z.string() });
const eventSk = (eventId: string) => `EVENT#${eventId}`;
const deadLetterSk = (eventId: string) => `DEAD#${eventId}`;
const ATTEMPT_PREFIX = 'DELIVERY#';
export const DELIVERY_KEEP_SECONDS = 7 * 86_400;
/** As long as the dead-letter queue keeps a message (declarations.ts, `deadLetterRetentionSeconds`). */
export const DEAD_LETTER_KEEP_SECONDS = 14 * 86_400;

/** Endpoints per stage (each has its own secret and delivery log). */
export const MAX_WEBHOOK_ENDPOINTS = 50;

export const webhookEndpointRecordSchema = z.object({
  id: z.string(),
  url: z.string(),
  /** Event types delivered; null: every type. */
  events: z.array(z.string()).nullable(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  /** webhooks/health.ts decides it: `failing` after failures in a row or a dead letter, `healthy` after a success. */
  status: z.enum(['healthy', 'failing']),
  failing_since: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  /** Failed attempts in a row (to any event); 0 after a delivered one. Endpoints older than it read 0. */
  consecutive_failures: z.number().int().min(0).default(0),
  last_error: z
    .object({
      at: z.string(),
      event_id: z.string(),
      error: z.string(),
      status_code: z.number().int().nullable(),
    })
    .nullable()
    .default(null),
  last_success_at: z.string().nullable().default(null),
  /** When the last failed attempt's event is tried again; null after a success or when it was dead-lettered. */
  next_attempt_at: z.string().nullable().default(null),
});
export type WebhookEndpointRecord = z.infer<typeof webhookEndpointRecordSchema>;
/** What an operator may change of an endpoint (the rest is the delivery's). */
export type WebhookEndpointPatch = Partial<
  Pick<WebhookEndpointRecord, 'url' | 'events' | 'description' | 'enabled'>
> & { updated_at: string };

/** What an attempt changes of its endpoint's health. */
export type AttemptHealth =
  | { ok: true; at: string }
  | {
      ok: false;
      at: string;
      event_id: string;
      error: string;
      status_code: number | null;
      next_attempt_at: string | null;
    };

/** What a delivery reads of an endpoint: the record and its signing secret's version (never shown by the API). */
const deliveryEndpointSchema = webhookEndpointRecordSchema.extend({
  /** Raised after each rotation (webhooks/secrets.ts): a delivery holding an older secret reads it again. */
  secret_version: z.number().int().min(1).default(1),
});
export type DeliveryEndpoint = z.infer<typeof deliveryEndpointSchema>;

export const deliveryRecordSchema = z.object({
  event_id: z.string(),
  event_type: z.string(),
  attempt: z.number().int(),
  attempted_at: z.string(),
  outcome: z.enum(['delivered', 'retrying', 'dead_lettered']),
  status_code: z.number().int().nullable(),
  error: z.string().nullable(),
  duration_ms: z.number().int(),
  next_attempt_at: z.string().nullable(),
  /** The request's headers as sent (attempts older than them read {}). */
  request_headers: z.record(z.string(), z.string()).default({}),
  /** The start of the receiver's answer (webhooks/sender.ts RESPONSE_EXCERPT_BYTES), as UTF-8 text; null without an answer. */
  response_excerpt: z.string().nullable().default(null),
  /** What went wrong below HTTP (a connection refused, a blocked address); null otherwise. */
  error_detail: z.string().nullable().default(null),
});
export type DeliveryRecord = z.input<typeof deliveryRecordSchema>;
export type StoredDelivery = z.output<typeof deliveryRecordSchema> & {
  /** The attempt's id in the API (its key, opaque). */
  delivery_id: string;
};

/** The API's id of an attempt: its sort key past `DELIVERY#`, base64url (it holds `#` and `:`). */
export const deliveryIdOf = (sk: string) =>
  Buffer.from(sk.slice(ATTEMPT_PREFIX.length)).toString('base64url');
const attemptSkOfRecord = (record: Pick<DeliveryRecord, 'attempted_at' | 'event_id' | 'attempt'>) =>
  `${ATTEMPT_PREFIX}${record.attempted_at}#${record.event_id}#${String(record.attempt).padStart(2, '0')}`;
/** The API's id of the attempt `recordDelivery` stores for `record`. */
export const deliveryIdOfRecord = (record: Pick<DeliveryRecord, 'attempted_at' | 'event_id' | 'attempt'>) =>
  deliveryIdOf(attemptSkOfRecord(record));
const attemptSkOf = (deliveryId: string) =>
  `${ATTEMPT_PREFIX}${Buffer.from(deliveryId, 'base64url').toString('utf8')}`;

export interface DeadLetterRecord {
  event: BridgeEvent;
  reason: string;
  dead_lettered_at: string;
}
const storedEventSchema = z.object({ event_json: z.string() });
const deadLetterItemSchema = storedEventSchema.extend({ reason: z.string(), dead_lettered_at: z.string() });
const failureCountSchema = z.object({ consecutive_failures: z.number().int() });
const parseEvent = (json: string): BridgeEvent => bridgeEventSchema.parse(JSON.parse(json));

const strip = (item: Record<string, unknown>) => {
  const { pk: _pk, sk: _sk, entity: _entity, expires_at: _exp, ...rest } = item;
  return rest;
};

export class WebhookStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(): Promise<WebhookEndpointRecord[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': ENDPOINTS_PK },
        ConsistentRead: true,
        Limit: MAX_WEBHOOK_ENDPOINTS + 1,
      }),
    );
    return (out.Items ?? []).map((item) => webhookEndpointRecordSchema.parse(strip(item)));
  }

  async get(id: string): Promise<WebhookEndpointRecord | undefined> {
    const item = await this.read(id);
    return item ? webhookEndpointRecordSchema.parse(strip(item)) : undefined;
  }

  async getForDelivery(id: string): Promise<DeliveryEndpoint | undefined> {
    const item = await this.read(id);
    return item ? deliveryEndpointSchema.parse(strip(item)) : undefined;
  }

  private async read(id: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: ENDPOINTS_PK, sk: endpointSk(id) },
        ConsistentRead: true,
      }),
    );
    return out.Item;
  }

  /** A new endpoint (its health fields may be left out: they read as a fresh endpoint's). */
  async create(record: z.input<typeof webhookEndpointRecordSchema>): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: ENDPOINTS_PK, sk: endpointSk(record.id), entity: 'webhook_endpoint', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /**
   * Changes an existing endpoint's editable fields only (an update: the health a delivery writes meanwhile
   * and `secret_version` survive); the record after it, or undefined when it is gone.
   */
  async update(id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpointRecord | undefined> {
    const names = Object.keys(patch) as (keyof WebhookEndpointPatch)[];
    const out = await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: ENDPOINTS_PK, sk: endpointSk(id) },
          UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:f${i}`, patch[name]])),
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out?.Attributes ? webhookEndpointRecordSchema.parse(strip(out.Attributes)) : undefined;
  }

  /** Records that the endpoint's secret reached `version` (never lowers it); false when it is gone. */
  async markSecretRotated(id: string, version: number): Promise<boolean> {
    const out = await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: ENDPOINTS_PK, sk: endpointSk(id) },
          UpdateExpression: 'SET secret_version = :v',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(secret_version) OR secret_version < :v)',
          ExpressionAttributeValues: { ':v': version },
        }),
      ),
    );
    return out !== undefined;
  }

  /** Stops deliveries to the endpoint (its receiver answered 410 Gone); false when it is gone or already off. */
  async disable(id: string, at: string): Promise<boolean> {
    const out = await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: ENDPOINTS_PK, sk: endpointSk(id) },
          UpdateExpression: 'SET enabled = :off, updated_at = :at',
          ConditionExpression: 'attribute_exists(pk) AND enabled = :on',
          ExpressionAttributeValues: { ':off': false, ':on': true, ':at': at },
        }),
      ),
    );
    return out !== undefined;
  }

  /** Marks the endpoint failing (keeping the first instant) or healthy again; nothing if it is gone or already so. */
  async setStatus(id: string, status: 'healthy' | 'failing', at: string): Promise<boolean> {
    const out = await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: ENDPOINTS_PK, sk: endpointSk(id) },
          UpdateExpression: 'SET #status = :status, failing_since = :since',
          ConditionExpression: 'attribute_exists(pk) AND #status <> :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':since': status === 'failing' ? at : null },
        }),
      ),
    );
    return out !== undefined;
  }

  async delete(id: string): Promise<boolean> {
    const out = await sendIfCondition(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: ENDPOINTS_PK, sk: endpointSk(id) },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
    return out !== undefined;
  }

  /**
   * Counts an attempt into the endpoint's health: a failure adds one to the failures in a row and keeps its
   * error, a success resets them. The count after it, or undefined when the endpoint is gone.
   */
  async recordAttemptHealth(id: string, health: AttemptHealth): Promise<number | undefined> {
    const key = { pk: ENDPOINTS_PK, sk: endpointSk(id) };
    const out = await sendIfCondition(() =>
      this.db.send(
        health.ok
          ? new UpdateCommand({
              TableName: this.tableName,
              Key: key,
              UpdateExpression:
                'SET consecutive_failures = :zero, last_success_at = :at, next_attempt_at = :none',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':zero': 0, ':at': health.at, ':none': null },
              ReturnValues: 'UPDATED_NEW',
            })
          : new UpdateCommand({
              TableName: this.tableName,
              Key: key,
              // ADD: concurrent attempts to one endpoint each count (a read-then-write would lose some).
              UpdateExpression:
                'ADD consecutive_failures :one SET last_error = :error, next_attempt_at = :next',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: {
                ':one': 1,
                ':error': {
                  at: health.at,
                  event_id: health.event_id,
                  error: health.error,
                  status_code: health.status_code,
                },
                ':next': health.next_attempt_at,
              },
              ReturnValues: 'UPDATED_NEW',
            }),
      ),
    );
    if (out === undefined) return undefined;
    return failureCountSchema.parse(out.Attributes).consecutive_failures;
  }

  /**
   * Logs an attempt; `aboutCustomer` (the event's subject, if it names one) indexes it for that customer's
   * erasure (`deleteEventsAbout`).
   */
  async recordDelivery(
    webhookId: string,
    record: DeliveryRecord,
    aboutCustomer: string | undefined,
  ): Promise<void> {
    const sk = attemptSkOfRecord(record);
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: deliveriesPk(webhookId),
          sk,
          entity: 'webhook_delivery',
          ...record,
          ...(aboutCustomer === undefined
            ? {}
            : { gsi1pk: customerEventsPk(aboutCustomer), gsi1sk: `${webhookId}#${sk}` }),
          expires_at: Math.floor(Date.parse(record.attempted_at) / 1000) + DELIVERY_KEEP_SECONDS,
        },
      }),
    );
  }

  /** The latest attempts, newest first. */
  async recentDeliveries(webhookId: string, limit: number): Promise<StoredDelivery[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': deliveriesPk(webhookId), ':prefix': ATTEMPT_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((item) => ({
      delivery_id: deliveryIdOf(String(item.sk)),
      ...deliveryRecordSchema.parse(strip(item)),
    }));
  }

  /** One attempt by its API id; undefined when unknown (or expired). */
  async getDelivery(webhookId: string, deliveryId: string): Promise<StoredDelivery | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: deliveriesPk(webhookId), sk: attemptSkOf(deliveryId) },
      }),
    );
    if (!out.Item) return undefined;
    return { delivery_id: deliveryId, ...deliveryRecordSchema.parse(strip(out.Item)) };
  }

  /** Keeps the event sent to the endpoint (at its first attempt), to show its body and to resend it. */
  async putEvent(webhookId: string, event: BridgeEvent, atMs: number): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: deliveriesPk(webhookId),
          sk: eventSk(event.id),
          entity: 'webhook_event',
          event_json: JSON.stringify(event),
          ...customerIndexOf(webhookId, event),
          expires_at: Math.floor(atMs / 1000) + DELIVERY_KEEP_SECONDS,
        },
      }),
    );
  }

  /** The event as sent to the endpoint, kept or dead-lettered; undefined when neither is (any more). */
  async getEvent(webhookId: string, eventId: string): Promise<BridgeEvent | undefined> {
    for (const sk of [eventSk(eventId), deadLetterSk(eventId)]) {
      const out = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: deliveriesPk(webhookId), sk } }),
      );
      if (out.Item) return parseEvent(storedEventSchema.parse(out.Item).event_json);
    }
    return undefined;
  }

  /**
   * Erases every kept event, dead letter and attempt about the customer, on every endpoint (an offboarding:
   * they name the customer, or may). Answers how many it deleted.
   */
  async deleteEventsAbout(externalUserId: string): Promise<number> {
    let deleted = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': customerEventsPk(externalUserId) },
          ExclusiveStartKey: startKey,
        }),
      );
      const keys = (page.Items ?? []).map((item) => itemKeySchema.parse(item));
      const result = await batchWrite(
        this.db,
        keys.map(({ pk, sk }) => ({
          tableName: this.tableName,
          owner: externalUserId,
          request: { DeleteRequest: { Key: { pk, sk } } },
        })),
      );
      if (result.failedOwners.size > 0)
        throw new Error('could not delete every webhook event about the customer');
      deleted += keys.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return deleted;
  }

  /** A delivery whose retries are spent (one per event: a later one replaces it), until replayed. */
  async recordDeadLetter(webhookId: string, record: DeadLetterRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: deliveriesPk(webhookId),
          sk: deadLetterSk(record.event.id),
          entity: 'webhook_dead_letter',
          event_json: JSON.stringify(record.event),
          ...customerIndexOf(webhookId, record.event),
          reason: record.reason,
          dead_lettered_at: record.dead_lettered_at,
          expires_at: Math.floor(Date.parse(record.dead_lettered_at) / 1000) + DEAD_LETTER_KEEP_SECONDS,
        },
      }),
    );
  }

  /** Up to `limit` of the endpoint's dead letters (in event id order), and whether more remain. */
  async deadLetters(webhookId: string, limit: number): Promise<{ items: DeadLetterRecord[]; more: boolean }> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': deliveriesPk(webhookId), ':prefix': 'DEAD#' },
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    const items = (out.Items ?? []).map((item) => {
      const stored = deadLetterItemSchema.parse(item);
      return {
        event: parseEvent(stored.event_json),
        reason: stored.reason,
        dead_lettered_at: stored.dead_lettered_at,
      };
    });
    return { items, more: out.LastEvaluatedKey !== undefined };
  }

  /**
   * Removes a dead letter once replayed, unless the event was dead-lettered again since it was read (that
   * newer one stays for the next replay); false when it was gone or newer.
   */
  async removeDeadLetter(webhookId: string, eventId: string, deadLetteredAt: string): Promise<boolean> {
    const out = await sendIfCondition(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: deliveriesPk(webhookId), sk: deadLetterSk(eventId) },
          ConditionExpression: 'dead_lettered_at = :at',
          ExpressionAttributeValues: { ':at': deadLetteredAt },
        }),
      ),
    );
    return out !== undefined;
  }
}
