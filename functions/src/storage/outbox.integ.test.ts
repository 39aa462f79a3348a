import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalEndpoint, startDynalite } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDeclarations } from '../declarations';
import { DeviceSnapshotStore, newSnapshot, snapshotWholeItem } from './device-snapshots';
import { type OutboxEntry, OutboxStore } from './outbox';

let dynalite: LocalEndpoint;
let doc: DynamoDBDocumentClient;
const tables = { main: 'outbox-main', readings: 'outbox-readings' };

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'eu-central-1' });
  await ensureTables(client, tables, tableDeclarations);
  doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
});
afterAll(async () => {
  doc?.destroy();
  await dynalite?.close();
});

const entry = (id: string, timestamp: string): OutboxEntry => ({
  id,
  timestamp,
  json: JSON.stringify({ id, timestamp }),
});
const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T10:05:00.000Z';
const T3 = '2026-12-01T10:10:00.000Z';

describe('the outbox in the main table (dynalite, real SDK)', () => {
  const snapshots = () => new DeviceSnapshotStore(doc, tables.main);
  const outbox = () => new OutboxStore(doc, tables.main);

  it('stores events with the state in one write, lists the item as pending, and removes what was published', async () => {
    await snapshots().put(newSnapshot('ann', { id: 'hp-a', is_authenticated: true }, T1), [entry('e1', T1)]);
    const pending = await outbox().pending(10);
    const mine = pending.filter((p) => p.key.pk === 'USER#ann');
    expect(mine.map((p) => p.events.map((e) => JSON.parse(e).id))).toEqual([['e1']]);
    expect((await snapshots().get('ann', 'hp-a'))?.outbox).toHaveLength(1);
    await outbox().remove(mine[0] as (typeof mine)[0]);
    expect((await outbox().pending(10)).filter((p) => p.key.pk === 'USER#ann')).toEqual([]);
    expect((await snapshots().get('ann', 'hp-a'))?.outbox).toEqual([]);
  });

  it('a stale write stores neither its state nor its events', async () => {
    await snapshots().put(newSnapshot('bea', { id: 'hp-b', v: 2 }, T2));
    expect(await snapshots().put(newSnapshot('bea', { id: 'hp-b', v: 1 }, T1), [entry('stale', T1)])).toBe(
      'stale',
    );
    expect((await snapshots().get('bea', 'hp-b'))?.outbox).toEqual([]);
    expect((await outbox().pending(50)).some((p) => p.key.pk === 'USER#bea')).toBe(false);
  });

  it('keeps events appended after the relay read the item, removing only the published prefix', async () => {
    await snapshots().put(newSnapshot('cat', { id: 'hp-c' }, T1), [entry('c1', T1)]);
    const [read] = (await outbox().pending(50)).filter((p) => p.key.pk === 'USER#cat');
    await snapshots().put(newSnapshot('cat', { id: 'hp-c' }, T2), [entry('c2', T2)]);
    await outbox().remove(read as NonNullable<typeof read>);
    const left = (await outbox().pending(50)).filter((p) => p.key.pk === 'USER#cat');
    expect(left.map((p) => p.events.map((e) => JSON.parse(e).id))).toEqual([['c2']]);
  });

  it('removes a published prefix of several events and keeps every event appended after it', async () => {
    await snapshots().put(newSnapshot('fay', { id: 'hp-f' }, T1), [entry('f1', T1), entry('f2', T1)]);
    const [read] = (await outbox().pending(50)).filter((p) => p.key.pk === 'USER#fay');
    await snapshots().put(newSnapshot('fay', { id: 'hp-f' }, T2), [entry('f3', T2)]);
    await snapshots().put(newSnapshot('fay', { id: 'hp-f' }, T3), [entry('f4', T3)]);
    await outbox().remove(read as NonNullable<typeof read>);
    const left = (await outbox().pending(50)).filter((p) => p.key.pk === 'USER#fay');
    expect(left.map((p) => p.events.map((e) => JSON.parse(e).id))).toEqual([['f3', 'f4']]);
  });

  it('a whole-item rewrite (the sync) carries the pending events it read, and adds its own after them', async () => {
    const store = snapshots();
    await store.put(newSnapshot('dan', { id: 'hp-d' }, T1), [entry('d1', T1)]);
    const previous = await store.get('dan', 'hp-d');
    const next = { ...newSnapshot('dan', { id: 'hp-d', v: 2 }, T3), outbox: previous?.outbox ?? [] };
    await doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [tables.main]: [
            { PutRequest: { Item: snapshotWholeItem(next, [entry('d1', T1), entry('d2', T3)]) } },
          ],
        },
      }),
    );
    const item = (
      await doc.send(new GetCommand({ TableName: tables.main, Key: { pk: 'USER#dan', sk: 'HEATPUMP#hp-d' } }))
    ).Item;
    expect(((item?.outbox ?? []) as string[]).map((e) => JSON.parse(e).id)).toEqual(['d1', 'd2']);
    expect(item?.outbox_pk).toBe('PENDING');
  });

  it('standalone events are written once per id and deleted when published', async () => {
    await outbox().putStandalone(entry('s1', T1), Date.parse(T1));
    await outbox().putStandalone(entry('s1', T1), Date.parse(T1));
    const standalone = (await outbox().pending(50)).filter((p) => p.standalone);
    expect(standalone.map((p) => p.events.length)).toEqual([1]);
    await outbox().remove(standalone[0] as (typeof standalone)[0]);
    expect((await outbox().pending(50)).filter((p) => p.standalone)).toEqual([]);
  });

  it('a standalone event is an item of its own that expires after 14 days, and leaves the table when published', async () => {
    const now = Date.parse(T1);
    await outbox().putStandalone(entry('s2', T1), now);
    const key = { pk: 'OUTBOX', sk: 'EVENT#s2' };
    const item = (await doc.send(new GetCommand({ TableName: tables.main, Key: key }))).Item;
    expect(item).toMatchObject({ entity: 'outbox_event', outbox_pk: 'PENDING' });
    expect(item?.expires_at).toBe(Math.floor(now / 1000) + 14 * 86_400);
    const [pending] = (await outbox().pending(50)).filter((p) => p.key.sk === 'EVENT#s2');
    await outbox().remove(pending as NonNullable<typeof pending>);
    expect((await doc.send(new GetCommand({ TableName: tables.main, Key: key }))).Item).toBeUndefined();
  });

  it('rescues the pending events of items about to be deleted as standalone events', async () => {
    await snapshots().put(newSnapshot('gus', { id: 'hp-g' }, T1), [entry('g1', T1), entry('g2', T2)]);
    await snapshots().put(newSnapshot('gus', { id: 'hp-none' }, T1));
    await outbox().rescue(
      [
        { pk: 'USER#gus', sk: 'HEATPUMP#hp-g' },
        { pk: 'USER#gus', sk: 'HEATPUMP#hp-none' },
      ],
      Date.parse(T2),
    );
    for (const id of ['g1', 'g2']) {
      const item = (
        await doc.send(new GetCommand({ TableName: tables.main, Key: { pk: 'OUTBOX', sk: `EVENT#${id}` } }))
      ).Item;
      expect(((item?.outbox ?? []) as string[]).map((e) => JSON.parse(e).id)).toEqual([id]);
    }
  });

  it('an item in the index without pending events is not handed to the relay', async () => {
    await doc.send(
      new PutCommand({
        TableName: tables.main,
        Item: { pk: 'USER#hal', sk: 'HEATPUMP#hp-h', outbox: [], outbox_pk: 'PENDING', outbox_sk: `${T1}#x` },
      }),
    );
    expect((await outbox().pending(50)).some((p) => p.key.pk === 'USER#hal')).toBe(false);
  });

  it('drains in the order the first pending event of each item was stored', async () => {
    const store = snapshots();
    await store.put(newSnapshot('eve', { id: 'late' }, T3), [entry('late', T3)]);
    await store.put(newSnapshot('eve', { id: 'early' }, T1), [entry('early', T1)]);
    const ids = (await outbox().pending(50))
      .filter((p) => p.key.pk === 'USER#eve')
      .map((p) => JSON.parse(p.events[0] ?? '{}').id);
    expect(ids).toEqual(['early', 'late']);
  });
});
