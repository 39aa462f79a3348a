/** The fleet sync's two shared items on dynalite over the real SDK: the pass and the Podero rate budget. */

import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDynamo, type TestDynamo } from '../../test-support/test-dynamo';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { deviceFiguresOf, SYNC_NAMES } from '../domain/devices/kinds';
import type { SyncFigures } from '../domain/sync-figures';
import { RateBudgetStore } from './rate-budget';
import { isSettled, SyncPassStore, shardsWith } from './sync-passes';
import { SyncStateStore } from './sync-state';

let dynamo: TestDynamo;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startTestDynamo();
  doc = dynamo.doc;
});
afterAll(async () => {
  await dynamo?.close();
});

const freshTable = async () => (await dynamo.freshTables('fleet')).main;

const figures = (users: number): SyncFigures => ({
  users,
  ...deviceFiguresOf(),
  [heatPumpKind.figure]: users * 2,
  readings_written: users,
  failures: 1,
});

describe('RateBudgetStore', () => {
  it('grants up to the ceiling per second, the rest of it to a later claim, and nothing beyond', async () => {
    const budget = new RateBudgetStore(doc, await freshTable());
    const now = 5_000_000;
    expect(await budget.claim(4, 5000, 10, now)).toEqual({ granted: 4, window: 5000 });
    expect(await budget.claim(4, 5000, 10, now)).toEqual({ granted: 4, window: 5000 });
    // Only two left in this second: granted what is left.
    expect(await budget.claim(4, 5000, 10, now)).toEqual({ granted: 2, window: 5000 });
    expect(await budget.claim(1, 5000, 10, now)).toEqual({ granted: 0, retryAtMs: 5_001_000 });
    // The next second starts afresh; a claim never asks for more than the ceiling.
    expect(await budget.claim(50, 5001, 10, now + 1000)).toEqual({ granted: 10, window: 5001 });
  });

  it('after a pause has ended, grants what is left of the second', async () => {
    const budget = new RateBudgetStore(doc, await freshTable());
    const now = 8_000_000;
    await budget.pause(now - 5_000);
    expect(await budget.claim(8, 8000, 10, now)).toEqual({ granted: 8, window: 8000 });
    expect(await budget.claim(8, 8000, 10, now)).toEqual({ granted: 2, window: 8000 });
  });

  it('refuses every claim while a pause holds, and a pause only ever extends', async () => {
    const budget = new RateBudgetStore(doc, await freshTable());
    const now = 7_000_000;
    await budget.pause(now + 2_000);
    await budget.pause(now + 1_000);
    expect(await budget.claim(1, 7000, 10, now)).toEqual({ granted: 0, retryAtMs: now + 2_000 });
    expect(await budget.claim(1, 7001, 10, now + 1_500)).toEqual({ granted: 0, retryAtMs: now + 2_000 });
    expect(await budget.claim(3, 7002, 10, now + 2_000)).toEqual({ granted: 3, window: 7002 });
  });

  it('waits for a second another worker (with a clock ahead) has begun', async () => {
    const budget = new RateBudgetStore(doc, await freshTable());
    expect(await budget.claim(2, 9001, 10, 9_001_000)).toEqual({ granted: 2, window: 9001 });
    expect(await budget.claim(2, 9000, 10, 9_000_900)).toEqual({ granted: 0, retryAtMs: 9_001_000 });
  });
});

