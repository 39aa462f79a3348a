import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalEndpoint, startDynalite } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDeclarations } from '../declarations';
import { DEFAULT_TRADING_CALENDAR, deadlinesOf, quarterHoursOf } from '../domain/trading/market';
import { OutboxStore } from './outbox';
import { type NewTradingDay, TradingDayStore } from './trading-days';

let dynalite: LocalEndpoint;
let doc: DynamoDBDocumentClient;
const tables = { main: 'trading-main', readings: 'trading-readings' };

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

const NOW = '2026-10-23T12:00:00Z';
const newDay = (zone: string, day: string): NewTradingDay => ({
  price_zone: zone,
  delivery_day: day,
  forecast: quarterHoursOf(day).map((start, i) => ({ start, price_eur_mwh: i - 3 })),
  forecast_digest: `digest-${day}`,
  deadlines: deadlinesOf(day, DEFAULT_TRADING_CALENDAR),
  variant: 'guide',
  created_at: NOW,
});
const entry = (id: string) => ({ id, timestamp: NOW, json: JSON.stringify({ id, timestamp: NOW }) });

describe('trading days in the main table (dynalite)', () => {
  const store = () => new TradingDayStore(doc, tables.main);

  it('creates a day once, with its forecast, deadlines and pending event, and lists it as open', async () => {
    expect(await store().create(newDay('AT', '2026-10-25'), [entry('evt_a')])).toBe(true);
    expect(await store().create(newDay('AT', '2026-10-25'), [entry('evt_b')])).toBe(false);
    const day = await store().get({ zone: 'AT', day: '2026-10-25' });
    expect(day?.state).toBe('prices_received');
    expect(day?.forecast).toHaveLength(100);
    expect(day?.forecast[0]?.price_eur_mwh).toBe(-3);
    expect(day?.deadlines.upload_by).toBe('2026-10-24T07:00:00Z');
    expect(await store().open()).toContainEqual({ zone: 'AT', day: '2026-10-25' });
    const pending = await new OutboxStore(doc, tables.main).pending(10);
    expect(pending.find((p) => p.key.pk === 'TRADING#AT')?.events.map((e) => JSON.parse(e).id)).toEqual([
      'evt_a',
    ]);
  });

  it('records a step once: the second writer from the same state writes nothing', async () => {
    const key = { zone: 'AT', day: '2026-10-26' };
    await store().create(newDay('AT', '2026-10-26'), []);
    const counted = await store().apply(
      key,
      { from: 'prices_received', set: {}, add: { upload_attempts: 1 } },
      NOW,
    );
    expect(counted).toBe(true);
    const step = { from: 'prices_received' as const, set: { state: 'uploaded', upload_status: 'accepted' } };
    expect(await store().apply(key, { ...step, events: [entry('evt_up')] }, NOW)).toBe(true);
    expect(await store().apply(key, { ...step, events: [entry('evt_up2')] }, NOW)).toBe(false);
    const day = await store().get(key);
    expect(day).toMatchObject({ state: 'uploaded', upload_attempts: 1, upload_status: 'accepted' });
  });

  it('honours an extra condition, and a final state leaves the open index', async () => {
    const key = { zone: 'BE', day: '2026-10-27' };
    await store().create(newDay('BE', '2026-10-27'), []);
    const untouched = {
      expression: '#c0 = :c0',
      names: { '#c0': 'upload_attempts' },
      values: { ':c0': 0 },
    };
    expect(
      await store().apply(
        key,
        { from: 'prices_received', set: { forecast_digest: 'x' }, condition: untouched },
        NOW,
      ),
    ).toBe(true);
    await store().apply(key, { from: 'prices_received', set: {}, add: { upload_attempts: 1 } }, NOW);
    expect(
      await store().apply(
        key,
        { from: 'prices_received', set: { forecast_digest: 'y' }, condition: untouched },
        NOW,
      ),
    ).toBe(false);
    expect(
      await store().apply(
        key,
        { from: 'prices_received', set: { state: 'missed', reason: 'late' }, final: true },
        NOW,
      ),
    ).toBe(true);
    expect(await store().open()).not.toContainEqual(key);
    expect((await store().get(key))?.forecast_digest).toBe('x');
  });

  it('pages a zone history newest first', async () => {
    for (const day of ['2026-11-01', '2026-11-02', '2026-11-03']) await store().create(newDay('EE', day), []);
    const first = await store().history('EE', 2);
    expect(first.items.map((d) => d.delivery_day)).toEqual(['2026-11-03', '2026-11-02']);
    const second = await store().history('EE', 2, first.nextCursor ?? undefined);
    expect(second.items.map((d) => d.delivery_day)).toEqual(['2026-11-01']);
    expect(second.nextCursor).toBeNull();
  });
});
