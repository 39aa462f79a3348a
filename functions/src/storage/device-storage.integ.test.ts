import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalEndpoint, startDynalite } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOnboardedUsers } from '../../test-support/seed-users';
import { tableDeclarations } from '../declarations';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { deviceKinds } from '../domain/devices/kinds';
import { DeviceSnapshotStore, loadUserDevices, newSnapshot } from './device-snapshots';
import { NO_VERSIONED_OPEN_CHANGES } from './open-changes';
import {
  decodeReadingsCursor,
  encodeReadingsCursor,
  InvalidCursorError,
  ReadingsStore,
  readingExpiry,
  readingItem,
} from './readings';
import { SyncLeaseLostError, SyncStateStore } from './sync-state';

let dynalite: LocalEndpoint;
let doc: DynamoDBDocumentClient;
const tables = { main: 'hp-storage-main', readings: 'hp-storage-readings' };

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'eu-central-1' });
  await ensureTables(client, tables, tableDeclarations);
  doc = DynamoDBDocumentClient.from(client);
});
afterAll(async () => {
  doc?.destroy();
  await dynalite?.close();
});

const hp = (id: string, state: string, extra: Record<string, unknown> = {}) => ({
  id,
  current_state_last_updated_at: state,
  current_power_consumption_w: 1200,
  deleted_at: null,
  external_device_id: '',
  ...extra,
});

describe('DeviceSnapshotStore', () => {
  it('round-trips the projection of the Podero JSON, including nulls and empty strings, not unknown fields', async () => {
    const store = new DeviceSnapshotStore(doc, tables.main);
    const json = hp('11111111-1111-4111-8111-111111111111', '2026-01-01T10:00:00Z', {
      future_field: { a: [1] },
      lifecycle_error: null,
      current_mode: '',
    });
    await store.put(newSnapshot('alice', json, '2026-01-01T10:00:05.000Z'));
    const got = await store.get('alice', json.id);
    const {
      future_field: _notDeclared,
      external_device_id: _notShown,
      ...declared
    } = json as Record<string, unknown>;
    expect(got?.device).toEqual(declared);
    expect(got?.stateUpdatedAt).toBe('2026-01-01T10:00:00.000Z');
  });

  it('keeps the newer snapshot when an older fetch is stored after it', async () => {
    const store = new DeviceSnapshotStore(doc, tables.main);
    const id = '22222222-2222-4222-8222-222222222222';
    expect(
      await store.put(newSnapshot('bob', hp(id, '2026-01-01T10:05:00Z'), '2026-01-01T10:05:01.000Z')),
    ).toBe('created');
    expect(
      await store.put(newSnapshot('bob', hp(id, '2026-01-01T10:00:00Z'), '2026-01-01T10:00:01.000Z')),
    ).toBe('stale');
    expect(
      await store.put(newSnapshot('bob', hp(id, '2026-01-01T10:10:00Z'), '2026-01-01T10:10:01.000Z')),
    ).toBe('updated');
    expect((await store.get('bob', id))?.stateUpdatedAt).toBe('2026-01-01T10:10:00.000Z');
  });

  it('replaces a user list: stores the marker and drops devices no longer listed', async () => {
    const store = new DeviceSnapshotStore(doc, tables.main);
    const [a, b] = ['33333333-3333-4333-8333-333333333333', '44444444-4444-4444-8444-444444444444'];
    await store.replaceUserList(
      'carol',
      [hp(a, '2026-01-01T10:00:00Z'), hp(b, '2026-01-01T10:00:00Z')].map((json) =>
        newSnapshot('carol', json, '2026-01-01T10:00:01.000Z'),
      ),
      '2026-01-01T10:00:01.000Z',
      (await store.loadUserWithProfile('carol')).state,
    );
    await store.replaceUserList(
      'carol',
      [newSnapshot('carol', hp(a, '2026-01-01T10:05:00Z'), '2026-01-01T10:05:01.000Z')],
      '2026-01-01T10:05:01.000Z',
      (await store.loadUserWithProfile('carol')).state,
    );
    const state = (await store.loadUserWithProfile('carol')).state;
    expect(state.marker).toEqual({
      externalUserId: 'carol',
      fetchedAt: '2026-01-01T10:05:01.000Z',
      deviceIds: [a],
      outbox: [],
    });
    expect([...state.snapshots.keys()]).toEqual([a]);
  });
});

