import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, bodyOf, type Claims, userClaims } from '../../../test-support/api-event';
import { silentLogger, startTestEnvironment, type TestEnvironment } from '../../../test-support/environment';
import { seedOnboardedUsers } from '../../../test-support/seed-users';
import { loadDeliveryConfig, loadRelayConfig } from '../../config';
import { createRecordingMetrics } from '../../platform/observability';
import { WebhookStore } from '../../storage/webhooks';
import type { TimelineItem, TimelinePage } from '../../users/timeline';
import { newWebhookSecret } from '../../webhooks/secrets';
import type { SendOutcome } from '../../webhooks/sender';
import { createRelayDeps } from '../eventRelay/deps';
import { makeRelayHandler } from '../eventRelay/handler';
import { createDeliveryDeps } from '../webhookDelivery/deps';
import { makeDeliveryHandler } from '../webhookDelivery/handler';
import type { ApiHandler } from './handler';

/**
 * The customer timeline: a support agent's optimisation switch appears on it twice, as the write (with its
 * actor) and as the change event the relay published; each event carries how its webhook deliveries went;
 * pages walk the merge newest first without losing or repeating an item; the customer reads its own timeline
 * and no one else's.
 */
const support = (sub: string): Claims => ({ sub, scope: 'bridge/support' });
const viewer = (sub: string): Claims => ({ sub, scope: 'bridge/viewer' });

