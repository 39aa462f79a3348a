import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables } from '@podero-bridge/local-aws';
import { PoderoServerError } from '@podero-bridge/podero-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalAws, startLocalAws } from '../../test-support/aws';
import { testApiEnv } from '../../test-support/config';
import { noDevicesOfOtherKinds } from '../../test-support/fake-podero';
import { seedOnboardedUsers } from '../../test-support/seed-users';
import { loadSyncConfig, type SyncConfig } from '../config';
import { ENV, functionDeclarations, tableDeclarations } from '../declarations';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { SYNC_NAMES } from '../domain/devices/kinds';
import { InvalidEventError } from '../lambdas/shared/parse-event';
import { makeSyncHandler, type SyncHandlerDeps } from '../lambdas/syncWorker/handler';
import {
  createLogger,
  createMetrics,
  createRecordingMetrics,
  type MetricsSink,
} from '../platform/observability';
import type { DeviceJson } from '../storage/device-snapshots';
import { SyncStateStore } from '../storage/sync-state';

/** Podero's list route of the first kind, in org `x` (kinds.test.ts pins the template). */
const LIST_PATH = heatPumpKind.poderoPaths.list.replace('{org_id}', 'x');

/**
 * The sync against dynalite over the real SDK, with a scripted Podero upstream whose state moves in
 * 300 s steps of a simulated clock (like the simulator's stateIntervalSeconds).
 */
const STATE_INTERVAL_MS = 300_000;
const T0 = Date.parse('2026-06-01T12:00:00.000Z');

let aws: LocalAws;
let raw: DynamoDBClient;
let db: DynamoDBDocumentClient;
let batchWriteCalls = 0;
/** When set, every BatchWriteItem request for this table is answered as unprocessed. */
let throttledTable: string | undefined;
let suite = 0;

beforeAll(async () => {
  aws = await startLocalAws();
  raw = new DynamoDBClient({ endpoint: aws.dynamo.endpoint, region: aws.region });
  // Counts the real BatchWriteItem calls the sync makes.
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      batchWriteCalls++;
      const input = args.input as { RequestItems: Record<string, unknown[]> };
      const held = throttledTable ? input.RequestItems[throttledTable] : undefined;
      if (!throttledTable || !held) return next(args);
      // DynamoDB under pressure: everything for the throttled table comes back unprocessed.
      const rest = Object.fromEntries(
        Object.entries(input.RequestItems).filter(([t]) => t !== throttledTable),
      );
      const out =
        Object.keys(rest).length === 0
          ? { output: { $metadata: {} }, response: {} }
          : await next({ ...args, input: { ...input, RequestItems: rest } });
      (out.output as { UnprocessedItems?: Record<string, unknown[]> }).UnprocessedItems = {
        [throttledTable]: held,
      };
      return out;
    },
    { step: 'initialize', name: 'countBatchWrites' },
  );
  db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
});
afterAll(async () => {
  raw?.destroy();
  await aws?.close();
});

interface World {
  now: number;
  users: { ext: string; poderoId: string; deviceIds: string[] }[];
  failing: Set<string>;
  /** These users' lists answer only after a real 50 ms: they are still in flight when others finish. */
  slow: Set<string>;
  listCalls: string[];
  /** Advanced by each Podero call: the sync's time budget runs out in simulated time. */
  msPerPoderoCall: number;
}

const uuid = (n: number, kind: number) =>
  `${String(kind).repeat(8)}-0000-4000-8000-${String(n).padStart(12, '0')}`;

function makeWorld(userCount: number, heatPumpsPerUser: number, prefix: string): World {
  return {
    now: T0,
    users: Array.from({ length: userCount }, (_, i) => ({
      ext: `${prefix}-${String(i).padStart(3, '0')}`,
      poderoId: uuid(suite * 1000 + i, 1),
      deviceIds: Array.from({ length: heatPumpsPerUser }, (_, j) => uuid(suite * 100_000 + i * 10 + j, 2)),
    })),
    failing: new Set(),
    slow: new Set(),
    listCalls: [],
    msPerPoderoCall: 0,
  };
}

