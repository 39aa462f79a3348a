/**
 * One delivery attempt of one event to one endpoint, and what follows from its outcome: recorded in the
 * endpoint's delivery log; a 2xx within the deadline is delivered (the endpoint is healthy again); anything
 * else (another status, a redirect, a timeout, a refused address) is retried on the Standard Webhooks
 * schedule (webhooks/schedule.ts) with the same `webhook-id`, and after the last attempt dead-lettered
 * (kept in the table for a replay, and sent to the dead-letter queue). Each attempt counts into the
 * endpoint's health (webhooks/health.ts: `failing` after a few failures in a row). A message that arrives before it is due is delayed again. A receiver's
 * `Retry-After` (429/503) postpones the retry; a 410 Gone dead-letters the event and disables the endpoint;
 * a first attempt to an endpoint in the penalty box (penalty-box.ts) is put back until the box opens.
 *
 * Order of the steps, so that a process killed at any of them loses nothing: send → record → next message
 * (retry or dead letter) → the SQS message is acknowledged by returning. Killed before the acknowledgement,
 * SQS delivers the message again and the attempt is repeated: the receiver may see the same `webhook-id`
 * twice, never the event under another id.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { Webhook } from 'standardwebhooks';
import { EVENT_CATALOGUE_VERSION, webhookPayloadOf } from '../domain/events/catalogue';
import { endpointTakes } from '../domain/events/subscriptions';
import type { MetricsSink, RequestLogger } from '../platform/observability';
import { type EventHistoryStore, subjectOf } from '../storage/event-history';
import {
  type DeliveryEndpoint,
  type DeliveryRecord,
  deliveryIdOfRecord,
  type WebhookStore,
} from '../storage/webhooks';
import { statusAfterAttempt } from './health';
import { isReceiverTrouble, type PenaltyBox } from './penalty-box';
import type { DeliveryMessage, DeliveryQueue } from './queue';
import { nextAttemptAt } from './schedule';
import { WebhookSecretMissingError, type WebhookSigningKeys } from './secrets';
import type { SendOutcome, WebhookSender } from './sender';
import { type AddressRules, checkWebhookUrl, type Resolve, WebhookUrlError } from './url-rules';

export const USER_AGENT = 'podero-bridge-webhooks/1';

/** Steps a test may stop the process at (the kill-at-each-step test). */
export type DeliveryStep = 'after-send' | 'after-record' | 'after-next';

export interface WebhookDeliveryDeps {
  endpoints: Pick<
    WebhookStore,
    | 'getForDelivery'
    | 'setStatus'
    | 'recordDelivery'
    | 'disable'
    | 'recordAttemptHealth'
    | 'putEvent'
    | 'recordDeadLetter'
  > & {
    /** Drops a cached read of the endpoint (the next read goes to the table). */
    forget?(id: string): void;
  };
  /** The customers' timelines: each attempt becomes its event's delivery state there (storage/event-history.ts). */
  history: Pick<EventHistoryStore, 'recordDelivery'>;
  keys: Pick<WebhookSigningKeys, 'signingSecrets'>;
  queue: Pick<DeliveryQueue, 'enqueue' | 'deadLetter'>;
  send: WebhookSender;
  /** Endpoints whose receiver is in trouble (per container: penalty-box.ts). */
  penalties: PenaltyBox;
  rules: AddressRules;
  resolve?: Resolve;
  now: () => number;
  logger: Pick<RequestLogger, 'debug' | 'info' | 'warn' | 'error'>;
  metrics: MetricsSink;
  /** Tests: runs at each step; throwing there is the process dying there. */
  step?: (step: DeliveryStep, message: DeliveryMessage) => void;
}

export type AttemptResult = 'delivered' | 'retrying' | 'dead_lettered' | 'delayed' | 'deferred' | 'dropped';

/** The signed request of an event: the Standard Webhooks headers, one signature per secret. */
export function signedRequest(message: DeliveryMessage, secrets: readonly string[], nowMs: number) {
  const body = JSON.stringify(webhookPayloadOf(message.event));
  const at = new Date(nowMs);
  const signature = secrets.map((secret) => new Webhook(secret).sign(message.event.id, at, body)).join(' ');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': message.event.id,
      'webhook-timestamp': String(Math.floor(nowMs / 1000)),
      'webhook-signature': signature,
      'webhook-version': EVENT_CATALOGUE_VERSION,
    },
  };
}

