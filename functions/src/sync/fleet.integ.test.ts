/**
 * Fleet passes end to end: the planner and the sync's worker over the local SQS (visibility timeout,
 * receive counts, redrive to the dead-letter queue, on a clock the test moves), dynalite over the real
 * SDK and the Podero simulator over HTTP. The workers here are the event source mapping's stand-in: each
 * receives one message, runs the handler, and deletes the message unless the handler reported it.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type HeatPumpWorld,
  HP_LIST_ROUTE,
  type OnboardedTestUser,
  startHeatPumpWorld,
} from '../../test-support/device-world';
import { queueDeclarations } from '../declarations';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { OUTBOX_STANDALONE_PK } from '../storage/outbox';
import { SyncPassStore } from '../storage/sync-passes';
import { SyncStateStore, shardProgressKey } from '../storage/sync-state';

let world: HeatPumpWorld | undefined;
let sqs: SQSClient | undefined;
let sqsNow = Date.parse('2026-03-01T00:00:00Z');

afterEach(async () => {
  sqs?.destroy();
  await world?.close();
  world = undefined;
});

async function start(options: Parameters<typeof startHeatPumpWorld>[0] = {}) {
  world = await startHeatPumpWorld({ syncConcurrency: 4, sqsClock: () => sqsNow, ...options });
  sqs = new SQSClient({ endpoint: world.aws.sqs.endpoint, region: world.aws.region });
  return world;
}

const context = (id: string) => ({ awsRequestId: id, getRemainingTimeInMillis: () => 170_000 });
let invocation = 0;

/** The cursor shard `index` of the current pass has saved (polled, at most ~20 s). */
async function savedShardCursor(w: HeatPumpWorld, index: number): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const pass = await new SyncPassStore(w.aws.db, w.aws.tableNames.main).current();
    if (pass) {
      const store = new SyncStateStore(w.aws.db, w.aws.tableNames.main, shardProgressKey(pass.passId, index));
      const cursor = await store.getCursor();
      if (cursor?.lastExternalUserId) return cursor.lastExternalUserId;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`shard ${index} saved no cursor`);
}

/** One receive -> handler -> delete round; false when the queue had nothing visible. */
async function workOnce(
  w: HeatPumpWorld,
  options: { abandon?: boolean; remainingMs?: () => number } = {},
): Promise<boolean> {
  const out = await (sqs as SQSClient).send(
    new ReceiveMessageCommand({
      QueueUrl: w.aws.shardQueues.queue,
      MaxNumberOfMessages: 1,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  const message = out.Messages?.[0];
  if (!message) return false;
  const event = {
    Records: [{ messageId: message.MessageId, body: message.Body, attributes: message.Attributes ?? {} }],
  };
  const run = w.worker(event, {
    ...context(`worker-${++invocation}`),
    ...(options.remainingMs ? { getRemainingTimeInMillis: options.remainingMs } : {}),
  });
  if (options.abandon) return true;
  const result = await run;
  if (!result.batchItemFailures.some((f) => f.itemIdentifier === message.MessageId)) {
    await (sqs as SQSClient).send(
      new DeleteMessageCommand({ QueueUrl: w.aws.shardQueues.queue, ReceiptHandle: message.ReceiptHandle }),
    );
  }
  return true;
}

/** `workers` loops, each taking messages until the queue shows none (bounded). */
async function drain(w: HeatPumpWorld, workers: number): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let round = 0; round < 500 && (await workOnce(w)); round++) {}
    }),
  );
}

async function readingCount(w: HeatPumpWorld, deviceId: string): Promise<number> {
  const out = await w.aws.db.send(
    new QueryCommand({
      TableName: w.aws.tableNames.readings,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `HEATPUMP#${deviceId}` },
      Select: 'COUNT',
    }),
  );
  return out.Count ?? 0;
}

/** The sync.completed events stored in the outbox (standalone: their subject is the pass). */
async function passEvents(w: HeatPumpWorld): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const out = await w.aws.db.send(
    new QueryCommand({
      TableName: w.aws.tableNames.main,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': OUTBOX_STANDALONE_PK },
    }),
  );
  return (out.Items ?? [])
    .flatMap((item) => (item.outbox as string[]).map((json) => JSON.parse(json)))
    .filter((e) => e.type === 'sync.completed');
}

async function depth(url: string): Promise<number> {
  const out = await (sqs as SQSClient).send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
}

