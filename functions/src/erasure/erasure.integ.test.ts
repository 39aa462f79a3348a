import { createHash } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminClaims, apiEvent, bodyOf } from '../../test-support/api-event';
import { silentLogger, startTestEnvironment, type TestEnvironment } from '../../test-support/environment';
import { seedOnboardedUsers } from '../../test-support/seed-users';
import { loadErasureConfig } from '../config';
import { ENV } from '../declarations';
import { outboxEntriesOf } from '../domain/events/catalogue';
import { statementReadyEvent } from '../domain/events/rules';
import { parseSearchQuery } from '../domain/search-terms';
import type { ApiHandler } from '../lambdas/api/handler';
import { createErasureDeps } from '../lambdas/erasureWorker/deps';
import { makeErasureHandler } from '../lambdas/erasureWorker/handler';
import { createRecordingMetrics } from '../platform/observability';
import { BackfillStateStore } from '../storage/backfill-state';
import { CHANGE_SK_PREFIX } from '../storage/device-changes';
import { EventHistoryStore, historySk } from '../storage/event-history';
import { openChangesSk } from '../storage/open-changes';
import { readingItem, readingPk } from '../storage/readings';
import { ReauthenticationStore } from '../storage/reauthentications';
import { StatementAnnouncementStore, statementMarkerKey } from '../storage/statement-announcements';
import { SyncStateStore } from '../storage/sync-state';
import { SEARCH_TERM_SK_PREFIX, searchTermItem, UserSearchStore } from '../storage/user-search';
import { userPk } from '../storage/users';
import { WebhookStore } from '../storage/webhooks';

/**
 * What an offboarding leaves outside the user's partition, erased by the queued job: every reading of the
 * customer's devices, the sync's failure record, the re-authentication attempts, a late search term; a device's offboarding
 * erases that device's readings. The local SQS runs on the test's clock, so the job's delayed last sweep
 * comes when the clock passes the settle time.
 */
const SETTLE_MS = 60_000;

