import { createServer } from 'node:http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { listenLocally } from '@podero-bridge/local-aws';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestDynamo, type TestDynamo } from '../../test-support/test-dynamo';
import { EVENT_CATALOGUE_VERSION } from '../domain/events/catalogue';
import { userOnboardedEvent, webhookTestEvent } from '../domain/events/rules';
import { createRecordingMetrics } from '../platform/observability';
import { EventHistoryStore } from '../storage/event-history';
import { type WebhookEndpointRecord, WebhookStore } from '../storage/webhooks';
import { signedRequest, WebhookDelivery } from './delivery';
import { FAILING_AFTER_CONSECUTIVE_FAILURES } from './health';
import { PENALTY_BASE_MS, PenaltyBox } from './penalty-box';
import type { DeliveryMessage } from './queue';
import { MAX_ATTEMPTS, MAX_RETRY_AFTER_MS, RETRY_DELAYS_SECONDS } from './schedule';
import { newWebhookSecret, WebhookSecretMissingError } from './secrets';
import { createWebhookSender, RESPONSE_EXCERPT_BYTES, type SendOutcome, type WebhookRequest } from './sender';

let dynamo: TestDynamo;
let doc: DynamoDBDocumentClient;
let tables: { main: string; readings: string };
beforeAll(async () => {
  dynamo = await startTestDynamo();
  doc = dynamo.doc;
  tables = await dynamo.freshTables('delivery');
});
afterAll(async () => {
  await dynamo?.close();
});

const T0 = Date.parse('2026-12-01T12:00:00.000Z');
const SECRET = newWebhookSecret();

