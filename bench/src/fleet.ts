/**
 * Fleet-scale sync (ADR 0012): the whole local stack (`pnpm dev`'s), its planner and W heat-pump-sync-worker
 * pollers on the local SQS, C = 8 per worker, the simulator answering each heat-pump list after 150 ms,
 * 1,500 x W users with one heat pump each (about 28 s per run at the ideal W x C / latency). Each W is run
 * again with Podero answering at once: what two shared cores allow, so a miss can be told apart from the
 * machine running out. Then W = 8 under a stage ceiling of 200 requests/s, counted per second at the
 * simulator; and a pass with 5 % of Podero's answers failing (retried by the client).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SyncPassStore } from '@podero-bridge/functions';
import { ENV, functionDeclarations } from '@podero-bridge/functions/declarations';
import { seedOnboardedUsers } from '@podero-bridge/functions/testing';
import { type LocalPassRun, type LocalStackOptions, startLocalStack } from '@podero-bridge/local';
import { z } from 'zod';
import { bundleChildScript, bundleLikeLambda } from './harness/bundles';
import { prepareInvoker } from './harness/invoke';
import { type DynaliteProcess, startDynaliteProcess } from './harness/local-aws';
import { startLocalBridge } from './harness/local-bridge';
import { childBaseEnv, REPO_ROOT, spawnNodeChild } from './harness/processes';
import { type Benchmark, figure, type Row } from './harness/report';

const C = 8;
const LATENCY_MS = 150;
const USERS_PER_WORKER = 1_500;
const WORKERS = [1, 2, 4, 8] as const;
const SHARD_SIZE = 500;
const TARGET_EFFICIENCY = 0.85;
const CEILING = 200;
const CEILING_WORKERS = 8;
const TARGET_CEILING_PASS_RATIO = 1.15;
const LIST_ROUTE = 'GET /api/partners/v2.0/org/{org_id}/users/{user_id}/heat-pumps';

interface Stack {
  stack: Awaited<ReturnType<typeof startLocalStack>>;
  db: DynamoDBDocumentClient;
  deviceIds: string[];
}

let stacks = 0;

/** A local stack on the shared dynalite process (its own tables), with W workers and `users` seeded. */
async function stackWith(
  dynalite: DynaliteProcess,
  workers: number,
  users: number,
  options: { env?: Record<string, string>; stack?: Partial<LocalStackOptions> } = {},
): Promise<Stack> {
  stacks += 1;
  const stack = await startLocalStack({
    functionLogLevel: 'SILENT',
    scheduleTimers: false,
    syncWorkers: workers,
    // dynalite in its own process, as the sync benchmark runs it: the two cores are shared by the stack
    // (simulator, W workers, local SQS) and the database, not one core by all of them.
    dynamoEndpoint: dynalite.endpoint,
    tableNames: { main: `fleet-${stacks}-main`, readings: `fleet-${stacks}-readings` },
    env: { [ENV.syncConcurrency]: String(C), [ENV.syncShardSize]: String(SHARD_SIZE), ...options.env },
    ...options.stack,
  });
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: stack.region }),
  );
  const seeded = stack.simulator.control.seed({
    users,
    heatPumpsPerUser: 1,
    externalIdPrefix: `fleet-${workers}`,
  });
  await seedOnboardedUsers(
    db,
    stack.tableNames.main,
    seeded.users.map((u) => ({ externalUserId: u.external_user_id, poderoUserId: u.id })),
    { emailDomain: 'bench.invalid' },
  );
  return { stack, db, deviceIds: seeded.users.flatMap((u) => u.heat_pump_ids) };
}

