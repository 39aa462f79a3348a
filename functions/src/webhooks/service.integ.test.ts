import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDynamo, type TestDynamo } from '../../test-support/test-dynamo';
import { webhookPayloadOf } from '../domain/events/catalogue';
import { userOnboardedEvent } from '../domain/events/rules';
import { WebhookStore } from '../storage/webhooks';
import { MAX_REPLAY_PER_CALL } from './health';
import type { DeliveryMessage } from './queue';
import { newWebhookSecret } from './secrets';
import { UnknownDeliveryError, WebhookDisabledError, WebhookService } from './service';

let dynamo: TestDynamo;
let doc: DynamoDBDocumentClient;
let tables: { main: string; readings: string };
beforeAll(async () => {
  dynamo = await startTestDynamo();
  doc = dynamo.doc;
  tables = await dynamo.freshTables('webhook-service');
});
afterAll(async () => {
  await dynamo?.close();
});

const T0 = Date.parse('2026-12-01T12:00:00.000Z');

/** The service on dynalite, with secrets in memory and a queue that records what it is given. */
async function world() {
  const store = new WebhookStore(doc, tables.main);
  const enqueued: DeliveryMessage[] = [];
  const service = new WebhookService({
    endpoints: store,
    secrets: {
      create: async () => newWebhookSecret(),
      rotate: async () => ({ secret: newWebhookSecret(), previousExpiresAt: '', version: 2 }),
      delete: async () => {},
    },
    queue: {
      enqueue: async (messages) => {
        enqueued.push(...messages);
      },
    },
    rules: { allowLoopback: false },
    resolve: async () => ['93.184.216.34'],
    now: () => T0,
  });
  const hook = await service.create({ url: 'https://partner.example/hooks' });
  const deadLetter = (user: string, at: number) =>
    store.recordDeadLetter(hook.id, {
      event: userOnboardedEvent(user, `p-${user}`, new Date(at).toISOString()),
      reason: 'http_status',
      dead_lettered_at: new Date(at).toISOString(),
    });
  return { store, service, enqueued, hook, deadLetter };
}

describe('webhook operations', () => {
  it('shows an attempt with the body that was sent, rebuilt from the kept event; an unknown attempt is not found', async () => {
    const { store, service, hook } = await world();
    const event = userOnboardedEvent('alice', 'p-1', new Date(T0).toISOString());
    await store.putEvent(hook.id, event, T0);
    await store.recordDelivery(
      hook.id,
      {
        event_id: event.id,
        event_type: event.type,
        attempt: 1,
        attempted_at: new Date(T0).toISOString(),
        outcome: 'retrying',
        status_code: 503,
        error: 'http_status',
        duration_ms: 9,
        next_attempt_at: new Date(T0 + 5_000).toISOString(),
        request_headers: { 'webhook-id': event.id },
        response_excerpt: 'busy',
        error_detail: null,
      },
      'alice',
    );
    const [listed] = await service.deliveries(hook.id, 10);
    const detail = await service.delivery(hook.id, listed?.delivery_id ?? '');
    expect(detail).toMatchObject({
      event_id: event.id,
      status_code: 503,
      response_excerpt: 'busy',
      request_headers: { 'webhook-id': event.id },
      request_body: JSON.stringify(webhookPayloadOf(event)),
    });
    await expect(service.delivery(hook.id, 'AAAA')).rejects.toBeInstanceOf(UnknownDeliveryError);
  });

  it('resends a kept event under its own id as a first attempt; refuses an unknown event or a disabled endpoint', async () => {
    const { store, service, enqueued, hook } = await world();
    const event = userOnboardedEvent('bob', 'p-2', new Date(T0 - 3_600_000).toISOString());
    await store.putEvent(hook.id, event, T0 - 3_600_000);
    expect(await service.resend(hook.id, event.id)).toEqual({ event_id: event.id, type: 'user.onboarded' });
    expect(enqueued).toEqual([
      { webhook_id: hook.id, event, attempt: 1, not_before: new Date(T0).toISOString() },
    ]);
    await expect(service.resend(hook.id, 'evt_000000000000000000000000')).rejects.toBeInstanceOf(
      UnknownDeliveryError,
    );
    await service.update(hook.id, { enabled: false });
    await expect(service.resend(hook.id, event.id)).rejects.toBeInstanceOf(WebhookDisabledError);
    expect(enqueued).toHaveLength(1);
  });

  it('replays dead letters once each with their original events, bounded per call, saying whether more remain', async () => {
    const { service, enqueued, hook, deadLetter } = await world();
    for (let i = 0; i < MAX_REPLAY_PER_CALL + 3; i++) await deadLetter(`u${i}`, T0 - 1_000 * (i + 1));
    const first = await service.replayDeadLetters(hook.id);
    expect(first).toEqual({ replayed: MAX_REPLAY_PER_CALL, discarded: 0, more: true });
    const second = await service.replayDeadLetters(hook.id);
    expect(second).toEqual({ replayed: 3, discarded: 0, more: false });
    expect(await service.replayDeadLetters(hook.id)).toEqual({ replayed: 0, discarded: 0, more: false });
    // Every dead letter queued exactly once, as a first attempt of its own event (its id: the webhook-id).
    const ids = enqueued.map((m) => m.event.id);
    expect(new Set(ids).size).toBe(MAX_REPLAY_PER_CALL + 3);
    expect(enqueued.every((m) => m.attempt === 1 && m.webhook_id === hook.id)).toBe(true);
  });

  it('discards dead letters of types the endpoint stopped taking, and refuses a replay to a disabled endpoint', async () => {
    const { service, enqueued, hook, deadLetter } = await world();
    await deadLetter('carol', T0 - 1_000);
    await service.update(hook.id, { enabled: false });
    await expect(service.replayDeadLetters(hook.id)).rejects.toBeInstanceOf(WebhookDisabledError);
    await service.update(hook.id, { enabled: true, events: ['sync.completed'] });
    expect(await service.replayDeadLetters(hook.id)).toEqual({ replayed: 0, discarded: 1, more: false });
    expect(enqueued).toEqual([]);
  });

  it('an edit changes only the editable fields: health a delivery wrote meanwhile survives', async () => {
    const { store, service, hook } = await world();
    await store.recordAttemptHealth(hook.id, {
      ok: false,
      at: new Date(T0).toISOString(),
      event_id: 'evt_000000000000000000000001',
      error: 'timeout',
      status_code: null,
      next_attempt_at: null,
    });
    const updated = await service.update(hook.id, { description: 'billing' });
    expect(updated).toMatchObject({
      description: 'billing',
      consecutive_failures: 1,
      last_error: { error: 'timeout' },
    });
    expect(await store.get(hook.id)).toEqual(updated);
  });
});
