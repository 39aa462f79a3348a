import { describe, expect, it } from 'vitest';
import { DEFAULT_TRADING_CALENDAR, quarterHoursOf } from '../domain/trading/market';
import type { NewTradingDay, TradingDay } from '../storage/trading-days';
import { ForecastDrop, forecastDropResultSchema } from './forecast-drop';
import type { ForecastFiles, ReadFile } from './forecast-files';
import { ForecastIntake } from './forecast-intake';

/** 2026-03-27 08:00 Berlin: before the upload deadline (09:00 on D−1) of 2026-03-28, and of 2026-03-29. */
const BEFORE_DEADLINE = Date.parse('2026-03-27T07:00:00Z');

const csvOf = (starts: readonly string[], price = (i: number) => (i % 7) - 2.5) =>
  ['timestamp,price_eur_mwh', ...starts.map((start, i) => `${start},${price(i)}`)].join('\n');

/** The trading days as a map, counting writes (what a refusal must not do). */
function memoryStore() {
  const days = new Map<string, TradingDay>();
  const writes: string[] = [];
  const keyOf = (zone: string, day: string) => `${zone}/${day}`;
  return {
    days,
    writes,
    store: {
      async get(key: { zone: string; day: string }) {
        return days.get(keyOf(key.zone, key.day)) ?? null;
      },
      async create(day: NewTradingDay) {
        writes.push(`create ${day.price_zone}/${day.delivery_day}`);
        if (days.has(keyOf(day.price_zone, day.delivery_day))) return false;
        days.set(keyOf(day.price_zone, day.delivery_day), {
          ...day,
          state: 'prices_received',
          reason: null,
          upload_attempts: 0,
          upload_status: null,
          calculation_ready_at: null,
          curve_attempts: 0,
          curves: null,
          optimized_wh: null,
          unoptimized_wh: null,
          expected_saving_eur: null,
          trade_id: null,
          decision: null,
          confirm_attempts: 0,
          podero_confirmation: null,
          failures: 0,
          next_attempt_at: null,
          last_error: null,
          updated_at: day.created_at,
          uploaded_at: null,
          curves_at: null,
          finished_at: null,
        });
        return true;
      },
      async apply(key: { zone: string; day: string }, change: { set: Readonly<Record<string, unknown>> }) {
        writes.push(`apply ${key.zone}/${key.day}`);
        const day = days.get(keyOf(key.zone, key.day));
        if (!day) return false;
        days.set(keyOf(key.zone, key.day), { ...day, ...change.set } as TradingDay);
        return true;
      },
    },
  };
}

function world(now = BEFORE_DEADLINE) {
  const objects = new Map<string, { text: string; etag: string }>();
  const results = new Map<string, unknown>();
  const reads: string[] = [];
  const files: ForecastFiles = {
    async read(key, etag): Promise<ReadFile> {
      reads.push(key);
      const object = objects.get(key);
      if (!object || object.etag !== etag) return { kind: 'superseded' };
      return { kind: 'read', bytes: new TextEncoder().encode(object.text) };
    },
    async writeResult(key, result) {
      results.set(key, forecastDropResultSchema.parse(result));
    },
  };
  const memory = memoryStore();
  const drop = new ForecastDrop({
    intake: new ForecastIntake({
      store: memory.store,
      calendar: DEFAULT_TRADING_CALENDAR,
      variant: 'reference',
      now: () => now,
    }),
    files,
    prefixes: { drop: 'forecasts/', results: 'results/' },
    now: () => now,
  });
  const put = (key: string, text: string, etag = `e-${objects.size}`) => {
    objects.set(key, { text, etag });
    return { key, etag, size: Buffer.byteLength(text) };
  };
  return { drop, put, results, reads, memory };
}