/** One pass through the planner and the workers; seconds until its last shard settled. */
async function pass(s: Stack, latencyMs: number): Promise<{ seconds: number; run: LocalPassRun }> {
  // New states for every heat pump, so each pass writes a snapshot and a reading per user.
  s.stack.simulator.control.advanceClock(600);
  if (latencyMs > 0) s.stack.simulator.control.setFaults([{ route: LIST_ROUTE, latency_ms: latencyMs }]);
  else s.stack.simulator.control.clearFaults();
  const started = performance.now();
  const result = await s.stack.runSchedule('heat-pump-sync');
  const seconds = (performance.now() - started) / 1000;
  const run = result.result as LocalPassRun;
  if (!result.ok || run.pass?.status !== 'completed') {
    throw new Error(`the pass did not complete: ${JSON.stringify(result).slice(0, 400)}`);
  }
  return { seconds, run };
}

/** Readings per heat pump (the count the pass must leave: one per state it saw). */
async function readingsPerHeatPump(s: Stack): Promise<Map<number, number>> {
  const histogram = new Map<number, number>();
  for (const id of s.deviceIds) {
    const out = await s.db.send(
      new QueryCommand({
        TableName: s.stack.tableNames.readings,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `HEATPUMP#${id}` },
        Select: 'COUNT',
      }),
    );
    const n = out.Count ?? 0;
    histogram.set(n, (histogram.get(n) ?? 0) + 1);
  }
  return histogram;
}

async function close(s: Stack): Promise<void> {
  s.db.destroy();
  await s.stack.close();
}

export const fleetBenchmark: Benchmark = {
  name: 'fleet',
  title: `Fleet sync: planner + W workers over SQS (C=${C}, simulator latency ${LATENCY_MS} ms, ${USERS_PER_WORKER} users per worker)`,
  async run(ctx) {
    const dynalite = await startDynaliteProcess();
    try {
      return await measure(ctx, dynalite);
    } finally {
      await dynalite.close();
    }
  },
};

async function measure(ctx: { log(message: string): void }, dynalite: DynaliteProcess) {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const workers of WORKERS) {
    const users = USERS_PER_WORKER * workers;
    ctx.log(`W=${workers}: seeding ${users} users`);
    const s = await stackWith(dynalite, workers, users);
    try {
      const slow = await pass(s, LATENCY_MS);
      const fast = await pass(s, 0);
      const ideal = (workers * C) / (LATENCY_MS / 1000);
      const rate = users / slow.seconds;
      const machine = users / fast.seconds;
      ctx.log(
        `  ${Math.round(slow.seconds * 10) / 10} s at ${LATENCY_MS} ms (${Math.round(rate)} users/s), ${Math.round(fast.seconds * 10) / 10} s at 0 ms`,
      );
      const subject = `W=${workers}, ${users} users, ${slow.run.shards} shards`;
      rows.push(figure(subject, 'users/s', '', rate));
      rows.push(
        figure(subject, `of ideal ${Math.round(ideal)} users/s`, '%', (rate / ideal) * 100, {
          text: `>= ${TARGET_EFFICIENCY * 100}%`,
          met: rate / ideal >= TARGET_EFFICIENCY,
        }),
      );
      rows.push(figure(subject, 'users/s, Podero instant (machine limit)', '', machine));
    } finally {
      await close(s);
    }
  }

  const users = USERS_PER_WORKER * CEILING_WORKERS;
  ctx.log(`ceiling ${CEILING}/s, W=${CEILING_WORKERS}: seeding ${users} users`);
  const limited = await stackWith(dynalite, CEILING_WORKERS, users, {
    env: { [ENV.syncRateLimitPerSecond]: String(CEILING) },
  });
  try {
    limited.stack.simulator.control.resetCounters();
    const run = await pass(limited, LATENCY_MS);
    const peak = limited.stack.simulator.control.counters().requests_per_second.peak;
    const floor = users / CEILING;
    ctx.log(`  ${Math.round(run.seconds)} s, peak ${peak} requests/s`);
    const subject = `W=${CEILING_WORKERS}, ${users} users, ceiling ${CEILING}/s`;
    rows.push(
      figure(subject, 'busiest second at the simulator', 'requests', peak, {
        text: `<= ${CEILING}`,
        met: peak <= CEILING,
      }),
    );
    rows.push(
      figure(subject, `pass time vs users / ceiling (${floor} s)`, 'x', run.seconds / floor, {
        text: `<= ${TARGET_CEILING_PASS_RATIO}x`,
        met: run.seconds / floor <= TARGET_CEILING_PASS_RATIO,
      }),
    );
  } finally {
    await close(limited);
  }

  rows.push(...(await faultRun(ctx, dynalite, notes)));
  rows.push(await workerRss(ctx));
  notes.push(
    `fleet: the local stack in this process (simulator, dynalite in its own process, local SQS, W pollers standing in for the event source mapping, shards of ${SHARD_SIZE}); users/s = users / (planner start to last shard settled); ideal = W x C / latency. The machine-limit row is the same pass with Podero answering at once: on two shared cores the W workers, the simulator and dynalite share the CPU. The worker RSS row is one heat-pump-sync-worker bundle in its own process over a 1,500-user shard.`,
  );
  return { rows, notes };
}