describe('fleet passes over SQS', () => {
  it('covers every user exactly once with three workers on nine shards, and completes the pass once', async () => {
    const w = await start({ shardSize: 7 });
    const users = await w.onboard(60, 1, 'fleet');
    const plan = await w.planner({ source: 'schedule' }, context('pass-1'));
    expect(plan).toMatchObject({ outcome: 'planned', pass_id: 'pass-1', users: 60, shards: 9 });
    // A second schedule while the pass runs plans nothing.
    expect(await w.planner({ source: 'schedule' }, context('pass-2'))).toMatchObject({
      outcome: 'pass_running',
      pass_id: 'pass-1',
    });
    await drain(w, 3);

    const pass = await new SyncPassStore(w.aws.db, w.aws.tableNames.main).current();
    expect(pass).toMatchObject({
      passId: 'pass-1',
      status: 'completed',
      shardCount: 9,
      shardsDone: 9,
      shardsFailed: 0,
      figures: { users: 60, [heatPumpKind.figure]: 60, readings_written: 60, failures: 0 },
    });
    for (const user of users) {
      expect(await readingCount(w, user.deviceIds[0] as string), user.externalUserId).toBe(1);
    }
    expect(w.requests(HP_LIST_ROUTE)).toBe(60);
    const events = await passEvents(w);
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ run_id: 'pass-1', users: 60, shards: 9, failed_shards: [] });
    // The next schedule begins the next pass.
    expect(await w.planner({ source: 'schedule' }, context('pass-3'))).toMatchObject({
      outcome: 'planned',
      shards: 9,
    });
  });

  it('redelivers the shard of a worker that stopped mid-shard; its successor resumes at the saved cursor', async () => {
    const w = await start({ shardSize: 1000, syncConcurrency: 2 });
    const users = await w.onboard(40, 1, 'stuck');
    // User 30's list hangs past the worker's life: the worker saved its cursor at 25 and then went silent.
    const stuck = users[30] as OnboardedTestUser;
    w.sim.control.setFaults([
      { route: HP_LIST_ROUTE, user_ids: [stuck.poderoUserId], latency_ms: 3_000, count: 1 },
    ]);
    await w.planner({ source: 'schedule' }, context('pass-1'));
    expect(await workOnce(w, { abandon: true })).toBe(true);
    // Waits for the saved cursor, not for a fixed time: on a loaded machine the worker reaches it later.
    await savedShardCursor(w, 0);
    // Until its visibility timeout passes, nobody else gets the shard.
    expect(await workOnce(w)).toBe(false);
    // The dead worker's lease runs out with its invocation; SQS brings the message back after its timeout.
    w.advance(200);
    sqsNow += queueDeclarations.syncShards.visibilityTimeoutSeconds * 1000 + 1000;
    expect(await workOnce(w)).toBe(true);

    const pass = await new SyncPassStore(w.aws.db, w.aws.tableNames.main).current();
    expect(pass).toMatchObject({ status: 'completed', shardsDone: 1 });
    for (const user of users) expect(await readingCount(w, user.deviceIds[0] as string)).toBe(1);
    // Resumed, not restarted: the successor listed only the users after the saved cursor.
    const lists = w.requests(HP_LIST_ROUTE);
    expect(lists).toBeGreaterThan(40);
    expect(lists).toBeLessThan(40 + 25);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
  });

  it('dead-letters a shard that fails on every receive, and completes the pass with it marked failed', async () => {
    const w = await start({ shardSize: 60 });
    const users = await w.onboard(180, 1, 'dlq');
    // Podero is out for every user of the second shard: ten outages in a row stop each of its runs (about
    // 14 users in, with 4 in flight), so three receives do not get through its 60 users.
    const second = users.slice(60, 120).map((u) => u.poderoUserId);
    w.sim.control.setFaults([{ route: HP_LIST_ROUTE, user_ids: second, status: 503 }]);
    await w.planner({ source: 'schedule' }, context('pass-1'));
    await drain(w, 2);
    const passes = new SyncPassStore(w.aws.db, w.aws.tableNames.main);
    expect(await passes.current()).toMatchObject({ status: 'running', shardsDone: 2 });
    for (let receive = 2; receive <= queueDeclarations.syncShards.maxReceiveCount; receive++) {
      sqsNow += queueDeclarations.syncShards.visibilityTimeoutSeconds * 1000 + 1000;
      w.advance(200);
      expect(await workOnce(w)).toBe(true);
    }
    expect(await passes.current()).toMatchObject({
      status: 'completed',
      shardsDone: 2,
      shardsFailed: 1,
      shards: { '1': 'failed' },
    });
    // The next receive after the last one moves the message to the dead-letter queue (the redrive policy).
    sqsNow += queueDeclarations.syncShards.visibilityTimeoutSeconds * 1000 + 1000;
    expect(await workOnce(w)).toBe(false);
    expect(await depth(w.aws.shardQueues.deadLetters)).toBe(1);
    const [event] = await passEvents(w);
    expect(event?.data).toMatchObject({ shards: 3, failed_shards: [1] });
    expect(event?.data.users).toBeGreaterThanOrEqual(120);
    for (const user of [...users.slice(0, 60), ...users.slice(120)]) {
      expect(await readingCount(w, user.deviceIds[0] as string)).toBe(1);
    }
  });

  it('keeps four concurrent workers under the stage ceiling in every second, and pauses them all on a 429', async () => {
    const w = await start({ shardSize: 25, rateLimitPerSecond: 20, syncConcurrency: 8, poderoRetries: 2 });
    const users = await w.onboard(100, 1, 'rate');
    // One 429 with Retry-After: 2 s, early in the pass.
    w.sim.control.setFaults([
      {
        route: HP_LIST_ROUTE,
        user_ids: [(users[30] as OnboardedTestUser).poderoUserId],
        status: 429,
        retry_after_seconds: 2,
        count: 1,
      },
    ]);
    w.sim.control.resetCounters();
    const started = Date.now();
    await w.planner({ source: 'schedule' }, context('pass-1'));
    await drain(w, 4);
    const seconds = (Date.now() - started) / 1000;
    const perSecond = w.sim.control.counters().requests_per_second;
    const counts = Object.entries(perSecond.seconds).map(([second, count]) => ({
      second: Number(second),
      count,
    }));
    // Every user listed (the rate-limited one retried), never more than 20 arrivals in one second.
    expect(w.requests(HP_LIST_ROUTE)).toBe(101);
    expect(perSecond.peak).toBeLessThanOrEqual(20);
    // 101 requests at 20/s need at least five seconds, plus the shared pause.
    expect(seconds).toBeGreaterThanOrEqual(5);
    // The pause: a whole second after the 429 in which no worker sent anything.
    const first = Math.min(...counts.map((c) => c.second));
    const last = Math.max(...counts.map((c) => c.second));
    const empty = Array.from({ length: last - first + 1 }, (_, i) => first + i).filter(
      (s) => !perSecond.seconds[String(s)],
    );
    expect(empty.length).toBeGreaterThanOrEqual(1);
    for (const user of users) expect(await readingCount(w, user.deviceIds[0] as string)).toBe(1);
  });

  it('continues a shard that ran out of time in a new message, resuming at its cursor', async () => {
    const w = await start({ shardSize: 1000, syncConcurrency: 2 });
    const users = await w.onboard(80, 1, 'budget');
    await w.planner({ source: 'schedule' }, context('pass-1'));
    // An invocation with little time left: below the 60 s safety margin after a few checks.
    let left = 61_000;
    expect(await workOnce(w, { remainingMs: () => (left -= 20) })).toBe(true);
    const passes = new SyncPassStore(w.aws.db, w.aws.tableNames.main);
    const partial = await passes.current();
    expect(partial).toMatchObject({ status: 'running', shardsDone: 0 });
    expect(partial?.figures.users).toBeGreaterThan(0);
    expect(partial?.figures.users).toBeLessThan(80);
    // The continuation is on the queue now, visible at once.
    expect(await depth(w.aws.shardQueues.queue)).toBe(1);
    expect(await workOnce(w)).toBe(true);
    expect(await passes.current()).toMatchObject({
      status: 'completed',
      shardsDone: 1,
      figures: { users: 80, [heatPumpKind.figure]: 80, failures: 0 },
    });
    for (const user of users) expect(await readingCount(w, user.deviceIds[0] as string)).toBe(1);
    expect(w.requests(HP_LIST_ROUTE)).toBe(80);
  });

  it('refuses an event that is not an SQS batch, and sends a malformed shard message towards the dead-letter queue', async () => {
    const w = await start();
    await expect(w.worker({ source: 'schedule' }, context('bad'))).rejects.toThrow(/Records/);
    const result = await w.worker(
      { Records: [{ messageId: 'm-1', body: '{"v":2}', attributes: { ApproximateReceiveCount: '1' } }] },
      context('bad-body'),
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    await expect(w.planner({ source: 'cron' }, context('bad-plan'))).rejects.toThrow(/source/);
    expect(w.requests(HP_LIST_ROUTE)).toBe(0);
  });

  it('closes a pass whose shards stopped settling, marking them lost, before the next one begins', async () => {
    const w = await start({ shardSize: 5 });
    await w.onboard(10, 1, 'lost');
    await w.planner({ source: 'schedule' }, context('pass-1'));
    expect(await workOnce(w)).toBe(true); // shard 0 done; shard 1's message is lost
    w.advance(15 * 60);
    expect(await w.planner({ source: 'schedule' }, context('pass-2'))).toMatchObject({
      outcome: 'pass_running',
    });
    w.advance(4 * 3600);
    expect(await w.planner({ source: 'schedule' }, context('pass-3'))).toMatchObject({
      outcome: 'planned',
      closed_pass_id: 'pass-1',
    });
    const [event] = await passEvents(w);
    expect(event?.data).toMatchObject({ run_id: 'pass-1', shards: 2, failed_shards: [1], users: 5 });
    // A late message of the closed pass is dropped unread.
    expect(await workOnce(w)).toBe(true);
    expect(w.requests(HP_LIST_ROUTE)).toBe(5);
  });
});
