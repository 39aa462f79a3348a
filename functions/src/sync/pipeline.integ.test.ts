import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../test-support/aws';
import { noDevicesOfOtherKinds } from '../../test-support/fake-podero';
import { seedOnboardedUsers } from '../../test-support/seed-users';
import { tableDeclarations } from '../declarations';
import { createLogger, createRecordingMetrics, withLogKeys } from '../platform/observability';
import type { DeviceJson } from '../storage/device-snapshots';
import { SyncStateStore } from '../storage/sync-state';
import { maxUsersAheadOfCursor, runHeatPumpSync, type SyncRunDeps } from './sync';
import { type OnboardedUser, UserStream } from './user-walk';

/**
 * The pipelined sync: Podero calls keep flowing while writes are outstanding, the cursor never passes
 * a user that has not finished, and a stuck user bounds how far the run walks ahead.
 */
let aws: LocalAws;
let raw: DynamoDBClient;
let db: DynamoDBDocumentClient;
/** Test knob: BatchWriteItem calls wait for this before they are sent. */
let writeGate: Promise<void> | null = null;
let writesSent = 0;
/** Test knob: the n-th walk Query (gsi1) of the test fails. */
let walkQueries = 0;
let walkQueryToFail = 0;
let suite = 0;

beforeAll(async () => {
  aws = await startLocalAws();
  raw = new DynamoDBClient({ endpoint: aws.dynamo.endpoint, region: aws.region });
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand' && (args.input as { IndexName?: string }).IndexName) {
        walkQueries++;
        if (walkQueries === walkQueryToFail) throw new Error('walk query failed');
      }
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      if (writeGate) await writeGate;
      writesSent++;
      return next(args);
    },
    { step: 'initialize', name: 'gateBatchWrites' },
  );
  db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
});
afterAll(async () => {
  raw?.destroy();
  await aws?.close();
});

const T0 = Date.parse('2026-06-01T12:00:00.000Z');

/** Resolves once `condition` holds, checking after each macrotask turn; bounded. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 4000; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Fleet {
  tables: { main: string; readings: string };
  users: { ext: string; poderoId: string }[];
  listCalls: string[];
  inFlight: number;
  maxInFlight: number;
  /** Podero calls for these Podero ids wait until the promise resolves. */
  held: Map<string, Promise<void>>;
}

async function fleet(userCount: number): Promise<Fleet> {
  suite++;
  const tables = { main: `pipe-main-${suite}`, readings: `pipe-readings-${suite}` };
  await ensureTables(raw, tables, tableDeclarations);
  const users = Array.from({ length: userCount }, (_, i) => ({
    ext: `p${suite}-${String(i).padStart(3, '0')}`,
    poderoId: `podero-${suite}-${i}`,
  }));
  await seedOnboardedUsers(
    db,
    tables.main,
    users.map((u) => ({ externalUserId: u.ext, poderoUserId: u.poderoId })),
  );
  return { tables, users, listCalls: [], inFlight: 0, maxInFlight: 0, held: new Map() };
}

function deps(f: Fleet, concurrency: number, pageSize: number): SyncRunDeps {
  return {
    db,
    config: {
      mainTableName: f.tables.main,
      readingsTableName: f.tables.readings,
      readingsRetentionDays: 400,
      syncIntervalMs: 15 * 60_000,
      syncConcurrency: concurrency,
      safetyMarginMs: 60_000,
      userPageSize: pageSize,
    },
    logger: withLogKeys(createLogger('syncPlanner', { logLevel: 'SILENT' }), {}),
    metrics: createRecordingMetrics(),
    now: () => T0,
    batchWriteOptions: { sleep: async () => {} },
    podero: {
      ...noDevicesOfOtherKinds,
      heatPumps: {
        list: async (poderoUserId: string): Promise<DeviceJson[]> => {
          f.listCalls.push(poderoUserId);
          f.inFlight++;
          f.maxInFlight = Math.max(f.maxInFlight, f.inFlight);
          try {
            // A macrotask of "latency", so that calls overlap as they do against Podero.
            await new Promise((resolve) => setImmediate(resolve));
            await f.held.get(poderoUserId);
            return [
              {
                id: `hp-${poderoUserId}`,
                deleted_at: null,
                current_state_last_updated_at: new Date(T0).toISOString(),
                current_power_consumption_w: 1200,
              },
            ];
          } finally {
            f.inFlight--;
          }
        },
      },
    },
  };
}

const run = (d: SyncRunDeps, runId: string) =>
  runHeatPumpSync(d, { runId, source: 'manual', remainingTimeMs: () => 900_000 });