export class WebhookDelivery {
  constructor(private readonly deps: WebhookDeliveryDeps) {}

  async attempt(message: DeliveryMessage): Promise<AttemptResult> {
    const { deps } = this;
    const now = deps.now();
    const endpoint = await deps.endpoints.getForDelivery(message.webhook_id);
    if (!endpoint?.enabled) {
      deps.logger.info('webhook delivery dropped: endpoint deleted or disabled', this.keys(message));
      return 'dropped';
    }
    if (!endpointTakes(endpoint, message.event.type, 'addressed')) return 'dropped';
    const dueAt = Date.parse(message.not_before);
    if (dueAt > now + 1_000) {
      await deps.queue.enqueue([message], now);
      return 'delayed';
    }
    // A retry keeps its schedule: only first attempts, the many, wait for a boxed endpoint.
    const boxedUntil = message.attempt === 1 ? deps.penalties.heldUntil(endpoint.id, now) : null;
    if (boxedUntil !== null) {
      await deps.queue.enqueue([{ ...message, not_before: new Date(boxedUntil).toISOString() }], now);
      deps.logger.debug('webhook delivery deferred: endpoint in the penalty box', this.keys(message));
      deps.metrics.addMetric('WebhookDeferred', MetricUnit.Count, 1);
      return 'deferred';
    }

    let outcome: SendOutcome;
    let headers: Record<string, string> = {};
    try {
      const url = await checkWebhookUrl(endpoint.url, deps.rules, deps.resolve);
      const secrets = await deps.keys.signingSecrets(endpoint.id, now, endpoint.secret_version);
      const request = signedRequest(message, secrets, now);
      headers = request.headers;
      outcome = await deps.send({ url, ...request });
    } catch (error) {
      if (error instanceof WebhookSecretMissingError && (await this.deletedMeanwhile(endpoint.id))) {
        deps.logger.info('webhook delivery dropped: endpoint deleted', this.keys(message));
        return 'dropped';
      }
      if (!(error instanceof WebhookUrlError)) throw error;
      outcome = { ok: false, status: null, error: 'blocked_address', durationMs: 0, detail: error.message };
    }
    deps.step?.('after-send', message);

    const finishedAt = deps.now();
    const finishedIso = new Date(finishedAt).toISOString();
    // 410 Gone: the receiver asks for no more events (Standard Webhooks): this one is dead-lettered.
    const gone = !outcome.ok && outcome.status === 410;
    const retryAfterMs = outcome.ok ? undefined : outcome.retryAfterMs;
    const next = outcome.ok || gone ? null : nextAttemptAt(message.attempt, finishedAt, retryAfterMs);
    const nextIso = next === null ? null : new Date(next).toISOString();
    const result: AttemptResult = outcome.ok ? 'delivered' : next === null ? 'dead_lettered' : 'retrying';
    if (outcome.ok) deps.penalties.release(endpoint.id);
    else if (isReceiverTrouble(outcome)) deps.penalties.penalize(endpoint.id, finishedAt, retryAfterMs);
    // The event as sent, once per delivery (its first attempt), for the log's detail and a resend.
    if (message.attempt === 1) await deps.endpoints.putEvent(endpoint.id, message.event, now);
    const customer = subjectOf(message.event);
    const attempt = {
      event_id: message.event.id,
      event_type: message.event.type,
      attempt: message.attempt,
      attempted_at: new Date(now).toISOString(),
      outcome: result as 'delivered' | 'retrying' | 'dead_lettered',
      status_code: outcome.status,
      error: outcome.ok ? null : outcome.error,
      duration_ms: outcome.durationMs,
      next_attempt_at: nextIso,
      request_headers: headers,
      response_excerpt: outcome.responseExcerpt ?? null,
      error_detail: outcome.ok ? null : (outcome.detail ?? null),
    } satisfies DeliveryRecord;
    await deps.endpoints.recordDelivery(endpoint.id, attempt, customer);
    // After the log, so the state's delivery_id names an attempt that exists.
    if (customer !== undefined) {
      await deps.history.recordDelivery(customer, message.event, endpoint.id, {
        attempt: attempt.attempt,
        attempted_at: attempt.attempted_at,
        outcome: attempt.outcome,
        status_code: attempt.status_code,
        error: attempt.error,
        duration_ms: attempt.duration_ms,
        next_attempt_at: attempt.next_attempt_at,
        delivery_id: deliveryIdOfRecord(attempt),
      });
    }
    await this.countIntoHealth(endpoint, message, outcome, result, finishedIso, nextIso);
    deps.step?.('after-record', message);
    if (!outcome.ok) {
      // Ids, the outcome and when it comes next; never the payload (personal data) or a secret.
      deps.logger.warn('webhook delivery attempt failed', {
        ...this.keys(message),
        status_code: outcome.status,
        error: outcome.error,
        duration_ms: outcome.durationMs,
        next_attempt_at: nextIso,
      });
    }

    if (result === 'retrying' && next !== null) {
      await deps.queue.enqueue(
        [{ ...message, attempt: message.attempt + 1, not_before: nextIso ?? finishedIso }],
        finishedAt,
      );
    } else if (!outcome.ok) {
      // The last attempt failed, or the receiver is gone: dead-lettered, kept for a replay.
      const reason = gone ? 'endpoint_gone' : outcome.error;
      await deps.endpoints.recordDeadLetter(endpoint.id, {
        event: message.event,
        reason,
        dead_lettered_at: finishedIso,
      });
      await deps.queue.deadLetter(message, reason, finishedAt);
      if (gone && (await deps.endpoints.disable(endpoint.id, finishedIso))) {
        deps.metrics.addMetric('WebhookEndpointDisabled', MetricUnit.Count, 1);
        deps.logger.warn('webhook endpoint answered 410 Gone: disabled', this.keys(message));
      } else if (!gone) {
        deps.logger.warn('webhook delivery dead-lettered', this.keys(message));
      }
    }
    deps.step?.('after-next', message);
    deps.metrics.addMetric(
      result === 'delivered'
        ? 'WebhookDelivered'
        : result === 'retrying'
          ? 'WebhookAttemptFailed'
          : 'WebhookDeadLettered',
      MetricUnit.Count,
      1,
    );
    return result;
  }