describe('DeviceSnapshotStore.loadUserWithProfile', () => {
  it('reads the onboarded user with its marker and snapshots in one Query, skipping other items', async () => {
    const store = new DeviceSnapshotStore(doc, tables.main);
    const a = '55555555-5555-4555-8555-555555555555';
    await seedOnboardedUsers(doc, tables.main, [{ externalUserId: 'dora', poderoUserId: 'p-dora' }]);
    await store.put(newSnapshot('dora', hp(a, '2026-01-01T10:00:00Z'), '2026-01-01T10:00:01.000Z'));
    await store.putListMarker({
      externalUserId: 'dora',
      fetchedAt: '2026-01-01T10:00:01.000Z',
      deviceIds: [a],
    });
    // Items of other kinds under the same user, on both sides of the device range.
    for (const sk of ['BUILDING#b1', 'ONBOARDING#s1']) {
      await doc.send(
        new PutCommand({ TableName: tables.main, Item: { pk: 'USER#dora', sk, entity: 'other' } }),
      );
    }
    let queries = 0;
    const counting = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'eu-central-1' }),
    );
    counting.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'QueryCommand') queries++;
        return next(args);
      },
      { step: 'initialize' },
    );
    const { user, state } = await new DeviceSnapshotStore(counting, tables.main).loadUserWithProfile('dora');
    counting.destroy();
    expect(queries).toBe(1);
    expect(user?.podero_user_id).toBe('p-dora');
    expect(state.marker?.deviceIds).toEqual([a]);
    expect([...state.snapshots.keys()]).toEqual([a]);

    const nobody = await store.loadUserWithProfile('nobody');
    expect(nobody.user).toBeUndefined();
    // The open-changes item is read in the same range: absent, it is none.
    expect(nobody.state).toEqual({
      marker: null,
      snapshots: new Map(),
      openChanges: NO_VERSIONED_OPEN_CHANGES,
    });
  });
});

describe('loadUserDevices', () => {
  it("reads every kind's marker and snapshots of a user in one Query, each under its own kind", async () => {
    const ids = {
      heat_pump: '61111111-1111-4111-8111-111111111111',
      electric_vehicle: '62222222-2222-4222-8222-222222222222',
      wallbox: '63333333-3333-4333-8333-333333333333',
      inverter: '64444444-4444-4444-8444-444444444444',
    } as const;
    await seedOnboardedUsers(doc, tables.main, [{ externalUserId: 'erin', poderoUserId: 'p-erin' }]);
    for (const kind of deviceKinds) {
      const id = ids[kind.name as keyof typeof ids];
      const store = new DeviceSnapshotStore(doc, tables.main, kind.storage);
      await store.put(newSnapshot('erin', hp(id, '2026-01-01T10:00:00Z'), '2026-01-01T10:00:01.000Z'));
      await store.putListMarker({
        externalUserId: 'erin',
        fetchedAt: '2026-01-01T10:00:01.000Z',
        deviceIds: [id],
      });
    }
    await doc.send(
      new PutCommand({
        TableName: tables.main,
        Item: { pk: 'USER#erin', sk: 'ONBOARDING#s1', entity: 'other' },
      }),
    );
    let queries = 0;
    const counting = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'eu-central-1' }),
    );
    counting.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'QueryCommand') queries++;
        return next(args);
      },
      { step: 'initialize' },
    );
    const { user, states } = await loadUserDevices(
      counting,
      tables.main,
      'erin',
      deviceKinds.map((kind) => kind.storage),
    );
    counting.destroy();
    expect(queries).toBe(1);
    expect(user?.podero_user_id).toBe('p-erin');
    for (const [index, kind] of deviceKinds.entries()) {
      const id = ids[kind.name as keyof typeof ids];
      expect([...(states[index]?.snapshots.keys() ?? [])], kind.name).toEqual([id]);
      expect(states[index]?.marker?.deviceIds, kind.name).toEqual([id]);
    }
    // The same as each kind read on its own.
    for (const [index, kind] of deviceKinds.entries()) {
      const alone = await new DeviceSnapshotStore(doc, tables.main, kind.storage).loadUserWithProfile('erin');
      expect(states[index]).toEqual(alone.state);
    }
  });
});