describe('the forecast file drop', () => {
  it('takes a good file once and answers the same file again as unchanged, writing its result beside it', async () => {
    const { drop, put, results, memory } = world();
    const file = put('forecasts/DE_LU/2026-03-29.csv', csvOf(quarterHoursOf('2026-03-29')));
    const first = await drop.take(file);
    expect(first).toMatchObject({
      status: 'accepted',
      resultKey: 'results/DE_LU/2026-03-29.csv.result.json',
    });
    expect(results.get('results/DE_LU/2026-03-29.csv.result.json')).toMatchObject({
      status: 'accepted',
      outcome: 'created',
      price_zone: 'DE_LU',
      delivery_day: '2026-03-29',
      quarter_hours: 92,
      errors: [],
    });
    const again = await drop.take(file);
    expect(again).toMatchObject({ status: 'accepted', result: { outcome: 'unchanged' } });
    expect(memory.writes).toEqual(['create DE_LU/2026-03-29']);
    expect(memory.days.get('DE_LU/2026-03-29')?.forecast).toHaveLength(92);
  });

  it('refuses a file with a gap, naming the line, and writes no trading day', async () => {
    const { drop, put, results, memory } = world();
    const starts = quarterHoursOf('2026-03-28');
    const gap = [...starts.slice(0, 10), ...starts.slice(11)];
    const outcome = await drop.take(put('forecasts/AT/2026-03-28.csv', csvOf(gap)));
    expect(outcome.status).toBe('refused');
    const result = results.get('results/AT/2026-03-28.csv.result.json');
    expect(result).toMatchObject({ status: 'refused', code: 'invalid_forecast', outcome: null });
    // The count first; then the 11th quarter-hour (line 12: the header is line 1), missing: line 12 holds the 12th.
    expect((result as { errors: { field: string }[] }).errors[1]).toMatchObject({
      field: 'line 12 (timestamp)',
    });
    expect(memory.writes).toEqual([]);
  });

  it("refuses 96 quarter-hours for the spring clock change (92), naming the file's count", async () => {
    const { drop, put, results, memory } = world();
    const ordinary = quarterHoursOf('2026-03-28').map((start) =>
      new Date(Date.parse(start) + 86_400_000).toISOString(),
    );
    await drop.take(put('forecasts/DE_LU/2026-03-29.csv', csvOf(ordinary)));
    const result = results.get('results/DE_LU/2026-03-29.csv.result.json') as { errors: unknown[] };
    expect(result.errors).toContainEqual({
      field: 'file',
      message: 'the delivery day 2026-03-29 has 92 quarter-hours in Europe/Berlin, got 96',
    });
    expect(memory.writes).toEqual([]);
  });

  it('refuses a file after the upload deadline', async () => {
    const { drop, put, results, memory } = world(Date.parse('2026-03-28T08:00:00Z'));
    await drop.take(put('forecasts/DE_LU/2026-03-29.csv', csvOf(quarterHoursOf('2026-03-29'))));
    expect(results.get('results/DE_LU/2026-03-29.csv.result.json')).toMatchObject({
      status: 'refused',
      code: 'upload_deadline_passed',
    });
    expect(memory.writes).toEqual([]);
  });

  it('names the line of a timestamp without an offset (the route body schema)', async () => {
    const { drop, put, results } = world();
    const starts = quarterHoursOf('2026-03-28');
    const text = csvOf(starts).replace(`${starts[2]},`, '2026-03-27T23:30:00,');
    await drop.take(put('forecasts/DE_LU/2026-03-28.csv', text));
    expect(results.get('results/DE_LU/2026-03-28.csv.result.json')).toMatchObject({
      code: 'invalid_forecast',
      errors: [{ field: 'line 4 (timestamp)' }],
    });
  });

  it('refuses a file the notification says is too large without reading it, and a key that names no day', async () => {
    const { drop, results, reads } = world();
    await drop.take({ key: 'forecasts/DE_LU/2026-03-28.csv', etag: 'e', size: 70_000 });
    expect(results.get('results/DE_LU/2026-03-28.csv.result.json')).toMatchObject({ code: 'file_too_large' });
    await drop.take({ key: 'forecasts/DE_LU/tomorrow.csv', etag: 'e', size: 10 });
    expect(results.get('results/DE_LU/tomorrow.csv.result.json')).toMatchObject({
      code: 'invalid_key',
      errors: [{ field: 'key (delivery day)' }],
    });
    expect(reads).toEqual([]);
  });

  it('writes nothing for a file overwritten since its notification (the newer one has its own)', async () => {
    const { drop, put, results } = world();
    const older = put('forecasts/DE_LU/2026-03-28.csv', 'old', 'e-old');
    put('forecasts/DE_LU/2026-03-28.csv', 'new', 'e-new');
    expect(await drop.take(older)).toEqual({ status: 'superseded' });
    expect(results.size).toBe(0);
  });
});
