import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalEndpoint, startDynalite } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDeclarations } from '../declarations';
import { ChangeTracker } from '../devices/change-tracker';
import { type DeviceChange, NO_OPEN_CHANGES, newChange, newChangeId } from '../domain/devices/changes';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { DeviceChangeStore } from './device-changes';
import { OpenChangesStore, openChangesSk } from './open-changes';

/**
 * The change history and the open-changes item against dynalite: pages newest first, a settled change
 * never goes back to pending, a device's history erased alone, and the open item's version condition
 * (two writers that read the same version: one wins, the other reads again and keeps the winner's change).
 */
let dynalite: LocalEndpoint;
let doc: DynamoDBDocumentClient;
const tables = { main: 'chg-main', readings: 'chg-readings' };
let history: DeviceChangeStore;
let open: OpenChangesStore;
const T0 = Date.parse('2026-12-01T10:00:00Z');

const changeOf = (user: string, deviceId: string, minute: number, fields: Record<string, unknown>) =>
  newChange({
    id: newChangeId(T0 + minute * 60_000, () => 0.5),
    kind: 'heat_pump',
    externalUserId: user,
    deviceId,
    control: 'settings',
    fields,
    requestedAtMs: T0 + minute * 60_000,
    timeoutSeconds: 1800,
    by: 'admin',
    manufacturer: null,
  });

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'eu-central-1' });
  await ensureTables(client, tables, tableDeclarations);
  doc = DynamoDBDocumentClient.from(client);
  history = new DeviceChangeStore(doc, tables.main);
  open = new OpenChangesStore(doc, tables.main);
}, 60_000);
afterAll(async () => {
  await dynalite?.close();
});

describe('DeviceChangeStore', () => {
  it('pages a device’s changes newest first and keeps other devices’ apart', async () => {
    const changes = [0, 1, 2].map((m) => changeOf('ada', 'hp-1', m, { optimization_level: `L${m}` }));
    for (const change of [...changes, changeOf('ada', 'hp-2', 5, { x: 1 })]) await history.put(change);
    const first = await history.list('ada', 'heat_pump', 'hp-1', 2);
    expect(first.changes.map((c) => c.id)).toEqual([changes[2]?.id, changes[1]?.id]);
    const rest = await history.list('ada', 'heat_pump', 'hp-1', 2, first.nextCursor ?? undefined);
    expect(rest.changes.map((c) => c.id)).toEqual([changes[0]?.id]);
    expect(await history.get('ada', 'heat_pump', 'hp-1', changes[0]?.id ?? '')).toEqual(changes[0]);
    expect(await history.get('ada', 'heat_pump', 'hp-1', 'not-a-change-id')).toBeNull();
  });

  it('never takes a settled change back: a later settle answers the stored settlement', async () => {
    const pending = changeOf('bo', 'hp-1', 0, { optimization_level: 'Max' });
    await history.put(pending);
    const confirmed: DeviceChange = {
      ...pending,
      status: 'confirmed',
      settledAt: new Date(T0 + 60_000).toISOString(),
    };
    expect(await history.settle(confirmed)).toEqual({ stored: confirmed, settledNow: true });
    const lateFailure: DeviceChange = {
      ...pending,
      status: 'failed',
      settledAt: new Date(T0 + 3_600_000).toISOString(),
      reason: 'timeout',
    };
    expect(await history.settle(lateFailure)).toEqual({ stored: confirmed, settledNow: false });
    expect(await history.put(pending)).toBe(false);
    expect((await history.get('bo', 'heat_pump', 'hp-1', pending.id))?.status).toBe('confirmed');
  });

  it('erases one device’s history and leaves the others’', async () => {
    for (const m of [0, 1, 2]) await history.put(changeOf('cy', 'hp-1', m, { a: m }));
    const kept = changeOf('cy', 'hp-2', 0, { a: 1 });
    await history.put(kept);
    expect(await history.deleteAllOf('cy', 'heat_pump', 'hp-1')).toBe(3);
    expect((await history.list('cy', 'heat_pump', 'hp-1', 10)).changes).toEqual([]);
    expect((await history.list('cy', 'heat_pump', 'hp-2', 10)).changes).toEqual([kept]);
    expect(await history.deleteAllOf('cy', 'heat_pump', 'hp-1')).toBe(0);
  });
});

describe('OpenChangesStore', () => {
  it('writes only over the version it read, and never creates the item for a settlement', async () => {
    expect(await open.get('dee', 'heat_pump')).toEqual({ changes: NO_OPEN_CHANGES, version: 0 });
    expect(await open.write('dee', 'heat_pump', NO_OPEN_CHANGES, 0, [], false)).toBe(false);
    const a = changeOf('dee', 'hp-1', 0, { a: 1 });
    const withA = { open: [a], last: { 'hp-1': { id: a.id, status: 'pending' as const } } };
    expect(await open.write('dee', 'heat_pump', withA, 0)).toBe(true);
    // A second writer that read the empty item loses; one that read version 1 wins.
    expect(await open.write('dee', 'heat_pump', NO_OPEN_CHANGES, 0)).toBe(false);
    expect(await open.get('dee', 'heat_pump')).toEqual({ changes: withA, version: 1 });
    expect(await open.write('dee', 'heat_pump', NO_OPEN_CHANGES, 1, [], false)).toBe(true);
    expect((await open.get('dee', 'heat_pump')).version).toBe(2);
  });

  it('keeps both of two changes recorded at once for two devices of one user', async () => {
    const tracker = new ChangeTracker({ open, history });
    const one = changeOf('eve', 'hp-1', 0, { a: 1 });
    const two = changeOf('eve', 'hp-2', 0, { b: 2 });
    await Promise.all([tracker.record(one), tracker.record(two)]);
    const read = await open.get('eve', 'heat_pump');
    expect(read.changes.open.map((c) => c.id).sort()).toEqual([one.id, two.id].sort());
    const item = await doc.send(
      new GetCommand({ TableName: tables.main, Key: { pk: 'USER#eve', sk: openChangesSk('heat_pump') } }),
    );
    expect(item.Item?.entity).toBe('open_changes');
  });

  it('a settlement stores the history first and the event in the open item’s outbox, once', async () => {
    const tracker = new ChangeTracker({ open, history });
    const change = changeOf('fay', 'hp-1', 0, { optimization_level: 'Max' });
    await tracker.record(change);
    const seen = new Map([
      [
        'hp-1',
        {
          device: { id: 'hp-1', optimization_level: 'Max' },
          observedAt: new Date(T0 + 60_000).toISOString(),
        },
      ],
    ]);
    const settled = await tracker.settle('fay', heatPumpKind, seen);
    expect(settled.map((c) => c.status)).toEqual(['confirmed']);
    expect(await tracker.settle('fay', heatPumpKind, seen)).toEqual([]);
    const item = await doc.send(
      new GetCommand({ TableName: tables.main, Key: { pk: 'USER#fay', sk: openChangesSk('heat_pump') } }),
    );
    const types = ((item.Item?.outbox as string[]) ?? []).map(
      (json) => (JSON.parse(json) as { type: string }).type,
    );
    expect(types).toEqual(['heat_pump.change_confirmed']);
    expect((await history.get('fay', 'heat_pump', 'hp-1', change.id))?.status).toBe('confirmed');
  });
});
