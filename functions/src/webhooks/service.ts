/**
 * Webhook endpoints behind the admin routes: register (the secret is created in Secrets Manager and shown
 * once), list, change, delete, send a test event, rotate the secret, read the delivery log. URLs are
 * checked here (webhooks/url-rules.ts) and again at every delivery.
 */
import { randomBytes } from 'node:crypto';
import { webhookTestEvent } from '../events/rules';
import type { DeliveryRecord, WebhookEndpointRecord, WebhookStore } from '../storage/webhooks';
import { MAX_WEBHOOK_ENDPOINTS } from '../storage/webhooks';
import type { DeliveryQueue } from './queue';
import type { CreateWebhookInput, UpdateWebhookInput } from './schemas';
import type { WebhookSecretStore } from './secrets';
import { type AddressRules, checkWebhookUrl, type Resolve, WebhookUrlError } from './url-rules';

export class UnknownWebhookError extends Error {
  override readonly name = 'UnknownWebhookError';
  constructor(readonly webhookId: string) {
    super(`unknown webhook ${webhookId}`);
  }
}

export class InvalidWebhookUrlError extends Error {
  override readonly name = 'InvalidWebhookUrlError';
}

export class TooManyWebhooksError extends Error {
  override readonly name = 'TooManyWebhooksError';
}

export interface WebhookServiceDeps {
  endpoints: WebhookStore;
  secrets: Pick<WebhookSecretStore, 'create' | 'rotate' | 'delete'>;
  queue: Pick<DeliveryQueue, 'enqueue'>;
  rules: AddressRules;
  resolve?: Resolve;
  now: () => number;
}

export class WebhookService {
  constructor(private readonly deps: WebhookServiceDeps) {}

  private async checkedUrl(raw: string): Promise<string> {
    try {
      return (await checkWebhookUrl(raw, this.deps.rules, this.deps.resolve)).toString();
    } catch (error) {
      if (error instanceof WebhookUrlError) throw new InvalidWebhookUrlError(error.message);
      throw error;
    }
  }

  async create(input: CreateWebhookInput): Promise<WebhookEndpointRecord & { secret: string }> {
    const url = await this.checkedUrl(input.url);
    if ((await this.deps.endpoints.list()).length >= MAX_WEBHOOK_ENDPOINTS) {
      throw new TooManyWebhooksError(`at most ${MAX_WEBHOOK_ENDPOINTS} webhooks per stage`);
    }
    const at = new Date(this.deps.now()).toISOString();
    const record: WebhookEndpointRecord = {
      id: `wh_${randomBytes(12).toString('hex')}`,
      url,
      events: input.events ?? null,
      description: input.description ?? null,
      enabled: true,
      status: 'healthy',
      failing_since: null,
      created_at: at,
      updated_at: at,
    };
    // The secret first: an endpoint never exists without one. Should the endpoint write fail, the secret
    // is deleted again (a partner sees an error and no half-made webhook).
    const secret = await this.deps.secrets.create(record.id);
    try {
      await this.deps.endpoints.create(record);
    } catch (error) {
      await this.deps.secrets.delete(record.id);
      throw error;
    }
    return { ...record, secret };
  }

  list(): Promise<WebhookEndpointRecord[]> {
    return this.deps.endpoints.list();
  }

  async get(id: string): Promise<WebhookEndpointRecord> {
    const endpoint = await this.deps.endpoints.get(id);
    if (!endpoint) throw new UnknownWebhookError(id);
    return endpoint;
  }

  async update(id: string, patch: UpdateWebhookInput): Promise<WebhookEndpointRecord> {
    const current = await this.get(id);
    const next: WebhookEndpointRecord = {
      ...current,
      ...(patch.url !== undefined ? { url: await this.checkedUrl(patch.url) } : {}),
      ...(patch.events !== undefined ? { events: patch.events } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      updated_at: new Date(this.deps.now()).toISOString(),
    };
    if (!(await this.deps.endpoints.replace(next))) throw new UnknownWebhookError(id);
    return next;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.deps.endpoints.delete(id))) throw new UnknownWebhookError(id);
    await this.deps.secrets.delete(id);
  }

  /** Queues a `webhook.test` event for this endpoint only (delivered while the endpoint is enabled). */
  async sendTest(id: string): Promise<{ event_id: string; type: 'webhook.test' }> {
    await this.get(id);
    const nowMs = this.deps.now();
    const event = webhookTestEvent(id, new Date(nowMs).toISOString(), randomBytes(8).toString('hex'));
    await this.deps.queue.enqueue(
      [{ webhook_id: id, event, attempt: 1, not_before: event.timestamp }],
      nowMs,
    );
    return { event_id: event.id, type: 'webhook.test' };
  }

  async rotateSecret(id: string): Promise<{ secret: string; previous_secret_expires_at: string }> {
    await this.get(id);
    const { secret, previousExpiresAt, version } = await this.deps.secrets.rotate(id, this.deps.now());
    // After the secret: a delivery that sees the new version finds the new secret when it reads it again.
    await this.deps.endpoints.markSecretRotated(id, version);
    return { secret, previous_secret_expires_at: previousExpiresAt };
  }

  async deliveries(id: string, limit: number): Promise<DeliveryRecord[]> {
    await this.get(id);
    return this.deps.endpoints.recentDeliveries(id, limit);
  }
}