function heatPumpAt(id: string, ownerId: string, now: number): DeviceJson {
  const stateAt = Math.floor(now / STATE_INTERVAL_MS) * STATE_INTERVAL_MS;
  return {
    id,
    owner: { id: ownerId, email: 'x@example.com' },
    deleted_at: null,
    current_state_last_updated_at: new Date(stateAt).toISOString(),
    current_power_consumption_w: (stateAt / STATE_INTERVAL_MS) % 3000,
    outdoor_temperature: 4.5,
    current_mode: 'mid',
  };
}

async function seedUsers(world: World, tableName: string) {
  await seedOnboardedUsers(
    db,
    tableName,
    world.users.map((u) => ({ externalUserId: u.ext, poderoUserId: u.poderoId })),
  );
}

interface Harness {
  world: World;
  handler: ReturnType<typeof makeSyncHandler>;
  metrics: ReturnType<typeof createRecordingMetrics>;
  logged: unknown[];
  tables: { main: string; readings: string };
  context(budgetMs?: number): { awsRequestId: string; getRemainingTimeInMillis(): number };
}

/** Each harness gets its own tables so tests do not see each other's cursor. */
async function harness(opts: {
  users: number;
  heatPumpsPerUser: number;
  concurrency?: number;
  pageSize?: number;
  safetyMarginMs?: number;
  metrics?: MetricsSink;
}): Promise<Harness> {
  suite++;
  const tables = { main: `sync-main-${suite}`, readings: `sync-readings-${suite}` };
  await ensureTables(raw, tables, tableDeclarations);
  const world = makeWorld(opts.users, opts.heatPumpsPerUser, `s${suite}`);
  await seedUsers(world, tables.main);
  const metrics = createRecordingMetrics();
  const logger = createLogger('syncPlanner', { logLevel: 'SILENT' });
  const logged: unknown[] = [];
  vi.spyOn(logger, 'info').mockImplementation((...args: unknown[]) => {
    logged.push(args);
  });
  const config: SyncConfig = {
    ...loadSyncConfig(
      testApiEnv({
        [ENV.mainTableName]: tables.main,
        [ENV.readingsTableName]: tables.readings,
        [ENV.readingsRetentionDays]: '400',
        [ENV.syncConcurrency]: String(opts.concurrency ?? 4),
        [ENV.syncSafetyMarginSeconds]: String((opts.safetyMarginMs ?? 60_000) / 1000),
      }),
    ),
    userPageSize: opts.pageSize ?? 100,
  };
  const deps: SyncHandlerDeps = {
    db,
    config,
    logger,
    metrics: opts.metrics ?? metrics,
    now: () => world.now,
    batchWriteOptions: { sleep: async () => {} },
    podero: {
      ...noDevicesOfOtherKinds,
      heatPumps: {
        list: async (poderoUserId: string) => {
          world.listCalls.push(poderoUserId);
          world.now += world.msPerPoderoCall;
          const user = world.users.find((u) => u.poderoId === poderoUserId);
          if (!user) throw new Error('unknown user');
          if (world.slow.has(user.ext)) await new Promise((resolve) => setTimeout(resolve, 50));
          if (world.failing.has(user.ext)) {
            throw new PoderoServerError('Podero answered 503', {
              method: 'GET',
              path: `/api/partners/v2.0${LIST_PATH.replace('{user_id}', poderoUserId)}`,
              status: 503,
            });
          }
          return user.deviceIds.map((id) => heatPumpAt(id, poderoUserId, world.now));
        },
      },
    },
  };
  let runs = 0;
  return {
    world,
    handler: makeSyncHandler(deps),
    metrics,
    logged,
    tables,
    context(budgetMs = 900_000) {
      const deadline = world.now + budgetMs;
      runs++;
      return { awsRequestId: `run-${suite}-${runs}`, getRemainingTimeInMillis: () => deadline - world.now };
    },
  };
}