/**
 * W = 2 pollers plus one worker in its own process, 3,000 users: 5 % of Podero's answers are 503 (the
 * client retries them), and the process worker is killed (SIGKILL) mid-shard. It was handed its shard
 * with 20 s of invocation left, so its lease ends 20 s later; SQS brings the message back once the
 * visibility timeout passes (shortened here from 18 minutes to 25 s, so the run stays short), and a
 * poller resumes the shard at its saved cursor. Every heat pump must have exactly one reading.
 */
async function faultRun(
  ctx: { log(message: string): void },
  dynalite: DynaliteProcess,
  notes: string[],
): Promise<Row[]> {
  const users = USERS_PER_WORKER * 2;
  const visibility = 25;
  const dir = await mkdtemp(path.join(tmpdir(), 'podero-bench-fleet-kill-'));
  ctx.log(`faults: W=2, ${users} users, 5 % of Podero's answers failing, a worker process killed mid-shard`);
  const s = await stackWith(dynalite, 2, users, {
    stack: { visibilityTimeoutSeconds: { syncShards: visibility } },
  });
  const sqs = new SQSClient({ endpoint: s.stack.sqsEndpoint, region: s.stack.region });
  try {
    const bundle = await bundleLikeLambda(
      path.join(REPO_ROOT, 'functions', functionDeclarations.syncWorker.entry),
      path.join(dir, 'worker'),
    );
    const script = await bundleChildScript(
      path.join(import.meta.dirname, 'children', 'invoke-child.ts'),
      path.join(dir, 'invoke-child.mjs'),
    );
    s.stack.simulator.control.advanceClock(600);
    s.stack.simulator.control.setFaults([
      { route: LIST_ROUTE, status: 503, rate: 0.05 },
      { route: LIST_ROUTE, latency_ms: LATENCY_MS },
    ]);
    const started = performance.now();
    const passRun = s.stack.runSchedule('heat-pump-sync');
    // Take one shard before the pollers do, and hand it to a worker process.
    let message: Message | undefined;
    for (let attempt = 0; attempt < 100 && !message; attempt++) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: s.stack.queueUrls.syncShards,
          MaxNumberOfMessages: 1,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      message = out.Messages?.[0];
    }
    if (!message) throw new Error('no shard message to hand to the worker process');
    const env = {
      ...childBaseEnv(),
      // What the CDK app gives heat-pump-sync-worker, in the stack's world.
      ...s.stack.world.environment('syncWorker', { [ENV.syncConcurrency]: String(C) }),
      BENCH_INVOKE: JSON.stringify({
        bundle: bundle.file,
        event: {
          Records: [
            { messageId: message.MessageId, body: message.Body, attributes: message.Attributes ?? {} },
          ],
        },
        timeoutMs: 20_000,
      }),
    };
    const victim = spawnNodeChild(z.unknown(), { args: [script], env, timeoutMs: 60_000 });
    // Mid-shard: a shard of 500 users takes about 10 s at C = 8 and 150 ms.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    victim.child.kill('SIGKILL');
    await victim.exited;
    const result = await passRun;
    const seconds = (performance.now() - started) / 1000;
    const run = result.result as LocalPassRun;
    const histogram = await readingsPerHeatPump(s);
    const once = histogram.get(1) ?? 0;
    const failed503 = s.stack.simulator.control.counters().requests[LIST_ROUTE]?.['503'] ?? 0;
    notes.push(
      `fault run: ${failed503} answers were 503 (retried by the client); the worker process was killed 5 s into its shard, which came back after the ${visibility} s visibility timeout; the pass took ${Math.round(seconds)} s; readings per heat pump: ${JSON.stringify(Object.fromEntries(histogram))}; pass ${JSON.stringify(run.pass)}.`,
    );
    return [
      figure(
        `W=2, ${users} users, 5 % 503, a worker killed`,
        'heat pumps with exactly one reading',
        '',
        once,
        {
          text: `= ${users}`,
          met: once === users && run.pass?.status === 'completed',
        },
      ),
    ];
  } finally {
    sqs.destroy();
    await close(s);
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * One worker's own peak RSS: the production-like heat-pump-sync-worker bundle in its own process, one
 * invocation over a shard of 1,500 users (a worker's share above) at C = 8 and 150 ms.
 */
async function workerRss(ctx: { log(message: string): void }): Promise<Row> {
  const dir = await mkdtemp(path.join(tmpdir(), 'podero-bench-fleet-'));
  const bridge = await startLocalBridge({ simulator: { latencyMs: 0 } });
  try {
    const bundle = await bundleLikeLambda(
      path.join(REPO_ROOT, 'functions', functionDeclarations.syncWorker.entry),
      path.join(dir, 'worker'),
    );
    const invoke = await prepareInvoker(dir);
    const tables = await bridge.createTables('fleet-rss');
    await bridge.seedUsers(tables, USERS_PER_WORKER, { prefix: 'bench-fleet-rss' });
    await bridge.refreshToken();
    await new SyncPassStore(bridge.db, tables.main).begin({
      passId: 'rss',
      source: 'bench',
      startedAt: new Date().toISOString(),
      shardCount: 1,
    });
    bridge.sim.control.setFaults([{ route: LIST_ROUTE, latency_ms: LATENCY_MS }]);
    const body = JSON.stringify({ v: 1, pass_id: 'rss', shard: 0, after: null, until: null });
    ctx.log(`one worker process: a shard of ${USERS_PER_WORKER} users`);
    const report = await invoke(
      {
        bundle: bundle.file,
        event: { Records: [{ messageId: 'm-1', body, attributes: { ApproximateReceiveCount: '1' } }] },
        timeoutMs: functionDeclarations.syncWorker.timeoutSeconds * 1000,
      },
      bridge.env('syncWorker', tables, { [ENV.syncConcurrency]: String(C) }),
      5 * 60_000,
    );
    const result = report.invocations[0]?.result as { batchItemFailures?: unknown[] } | undefined;
    const pass = await new SyncPassStore(bridge.db, tables.main).current();
    if (
      result?.batchItemFailures?.length !== 0 ||
      pass?.status !== 'completed' ||
      pass.figures.users !== USERS_PER_WORKER
    ) {
      throw new Error(
        `the worker did not complete its shard: ${JSON.stringify({ result, pass }).slice(0, 400)}`,
      );
    }
    const rssMb = report.max_rss_kb / 1024;
    ctx.log(`  ${Math.round(rssMb)} MB`);
    return figure(
      `one worker, shard of ${USERS_PER_WORKER} users`,
      'peak RSS (own process, old space capped at 128 MB)',
      'MB',
      rssMb,
      {
        text: '< 192 MB',
        met: rssMb < 192,
      },
    );
  } finally {
    await bridge.close();
    await rm(dir, { recursive: true, force: true });
  }
}