describe('the customer timeline, against dynalite, the simulator and the local AWS', () => {
  let env: TestEnvironment;
  let api: ApiHandler;
  let relay: ReturnType<typeof makeRelayHandler>;
  let clock = Date.now();
  const now = () => clock;
  let n = 0;

  beforeAll(async () => {
    env = await startTestEnvironment();
    api = env.createApiHandler({ now });
    relay = makeRelayHandler(
      createRelayDeps(loadRelayConfig(env.apiEnv), {
        logger: silentLogger('eventRelay'),
        metrics: createRecordingMetrics(),
        now,
      }),
    );
  });
  afterAll(async () => env?.close());

  async function customerWithHeatPump() {
    const [user] = env.sim.control.seed({
      users: 1,
      heatPumpsPerUser: 1,
      externalIdPrefix: `timeline-${++n}`,
    }).users;
    if (!user) throw new Error('seeding failed');
    await seedOnboardedUsers(env.aws.db, env.aws.tableNames.main, [
      { externalUserId: user.external_user_id, poderoUserId: user.id },
    ]);
    return { ext: user.external_user_id, heatPumpId: user.heat_pump_ids[0] ?? '' };
  }

  const switchOptimisation = async (ext: string, heatPumpId: string, on: boolean, agent: string) => {
    clock += 1_000;
    const res = await api(
      apiEvent('updateHeatPump', {
        params: { external_user_id: ext, heat_pump_id: heatPumpId },
        body: { is_smart_optimization_active: on },
        claims: support(agent),
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
  };

  const timeline = async (ext: string, query: Record<string, string> = {}, claims = viewer('agent-viewer')) =>
    api(apiEvent('getUserTimeline', { params: { external_user_id: ext }, query, claims }));
  const pageOf = async (ext: string, query: Record<string, string> = {}) => {
    const res = await timeline(ext, query);
    expect(res.statusCode, res.body).toBe(200);
    return bodyOf<TimelinePage>(res);
  };
  const keyOf = (item: TimelineItem) =>
    item.source === 'event' ? `event:${item.event.id}` : `audit:${item.audit.request_id}`;

  it("shows a support agent's optimisation switch as the write with its actor and as the published event", async () => {
    const { ext, heatPumpId } = await customerWithHeatPump();
    await switchOptimisation(ext, heatPumpId, false, 'agent-7');
    await relay({ source: 'local' });

    const { items } = await pageOf(ext);
    const write = items.find((item) => item.source === 'audit');
    expect(write?.source === 'audit' && write.audit).toMatchObject({
      actor: 'agent-7',
      role: 'support',
      action: 'updateHeatPump',
      outcome: 'succeeded',
      changes: { is_smart_optimization_active: false },
    });
    const switched = items.find(
      (item) => item.source === 'event' && item.event.type === 'heat_pump.optimization_changed',
    );
    expect(switched?.source === 'event' && switched.event.data).toMatchObject({
      external_user_id: ext,
      heat_pump_id: heatPumpId,
      is_smart_optimization_active: false,
    });
    // Newest first across both sources.
    const times = items.map((item) => Date.parse(item.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('walks the merge a page at a time, newest first, each item once', async () => {
    const { ext, heatPumpId } = await customerWithHeatPump();
    for (const [i, on] of [false, true, false, true].entries()) {
      await switchOptimisation(ext, heatPumpId, on, `agent-${i}`);
      await relay({ source: 'local' });
    }
    const whole = await pageOf(ext, { limit: '100' });
    expect(whole.next_cursor).toBeNull();
    expect(whole.items.filter((item) => item.source === 'audit')).toHaveLength(4);
    expect(
      whole.items.filter(
        (item) => item.source === 'event' && item.event.type === 'heat_pump.optimization_changed',
      ).length,
    ).toBeGreaterThanOrEqual(3);

    const walked: TimelineItem[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: TimelinePage = await pageOf(ext, { limit: '3', ...(cursor === null ? {} : { cursor }) });
      expect(page.items.length).toBeLessThanOrEqual(3);
      walked.push(...page.items);
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null && pages < 20);
    expect(walked.map(keyOf)).toEqual(whole.items.map(keyOf));
  });

  it("lets the customer read its own timeline and no one else's; refuses another customer's cursor", async () => {
    const ann = await customerWithHeatPump();
    const bob = await customerWithHeatPump();
    await switchOptimisation(ann.ext, ann.heatPumpId, false, 'agent-1');
    await switchOptimisation(ann.ext, ann.heatPumpId, true, 'agent-1');
    await relay({ source: 'local' });

    expect((await timeline(ann.ext, {}, userClaims(ann.ext))).statusCode).toBe(200);
    expect((await timeline(ann.ext, {}, userClaims(bob.ext))).statusCode).toBe(403);

    const first = await pageOf(ann.ext, { limit: '1' });
    expect(first.next_cursor).not.toBeNull();
    const misused = await timeline(bob.ext, { cursor: first.next_cursor ?? '' });
    expect(misused.statusCode, misused.body).toBe(400);
  });

  /**
   * Two endpoints registered: a CRM that answers 204, an ERP that answers an optimisation switch with 410 Gone
   * (dead-lettered at once, and the endpoint disabled) and anything else with 204.
   */
  const endpoints = { crm: `wh_c${'0'.repeat(23)}`, erp: `wh_e${'0'.repeat(23)}` }; // `wh_` and 24 hex digits
  async function registerCrmAndErp() {
    const config = loadDeliveryConfig(env.apiEnv);
    const store = new WebhookStore(env.aws.db, env.aws.tableNames.main);
    const created = new Date(clock).toISOString();
    for (const [name, id] of Object.entries(endpoints)) {
      if (await store.get(id)) continue;
      await store.create({
        id,
        url: `https://${name}.partner.example/hooks`,
        events: null,
        description: name.toUpperCase(),
        enabled: true,
        status: 'healthy',
        failing_since: null,
        created_at: created,
        updated_at: created,
      });
      await env.aws.createSecret(
        `${config.webhookSecretPrefix}${id}`,
        JSON.stringify({ current: newWebhookSecret(), previous: null, previous_expires_at: null }),
      );
    }
  }

  /** Each delivery the relay queued, attempted by the delivery handler. */
  async function attemptQueuedDeliveries() {
    const config = loadDeliveryConfig(env.apiEnv);
    const answer = (host: string, type: string): SendOutcome =>
      host.startsWith('erp.') && type === 'heat_pump.optimization_changed'
        ? { ok: false, status: 410, error: 'http_status', durationMs: 9 }
        : { ok: true, status: 204, durationMs: 42 };
    const deliver = makeDeliveryHandler(
      createDeliveryDeps(config, {
        db: env.aws.db,
        send: async (request) =>
          answer(request.url.hostname, (JSON.parse(request.body) as { type: string }).type),
        resolve: async () => ['93.184.216.34'],
        logger: silentLogger('webhookDelivery'),
        metrics: createRecordingMetrics(),
        now,
      }),
    );
    const sqs = new SQSClient({ endpoint: env.apiEnv.AWS_ENDPOINT_URL_SQS, region: env.aws.region });
    try {
      for (;;) {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: config.webhookQueueUrl, MaxNumberOfMessages: 10 }),
        );
        const messages = out.Messages ?? [];
        if (messages.length === 0) break;
        const result = await deliver({
          Records: messages.map((m) => ({ messageId: m.MessageId, body: m.Body, eventSource: 'aws:sqs' })),
        });
        expect(result.batchItemFailures).toEqual([]);
        for (const m of messages)
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: config.webhookQueueUrl, ReceiptHandle: m.ReceiptHandle }),
          );
      }
    } finally {
      sqs.destroy();
    }
  }

  it('shows under each event how each endpoint took it: delivered at one, dead-lettered at the other, with a link to the attempt', async () => {
    await registerCrmAndErp();
    const ids = endpoints;
    const { ext, heatPumpId } = await customerWithHeatPump();
    await switchOptimisation(ext, heatPumpId, false, 'agent-9');
    await relay({ source: 'local' });
    await attemptQueuedDeliveries();
    // A second switch, published and queued, not attempted yet: pending. Only at the CRM: the ERP's 410 Gone
    // disabled it.
    await switchOptimisation(ext, heatPumpId, true, 'agent-9');
    await relay({ source: 'local' });

    const { items } = await pageOf(ext, { limit: '100' });
    const switches = items.filter(
      (item) => item.source === 'event' && item.event.type === 'heat_pump.optimization_changed',
    );
    expect(switches).toHaveLength(2);
    const [pending, attempted] = switches.map((item) => (item.source === 'event' ? item.event : undefined));
    expect(pending?.deliveries.map((d) => [d.webhook_id, d.status, d.attempts, d.delivery_id])).toEqual([
      [ids.crm, 'pending', 0, null],
    ]);
    expect(attempted?.deliveries).toEqual([
      {
        webhook_id: ids.crm,
        status: 'delivered',
        attempts: 1,
        last_attempt_at: expect.any(String),
        status_code: 204,
        error: null,
        duration_ms: 42,
        next_attempt_at: null,
        delivery_id: expect.any(String),
      },
      {
        webhook_id: ids.erp,
        status: 'dead_lettered',
        attempts: 1,
        last_attempt_at: expect.any(String),
        status_code: 410,
        error: 'http_status',
        duration_ms: 9,
        next_attempt_at: null,
        delivery_id: expect.any(String),
      },
    ]);
    // The id opens the attempt in the endpoint's log (the operators' delivery detail).
    const crm = attempted?.deliveries[0];
    const detail = await api(
      apiEvent('getWebhookDelivery', {
        params: { webhook_id: ids.crm, delivery_id: crm?.delivery_id ?? '' },
        claims: { sub: 'desk-admin', scope: 'bridge/admin' },
      }),
    );
    expect(detail.statusCode, detail.body).toBe(200);
    expect(bodyOf<{ event_id: string; status_code: number }>(detail)).toMatchObject({
      event_id: attempted?.id,
      status_code: 204,
    });

    // Pages of one item walk the same merge, each event with the same deliveries.
    const walked: TimelineItem[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const page: TimelinePage = await pageOf(ext, { limit: '1', ...(cursor === null ? {} : { cursor }) });
      walked.push(...page.items);
      cursor = page.next_cursor;
      if (cursor === null) break;
    }
    expect(cursor).toBeNull();
    expect(walked).toEqual(items);

    // The customer's own token: the same items, without the partner's endpoints, deliveries or agents.
    const own = await timeline(ext, { limit: '100' }, userClaims(ext));
    expect(own.statusCode, own.body).toBe(200);
    const seen = bodyOf<TimelinePage>(own).items;
    expect(seen.map(keyOf)).toEqual(items.map(keyOf));
    for (const item of seen) {
      if (item.source === 'event') expect([item.event.webhook_ids, item.event.deliveries]).toEqual([[], []]);
      else expect(item.audit.actor).toBeNull();
    }
    expect(own.body).not.toContain('agent-9');
    expect(own.body).not.toContain(ids.crm);
  });
});
