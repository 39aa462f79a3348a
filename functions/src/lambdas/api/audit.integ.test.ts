import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClaims, apiEvent, bodyOf, type Claims } from '../../../test-support/api-event';
import { silentLogger, startTestEnvironment, type TestEnvironment } from '../../../test-support/environment';
import { seedOnboardedUsers } from '../../../test-support/seed-users';
import { loadErasureConfig } from '../../config';
import { ENV } from '../../declarations';
import { createRecordingMetrics } from '../../platform/observability';
import type { AuditEntry } from '../../storage/audit';
import { createErasureDeps } from '../erasureWorker/deps';
import { makeErasureHandler } from '../erasureWorker/handler';
import type { ApiHandler } from './handler';

/**
 * Done-when of the audit trail: each write through the API appears in the organisation's trail and the
 * customer's with its actor and role, a refused write leaves nothing, and an offboarding erases the customer's
 * personal data from its entries but keeps who did what when.
 */
const SETTLE_MS = 60_000;
const support = (sub: string): Claims => ({ sub, scope: 'bridge/support' });
const viewer = (sub: string): Claims => ({ sub, scope: 'bridge/viewer' });

describe('the audit trail, against dynalite, the simulator and the local SQS', () => {
  let env: TestEnvironment;
  let api: ApiHandler;
  let clock = Date.now();
  const now = () => clock;
  let n = 0;

  beforeAll(async () => {
    env = await startTestEnvironment({ sqsClock: () => clock });
    api = env.createApiHandler({ now, erasureSettleMs: SETTLE_MS });
  });
  afterAll(async () => env?.close());

  async function customerWithHeatPump() {
    const [user] = env.sim.control.seed({
      users: 1,
      heatPumpsPerUser: 1,
      externalIdPrefix: `audit-${++n}`,
    }).users;
    if (!user) throw new Error('seeding failed');
    await seedOnboardedUsers(env.aws.db, env.aws.tableNames.main, [
      { externalUserId: user.external_user_id, poderoUserId: user.id },
    ]);
    return { ext: user.external_user_id, heatPumpId: user.heat_pump_ids[0] ?? '' };
  }

  const trail = async (query: Record<string, string> = {}) => {
    const res = await api(apiEvent('listAuditEntries', { query, claims: viewer('agent-viewer') }));
    expect(res.statusCode, res.body).toBe(200);
    return bodyOf(res) as { items: AuditEntry[]; next_cursor: string | null };
  };
  const customerTrail = async (ext: string) => {
    const res = await api(
      apiEvent('listUserAuditEntries', { params: { external_user_id: ext }, claims: viewer('agent-viewer') }),
    );
    expect(res.statusCode, res.body).toBe(200);
    return bodyOf(res) as { items: AuditEntry[]; next_cursor: string | null };
  };

  it("records a support agent's optimisation switch with its actor, role, fields and request id, in both views", async () => {
    const { ext, heatPumpId } = await customerWithHeatPump();
    clock += 1_000;
    const switched = await api(
      apiEvent('updateHeatPump', {
        params: { external_user_id: ext, heat_pump_id: heatPumpId },
        body: { is_smart_optimization_active: false },
        claims: support('agent-7'),
        requestId: `req-optimise-${n}`,
      }),
    );
    expect(switched.statusCode, switched.body).toBe(200);
    const expected = {
      request_id: `req-optimise-${n}`,
      actor: 'agent-7',
      role: 'support',
      action: 'updateHeatPump',
      target: { external_user_id: ext, method: 'PATCH', path: `/users/${ext}/heat-pumps/${heatPumpId}` },
      changes: { is_smart_optimization_active: false },
      outcome: 'succeeded',
      status: 200,
      erased_at: null,
    };
    expect((await trail()).items[0]).toMatchObject(expected);
    expect((await customerTrail(ext)).items).toEqual([expect.objectContaining(expected)]);
  });

  it('records a write once when its Idempotency-Key replays it: the replay made no second change', async () => {
    const { ext, heatPumpId } = await customerWithHeatPump();
    const write = (requestId: string) =>
      api(
        apiEvent('updateHeatPump', {
          params: { external_user_id: ext, heat_pump_id: heatPumpId },
          body: { is_smart_optimization_active: false },
          claims: support('agent-8'),
          headers: { 'idempotency-key': `audit-replay-${n}` },
          requestId,
        }),
      );
    expect((await write(`req-first-${n}`)).statusCode).toBe(200);
    clock += 1_000;
    expect((await write(`req-replay-${n}`)).statusCode).toBe(200);
    expect((await customerTrail(ext)).items).toEqual([
      expect.objectContaining({ request_id: `req-first-${n}`, outcome: 'succeeded' }),
    ]);
  });

  it("records nothing of a viewer's refused write, and a refusal past the access rule as failed", async () => {
    const { ext, heatPumpId } = await customerWithHeatPump();
    const refused = await api(
      apiEvent('updateHeatPump', {
        params: { external_user_id: ext, heat_pump_id: heatPumpId },
        body: { is_smart_optimization_active: false },
        claims: viewer('agent-viewer'),
      }),
    );
    expect(refused.statusCode).toBe(403);
    expect((await customerTrail(ext)).items).toEqual([]);
    const missing = await api(
      apiEvent('updateHeatPump', {
        params: { external_user_id: ext, heat_pump_id: '00000000-0000-4000-8000-000000000000' },
        body: { is_smart_optimization_active: true },
        claims: support('agent-7'),
      }),
    );
    expect(missing.statusCode).toBe(404);
    expect((await customerTrail(ext)).items).toEqual([
      expect.objectContaining({ actor: 'agent-7', outcome: 'failed', status: 404 }),
    ]);
  });

  it('lists newest first, a page at a time, and filters by actor and by action', async () => {
    const { ext, heatPumpId } = await customerWithHeatPump();
    for (const [i, sub] of ['agent-a', 'agent-b', 'agent-a'].entries()) {
      clock += 1_000;
      const res = await api(
        apiEvent('updateHeatPump', {
          params: { external_user_id: ext, heat_pump_id: heatPumpId },
          body: { is_smart_optimization_active: i % 2 === 0 },
          claims: support(sub),
        }),
      );
      expect(res.statusCode).toBe(200);
    }
    const first = await trail({ limit: '2' });
    expect(first.items.map((e) => e.actor)).toEqual(['agent-a', 'agent-b']);
    expect(first.items[0]?.changes).toEqual({ is_smart_optimization_active: true });
    expect(first.next_cursor).not.toBeNull();
    const second = await trail({ limit: '2', cursor: first.next_cursor ?? '' });
    expect(second.items[0]?.actor).toBe('agent-a');
    expect(second.items[0]?.changes).toEqual({ is_smart_optimization_active: true });
    const mine = await trail({ actor: 'agent-b' });
    expect(mine.items.map((e) => e.actor)).toEqual(['agent-b']);
    const actions = new Set(
      (await trail({ action: 'updateHeatPump', limit: '100' })).items.map((e) => e.action),
    );
    expect([...actions]).toEqual(['updateHeatPump']);
    // A cursor of one filter is refused under another.
    const res = await api(
      apiEvent('listAuditEntries', {
        query: { actor: 'agent-a', cursor: first.next_cursor ?? '' },
        claims: viewer('agent-viewer'),
      }),
    );
    expect(res.statusCode).toBe(400);
  });

  it('after an offboarding keeps who did what when, and no name, e-mail or address of the customer', async () => {
    const ext = `audit-erase-${++n}`;
    const created = await api(
      apiEvent('createUser', {
        body: {
          external_user_id: ext,
          email: `${ext}@example.com`,
          first_name: 'Ada',
          town: 'Wien',
          country: 'AT',
        },
        claims: adminClaims('desk-admin'),
      }),
    );
    expect(created.statusCode, created.body).toBe(201);
    clock += 1_000;
    const removed = await api(
      apiEvent('deleteUser', { params: { external_user_id: ext }, claims: adminClaims('desk-admin') }),
    );
    expect(removed.statusCode, removed.body).toBe(204);
    // The erasure job's sweeps: at once, and once more after the settle time.
    const erasure = makeErasureHandler(
      createErasureDeps(loadErasureConfig(env.apiEnv), {
        logger: silentLogger('erasure'),
        metrics: createRecordingMetrics(),
        now,
      }),
    );
    const sqs = new SQSClient({ endpoint: env.apiEnv.AWS_ENDPOINT_URL_SQS, region: env.aws.region });
    const queueUrl = env.apiEnv[ENV.erasureQueueUrl] ?? '';
    const firstSweepAt = new Date(clock).toISOString();
    try {
      for (let round = 0; round < 2; round++) {
        for (;;) {
          const out = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 }),
          );
          const [message] = out.Messages ?? [];
          if (!message) break;
          await erasure({
            Records: [{ messageId: message.MessageId, body: message.Body, eventSource: 'aws:sqs' }],
          });
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        }
        clock += SETTLE_MS + 1_000;
      }
    } finally {
      sqs.destroy();
    }
    const entries = (await customerTrail(ext)).items;
    expect(entries.map((e) => [e.action, e.actor, e.role, e.outcome])).toEqual([
      ['deleteUser', 'desk-admin', 'admin', 'succeeded'],
      ['createUser', 'desk-admin', 'admin', 'succeeded'],
    ]);
    expect(entries[1]?.changes).toEqual({
      external_user_id: ext,
      email: '[erased]',
      first_name: '[erased]',
      town: '[erased]',
      country: '[erased]',
    });
    // Erased by the first sweep; the final one rewrote nothing (erased_at still says when).
    expect(entries.map((e) => e.erased_at)).toEqual([firstSweepAt, firstSweepAt]);
    expect(JSON.stringify(entries)).not.toMatch(/Ada|Wien|@example\.com/);
  });
});