describe('SyncPassStore', () => {
  const begin = (passes: SyncPassStore, passId: string, shardCount: number) =>
    passes.begin({ passId, source: 'schedule', startedAt: '2026-03-01T00:00:00.000Z', shardCount });

  it('begins a pass only when none is running, and settles each shard once, adding its figures', async () => {
    const passes = new SyncPassStore(doc, await freshTable());
    expect(await passes.current()).toBeNull();
    expect(await begin(passes, 'p1', 3)).toEqual({ begun: true });
    const refused = await begin(passes, 'p2', 1);
    expect(refused).toMatchObject({ begun: false, running: { passId: 'p1' } });

    const at = '2026-03-01T00:01:00.000Z';
    const first = await passes.settleShard('p1', 0, 'done', figures(10), at);
    expect(first).toMatchObject({
      shardsDone: 1,
      shardsFailed: 0,
      figures: { users: 10, [heatPumpKind.figure]: 20, readings_written: 10, failures: 1 },
      updatedAt: at,
      completedAt: null,
    });
    // A redelivered message: settled already, nothing added.
    expect(await passes.settleShard('p1', 0, 'done', figures(10), at)).toBeNull();
    // Another pass's shard: not this pass.
    expect(await passes.settleShard('p0', 1, 'done', figures(10), at)).toBeNull();
    await passes.addFigures('p1', figures(5), at);
    const failed = await passes.settleShard('p1', 2, 'failed', figures(0), at);
    // Summed: the settled shard's, the run's that ran out of time, the failed shard's.
    expect(failed).toMatchObject({
      shardsDone: 1,
      shardsFailed: 1,
      figures: { users: 15, [heatPumpKind.figure]: 30, readings_written: 15, failures: 3 },
    });
    expect(failed && isSettled(failed)).toBe(false);
    expect(failed && shardsWith(failed, 'pending')).toEqual([1]);
    expect(failed && shardsWith(failed, 'failed')).toEqual([2]);
  });

  it("marks a stalled pass's unsettled shards lost, completes it once, keeps its history and lets the next begin", async () => {
    const table = await freshTable();
    const passes = new SyncPassStore(doc, table);
    await begin(passes, 'p1', 5);
    const at = '2026-03-01T01:00:00.000Z';
    const stale = await passes.current();
    if (!stale) throw new Error('no pass');
    // Settled after the planner read the pass: the stale record still says pending.
    await passes.settleShard('p1', 1, 'done', figures(7), at);
    await passes.settleShard('p1', 4, 'failed', figures(0), at);
    const closed = await passes.markPendingLost(stale, at);
    expect(shardsWith(closed, 'lost')).toEqual([0, 2, 3]);
    expect(shardsWith(closed, 'done')).toEqual([1]);
    expect(closed).toMatchObject({ shardsDone: 1, shardsFailed: 4 });
    expect(isSettled(closed)).toBe(true);
    // Nothing left to mark: the same pass comes back unchanged.
    expect(await passes.markPendingLost(closed, at)).toEqual(closed);
    expect(await passes.complete(closed, at)).toBe(true);
    expect(await passes.complete(closed, at)).toBe(false);
    expect(await passes.current()).toMatchObject({
      status: 'completed',
      completedAt: at,
      passesCompleted: 1,
      lastPassCompletedAt: at,
    });
    // Failed and lost shards, in index order.
    expect(await passes.history(5)).toEqual([
      {
        passId: 'p1',
        source: 'schedule',
        startedAt: stale.startedAt,
        completedAt: at,
        shardCount: 5,
        failedShards: [0, 2, 3, 4],
        figures: {
          users: 7,
          ...deviceFiguresOf(),
          [heatPumpKind.figure]: 14,
          readings_written: 7,
          failures: 2,
        },
      },
    ]);
    const item = await doc.send(
      new GetCommand({
        TableName: table,
        Key: { pk: SYNC_NAMES.partition, sk: `PASS#${stale.startedAt}#p1` },
      }),
    );
    expect(item.Item?.expires_at).toBe(Date.parse(at) / 1000 + 7 * 86_400);

    expect(await begin(passes, 'p2', 2)).toEqual({ begun: true });
    // The counter of completed passes survives the next pass's begin.
    expect(await passes.current()).toMatchObject({
      passId: 'p2',
      status: 'running',
      passesCompleted: 1,
      figures: { users: 0, [heatPumpKind.figure]: 0, readings_written: 0, failures: 0 },
    });
    const later = '2026-03-01T02:00:00.000Z';
    await passes.settleShard('p2', 0, 'done', figures(1), later);
    await passes.settleShard('p2', 1, 'done', figures(1), later);
    const second = await passes.current();
    if (!second) throw new Error('no pass');
    await passes.complete(second, later);
    // Newest first.
    expect((await passes.history(5)).map((h) => h.passId)).toEqual(['p2', 'p1']);
  });

  it('leaves the next pass alone when asked to close a pass that was replaced meanwhile', async () => {
    const passes = new SyncPassStore(doc, await freshTable());
    await begin(passes, 'p1', 2);
    const old = await passes.current();
    if (!old) throw new Error('no pass');
    const at = '2026-03-01T03:00:00.000Z';
    await passes.settleShard('p1', 0, 'done', figures(1), at);
    await passes.settleShard('p1', 1, 'done', figures(1), at);
    await passes.complete((await passes.current()) ?? old, at);
    await begin(passes, 'p2', 3);
    expect(await passes.markPendingLost(old, at)).toEqual(old);
    const next = await passes.current();
    expect(next && shardsWith(next, 'pending')).toEqual([0, 1, 2]);
  });
});

describe('SyncStateStore run records', () => {
  it('reads a run back with the figures it was recorded with, under the attribute names items always had', async () => {
    const table = await freshTable();
    const state = new SyncStateStore(doc, table);
    const run = {
      runId: 'r1',
      source: 'shard 0 of p1',
      startedAt: '2026-03-01T00:00:00.000Z',
      durationMs: 4321,
      figures: figures(6),
      completedPass: true,
      stopped: 'completed_pass',
    };
    await state.recordRun(run);
    expect(await state.latestRuns(5)).toEqual([run]);
    const item = await doc.send(
      new GetCommand({
        TableName: table,
        Key: { pk: SYNC_NAMES.partition, sk: `RUN#${run.startedAt}#r1` },
      }),
    );
    expect(item.Item).toMatchObject({ users: 6, heat_pumps: 12, readings_written: 6, failures: 1 });
  });

  it('reads a run item written before the figures were one shape', async () => {
    const table = await freshTable();
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: SYNC_NAMES.partition,
          sk: 'RUN#2026-02-01T00:00:00.000Z#old',
          run_id: 'old',
          source: 'schedule',
          started_at: '2026-02-01T00:00:00.000Z',
          duration_ms: 10,
          users: 2,
          heat_pumps: 3,
          readings_written: 3,
          failures: 0,
          completed_pass: false,
          stopped: 'time_budget',
          expires_at: 2_000_000_000,
        },
      }),
    );
    expect(await new SyncStateStore(doc, table).latestRuns(1)).toEqual([
      {
        runId: 'old',
        source: 'schedule',
        startedAt: '2026-02-01T00:00:00.000Z',
        durationMs: 10,
        figures: { users: 2, ...deviceFiguresOf(), heat_pumps: 3, readings_written: 3, failures: 0 },
        completedPass: false,
        stopped: 'time_budget',
      },
    ]);
  });
});