/** A delivery with a fake clock, a scripted receiver, and queues that record what they are given. */
function world(answers: SendOutcome[], endpoint: Partial<WebhookEndpointRecord> = {}) {
  let now = T0;
  const id = `wh_${Math.random().toString(16).slice(2).padEnd(24, '0').slice(0, 24)}`;
  const store = new WebhookStore(doc, tables.main);
  const sent: WebhookRequest[] = [];
  const enqueued: DeliveryMessage[] = [];
  const deadLetters: { message: DeliveryMessage; reason: string }[] = [];
  const metrics = createRecordingMetrics();
  const penalties = new PenaltyBox();
  const logged: { level: 'debug' | 'info' | 'warn' | 'error'; message: string; attributes: object }[] = [];
  const record =
    (level: (typeof logged)[number]['level']) =>
    (message: string, attributes: object = {}) => {
      logged.push({ level, message, attributes });
    };
  const history = new EventHistoryStore(doc, tables.main);
  const delivery = new WebhookDelivery({
    endpoints: store,
    history,
    keys: { signingSecrets: async () => [SECRET] },
    queue: {
      enqueue: async (messages) => {
        enqueued.push(...messages);
      },
      deadLetter: async (message, reason) => {
        deadLetters.push({ message, reason });
      },
    },
    send: async (request) => {
      sent.push(request);
      return answers.shift() ?? { ok: true, status: 200, durationMs: 3 };
    },
    penalties,
    rules: { allowLoopback: false },
    resolve: async () => ['93.184.216.34'],
    now: () => now,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    metrics,
  });
  const create = () =>
    store.create({
      id,
      url: 'https://partner.example/hooks',
      events: null,
      description: null,
      enabled: true,
      status: 'healthy',
      failing_since: null,
      created_at: new Date(T0).toISOString(),
      updated_at: new Date(T0).toISOString(),
      ...endpoint,
    });
  const event = userOnboardedEvent('ann', 'p-1', new Date(T0).toISOString());
  const message: DeliveryMessage = {
    webhook_id: id,
    event,
    attempt: 1,
    not_before: new Date(T0).toISOString(),
  };
  return {
    id,
    store,
    history,
    sent,
    enqueued,
    deadLetters,
    metrics,
    logged,
    delivery,
    create,
    message,
    tick: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

const failed = (status = 500): SendOutcome => ({ ok: false, status, error: 'http_status', durationMs: 4 });

describe('a webhook delivery attempt', () => {
  it('follows the schedule step by step with one webhook-id, marks the endpoint failing at the declared count, then dead-letters', async () => {
    const w = world(Array.from({ length: MAX_ATTEMPTS }, () => failed()));
    await w.create();
    let message = w.message;
    let failingSince: string | null = null;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const result = await w.delivery.attempt(message);
      const health = await w.store.get(w.id);
      expect(health?.consecutive_failures).toBe(attempt);
      expect(health?.status).toBe(attempt < FAILING_AFTER_CONSECUTIVE_FAILURES ? 'healthy' : 'failing');
      if (attempt === FAILING_AFTER_CONSECUTIVE_FAILURES) failingSince = new Date(w.now()).toISOString();
      const sent = w.sent.at(-1) as WebhookRequest;
      expect(sent.headers['webhook-id']).toBe(w.message.event.id);
      if (attempt < MAX_ATTEMPTS) {
        expect(result).toBe('retrying');
        const next = w.enqueued.at(-1) as DeliveryMessage;
        expect(next.attempt).toBe(attempt + 1);
        expect(Date.parse(next.not_before) - w.now()).toBe((RETRY_DELAYS_SECONDS[attempt] ?? -1) * 1000);
        // Arriving early (SQS delays at most 15 minutes) it is delayed again, not sent.
        const sentBefore = w.sent.length;
        if (Date.parse(next.not_before) - w.now() > 900_000) {
          expect(await w.delivery.attempt(next)).toBe('delayed');
          expect(w.sent.length).toBe(sentBefore);
        }
        w.tick(Date.parse(next.not_before) - w.now());
        message = next;
      } else {
        expect(result).toBe('dead_lettered');
      }
    }
    expect(w.sent).toHaveLength(MAX_ATTEMPTS);
    expect(w.deadLetters).toEqual([{ message, reason: 'http_status' }]);
    const endpoint = await w.store.get(w.id);
    expect(endpoint?.status).toBe('failing');
    expect(endpoint?.failing_since).toBe(failingSince);
    expect(endpoint?.next_attempt_at).toBeNull();
    expect(endpoint?.last_error).toEqual({
      at: new Date(w.now()).toISOString(),
      event_id: w.message.event.id,
      error: 'http_status',
      status_code: 500,
    });
    expect(w.metrics.recorded.filter((m) => m.name === 'WebhookEndpointFailed').map((m) => m.value)).toEqual([
      1,
    ]);
    // Kept for a replay: the event itself, once.
    expect(await w.store.deadLetters(w.id, 10)).toEqual({
      items: [
        { event: w.message.event, reason: 'http_status', dead_lettered_at: new Date(w.now()).toISOString() },
      ],
      more: false,
    });
    const log = await w.store.recentDeliveries(w.id, 20);
    expect(log.map((d) => [d.attempt, d.outcome])).toEqual(
      Array.from({ length: MAX_ATTEMPTS }, (_, i) => [
        MAX_ATTEMPTS - i,
        i === 0 ? 'dead_lettered' : 'retrying',
      ]),
    );
  });

  it("records each attempt as the event's delivery state on the customer's timeline, never older over newer, never creating an item", async () => {
    const w = world([failed(503), { ok: true, status: 204, durationMs: 7 }]);
    await w.create();
    const ann = 'ann'; // the subject of the world's event
    // No timeline item (the customer is not onboarded, or offboarded): the attempt creates none.
    await w.delivery.attempt(w.message);
    expect((await w.history.listForUser(ann, { limit: 10 })).items).toEqual([]);

    await w.history.record(ann, w.message.event, [w.id], w.now());
    const stateOf = async () =>
      (await w.history.listForUser(ann, { limit: 10 })).items[0]?.deliveries?.[w.id];
    expect(await stateOf()).toBeUndefined();
    w.tick(60_000);
    const retried = { ...w.message, attempt: 2 };
    expect(await w.delivery.attempt(retried)).toBe('delivered');
    const delivered = await stateOf();
    expect(delivered).toMatchObject({
      attempt: 2,
      attempted_at: new Date(w.now()).toISOString(),
      outcome: 'delivered',
      status_code: 204,
      error: null,
      duration_ms: 7,
      next_attempt_at: null,
    });
    // Its id opens the attempt in the endpoint's log.
    expect((await w.store.getDelivery(w.id, delivered?.delivery_id ?? ''))?.attempt).toBe(2);
    // A re-publication of the event keeps the state; an attempt that started earlier does not overwrite it.
    await w.history.record(ann, w.message.event, [w.id], w.now());
    expect(
      await w.history.recordDelivery(ann, w.message.event, w.id, {
        ...(delivered ?? { delivery_id: '', duration_ms: 0 }),
        attempt: 1,
        attempted_at: new Date(T0).toISOString(),
        outcome: 'retrying',
        status_code: 503,
        error: 'http_status',
        next_attempt_at: new Date(w.now()).toISOString(),
      }),
    ).toBe(false);
    expect(await stateOf()).toEqual(delivered);
  });

  it('marks a receiver that fails every attempt failing at the declared count across events; a success resets it', async () => {
    const w = world([
      ...Array.from({ length: FAILING_AFTER_CONSECUTIVE_FAILURES }, () => failed(500)),
      { ok: true, status: 200, durationMs: 3 },
    ]);
    await w.create();
    // Each a different event's first attempt: the count is the endpoint's, not one event's.
    for (let i = 0; i < FAILING_AFTER_CONSECUTIVE_FAILURES; i++) {
      const event = webhookTestEvent(w.id, new Date(T0).toISOString(), `n${i}`);
      expect(await w.delivery.attempt({ ...w.message, event })).toBe('retrying');
      w.tick(1_000);
    }
    const failing = await w.store.get(w.id);
    expect(failing).toMatchObject({
      status: 'failing',
      consecutive_failures: FAILING_AFTER_CONSECUTIVE_FAILURES,
      last_error: { error: 'http_status', status_code: 500 },
      last_success_at: null,
    });
    expect(failing?.next_attempt_at).toBe(new Date(w.now() - 1_000 + 5_000).toISOString());
    expect(await w.delivery.attempt(w.message)).toBe('delivered');
    const healthy = await w.store.get(w.id);
    expect(healthy).toMatchObject({
      status: 'healthy',
      failing_since: null,
      consecutive_failures: 0,
      last_success_at: new Date(w.now()).toISOString(),
      next_attempt_at: null,
      last_error: { status_code: 500 },
    });
  });

  it("keeps each attempt's request headers (the signature, never the secret), the answer's excerpt and error, and the event sent", async () => {
    const w = world([
      { ok: false, status: 500, error: 'http_status', durationMs: 7, responseExcerpt: 'database down' },
      { ok: false, status: null, error: 'network', durationMs: 1, detail: 'ECONNREFUSED' },
    ]);
    await w.create();
    await w.delivery.attempt(w.message);
    w.tick(5_000);
    await w.delivery.attempt({ ...w.message, attempt: 2 });
    const [second, first] = await w.store.recentDeliveries(w.id, 5);
    const detail = await w.store.getDelivery(w.id, first?.delivery_id ?? '');
    expect(detail).toMatchObject({
      attempt: 1,
      status_code: 500,
      response_excerpt: 'database down',
      error_detail: null,
      next_attempt_at: new Date(T0 + 5_000).toISOString(),
    });
    expect(detail?.request_headers).toMatchObject({
      'webhook-id': w.message.event.id,
      'webhook-timestamp': String(T0 / 1000),
      'webhook-signature': expect.stringMatching(/^v1,/),
    });
    expect(JSON.stringify(detail)).not.toContain(SECRET.slice('whsec_'.length));
    expect(await w.store.getDelivery(w.id, second?.delivery_id ?? '')).toMatchObject({
      attempt: 2,
      error: 'network',
      error_detail: 'ECONNREFUSED',
      response_excerpt: null,
    });
    expect(await w.store.getEvent(w.id, w.message.event.id)).toEqual(w.message.event);
    expect(await w.store.getDelivery(w.id, 'bm90LWEta2V5')).toBeUndefined();
  });

  it('counts each outcome as its own metric, and logs the due time of a retry', async () => {
    const w = world([failed(503)]);
    await w.create();
    expect(await w.delivery.attempt(w.message)).toBe('retrying');
    const [logged] = await w.store.recentDeliveries(w.id, 1);
    expect(logged?.next_attempt_at).toBe(new Date(T0 + 5_000).toISOString());
    w.tick(PENALTY_BASE_MS);
    expect(await w.delivery.attempt(w.message)).toBe('delivered');
    expect(w.metrics.recorded.map((m) => m.name)).toEqual(['WebhookAttemptFailed', 'WebhookDelivered']);
  });

  it('a healthy endpoint is not written on success; a test event goes through a type filter', async () => {
    const w = world([], { events: ['sync.completed'] });
    await w.create();
    const setStatus = vi.spyOn(w.store, 'setStatus');
    const test = { ...w.message, event: webhookTestEvent(w.id, new Date(T0).toISOString(), 'n') };
    expect(await w.delivery.attempt(test)).toBe('delivered');
    expect(setStatus).not.toHaveBeenCalled();
  });

  it('sends a message due within a second, delays a later one again as it is, and lets other failures through', async () => {
    const w = world([]);
    await w.create();
    const soon = { ...w.message, not_before: new Date(T0 + 1_000).toISOString() };
    expect(await w.delivery.attempt(soon)).toBe('delivered');
    const later = { ...w.message, not_before: new Date(T0 + 2_000).toISOString() };
    expect(await w.delivery.attempt(later)).toBe('delayed');
    expect(w.enqueued).toEqual([later]);
    const broken = new WebhookDelivery({
      ...(w.delivery as unknown as { deps: ConstructorParameters<typeof WebhookDelivery>[0] }).deps,
      keys: {
        signingSecrets: async () => {
          throw new Error('Secrets Manager is down');
        },
      },
    });
    await expect(broken.attempt(w.message)).rejects.toThrow('Secrets Manager is down');
  });

  it('a 2xx is delivered and makes a failing endpoint healthy again; the log has status and duration', async () => {
    const w = world([{ ok: true, status: 204, durationMs: 12 }], {
      status: 'failing',
      failing_since: new Date(T0).toISOString(),
    });
    await w.create();
    expect(await w.delivery.attempt(w.message)).toBe('delivered');
    expect(w.enqueued).toEqual([]);
    expect((await w.store.get(w.id))?.status).toBe('healthy');
    expect(await w.store.recentDeliveries(w.id, 5)).toMatchObject([
      { outcome: 'delivered', status_code: 204, duration_ms: 12, next_attempt_at: null, error: null },
    ]);
  });

  it('a redirect, a timeout or a refused address is a failed attempt like any other', async () => {
    for (const outcome of [
      { ok: false, status: 302, error: 'redirect', durationMs: 2 },
      { ok: false, status: null, error: 'timeout', durationMs: 5000 },
    ] as SendOutcome[]) {
      const w = world([outcome]);
      await w.create();
      expect(await w.delivery.attempt(w.message)).toBe('retrying');
    }
    const blocked = world([]);
    await blocked.create();
    await blocked.store.update(blocked.id, {
      url: 'https://10.0.0.1/x',
      updated_at: new Date(T0).toISOString(),
    });
    expect(await blocked.delivery.attempt(blocked.message)).toBe('retrying');
    expect(blocked.sent).toHaveLength(0);
    expect((await blocked.store.recentDeliveries(blocked.id, 1))[0]?.error).toBe('blocked_address');
  });

  it('boxes an endpoint that answered 5xx: its next first attempt is put back until the box opens, not sent', async () => {
    const w = world([failed(502)]);
    await w.create();
    expect(await w.delivery.attempt(w.message)).toBe('retrying');
    const retry = w.enqueued.at(-1) as DeliveryMessage;
    const other = { ...w.message, event: userOnboardedEvent('bob', 'p-2', new Date(T0).toISOString()) };
    w.tick(1_000);
    expect(await w.delivery.attempt(other)).toBe('deferred');
    expect(w.sent).toHaveLength(1);
    expect(w.enqueued.at(-1)).toEqual({ ...other, not_before: new Date(T0 + PENALTY_BASE_MS).toISOString() });
    expect(await w.store.recentDeliveries(w.id, 5)).toHaveLength(1);
    // The failed event's own retry keeps its schedule (5 s), box or not; delivered, it opens the box.
    w.tick(4_000);
    expect(await w.delivery.attempt(retry)).toBe('delivered');
    expect(await w.delivery.attempt(other)).toBe('delivered');
    expect(w.sent.map((r) => r.headers['webhook-id'])).toEqual([
      w.message.event.id,
      w.message.event.id,
      other.event.id,
    ]);
  });

  it('does not box an endpoint for a 4xx other than 429 or a plain 500; a timeout boxes it', async () => {
    for (const status of [400, 500]) {
      const rejected = world([failed(status)]);
      await rejected.create();
      expect(await rejected.delivery.attempt(rejected.message)).toBe('retrying');
      expect(await rejected.delivery.attempt(rejected.message), String(status)).toBe('delivered');
    }
    const timedOut = world([{ ok: false, status: null, error: 'timeout', durationMs: 5_000 }]);
    await timedOut.create();
    expect(await timedOut.delivery.attempt(timedOut.message)).toBe('retrying');
    expect(await timedOut.delivery.attempt(timedOut.message)).toBe('deferred');
  });

  it("honours a 429's Retry-After (at most an hour), never retrying sooner than the schedule", async () => {
    for (const [retryAfterMs, expectedDelayMs] of [
      [120_000, 120_000],
      [1_000, 5_000],
      [86_400_000, MAX_RETRY_AFTER_MS],
    ] as const) {
      const w = world([{ ok: false, status: 429, error: 'http_status', durationMs: 3, retryAfterMs }]);
      await w.create();
      expect(await w.delivery.attempt(w.message)).toBe('retrying');
      const next = w.enqueued.at(-1) as DeliveryMessage;
      expect(Date.parse(next.not_before) - T0, String(retryAfterMs)).toBe(expectedDelayMs);
      const [logged] = await w.store.recentDeliveries(w.id, 1);
      expect(logged?.next_attempt_at).toBe(next.not_before);
      // The endpoint's other events wait as long.
      const other = { ...w.message, event: userOnboardedEvent('bob', 'p-2', new Date(T0).toISOString()) };
      expect(await w.delivery.attempt(other)).toBe('deferred');
      expect(Date.parse((w.enqueued.at(-1) as DeliveryMessage).not_before) - T0).toBeGreaterThanOrEqual(
        Math.min(expectedDelayMs, MAX_RETRY_AFTER_MS),
      );
    }
  });

  it('a 410 Gone dead-letters the event without a retry and disables the endpoint; its later events are dropped', async () => {
    const w = world([failed(410)]);
    await w.create();
    expect(await w.delivery.attempt(w.message)).toBe('dead_lettered');
    expect(w.enqueued).toEqual([]);
    expect(w.deadLetters).toEqual([{ message: w.message, reason: 'endpoint_gone' }]);
    const endpoint = await w.store.get(w.id);
    expect(endpoint?.enabled).toBe(false);
    // Dead-lettered: failing at once, whatever the count (a replay after re-enabling it sends the event).
    expect(endpoint?.status).toBe('failing');
    expect((await w.store.deadLetters(w.id, 10)).items.map((d) => d.reason)).toEqual(['endpoint_gone']);
    expect(w.metrics.recorded.map((m) => m.name)).toEqual([
      'WebhookEndpointFailed',
      'WebhookEndpointDisabled',
      'WebhookDeadLettered',
    ]);
    expect(await w.store.recentDeliveries(w.id, 5)).toMatchObject([
      { outcome: 'dead_lettered', status_code: 410, next_attempt_at: null },
    ]);
    expect(await w.delivery.attempt(w.message)).toBe('dropped');
    expect(w.sent).toHaveLength(1);
  });

  it('logs each failed attempt at WARN with ids, status or error and the next attempt, never the payload or a secret', async () => {
    const w = world([failed(500), { ok: false, status: null, error: 'timeout', durationMs: 5_000 }]);
    await w.create();
    expect(await w.delivery.attempt(w.message)).toBe('retrying');
    w.tick(5_000);
    expect(await w.delivery.attempt({ ...w.message, attempt: 2 })).toBe('retrying');
    const warnings = w.logged.filter((l) => l.level === 'warn');
    expect(warnings).toEqual([
      {
        level: 'warn',
        message: 'webhook delivery attempt failed',
        attributes: {
          webhook_id: w.id,
          event_id: w.message.event.id,
          event_type: 'user.onboarded',
          attempt: 1,
          status_code: 500,
          error: 'http_status',
          duration_ms: 4,
          next_attempt_at: new Date(T0 + 5_000).toISOString(),
        },
      },
      {
        level: 'warn',
        message: 'webhook delivery attempt failed',
        attributes: expect.objectContaining({
          attempt: 2,
          status_code: null,
          error: 'timeout',
          next_attempt_at: new Date(T0 + 5_000 + 300_000).toISOString(),
        }),
      },
    ]);
    const everything = JSON.stringify(w.logged);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('ann');
  });

  it('drops, at INFO, a delivery whose endpoint was deleted while it was in flight (its secret gone first to it)', async () => {
    const w = world([]);
    await w.create();
    const deleting = new WebhookDelivery({
      ...(w.delivery as unknown as { deps: ConstructorParameters<typeof WebhookDelivery>[0] }).deps,
      keys: {
        signingSecrets: async () => {
          // DELETE /webhooks/{id} between this delivery's read of the endpoint and of its secret.
          await w.store.delete(w.id);
          throw new WebhookSecretMissingError('no signing secret');
        },
      },
    });
    expect(await deleting.attempt(w.message)).toBe('dropped');
    expect(w.logged.map((l) => [l.level, l.message])).toEqual([
      ['info', 'webhook delivery dropped: endpoint deleted'],
    ]);
    // A secret missing for an endpoint that is still there is an error, not a silent drop.
    const kept = world([]);
    await kept.create();
    const missing = new WebhookDelivery({
      ...(kept.delivery as unknown as { deps: ConstructorParameters<typeof WebhookDelivery>[0] }).deps,
      keys: {
        signingSecrets: async () => {
          throw new WebhookSecretMissingError('no signing secret');
        },
      },
    });
    await expect(missing.attempt(kept.message)).rejects.toBeInstanceOf(WebhookSecretMissingError);
  });

  it('drops deliveries of deleted or disabled endpoints and of types the endpoint no longer wants', async () => {
    const gone = world([]);
    expect(await gone.delivery.attempt(gone.message)).toBe('dropped');
    const disabled = world([], { enabled: false });
    await disabled.create();
    expect(await disabled.delivery.attempt(disabled.message)).toBe('dropped');
    const filtered = world([], { events: ['sync.completed'] });
    await filtered.create();
    expect(await filtered.delivery.attempt(filtered.message)).toBe('dropped');
    expect([...gone.sent, ...disabled.sent, ...filtered.sent]).toHaveLength(0);
  });
});

describe('signing', () => {
  it('signs with every secret given, and each signature verifies with the standardwebhooks library', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    const message: DeliveryMessage = {
      webhook_id: 'wh_x',
      event: userOnboardedEvent('ann', 'p', new Date(T0).toISOString()),
      attempt: 1,
      not_before: new Date(T0).toISOString(),
    };
    // The library checks the timestamp against its own clock (5 minutes' tolerance): sign now.
    const { body, headers } = signedRequest(message, [a, b], Date.now());
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'podero-bridge-webhooks/1',
      'webhook-id': message.event.id,
      'webhook-version': EVENT_CATALOGUE_VERSION,
    });
    expect(JSON.parse(body)).toEqual({
      type: 'user.onboarded',
      timestamp: message.event.timestamp,
      data: { external_user_id: 'ann' },
    });
    for (const secret of [a, b]) {
      const verified = new Webhook(secret).verify(body, headers);
      expect(verified).toEqual(JSON.parse(body));
    }
  });
});