describe('ReadingsStore', () => {
  const deviceId = '55555555-5555-4555-8555-555555555555';
  const start = Date.parse('2026-03-01T00:00:00.000Z');
  const at = (i: number) => new Date(start + i * 300_000).toISOString();

  beforeAll(async () => {
    const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
    const items = Array.from({ length: 237 }, (_, i) =>
      readingItem({
        deviceId,
        stateAt: at(i),
        recordedAt: at(i),
        values: { current_power_consumption_w: i },
        expiresAt: readingExpiry(at(i), 400),
      }),
    );
    for (let i = 0; i < items.length; i += 25) {
      await doc.send(
        new BatchWriteCommand({
          RequestItems: {
            [tables.readings]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
    }
  });

  it('pages through every reading in time order without gaps or duplicates', async () => {
    const store = new ReadingsStore(doc, tables.readings);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.list(deviceId, {}, 50, cursor);
      seen.push(...page.readings.map((r) => r.stateAt));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(5);
    expect(seen).toEqual(Array.from({ length: 237 }, (_, i) => at(i)));
  });

  it('treats from as inclusive and to as exclusive, and ends with a null cursor', async () => {
    const store = new ReadingsStore(doc, tables.readings);
    const page = await store.list(deviceId, { from: at(10), to: at(13) }, 100);
    expect(page.readings.map((r) => r.stateAt)).toEqual([at(10), at(11), at(12)]);
    expect(page.nextCursor).toBeNull();
  });

  it('stores expires_at as state time plus the retention in epoch seconds', async () => {
    const out = await doc.send(
      new GetCommand({ TableName: tables.readings, Key: { pk: `HEATPUMP#${deviceId}`, sk: at(0) } }),
    );
    expect(out.Item?.expires_at).toBe(start / 1000 + 400 * 86_400);
  });

  it('rejects cursors that were tampered with, belong to another device or lie outside the range', () => {
    const good = encodeReadingsCursor(deviceId, at(5));
    expect(decodeReadingsCursor(good, deviceId, {})).toBe(at(5));
    expect(() => decodeReadingsCursor(`${good}x`, deviceId, {})).toThrow(InvalidCursorError);
    expect(() => decodeReadingsCursor('not*base64', deviceId, {})).toThrow(InvalidCursorError);
    expect(() => decodeReadingsCursor(good, '66666666-6666-4666-8666-666666666666', {})).toThrow(
      new RegExp(`another ${heatPumpKind.noun}`),
    );
    expect(() => decodeReadingsCursor(good, deviceId, { from: at(6) })).toThrow(/outside/);
    const forged = Buffer.from(JSON.stringify({ v: 1, hp: deviceId, ts: 'yesterday' })).toString('base64url');
    expect(() => decodeReadingsCursor(forged, deviceId, {})).toThrow(InvalidCursorError);
  });
});

describe('SyncStateStore', () => {
  it('lets one run hold the lease, refuses a second, and loses cursor writes after a takeover', async () => {
    const store = new SyncStateStore(doc, tables.main);
    const first = await store.acquireLease('run-1', 1_000, 61_000);
    expect(first).toEqual({
      lastExternalUserId: null,
      passStartedAt: null,
      passesCompleted: 0,
      lastPassCompletedAt: null,
    });
    expect(await store.acquireLease('run-2', 2_000, 62_000)).toBeNull();
    await store.saveCursor('run-1', {
      lastExternalUserId: 'u-10',
      passStartedAt: 'x',
      passesCompleted: 0,
      lastPassCompletedAt: null,
    });
    // run-1 overran its lease; run-2 takes over and run-1 may no longer move the cursor.
    expect((await store.acquireLease('run-2', 70_000, 130_000))?.lastExternalUserId).toBe('u-10');
    await expect(
      store.saveCursor('run-1', {
        lastExternalUserId: 'u-20',
        passStartedAt: 'x',
        passesCompleted: 0,
        lastPassCompletedAt: null,
      }),
    ).rejects.toBeInstanceOf(SyncLeaseLostError);
    await store.releaseLease('run-2');
    expect(await store.acquireLease('run-3', 71_000, 131_000)).not.toBeNull();
    await store.releaseLease('run-3');
  });

  it('counts repeated failures of a user and clears them', async () => {
    const store = new SyncStateStore(doc, tables.main);
    await store.recordFailure(
      'dave',
      'podero_unavailable',
      'Podero answered 503',
      '2026-01-01T10:00:00.000Z',
    );
    await store.recordFailure(
      'dave',
      'podero_unavailable',
      'Podero answered 503',
      '2026-01-01T10:15:00.000Z',
    );
    const [failure] = (await store.listFailures()).filter((f) => f.externalUserId === 'dave');
    expect(failure).toMatchObject({
      attempts: 2,
      firstFailedAt: '2026-01-01T10:00:00.000Z',
      lastFailedAt: '2026-01-01T10:15:00.000Z',
    });
    await store.clearFailure('dave');
    expect((await store.listFailures()).some((f) => f.externalUserId === 'dave')).toBe(false);
  });
});