  /** The attempt counted into the endpoint's health (webhooks/health.ts), and its status changed when it must. */
  private async countIntoHealth(
    endpoint: DeliveryEndpoint,
    message: DeliveryMessage,
    outcome: SendOutcome,
    result: AttemptResult,
    at: string,
    nextAttemptAt: string | null,
  ): Promise<void> {
    const { deps } = this;
    const failuresInARow = await deps.endpoints.recordAttemptHealth(
      endpoint.id,
      outcome.ok
        ? { ok: true, at }
        : {
            ok: false,
            at,
            event_id: message.event.id,
            error: outcome.error,
            status_code: outcome.status,
            next_attempt_at: nextAttemptAt,
          },
    );
    if (failuresInARow === undefined) return;
    const status = statusAfterAttempt({
      consecutiveFailures: failuresInARow,
      deadLettered: result === 'dead_lettered',
    });
    if (status === 'unchanged') return;
    // The status read with the endpoint may be stale: setStatus changes it only when it differs.
    if (status === endpoint.status && status === 'healthy') return;
    if ((await deps.endpoints.setStatus(endpoint.id, status, at)) && status === 'failing') {
      deps.metrics.addMetric('WebhookEndpointFailed', MetricUnit.Count, 1);
      deps.logger.warn('webhook endpoint marked failing', {
        webhook_id: endpoint.id,
        consecutive_failures: failuresInARow,
      });
    }
  }

  /** The secret is deleted after the endpoint's item: read the item again, past any cache. */
  private async deletedMeanwhile(endpointId: string): Promise<boolean> {
    this.deps.endpoints.forget?.(endpointId);
    return (await this.deps.endpoints.getForDelivery(endpointId)) === undefined;
  }

  private keys(message: DeliveryMessage) {
    return {
      webhook_id: message.webhook_id,
      event_id: message.event.id,
      event_type: message.event.type,
      attempt: message.attempt,
    };
  }
}
