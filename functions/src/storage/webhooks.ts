/**
 * Webhook endpoints and their delivery log in the main table (secrets are in Secrets Manager:
 * webhooks/secrets.ts):
 *
 *   endpoint  pk `WEBHOOKS`            sk `WEBHOOK#<id>`
 *   delivery  pk `WEBHOOK#<id>`        sk `DELIVERY#<attempted_at>#<event_id>#<attempt>`  (kept 7 days)
 *
 * A partner registers a handful of endpoints: one Query reads them all (the relay's fan-out, GET /webhooks).
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
import { sendIfCondition } from './conditional';

const ENDPOINTS_PK = 'WEBHOOKS';
const endpointSk = (id: string) => `WEBHOOK#${id}`;
const deliveriesPk = (id: string) => `WEBHOOK#${id}`;
export const DELIVERY_KEEP_SECONDS = 7 * 86_400;
/** Endpoints per stage (each has its own secret and delivery log). */
export const MAX_WEBHOOK_ENDPOINTS = 50;

export const webhookEndpointRecordSchema = z.object({
  id: z.string(),
  url: z.string(),
  /** Event types delivered; null: every type. */
  events: z.array(z.string()).nullable(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  /** `failing` once a delivery was dead-lettered, `healthy` again after the next success. */
  status: z.enum(['healthy', 'failing']),
  failing_since: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type WebhookEndpointRecord = z.infer<typeof webhookEndpointRecordSchema>;

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
});
export type DeliveryRecord = z.infer<typeof deliveryRecordSchema>;

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

  async create(record: WebhookEndpointRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: ENDPOINTS_PK, sk: endpointSk(record.id), entity: 'webhook_endpoint', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /**
   * Replaces an existing endpoint's fields (an update, so that `secret_version` survives); false when it
   * is gone.
   */
  async replace(record: WebhookEndpointRecord): Promise<boolean> {
    const { id, ...fields } = record;
    const names = Object.keys(fields);
    const out = await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: ENDPOINTS_PK, sk: endpointSk(id) },
          UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(
            names.map((name, i) => [`:f${i}`, fields[name as keyof typeof fields]]),
          ),
        }),
      ),
    );
    return out !== undefined;
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

  async recordDelivery(webhookId: string, record: DeliveryRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: deliveriesPk(webhookId),
          sk: `DELIVERY#${record.attempted_at}#${record.event_id}#${String(record.attempt).padStart(2, '0')}`,
          entity: 'webhook_delivery',
          ...record,
          expires_at: Math.floor(Date.parse(record.attempted_at) / 1000) + DELIVERY_KEEP_SECONDS,
        },
      }),
    );
  }

  /** The latest attempts, newest first. */
  async recentDeliveries(webhookId: string, limit: number): Promise<DeliveryRecord[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': deliveriesPk(webhookId), ':prefix': 'DELIVERY#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((item) => deliveryRecordSchema.parse(strip(item)));
  }
}
