import { describe, expect, it } from 'vitest';
import type { Schemas } from './api/client';
import {
  CHARTS,
  type PlotData,
  plotBuckets,
  plotReadings,
  pointsIn,
  readingsQuery,
  savingsRange,
  savingsRows,
  withGaps,
} from './readings';

const power = CHARTS[0];
const temperatures = CHARTS[1];
if (power === undefined || temperatures === undefined) throw new Error('charts missing');

describe('readings for the plots', () => {
  it('plots readings in time order, in seconds, with null where a value is missing or not a number', () => {
    const data = plotReadings(
      [
        {
          state_at: '2026-12-01T10:05:00Z',
          recorded_at: 'x',
          source: 'sync',
          values: { current_power_consumption_w: 900 },
        },
        {
          state_at: '2026-12-01T10:00:00Z',
          recorded_at: 'x',
          source: 'backfill',
          values: { current_power_consumption_w: 'n/a' },
        },
      ],
      power,
    );
    expect(data).toEqual([
      [Date.parse('2026-12-01T10:00:00Z') / 1000, Date.parse('2026-12-01T10:05:00Z') / 1000],
      [null, 900],
    ]);
    expect(pointsIn(data)).toBe(1);
  });

  it('plots filled buckets at their middle with their average, one series per chart line', () => {
    const data = plotBuckets(
      [
        { start: '2026-12-01T10:00:00Z', end: '2026-12-01T10:15:00Z', count: 0, values: {} },
        {
          start: '2026-12-01T10:15:00Z',
          end: '2026-12-01T10:30:00Z',
          count: 3,
          values: { indoor_actual_temperature: { avg: 21, min: 20, max: 22 } },
        },
      ],
      temperatures,
    );
    expect(data[0]).toEqual([Date.parse('2026-12-01T10:22:30Z') / 1000]);
    expect(data.slice(1)).toEqual([[21], [null], [null], [null]]);
    expect(pointsIn(data)).toBe(1);
  });

  it('asks for raw readings over 24 hours and for buckets over 7 and 30 days, each within what the API allows', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    expect(readingsQuery('24h', now)).toEqual({
      from: '2026-11-30T12:00:00.000Z',
      to: '2026-12-01T12:00:00.000Z',
      limit: 1000,
      order: 'asc',
    });
    const week = readingsQuery('7d', now);
    expect(week).toMatchObject({ bucket: '15m' });
    // The API refuses 15-minute buckets over more than 7 days, 1-hour ones over more than 31.
    expect(Date.parse(week.to) - Date.parse(week.from)).toBeLessThanOrEqual(7 * 86_400_000);
    const month = readingsQuery('30d', now);
    expect(month).toMatchObject({ bucket: '1h' });
    expect(Date.parse(month.to) - Date.parse(month.from)).toBeLessThanOrEqual(31 * 86_400_000);
  });

  it('asks for savings from the first of the month eleven months back', () => {
    expect(savingsRange(new Date('2026-03-15T08:00:00Z'))).toEqual({
      from: '2025-04-01T00:00:00.000Z',
      to: '2026-03-15T08:00:00.000Z',
    });
  });
});

describe('savingsRows', () => {
  const bucket = (month: string, total: number | null, consumption: number | null) =>
    ({
      resolution: '1MONTH',
      period: { start: `${month}-01T00:00:00Z`, end: null },
      savings: total === null ? null : { total, percentage: total === 0 ? 0 : 12.5 },
      consumption_total: consumption,
      estimated_consumption_wh: null,
      charge_session_count: null,
      average_charge_power_w: null,
      solar_production_wh: null,
      grid_export_wh: null,
      self_consumption_wh: null,
    }) as Schemas['SavingsBucket'];

  it('hides the months before onboarding and shows a month without data as missing, not 0.00', () => {
    const rows = savingsRows(
      [
        bucket('2026-03', 0, 0),
        bucket('2026-04', 0, 0),
        bucket('2026-05', 4.2, 310),
        bucket('2026-06', null, null),
      ],
      '2026-04-17T09:00:00Z',
    );
    expect(rows).toEqual([
      { month: '2026-04', saved: null, percentage: null, consumption: null },
      { month: '2026-05', saved: 4.2, percentage: 12.5, consumption: 310 },
      { month: '2026-06', saved: null, percentage: null, consumption: null },
    ]);
  });
});

describe('withGaps', () => {
  it('breaks the line where points lie further apart than allowed, and nowhere else', () => {
    const data: PlotData = [
      [0, 900, 1800, 20_000, 20_900],
      [1, 2, 3, 4, 5],
    ];
    expect(withGaps(data, 3600)).toEqual([
      [0, 900, 1800, 10_900, 20_000, 20_900],
      [1, 2, 3, null, 4, 5],
    ]);
    expect(withGaps(data, 30_000)).toEqual(data);
  });
});