async function readingsOf(tableName: string, deviceId: string) {
  const out = await db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `HEATPUMP#${deviceId}` },
    }),
  );
  return out.Items ?? [];
}

describe('the device sync', () => {
  it('stores a snapshot and one reading per device, in batches of 25, and summarises the run', async () => {
    const h = await harness({ users: 30, heatPumpsPerUser: 2 });
    batchWriteCalls = 0; // seeding the users used BatchWriteItem too
    const summary = await h.handler({ source: 'schedule' }, h.context());

    // 60 readings (25+25+10), then 60 snapshots + 30 list markers (25+25+25+15): 7 calls, not 150.
    expect(batchWriteCalls).toBe(7);
    expect(summary).toMatchObject({
      users: 30,
      [heatPumpKind.figure]: 60,
      readings_written: 60,
      snapshots_written: 90,
      failures: 0,
      batch_write_calls: 7,
      completed_pass: true,
      stopped: 'completed_pass',
      cursor: null,
    });
    expect(h.logged).toContainEqual([
      `${SYNC_NAMES.logLabel} run`,
      // The invocation's own keys are on the line too (function_request_id is the Lambda request id).
      expect.objectContaining({ summary, cold_start: true, function_request_id: expect.any(String) }),
    ]);
    const metric = (name: string) => h.metrics.recorded.find((m) => m.name === name)?.value;
    expect(metric('SyncUsers')).toBe(30);
    expect(metric('SyncReadingsWritten')).toBe(60);
    expect(metric('SyncFailures')).toBe(0);
    expect(metric('SyncCompletedPass')).toBe(1);
    expect(metric('SyncDuration')).toBe(summary.duration_ms);

    const hp = h.world.users[0]?.deviceIds[0] ?? '';
    const [reading] = await readingsOf(h.tables.readings, hp);
    expect(reading?.sk).toBe('2026-06-01T12:00:00.000Z');
    // TTL: state time + 400 days, in epoch seconds.
    expect(reading?.expires_at).toBe(T0 / 1000 + 400 * 86_400);
    const snapshot = await db.send(
      new GetCommand({
        TableName: h.tables.main,
        Key: { pk: `USER#${h.world.users[0]?.ext}`, sk: `HEATPUMP#${hp}` },
      }),
    );
    expect(snapshot.Item?.state_updated_at).toBe('2026-06-01T12:00:00.000Z');
  });

  it('writes nothing for unchanged states and one new reading per device when the state advances', async () => {
    const h = await harness({ users: 5, heatPumpsPerUser: 2 });
    await h.handler({ source: 'schedule' }, h.context());
    const hp = h.world.users[2]?.deviceIds[1] ?? '';

    h.world.now += 100_000; // less than one state interval: same state timestamp
    batchWriteCalls = 0;
    const same = await h.handler({ source: 'schedule' }, h.context());
    expect(same).toMatchObject({
      users: 5,
      [heatPumpKind.figure]: 10,
      readings_written: 0,
      snapshots_written: 0,
    });
    expect(batchWriteCalls).toBe(0);
    expect(await readingsOf(h.tables.readings, hp)).toHaveLength(1);

    h.world.now += 250_000; // crosses into the next state interval
    const next = await h.handler({ source: 'schedule' }, h.context());
    // Ten snapshots; the five lists did not change, so no marker is rewritten (issue 39).
    expect(next).toMatchObject({ readings_written: 10, snapshots_written: 10 });
    const readings = await readingsOf(h.tables.readings, hp);
    expect(readings.map((r) => r.sk)).toEqual(['2026-06-01T12:00:00.000Z', '2026-06-01T12:05:00.000Z']);
  });

  it('keeps going past failing users, records them, and clears the record once they succeed', async () => {
    const h = await harness({ users: 10, heatPumpsPerUser: 1 });
    const [bad1, bad2] = [h.world.users[3]?.ext ?? '', h.world.users[7]?.ext ?? ''];
    h.world.failing = new Set([bad1, bad2]);
    const summary = await h.handler({ source: 'schedule' }, h.context());
    expect(summary).toMatchObject({ users: 10, failures: 2, readings_written: 8, completed_pass: true });

    const state = new SyncStateStore(db, h.tables.main);
    const failures = await state.listFailures();
    expect(failures.map((f) => f.externalUserId).sort()).toEqual([bad1, bad2].sort());
    expect(failures[0]).toMatchObject({ errorCode: 'PoderoServerError', attempts: 1 });
    // The stored message names the route template, not the Podero user id.
    expect(failures[0]?.message).toBe(`GET /api/partners/v2.0${LIST_PATH} -> 503`);

    h.world.failing = new Set([bad2]);
    const again = await h.handler({ source: 'schedule' }, h.context());
    expect(again).toMatchObject({ failures: 1, readings_written: 1 });
    const left = await state.listFailures();
    expect(left.map((f) => [f.externalUserId, f.attempts])).toEqual([[bad2, 2]]);
  });

  it('stops before the time limit, saves the cursor and resumes there without gaps or repeats', async () => {
    const h = await harness({
      users: 12,
      heatPumpsPerUser: 1,
      concurrency: 1,
      pageSize: 4,
      safetyMarginMs: 60_000,
    });
    h.world.msPerPoderoCall = 10_000;
    const state = new SyncStateStore(db, h.tables.main);

    // 100 s budget, 60 s margin, 10 s per user: users start while >= 60 s remain -> 5 users.
    const first = await h.handler({ source: 'schedule' }, h.context(100_000));
    expect(first).toMatchObject({ users: 5, stopped: 'time_budget', completed_pass: false });
    expect(first.cursor).toBe(h.world.users[4]?.ext);
    expect((await state.getCursor())?.lastExternalUserId).toBe(h.world.users[4]?.ext);

    const second = await h.handler({ source: 'schedule' }, h.context(100_000));
    expect(second).toMatchObject({ users: 5, stopped: 'time_budget', cursor: h.world.users[9]?.ext });
    const third = await h.handler({ source: 'schedule' }, h.context(100_000));
    expect(third).toMatchObject({ users: 2, stopped: 'completed_pass', completed_pass: true, cursor: null });

    // Every user exactly once across the three runs, in external_user_id order.
    expect(h.world.listCalls).toEqual(h.world.users.map((u) => u.poderoId));
    expect(await state.getCursor()).toMatchObject({ lastExternalUserId: null, passesCompleted: 1 });

    // The next pass starts from the beginning.
    h.world.listCalls = [];
    await h.handler({ source: 'schedule' }, h.context(100_000));
    expect(h.world.listCalls[0]).toBe(h.world.users[0]?.poderoId);
  });

  it('does not start a second run while another holds the lease', async () => {
    const h = await harness({ users: 2, heatPumpsPerUser: 1 });
    const state = new SyncStateStore(db, h.tables.main);
    expect(await state.acquireLease('other-run', h.world.now, h.world.now + 900_000)).not.toBeNull();
    const summary = await h.handler({ source: 'schedule' }, h.context());
    expect(summary).toMatchObject({ stopped: 'lease_held', users: 0 });
    expect(h.world.listCalls).toEqual([]);
  });

  it('rejects an event that is not the schedule payload, naming the field', async () => {
    const h = await harness({ users: 1, heatPumpsPerUser: 1 });
    await expect(h.handler({ source: 'cron', extra: 1 }, h.context())).rejects.toThrow(InvalidEventError);
    await expect(h.handler({}, h.context())).rejects.toThrow(/source/);
    expect(h.world.listCalls).toEqual([]);
  });

  it('publishes the run summary as CloudWatch EMF metrics through Powertools, with its stage as a dimension', async () => {
    const emf: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      emf.push(String(chunk));
      return true;
    });
    try {
      const h = await harness({
        users: 3,
        heatPumpsPerUser: 1,
        metrics: createMetrics(
          { serviceName: functionDeclarations.syncPlanner.name, namespace: 'PoderoBridge' },
          'prod',
        ),
      });
      await h.handler({ source: 'schedule' }, h.context());
    } finally {
      write.mockRestore();
    }
    const line = emf.map((l) => l.trim()).find((l) => l.includes('"_aws"'));
    expect(line).toBeDefined();
    const doc = JSON.parse(line ?? '{}') as Record<string, unknown> & {
      _aws: {
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
      };
    };
    expect(doc._aws.CloudWatchMetrics[0]?.Namespace).toBe('PoderoBridge');
    expect(doc._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([expect.arrayContaining(['service', 'stage'])]);
    expect(doc).toMatchObject({ service: functionDeclarations.syncPlanner.name, stage: 'prod' });
    expect(doc._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name)).toEqual(
      expect.arrayContaining([
        'SyncUsers',
        'SyncReadingsWritten',
        'SyncFailures',
        'SyncDuration',
        'SyncCompletedPass',
      ]),
    );
    expect(doc).toMatchObject({
      SyncUsers: 3,
      SyncReadingsWritten: 3,
      SyncFailures: 0,
      SyncCompletedPass: 1,
    });
  });

  it('keeps the old snapshot when the readings cannot be written, so the next pass stores them', async () => {
    const h = await harness({ users: 3, heatPumpsPerUser: 1 });
    throttledTable = h.tables.readings;
    let blocked: Awaited<ReturnType<typeof h.handler>>;
    try {
      blocked = await h.handler({ source: 'schedule' }, h.context());
    } finally {
      throttledTable = undefined;
    }
    expect(blocked).toMatchObject({ users: 3, failures: 3, readings_written: 0, snapshots_written: 0 });
    const failures = await new SyncStateStore(db, h.tables.main).listFailures();
    expect(failures.map((f) => f.errorCode)).toEqual(['WriteFailed', 'WriteFailed', 'WriteFailed']);

    // Same Podero state on the next pass: the readings are still missing, so they are written now.
    const retried = await h.handler({ source: 'schedule' }, h.context());
    expect(retried).toMatchObject({ failures: 0, readings_written: 3, snapshots_written: 6 });
    expect(await readingsOf(h.tables.readings, h.world.users[1]?.deviceIds[0] ?? '')).toHaveLength(1);
  });

  it('stops early when Podero is down for every user instead of walking the whole fleet', async () => {
    const h = await harness({ users: 30, heatPumpsPerUser: 1, concurrency: 1, pageSize: 8 });
    h.world.failing = new Set(h.world.users.map((u) => u.ext));
    const down = await h.handler({ source: 'schedule' }, h.context());
    // Ten consecutive outage failures (5xx/timeout/429) stop the run; the cursor keeps its place.
    expect(down).toMatchObject({
      users: 10,
      failures: 10,
      stopped: 'upstream_outage',
      completed_pass: false,
    });
    expect(down.cursor).toBe(h.world.users[9]?.ext);
    expect(h.world.listCalls).toHaveLength(10);

    h.world.failing = new Set();
    const back = await h.handler({ source: 'schedule' }, h.context());
    expect(back).toMatchObject({ users: 20, failures: 0, stopped: 'completed_pass' });
  });

  it('says the outage stopped the run even when a user still in flight then succeeds', async () => {
    const h = await harness({ users: 30, heatPumpsPerUser: 1, concurrency: 4, pageSize: 8 });
    const [first, ...rest] = h.world.users;
    if (!first) throw new Error('no users');
    // The first user answers late but fine; every later one fails at once with a 503.
    h.world.slow = new Set([first.ext]);
    h.world.failing = new Set(rest.map((u) => u.ext));
    const run = await h.handler({ source: 'schedule' }, h.context());
    expect(run.failures).toBeGreaterThanOrEqual(10);
    expect(run.users).toBe(run.failures + 1);
    expect(run).toMatchObject({ stopped: 'upstream_outage', completed_pass: false });
  });
});
