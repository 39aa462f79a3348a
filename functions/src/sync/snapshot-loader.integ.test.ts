import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../test-support/aws';
import { noDevicesOfOtherKinds } from '../../test-support/fake-podero';
import { tableDeclarations } from '../declarations';
import { createLogger, createRecordingMetrics, withLogKeys } from '../platform/observability';
import {
  type DeviceItemKey,
  type DeviceJson,
  DeviceSnapshotStore,
  listMarkerItem,
  newSnapshot,
  type StoredDeviceItem,
  snapshotItem,
} from '../storage/device-snapshots';
import { minimalUserRecord, userProfileItem } from '../storage/users';
import { SnapshotBatchLoader, UnprocessedKeysError } from './snapshot-loader';
import { runHeatPumpSync } from './sync';

const T0 = '2026-06-01T12:00:00.000Z';

/** A store that answers from a map, records every call, and can leave keys unprocessed. */
function fakeStore(
  items: StoredDeviceItem[],
  unprocessedPerCall: (call: number, key: DeviceItemKey) => boolean,
) {
  const byId = new Map(items.map((item) => [JSON.stringify(item.key), item]));
  const calls: DeviceItemKey[][] = [];
  return {
    calls,
    async batchGetOnce(keys: readonly DeviceItemKey[]) {
      calls.push([...keys]);
      const call = calls.length;
      const unprocessed = keys.filter((key) => unprocessedPerCall(call, key));
      const items = keys
        .filter((key) => !unprocessedPerCall(call, key))
        .flatMap((key) => byId.get(JSON.stringify(key)) ?? []);
      return { items, unprocessed };
    },
  };
}

const snap = (externalUserId: string, deviceId: string): StoredDeviceItem => ({
  kind: 'snapshot',
  key: { externalUserId, deviceId },
  snapshot: newSnapshot(externalUserId, { id: deviceId }, T0),
});
const marker = (externalUserId: string, deviceIds: string[]): StoredDeviceItem => ({
  kind: 'marker',
  key: { externalUserId, deviceId: null },
  marker: { externalUserId, fetchedAt: T0, deviceIds },
});

