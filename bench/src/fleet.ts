/**
 * Fleet-scale sync (ADR 0012): the whole local stack (`pnpm dev`'s), its planner and W heat-pump-sync-worker
 * pollers on the local SQS, C = 8 per worker, the simulator answering each heat-pump list after 150 ms,
 * 1,500 x W users with one heat pump each (about 28 s per run at the ideal W x C / latency). Each W is run
 * again with Podero answering at once: what two shared cores allow, so a miss can be told apart from the
 * machine running out. Then W = 8 under a stage ceiling of 200 requests/s, counted per second at the
 * simulator; and a pass with 5 % of Podero's answers failing (retried by the client).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ENV } from '@podero-bridge/functions/declarations';
import { seedOnboardedUsers } from '@podero-bridge/functions/testing';
import { type LocalPassRun, startLocalStack } from '@podero-bridge/local';
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
  heatPumpIds: string[];
}

async function stackWith(workers: number, users: number, env: Record<string, string> = {}): Promise<Stack> {
  const stack = await startLocalStack({
    functionLogLevel: 'SILENT',
    scheduleTimers: false,
    syncWorkers: workers,
    env: { [ENV.syncConcurrency]: String(C), [ENV.syncShardSize]: String(SHARD_SIZE), ...env },
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
  return { stack, db, heatPumpIds: seeded.users.flatMap((u) => u.heat_pump_ids) };
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
  for (const id of s.heatPumpIds) {
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
    const rows: Row[] = [];
    const notes: string[] = [];
    for (const workers of WORKERS) {
      const users = USERS_PER_WORKER * workers;
      ctx.log(`W=${workers}: seeding ${users} users`);
      const s = await stackWith(workers, users);
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
        if (workers === 1)
          rows.push(
            figure(
              subject,
              'peak RSS of the whole stack process',
              'MB',
              process.resourceUsage().maxRSS / 1024,
            ),
          );
      } finally {
        await close(s);
      }
    }

    const users = USERS_PER_WORKER * CEILING_WORKERS;
    ctx.log(`ceiling ${CEILING}/s, W=${CEILING_WORKERS}: seeding ${users} users`);
    const limited = await stackWith(CEILING_WORKERS, users, {
      [ENV.syncRateLimitPerSecond]: String(CEILING),
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

    const faultUsers = USERS_PER_WORKER * 2;
    ctx.log(`faults: W=2, ${faultUsers} users, 5 % of Podero's answers failing`);
    const faulty = await stackWith(2, faultUsers);
    try {
      faulty.stack.simulator.control.advanceClock(600);
      faulty.stack.simulator.control.setFaults([
        { route: LIST_ROUTE, status: 503, rate: 0.05 },
        { route: LIST_ROUTE, latency_ms: LATENCY_MS },
      ]);
      const result = await faulty.stack.runSchedule('heat-pump-sync');
      const run = result.result as LocalPassRun;
      const histogram = await readingsPerHeatPump(faulty);
      const once = histogram.get(1) ?? 0;
      const failed503 = faulty.stack.simulator.control.counters().requests[LIST_ROUTE]?.['503'] ?? 0;
      rows.push(
        figure(`W=2, ${faultUsers} users, 5 % 503`, 'heat pumps with exactly one reading', '', once, {
          text: `= ${faultUsers}`,
          met: once === faultUsers && run.pass?.status === 'completed',
        }),
      );
      notes.push(
        `fault run: ${failed503} answers were 503 (retried by the client); readings per heat pump: ${JSON.stringify(Object.fromEntries(histogram))}.`,
      );
    } finally {
      await close(faulty);
    }
    notes.push(
      `fleet: the local stack in this process (simulator, dynalite in its own process, local SQS, W pollers standing in for the event source mapping, shards of ${SHARD_SIZE}); users/s = users / (planner start to last shard settled); ideal = W x C / latency. The machine-limit row is the same pass with Podero answering at once: on two shared cores the W workers, the simulator and dynalite share the CPU. The RSS row is the whole process (stack, simulator, worker), an upper bound for one worker; the worker's engine alone is measured in the sync benchmark. A worker killed mid-shard is covered by the test suite (functions/src/heat-pump-sync/fleet.test.ts: the message comes back after its 18-minute visibility timeout), not here, because the local SQS keeps real time.`,
    );
    return { rows, notes };
  },
};
