/**
 * Webhook endpoints behind the admin routes: register (the secret is created in Secrets Manager and shown
 * once), list, change (disable), delete, send a test event, rotate the secret, read the delivery log and one
 * attempt's detail, resend an event, replay the dead-lettered deliveries. URLs are checked here
 * (webhooks/url-rules.ts) and again at every delivery.
 *
 * A resend and a replay queue the event itself again, as a first attempt: the receiver gets the original
 * `webhook-id` (so it deduplicates) with a fresh `webhook-timestamp` and signature (Standard Webhooks).
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, InvalidError, NotFoundError } from '../domain/errors';
import { type BridgeEvent, webhookPayloadOf } from '../domain/events/catalogue';
import { webhookTestEvent } from '../domain/events/rules';
import type { StoredDelivery, WebhookEndpointRecord, WebhookStore } from '../storage/webhooks';
import { MAX_WEBHOOK_ENDPOINTS } from '../storage/webhooks';
import { MAX_REPLAY_PER_CALL, replaySelection } from './health';
import type { DeliveryQueue } from './queue';
import type { CreateWebhookInput, UpdateWebhookInput } from './schemas';
import type { WebhookSecretStore } from './secrets';
import { type AddressRules, checkWebhookUrl, type Resolve, WebhookUrlError } from './url-rules';

export class UnknownWebhookError extends NotFoundError {
  override readonly name = 'UnknownWebhookError';
  constructor(readonly webhookId: string) {
    super(`unknown webhook ${webhookId}`, { subject: 'webhook' });
  }
}

export class InvalidWebhookUrlError extends InvalidError {
  override readonly name = 'InvalidWebhookUrlError';
  constructor(message: string) {
    super(message, { summary: 'the webhook URL is not allowed', fields: [{ field: 'body.url', message }] });
  }
}

export class TooManyWebhooksError extends ConflictError {
  override readonly name = 'TooManyWebhooksError';
  constructor(message: string) {
    super(message, { code: 'too_many_webhooks' });
  }
}

/** An attempt the log does not hold, or an event the endpoint was not sent (or no longer kept). */
export class UnknownDeliveryError extends NotFoundError {
  override readonly name = 'UnknownDeliveryError';
  constructor(subject: 'delivery' | 'event', id: string) {
    super(`unknown ${subject} ${id} for this webhook`, { subject });
  }
}

/** A resend or a replay to a disabled endpoint would be dropped at once: refused instead, saying why. */
export class WebhookDisabledError extends ConflictError {
  override readonly name = 'WebhookDisabledError';
  constructor(webhookId: string) {
    super(`webhook ${webhookId} is disabled: enable it first`, { code: 'webhook_disabled' });
  }
}

/** One attempt, with the request it sent (the body rebuilt from the kept event: the bytes that were signed). */
export type DeliveryDetail = StoredDelivery & { request_body: string | null };

export interface ReplaySummary {
  /** Dead-lettered deliveries queued again. */
  replayed: number;
  /** Dead letters of event types the endpoint no longer takes: removed, not sent. */
  discarded: number;
  /** More dead letters remain: call again. */
  more: boolean;
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
      consecutive_failures: 0,
      last_error: null,
      last_success_at: null,
      next_attempt_at: null,
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
    await this.get(id);
    const next = await this.deps.endpoints.update(id, {
      ...(patch.url !== undefined ? { url: await this.checkedUrl(patch.url) } : {}),
      ...(patch.events !== undefined ? { events: patch.events } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      updated_at: new Date(this.deps.now()).toISOString(),
    });
    if (!next) throw new UnknownWebhookError(id);
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

  async deliveries(id: string, limit: number): Promise<StoredDelivery[]> {
    await this.get(id);
    return this.deps.endpoints.recentDeliveries(id, limit);
  }

  async delivery(id: string, deliveryId: string): Promise<DeliveryDetail> {
    await this.get(id);
    const attempt = await this.deps.endpoints.getDelivery(id, deliveryId);
    if (!attempt) throw new UnknownDeliveryError('delivery', deliveryId);
    const event = await this.deps.endpoints.getEvent(id, attempt.event_id);
    return { ...attempt, request_body: event ? JSON.stringify(webhookPayloadOf(event)) : null };
  }

  /** Queues an event the endpoint was sent (within the log's 7 days, or dead-lettered) once more. */
  async resend(id: string, eventId: string): Promise<{ event_id: string; type: string }> {
    const endpoint = await this.get(id);
    if (!endpoint.enabled) throw new WebhookDisabledError(id);
    const event = await this.deps.endpoints.getEvent(id, eventId);
    if (!event) throw new UnknownDeliveryError('event', eventId);
    await this.requeue(id, [event]);
    return { event_id: event.id, type: event.type };
  }

  /**
   * Queues the endpoint's dead-lettered deliveries again, at most MAX_REPLAY_PER_CALL a call (`more` says
   * to call again). Each is removed once queued: a second call does not send it twice, and one killed
   * between the two sends it again under the same id (at least once, as every delivery).
   */
  async replayDeadLetters(id: string): Promise<ReplaySummary> {
    const endpoint = await this.get(id);
    if (!endpoint.enabled) throw new WebhookDisabledError(id);
    const page = await this.deps.endpoints.deadLetters(id, MAX_REPLAY_PER_CALL);
    const { replay, discard } = replaySelection(endpoint, page.items);
    await this.requeue(
      id,
      replay.map((d) => d.event),
    );
    // Queued, then removed (unless dead-lettered again meanwhile: that newer one waits for the next replay).
    for (const d of replay) await this.deps.endpoints.removeDeadLetter(id, d.event.id, d.dead_lettered_at);
    let discarded = 0;
    for (const d of discard) {
      if (await this.deps.endpoints.removeDeadLetter(id, d.event.id, d.dead_lettered_at)) discarded++;
    }
    return { replayed: replay.length, discarded, more: page.more };
  }

  /** First attempts of the events, due now: the same ids, signed afresh when sent. */
  private async requeue(id: string, events: readonly BridgeEvent[]): Promise<void> {
    const nowMs = this.deps.now();
    const at = new Date(nowMs).toISOString();
    await this.deps.queue.enqueue(
      events.map((event) => ({ webhook_id: id, event, attempt: 1, not_before: at })),
      nowMs,
    );
  }
}