describe('erasure after an offboarding, against dynalite, the simulator and the local SQS', () => {
  let env: TestEnvironment;
  let api: ApiHandler;
  let erasure: ReturnType<typeof makeErasureHandler>;
  let sqs: SQSClient;
  let queueUrl: string;
  let clock = Date.now();
  const now = () => clock;
  let n = 0;

  beforeAll(async () => {
    env = await startTestEnvironment({ sqsClock: () => clock });
    api = env.createApiHandler({ now, erasureSettleMs: SETTLE_MS });
    erasure = makeErasureHandler(
      createErasureDeps(loadErasureConfig(env.apiEnv), {
        logger: silentLogger('erasure'),
        metrics: createRecordingMetrics(),
        now,
      }),
    );
    sqs = new SQSClient({ endpoint: env.apiEnv.AWS_ENDPOINT_URL_SQS, region: env.aws.region });
    queueUrl = env.apiEnv[ENV.erasureQueueUrl] ?? '';
  });
  afterAll(async () => {
    sqs?.destroy();
    await env?.close();
  });
  // Each test's jobs finish within it: no delayed sweep spills into the next test.
  afterEach(async () => {
    clock += SETTLE_MS + 1_000;
    await drainErasures();
  });

  /** The erasure worker over every message visible now, as the event source mapping would run it. */
  async function drainErasures(): Promise<number> {
    let handled = 0;
    for (;;) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 0 }),
      );
      const [message] = out.Messages ?? [];
      if (!message) return handled;
      const result = await erasure({
        Records: [{ messageId: message.MessageId, body: message.Body, eventSource: 'aws:sqs' }],
      });
      expect(result.batchItemFailures).toEqual([]);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      handled++;
    }
  }

  /** A customer with `devices` heat pumps at Podero, onboarded in our table. */
  async function onboardedCustomer(devices: number) {
    const [user] = env.sim.control.seed({
      users: 1,
      heatPumpsPerUser: devices,
      externalIdPrefix: `erase-${++n}`,
    }).users;
    if (!user) throw new Error('seeding failed');
    await seedOnboardedUsers(env.aws.db, env.aws.tableNames.main, [
      { externalUserId: user.external_user_id, poderoUserId: user.id },
    ]);
    return { ext: user.external_user_id, deviceIds: user.heat_pump_ids };
  }

  /** `count` 15-minute readings of a heat pump, as the sync stores them. */
  async function storeReadings(deviceId: string, count: number, from = clock - count * 900_000) {
    const items = Array.from({ length: count }, (_, i) => {
      const stateAt = new Date(from + i * 900_000).toISOString();
      return readingItem({
        deviceId,
        stateAt,
        recordedAt: stateAt,
        values: { current_power_consumption_w: 1200 + i },
        expiresAt: Math.floor(clock / 1000) + 400 * 86_400,
      });
    });
    for (let i = 0; i < items.length; i += 25) {
      await env.aws.db.send(
        new BatchWriteCommand({
          RequestItems: {
            [env.aws.tableNames.readings]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
    }
  }

  async function readingsOf(deviceId: string): Promise<number> {
    const out = await env.aws.db.send(
      new QueryCommand({
        TableName: env.aws.tableNames.readings,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': readingPk(deviceId) },
        ConsistentRead: true,
        Select: 'COUNT',
      }),
    );
    return out.Count ?? 0;
  }

  const backfillState = () => new BackfillStateStore(env.aws.db, env.aws.tableNames.main);

  /** The history backfill's record of a heat pump, as a run stores it (the customer's id, a gap it could not fill). */
  async function storeBackfillRecord(ext: string, deviceId: string): Promise<void> {
    const at = new Date(now()).toISOString();
    await backfillState().putDevice({
      kind: 'heat_pump',
      deviceId,
      externalUserId: ext,
      checkedThrough: at,
      filledQuarters: 3,
      unfillableQuarters: 1,
      unfillable: [{ from: at, to: at, reason: 'no_data_at_podero' }],
      updatedAt: at,
    });
  }

  const hasBackfillRecord = async (deviceId: string) =>
    (await backfillState().getDevice('heat_pump', deviceId)) !== undefined;

  const syncState = () => new SyncStateStore(env.aws.db, env.aws.tableNames.main);
  const failingUsers = async () => (await syncState().listFailures()).map((f) => f.externalUserId);

  /** A re-authentication attempt of the customer's device, as POST .../reauthentication stores it. */
  async function startReauthentication(ext: string, deviceId: string): Promise<{ pk: string; sk: string }> {
    const token = `token-${ext}-${clock}`;
    await new ReauthenticationStore(env.aws.db, env.aws.tableNames.main).put(
      token,
      {
        external_user_id: ext,
        heat_pump_id: deviceId,
        cue_id: 'cue-1',
        cue_secret: 'cue-secret-of-the-customer',
        success_url: 'https://partner.example/ok',
        cancel_url: 'https://partner.example/cancel',
        state: 'open',
        created_at: new Date(now()).toISOString(),
        valid_until_ms: clock + 600_000,
        outcome: null,
      },
      { success: `success-proof-${ext}`, fail: `fail-proof-${ext}` },
    );
    return { pk: `REAUTH#${createHash('sha256').update(token).digest('hex')}`, sk: 'REAUTH' };
  }

  async function exists(key: { pk: string; sk: string }): Promise<boolean> {
    const out = await env.aws.db.send(
      new GetCommand({ TableName: env.aws.tableNames.main, Key: key, ConsistentRead: true }),
    );
    return out.Item !== undefined;
  }

  const offboard = (ext: string) => api(apiEvent('deleteUser', { params: { external_user_id: ext } }));
  const erasureStatus = (ext: string) =>
    api(apiEvent('getUserErasure', { params: { external_user_id: ext }, claims: adminClaims() }));

  it("erases every reading and backfill record of each of the customer's devices, and says when it has finished", async () => {
    const { ext, deviceIds } = await onboardedCustomer(2);
    const [first, second] = deviceIds as [string, string];
    await storeReadings(first, 60);
    await storeReadings(second, 30);
    await storeBackfillRecord(ext, first);
    await storeBackfillRecord(ext, second);
    const none = await erasureStatus(ext);
    expect(none.statusCode).toBe(404);
    expect(bodyOf(none)).toMatchObject({ error: { code: 'not_found' } });

    expect((await offboard(ext)).statusCode).toBe(204);
    expect(await drainErasures()).toBe(1);

    expect(await readingsOf(first)).toBe(0);
    expect(await readingsOf(second)).toBe(0);
    expect(await hasBackfillRecord(first)).toBe(false);
    expect(await hasBackfillRecord(second)).toBe(false);
    const afterFirstSweep = await erasureStatus(ext);
    expect(afterFirstSweep.statusCode).toBe(200);
    expect(bodyOf(afterFirstSweep)).toMatchObject({
      external_user_id: ext,
      items: [{ scope: 'user', heat_pump_id: null, status: 'in_progress', sweeps: 1, readings_deleted: 90 }],
    });

    // The last sweep waits for the settle time (a delayed message).
    expect(await drainErasures()).toBe(0);
    clock += SETTLE_MS + 1_000;
    expect(await drainErasures()).toBe(1);
    expect(bodyOf(await erasureStatus(ext))).toMatchObject({
      items: [
        { status: 'done', sweeps: 2, readings_deleted: 90, finished_at: new Date(now()).toISOString() },
      ],
    });
  });

  it("erases the sync's failure record of the customer, so it is no longer listed as failing", async () => {
    const { ext } = await onboardedCustomer(1);
    await syncState().recordFailure(
      ext,
      'PoderoServerError',
      'GET /users/{user_id}/heat-pumps -> 503',
      new Date(now()).toISOString(),
    );
    expect(await failingUsers()).toContain(ext);

    expect((await offboard(ext)).statusCode).toBe(204);
    await drainErasures();

    expect(await failingUsers()).not.toContain(ext);
  });

  it("erases the customer's re-authentication attempts (cue secret, partner URLs)", async () => {
    const { ext, deviceIds } = await onboardedCustomer(1);
    const attempt = await startReauthentication(ext, deviceIds[0] ?? '');
    expect(await exists(attempt)).toBe(true);

    expect((await offboard(ext)).statusCode).toBe(204);
    await drainErasures();

    expect(await exists(attempt)).toBe(false);
  });

  it("erases an offboarded device's readings and backfill record and keeps the customer's other device's", async () => {
    const { ext, deviceIds } = await onboardedCustomer(2);
    const [gone, kept] = deviceIds as [string, string];
    await storeReadings(gone, 40);
    await storeReadings(kept, 10);
    await storeBackfillRecord(ext, gone);
    await storeBackfillRecord(ext, kept);

    const res = await api(
      apiEvent('deleteHeatPump', { params: { external_user_id: ext, heat_pump_id: gone } }),
    );
    expect(res.statusCode).toBe(204);
    await drainErasures();

    expect(await readingsOf(gone)).toBe(0);
    expect(await readingsOf(kept)).toBe(10);
    expect(await hasBackfillRecord(gone)).toBe(false);
    expect(await hasBackfillRecord(kept)).toBe(true);
    expect(bodyOf(await erasureStatus(ext))).toMatchObject({
      items: [{ scope: 'heat_pump', heat_pump_id: gone, status: 'in_progress', readings_deleted: 40 }],
    });
  });

  it("keeps the devices a failed DELETE's job named when the retry no longer finds them at Podero", async () => {
    const { ext, deviceIds } = await onboardedCustomer(1);
    const device = deviceIds[0] ?? '';
    await storeReadings(device, 3);
    // The first DELETE marked the user and queued its job, then died; the user is gone at Podero since.
    const deps = env.createApiDeps({ now, erasureSettleMs: SETTLE_MS });
    const user = await deps.users.get(ext);
    expect(await deps.users.beginOffboarding(ext)).toBe(true);
    await deps.services.erasure.requestForUser(ext, [device]);
    await deps.podero.users.delete(user?.podero_user_id ?? '');

    expect((await offboard(ext)).statusCode).toBe(204);
    await drainErasures();

    expect(await readingsOf(device)).toBe(0);
  });

  it('erases the devices a DELETE soft-deleted before it failed, which its retry no longer finds at Podero', async () => {
    const { ext, deviceIds } = await onboardedCustomer(2);
    for (const id of deviceIds) await storeReadings(id, 4);
    // The first DELETE soft-deletes both devices at Podero, then Podero fails to delete the user: no job yet.
    env.sim.control.setFaults([
      { route: 'DELETE /api/partners/v2.0/org/{org_id}/users/{user_id}', status: 500 },
    ]);
    expect((await offboard(ext)).statusCode).toBe(502);
    env.sim.control.clearFaults();
    // The retry: Podero lists no device any more, and no snapshot names them (the sync drops the snapshots of
    // devices Podero stopped listing).
    expect((await offboard(ext)).statusCode).toBe(204);
    await drainErasures();
    for (const id of deviceIds) expect(await readingsOf(id), id).toBe(0);
  });

  it('does not close a job with a sweep that started before the settle time and ended after it', async () => {
    const { ext, deviceIds } = await onboardedCustomer(1);
    await storeReadings(deviceIds[0] ?? '', 3);
    expect((await offboard(ext)).statusCode).toBe(204);
    // A sweep that takes longer than the settle time (a large history, a backlog): it starts before the
    // final sweep is due and ends after it, so writers may have stored behind it meanwhile.
    let sweepClock = clock;
    const db = env.aws.db;
    const slowDb = new Proxy(db, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return (command: Parameters<typeof db.send>[0]) => {
          // The sweep's first delete happens past the time the final sweep was due.
          if (command instanceof BatchWriteCommand) sweepClock = clock + SETTLE_MS + 1_000;
          return target.send(command);
        };
      },
    });
    const slowSweep = makeErasureHandler(
      createErasureDeps(loadErasureConfig(env.apiEnv), {
        logger: silentLogger('erasure'),
        metrics: createRecordingMetrics(),
        now: () => sweepClock,
        db: slowDb,
      }),
    );
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 }));
    const [message] = out.Messages ?? [];
    if (!message) throw new Error('no erasure message queued');
    const result = await slowSweep({
      Records: [{ messageId: message.MessageId, body: message.Body, eventSource: 'aws:sqs' }],
    });
    expect(result.batchItemFailures).toEqual([]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    expect(bodyOf(await erasureStatus(ext))).toMatchObject({ items: [{ status: 'in_progress', sweeps: 1 }] });

    clock += SETTLE_MS + 1_000;
    expect(await drainErasures()).toBe(1);
    expect(bodyOf(await erasureStatus(ext))).toMatchObject({ items: [{ status: 'done', sweeps: 2 }] });
  });

  it("erases the customer's search terms (personal data: name, e-mail, id) with the offboarding", async () => {
    const { ext } = await onboardedCustomer(1);
    const search = new UserSearchStore(env.aws.db, env.aws.tableNames.main);
    expect(await search.indexUser(ext)).toBe(true);
    const query = parseSearchQuery(ext);
    if (!query) throw new Error('no query');
    expect((await search.search({ query, limit: 5 })).externalUserIds).toEqual([ext]);

    expect((await offboard(ext)).statusCode).toBe(204);
    await drainErasures();

    expect((await search.search({ query, limit: 5 })).externalUserIds).toEqual([]);
    const terms = await env.aws.db.send(
      new QueryCommand({
        TableName: env.aws.tableNames.main,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :term)',
        ExpressionAttributeValues: { ':pk': `USER#${ext}`, ':term': SEARCH_TERM_SK_PREFIX },
        ConsistentRead: true,
      }),
    );
    expect(terms.Items ?? []).toEqual([]);
  });

  it("erases the customer's statement.ready markers: at the offboarding, and one a late sync run put back", async () => {
    const { ext } = await onboardedCustomer(1);
    const markers = new StatementAnnouncementStore(env.aws.db, env.aws.tableNames.main);
    const announce = async (month: string) => {
      const range = {
        month,
        timeZone: 'UTC',
        from: `${month}-01T00:00:00.000Z`,
        to: `${month}-28T00:00:00.000Z`,
      };
      const [entry] = outboxEntriesOf([
        statementReadyEvent(ext, 'podero-user', range, new Date(now()).toISOString()),
      ]);
      if (entry) await markers.putMarker(ext, month, entry, clock);
    };
    await announce('2026-02');
    expect(await exists(statementMarkerKey(ext, '2026-02'))).toBe(true);

    expect((await offboard(ext)).statusCode).toBe(204);
    expect(await exists(statementMarkerKey(ext, '2026-02'))).toBe(false);
    expect(await drainErasures()).toBe(1);

    // A sync run that walked the customer before the DELETE puts next month's marker, and dies before its check.
    await announce('2026-03');
    clock += SETTLE_MS + 1_000;
    expect(await drainErasures()).toBe(1);
    expect(await exists(statementMarkerKey(ext, '2026-03'))).toBe(false);
  });

  it("erases the customer's timeline events: at the offboarding, and one a late relay recorded after the sweep", async () => {
    const { ext } = await onboardedCustomer(1);
    const history = new EventHistoryStore(env.aws.db, env.aws.tableNames.main);
    const record = async (month: string) => {
      const event = statementReadyEvent(
        ext,
        'podero-user',
        { month, timeZone: 'UTC', from: `${month}-01T00:00:00.000Z`, to: `${month}-28T00:00:00.000Z` },
        new Date(now()).toISOString(),
      );
      await history.record(ext, event, ['wh-1'], clock);
      return { pk: userPk(ext), sk: historySk(event) };
    };
    const first = await record('2026-02');
    expect(await exists(first)).toBe(true);
    expect((await history.listForUser(ext, { limit: 10 })).items.map((e) => e.type)).toEqual([
      'statement.ready',
    ]);

    expect((await offboard(ext)).statusCode).toBe(204);
    expect(await exists(first)).toBe(false);
    expect(await drainErasures()).toBe(1);

    // A relay that read the customer before the DELETE records the offboarding's own event after the sweep.
    const late = await record('2026-03');
    expect(await exists(late)).toBe(true);
    clock += SETTLE_MS + 1_000;
    expect(await drainErasures()).toBe(1);
    expect(await exists(late)).toBe(false);
  });

  it("erases the webhook endpoints' kept events and dead letters about the customer, and no one else's", async () => {
    const { ext } = await onboardedCustomer(1);
    const { ext: other } = await onboardedCustomer(1);
    const webhooks = new WebhookStore(env.aws.db, env.aws.tableNames.main);
    const eventAbout = (customer: string, month: string) =>
      statementReadyEvent(
        customer,
        'podero-user',
        { month, timeZone: 'UTC', from: `${month}-01T00:00:00.000Z`, to: `${month}-28T00:00:00.000Z` },
        new Date(now()).toISOString(),
      );
    const kept = eventAbout(ext, '2026-02');
    const dead = eventAbout(ext, '2026-03');
    const othersKept = eventAbout(other, '2026-02');
    await webhooks.putEvent('wh_a', kept, now());
    await webhooks.recordDeadLetter('wh_b', {
      event: dead,
      reason: 'retries spent',
      dead_lettered_at: new Date(now()).toISOString(),
    });
    await webhooks.putEvent('wh_a', othersKept, now());

    expect((await offboard(ext)).statusCode).toBe(204);
    expect(await drainErasures()).toBe(1);
    expect(await webhooks.getEvent('wh_a', kept.id)).toBeUndefined();
    expect(await webhooks.getEvent('wh_b', dead.id)).toBeUndefined();
    expect((await webhooks.getEvent('wh_a', othersKept.id))?.id).toBe(othersKept.id);
  });

  it("erases the endpoints' logged attempts of deliveries about the customer (a receiver's answer may name it), and no one else's", async () => {
    const { ext } = await onboardedCustomer(1);
    const { ext: other } = await onboardedCustomer(1);
    const webhooks = new WebhookStore(env.aws.db, env.aws.tableNames.main);
    const attemptAbout = async (customer: string, webhookId: string, attempt: number) => {
      const event = statementReadyEvent(
        customer,
        'podero-user',
        {
          month: '2026-02',
          timeZone: 'UTC',
          from: '2026-02-01T00:00:00.000Z',
          to: '2026-02-28T00:00:00.000Z',
        },
        new Date(now()).toISOString(),
      );
      await webhooks.recordDelivery(
        webhookId,
        {
          event_id: event.id,
          event_type: event.type,
          attempt,
          attempted_at: new Date(now() + attempt).toISOString(),
          outcome: 'retrying',
          status_code: 422,
          error: 'http_status',
          duration_ms: 12,
          next_attempt_at: null,
          request_headers: { 'webhook-id': event.id },
          response_excerpt: `{"error":"no contact for ${customer}"}`,
          error_detail: null,
        },
        customer,
      );
    };
    const hook = `wh_erase_${ext}`;
    await attemptAbout(ext, hook, 1);
    await attemptAbout(ext, hook, 2);
    await attemptAbout(other, hook, 1);
    expect(await webhooks.recentDeliveries(hook, 10)).toHaveLength(3);

    expect((await offboard(ext)).statusCode).toBe(204);
    expect(await drainErasures()).toBe(1);
    const left = await webhooks.recentDeliveries(hook, 10);
    expect(left.map((attempt) => attempt.response_excerpt)).toEqual([`{"error":"no contact for ${other}"}`]);
  });

  it('erases what a sync or backfill run or request that read the customer before the offboarding stored after the first sweep', async () => {
    const { ext, deviceIds } = await onboardedCustomer(1);
    const device = deviceIds[0] ?? '';
    await storeReadings(device, 5);
    expect((await offboard(ext)).statusCode).toBe(204);
    expect(await drainErasures()).toBe(1);
    expect(await readingsOf(device)).toBe(0);

    // Late writers: a sync worker that listed the customer before the DELETE, a POST .../reauthentication
    // that read the device before it.
    await storeReadings(device, 1, clock);
    // A history-backfill run that listed the device before the DELETE (its timeout is the longest of them).
    await storeBackfillRecord(ext, device);
    await syncState().recordFailure(ext, 'WriteFailed', 'late', new Date(now()).toISOString());
    const attempt = await startReauthentication(ext, device);
    // A PATCH that indexed the customer's new name for search and died before its own check.
    const terms = ['soren', 'late-name'];
    await env.aws.db.send(
      new PutCommand({ TableName: env.aws.tableNames.main, Item: searchTermItem(ext, 'late-name', terms) }),
    );
    // A control that raced the DELETE: its tracked change and the open-changes item (their shapes matter not:
    // the sweep goes by the sort key).
    for (const sk of [
      `${CHANGE_SK_PREFIX}heat_pump#${device}#chg_00000000000000000001`,
      openChangesSk('heat_pump'),
    ]) {
      await env.aws.db.send(
        new PutCommand({
          TableName: env.aws.tableNames.main,
          Item: { pk: userPk(ext), sk, by: 'late-request' },
        }),
      );
    }

    clock += SETTLE_MS + 1_000;
    expect(await drainErasures()).toBe(1);

    expect(await readingsOf(device)).toBe(0);
    expect(await hasBackfillRecord(device)).toBe(false);
    expect(await failingUsers()).not.toContain(ext);
    expect(await exists(attempt)).toBe(false);
    // Its pointer under the (deleted) user's partition too: nothing of the customer is left there.
    const left = await env.aws.db.send(
      new QueryCommand({
        TableName: env.aws.tableNames.main,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `USER#${ext}` },
        ConsistentRead: true,
      }),
    );
    expect(left.Items ?? []).toEqual([]);
    expect(bodyOf(await erasureStatus(ext))).toMatchObject({ items: [{ status: 'done', sweeps: 2 }] });
  });
});