describe('SnapshotBatchLoader', () => {
  it('sends the keys of users asking within the wait window as one call, and answers each user its own items', async () => {
    const store = fakeStore(
      [marker('ann', ['a1']), snap('ann', 'a1'), snap('bob', 'b1'), snap('bob', 'b2')],
      () => false,
    );
    const loader = new SnapshotBatchLoader(store, { maxWaitMs: 5 });
    const [ann, bob, cid] = await Promise.all([
      loader.loadUser('ann', ['a1']),
      loader.loadUser('bob', ['b1', 'b2', 'b1']),
      loader.loadUser('cid', []),
    ]);
    expect(store.calls).toHaveLength(1);
    // Each user's marker and open-changes item, plus 1, 2 (the repeated id asked once: BatchGetItem
    // rejects duplicate keys) and 0 snapshots.
    expect(store.calls[0]).toHaveLength(9);
    expect(ann.marker?.deviceIds).toEqual(['a1']);
    expect([...ann.snapshots.keys()]).toEqual(['a1']);
    expect(bob.marker).toBeNull();
    expect([...bob.snapshots.keys()].sort()).toEqual(['b1', 'b2']);
    expect(cid).toEqual({ marker: null, snapshots: new Map() });
  });

  it('sends at once when 100 keys wait, splits a larger request, and reads orphans the marker names in a second round', async () => {
    const ids = Array.from({ length: 149 }, (_, i) => `h${i}`);
    const store = fakeStore(
      [marker('dan', [...ids, 'gone']), ...ids.map((id) => snap('dan', id)), snap('dan', 'gone')],
      () => false,
    );
    // A wait no test would sit out: the first call must go because it is full, the rest on the timer.
    const loader = new SnapshotBatchLoader(store, { maxWaitMs: 20 });
    const state = await loader.loadUser('dan', ids);
    // 149 snapshots, the marker and the open-changes item; then the orphan.
    expect(store.calls.map((c) => c.length)).toEqual([100, 51, 1]);
    expect(store.calls[2]).toEqual([{ externalUserId: 'dan', deviceId: 'gone' }]);
    expect(state.snapshots.size).toBe(150);
    expect(state.snapshots.has('gone')).toBe(true);
  });

  it('retries UnprocessedKeys with bounded, growing backoff until every key is read', async () => {
    const store = fakeStore(
      [snap('eve', 'e1'), snap('eve', 'e2'), snap('fay', 'f1')],
      (call, key) =>
        // The first two calls leave eve's e2 unprocessed.
        call <= 2 && key.deviceId === 'e2',
    );
    const delays: number[] = [];
    const loader = new SnapshotBatchLoader(store, {
      maxWaitMs: 1,
      baseDelayMs: 10,
      maxDelayMs: 15,
      random: () => 0.999,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const [eve, fay] = await Promise.all([
      loader.loadUser('eve', ['e1', 'e2']),
      loader.loadUser('fay', ['f1']),
    ]);
    expect(store.calls.map((c) => c.length)).toEqual([7, 1, 1]);
    expect(delays).toEqual([9, 14]); // full jitter under 10, then under min(20, 15)
    expect([...eve.snapshots.keys()].sort()).toEqual(['e1', 'e2']);
    expect([...fay.snapshots.keys()]).toEqual(['f1']);
  });

  it('fails only the users whose keys stay unprocessed after the last attempt', async () => {
    const store = fakeStore([snap('gil', 'g1'), snap('hal', 'h1')], (_call, key) => key.deviceId === 'g1');
    const loader = new SnapshotBatchLoader(store, { maxWaitMs: 1, maxAttempts: 3, sleep: async () => {} });
    const [gil, hal] = await Promise.allSettled([
      loader.loadUser('gil', ['g1']),
      loader.loadUser('hal', ['h1']),
    ]);
    expect(store.calls).toHaveLength(3);
    expect(gil.status).toBe('rejected');
    expect(gil.status === 'rejected' && gil.reason).toBeInstanceOf(UnprocessedKeysError);
    expect(hal.status === 'fulfilled' && [...hal.value.snapshots.keys()]).toEqual(['h1']);
  });

  it('fails every user of a call that throws', async () => {
    const loader = new SnapshotBatchLoader(
      {
        batchGetOnce: async () => {
          throw new Error('dynamo down');
        },
      },
      { maxWaitMs: 1 },
    );
    const results = await Promise.allSettled([loader.loadUser('ivy', ['i1']), loader.loadUser('jon', [])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('SnapshotBatchLoader against dynalite', () => {
  let aws: LocalAws;
  let raw: DynamoDBClient;
  let db: DynamoDBDocumentClient;
  const commands: { name: string; input: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    aws = await startLocalAws();
    raw = new DynamoDBClient({ endpoint: aws.dynamo.endpoint, region: aws.region });
    raw.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push({ name: context.commandName ?? '', input: args.input as Record<string, unknown> });
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  });
  afterAll(async () => {
    raw?.destroy();
    await aws?.close();
  });

  it('reads markers and snapshots of many users with one strongly consistent BatchGetItem', async () => {
    const table = aws.tableNames.main;
    const store = new DeviceSnapshotStore(db, table);
    const seeded = [
      listMarkerItem({ externalUserId: 'kim', fetchedAt: T0, deviceIds: ['k1', 'k2'] }),
      snapshotItem(newSnapshot('kim', { id: 'k1', current_power_consumption_w: 1 }, T0)),
      snapshotItem(newSnapshot('kim', { id: 'k2' }, T0)),
      snapshotItem(newSnapshot('lou', { id: 'l1' }, T0)),
    ];
    await db.send(
      new BatchWriteCommand({ RequestItems: { [table]: seeded.map((Item) => ({ PutRequest: { Item } })) } }),
    );
    commands.length = 0;
    const loader = new SnapshotBatchLoader(store, { maxWaitMs: 5 });
    const [kim, lou] = await Promise.all([
      loader.loadUser('kim', ['k1']),
      loader.loadUser('lou', ['l1', 'l9']),
    ]);
    expect(kim.marker?.deviceIds).toEqual(['k1', 'k2']);
    expect(kim.snapshots.get('k1')?.device).toEqual({ id: 'k1', current_power_consumption_w: 1 });
    expect(kim.snapshots.has('k2')).toBe(true); // named by the marker only: the second round
    expect([...lou.snapshots.keys()]).toEqual(['l1']);
    expect(commands.map((c) => c.name)).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand']);
    const first = commands[0]?.input.RequestItems as Record<
      string,
      { ConsistentRead?: boolean; Keys: unknown[] }
    >;
    expect(first[table]?.ConsistentRead).toBe(true);
    // Two users' markers and open-changes items, and three snapshots.
    expect(first[table]?.Keys).toHaveLength(7);
  });

  it('a sync of 200 users reads their stored state in a handful of calls instead of one Query per user', async () => {
    const tables = { main: 'loader-sync-main', readings: 'loader-sync-readings' };
    await ensureTables(raw, tables, tableDeclarations);
    const users = Array.from({ length: 200 }, (_, i) => `u${String(i).padStart(3, '0')}`);
    const profiles = users.map((ext) =>
      userProfileItem(
        minimalUserRecord({
          externalUserId: ext,
          poderoUserId: `podero-${ext}`,
          email: `${ext}@example.com`,
          at: T0,
        }),
      ),
    );
    for (let i = 0; i < profiles.length; i += 25) {
      await db.send(
        new BatchWriteCommand({
          RequestItems: {
            [tables.main]: profiles.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
    }
    let clock = Date.parse(T0);
    const run = async (runId: string) =>
      runHeatPumpSync(
        {
          db,
          config: {
            mainTableName: tables.main,
            readingsTableName: tables.readings,
            readingsRetentionDays: 400,
            syncIntervalMs: 15 * 60_000,
            syncConcurrency: 32,
            safetyMarginMs: 60_000,
            userPageSize: 100,
          },
          logger: withLogKeys(createLogger('syncPlanner', { logLevel: 'SILENT' }), {}),
          metrics: createRecordingMetrics(),
          now: () => clock,
          batchWriteOptions: { sleep: async () => {} },
          podero: {
            ...noDevicesOfOtherKinds,
            heatPumps: {
              list: async (poderoUserId: string): Promise<DeviceJson[]> => {
                await new Promise((resolve) => setImmediate(resolve));
                return [
                  { id: `hp-${poderoUserId}`, current_state_last_updated_at: new Date(clock).toISOString() },
                ];
              },
            },
          },
        },
        { runId, source: 'manual', remainingTimeMs: () => 900_000 },
      );
    const first = await run('first');
    expect(first.users).toBe(200);
    clock += 15 * 60_000;
    commands.length = 0;
    const second = await run('second');
    expect(second.readings_written).toBe(200);
    const userQueries = commands.filter(
      (c) =>
        c.name === 'QueryCommand' &&
        JSON.stringify(c.input.ExpressionAttributeValues ?? {}).includes('USER#'),
    );
    expect(userQueries).toHaveLength(0);
    const userReads = commands.filter((c) => c.name === 'BatchGetItemCommand' || c.name === 'GetItemCommand');
    expect(userReads.length).toBeGreaterThan(0);
    // Was 200 (one Query per user): now at least 4 users per read request.
    expect(userReads.length).toBeLessThanOrEqual(200 / 4);
  });
});