describe('the sender', () => {
  it('posts, does not follow redirects, gives up at its deadline, and refuses names that resolve to loopback', async () => {
    let redirectTargetHits = 0;
    const server = createServer((req, res) => {
      if (req.url === '/ok') res.writeHead(200).end('fine');
      else if (req.url === '/chatty') res.writeHead(500).end('x'.repeat(RESPONSE_EXCERPT_BYTES * 3));
      else if (req.url === '/moved') res.writeHead(302, { location: '/target' }).end();
      else if (req.url === '/target') {
        redirectTargetHits++;
        res.writeHead(200).end();
      } else setTimeout(() => res.writeHead(200).end(), 2_000);
    });
    const listening = await listenLocally(server, 0, '127.0.0.1');
    try {
      const local = createWebhookSender({ allowLoopback: true }, { timeoutMs: 300 });
      const base = `http://127.0.0.1:${listening.port}`;
      const post = (path: string, send = local) =>
        send({ url: new URL(`${base}${path}`), headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(await post('/ok')).toMatchObject({ ok: true, status: 200, responseExcerpt: 'fine' });
      const chatty = await post('/chatty');
      expect(chatty).toMatchObject({ ok: false, status: 500 });
      expect(chatty.responseExcerpt).toBe('x'.repeat(RESPONSE_EXCERPT_BYTES));
      expect(await post('/moved')).toMatchObject({ ok: false, status: 302, error: 'redirect' });
      expect(redirectTargetHits).toBe(0);
      expect(await post('/slow')).toMatchObject({ ok: false, status: null, error: 'timeout' });
      const deployed = createWebhookSender({ allowLoopback: false }, { timeoutMs: 300 });
      const named = await deployed({
        url: new URL(`http://localhost:${listening.port}/ok`),
        headers: {},
        body: '{}',
      });
      expect(named).toMatchObject({ ok: false, error: 'blocked_address' });
    } finally {
      await listening.close();
    }
  });
});

describe("the sender and a receiver's Retry-After", () => {
  it('reads Retry-After (seconds or a date) on 429 and 503, and not on other statuses', async () => {
    const server = createServer((req, res) => {
      const [status, header] =
        req.url === '/busy'
          ? [429, '120']
          : req.url === '/down'
            ? [503, new Date(Date.now() + 60_000).toUTCString()]
            : [500, '120'];
      res.writeHead(status, { 'retry-after': header }).end();
    });
    const listening = await listenLocally(server, 0, '127.0.0.1');
    try {
      const send = createWebhookSender({ allowLoopback: true }, { timeoutMs: 2_000 });
      const post = (path: string) =>
        send({ url: new URL(`http://127.0.0.1:${listening.port}${path}`), headers: {}, body: '{}' });
      expect(await post('/busy')).toMatchObject({ ok: false, status: 429, retryAfterMs: 120_000 });
      const down = await post('/down');
      expect(down).toMatchObject({ ok: false, status: 503 });
      const downAfter = down.ok ? 0 : (down.retryAfterMs ?? 0);
      expect(downAfter).toBeGreaterThan(50_000);
      expect(downAfter).toBeLessThanOrEqual(60_000);
      expect(await post('/broken')).not.toHaveProperty('retryAfterMs');
    } finally {
      await listening.close();
    }
  });
});