describe('pipelined device sync', () => {
  it('keeps fetching later pages while a batch write is still outstanding, never above C calls at once', async () => {
    const f = await fleet(60);
    let openGate: () => void = () => {};
    writeGate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    writesSent = 0;
    try {
      // Pages of 5 users: a page-synchronous sync would wait for page 1's writes before listing page 2.
      const running = run(deps(f, 4, 5), 'pipelined');
      await until(() => f.listCalls.length >= 30, '30 users listed while the first write is held');
      expect(writesSent).toBe(0);
      openGate();
      const summary = await running;
      expect(summary).toMatchObject({ users: 60, failures: 0, readings_written: 60, completed_pass: true });
    } finally {
      writeGate = null;
    }
    expect(f.maxInFlight).toBe(4);
    expect(f.listCalls).toEqual(f.users.map((u) => u.poderoId));
  });

  it('saves the cursor only past finished users, and walks at most the window ahead of a stuck one', async () => {
    const f = await fleet(60);
    let release: () => void = () => {};
    const stuck = f.users[2] as Fleet['users'][number];
    f.held.set(
      stuck.poderoId,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    // Page size 1: the cursor is saved after every user that finishes in order.
    const d = deps(f, 2, 1);
    const window = maxUsersAheadOfCursor(d.config);
    expect(window).toBe(16);
    const state = new SyncStateStore(db, f.tables.main);

    const running = run(d, 'stuck');
    // Users 0 and 1 finish; user 2 hangs; users 3.. finish behind it until the window is full.
    await until(() => f.listCalls.length === 2 + window, 'the window to fill');
    await until(() => f.inFlight === 1, 'the other calls to finish');
    const cursorWhileStuck = async () => (await state.getCursor())?.lastExternalUserId;
    await until(() => writesSent > 0, 'writes of the finished users');
    let cursor: string | null | undefined;
    for (let turn = 0; turn < 200 && cursor !== f.users[1]?.ext; turn++) {
      cursor = await cursorWhileStuck();
    }
    expect(cursor).toBe(f.users[1]?.ext);
    expect(f.listCalls).toHaveLength(2 + window); // nobody started beyond the window

    release();
    const summary = await running;
    expect(summary).toMatchObject({ users: 60, failures: 0, readings_written: 60, completed_pass: true });
    expect(f.listCalls).toEqual(f.users.map((u) => u.poderoId));
    expect(await state.getCursor()).toMatchObject({ lastExternalUserId: null, passesCompleted: 1 });
  });

  it('finishes the users in flight and saves the cursor when the walk fails mid-run', async () => {
    const f = await fleet(12);
    const d = deps(f, 2, 4);
    walkQueries = 0;
    walkQueryToFail = 2; // page 2, requested while page 1 is being processed
    try {
      await expect(run(d, 'walk-fails')).rejects.toThrow('walk query failed');
    } finally {
      walkQueryToFail = 0;
    }
    const state = new SyncStateStore(db, f.tables.main);
    expect(f.listCalls).toEqual(f.users.slice(0, 4).map((u) => u.poderoId));
    expect((await state.getCursor())?.lastExternalUserId).toBe(f.users[3]?.ext);

    // The lease was released: the next run resumes after page 1.
    const next = await run(d, 'after-walk-failure');
    expect(next).toMatchObject({ users: 8, failures: 0, completed_pass: true });
    expect(f.listCalls).toEqual(f.users.map((u) => u.poderoId));
  });
});

describe('UserStream', () => {
  it('requests the next page as soon as a page arrives, and ends after the last one', async () => {
    const all: OnboardedUser[] = Array.from({ length: 7 }, (_, i) => ({
      externalUserId: `u${i}`,
      poderoUserId: `p${i}`,
    }));
    const requested: (string | null)[] = [];
    const walk = {
      page: async (after: string | null, limit: number) => {
        requested.push(after);
        const start = after === null ? 0 : all.findIndex((u) => u.externalUserId === after) + 1;
        const users = all.slice(start, start + limit);
        return { users, hasMore: start + limit < all.length };
      },
    };
    const stream = new UserStream(walk, null, 3);
    const first = await stream.next();
    expect(first?.externalUserId).toBe('u0');
    // Page 2 is already on its way while page 1 is being handed out.
    expect(requested).toEqual([null, 'u2']);
    const rest: string[] = [];
    for (let i = 0; i < 20; i++) {
      const user = await stream.next();
      if (user === null) break;
      rest.push(user.externalUserId);
    }
    expect(rest).toEqual(['u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
    expect(stream.exhausted).toBe(true);
    expect(requested).toEqual([null, 'u2', 'u5']);
  });
});
