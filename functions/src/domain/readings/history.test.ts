import { describe, expect, it } from 'vitest';
import { backfillValuesOf, mergeUnfillable, planBackfill, quarterOfPoint, quartersIn } from './history';

describe('backfillValuesOf', () => {
  const series = {
    fields: { estimated_consumption: 'current_power_consumption_w', hot_water_temp: 'dhw_temperature' },
  };

  it('maps the numeric /data fields onto reading fields and leaves nulls and other fields out', () => {
    expect(
      backfillValuesOf(series, { time: 't', estimated_consumption: 812.5, hot_water_temp: null, price: 91 }),
    ).toEqual({ current_power_consumption_w: 812.5 });
  });

  it('fills nothing from a point without values (fill-missing nulls)', () => {
    expect(
      backfillValuesOf(series, { time: 't', estimated_consumption: null, hot_water_temp: null }),
    ).toBeUndefined();
  });
});

describe('quarterOfPoint', () => {
  it('floors the point time to its quarter-hour in UTC', () => {
    expect(quarterOfPoint({ time: '2025-03-10T11:20:00+01:00' })).toBe('2025-03-10T10:15:00.000Z');
    expect(quarterOfPoint({ time: 'later' })).toBeUndefined();
  });
});

describe('planBackfill', () => {
  it('asks once per UTC day with gaps, from the first gap to the last', () => {
    const plan = planBackfill(
      [
        { from: '2025-03-10T01:00:00.000Z', to: '2025-03-10T01:30:00.000Z' },
        { from: '2025-03-10T05:00:00.000Z', to: '2025-03-10T05:15:00.000Z' },
        { from: '2025-03-10T23:30:00.000Z', to: '2025-03-11T00:30:00.000Z' },
      ],
      0,
    );
    expect(plan.requests).toEqual([
      { from: '2025-03-10T01:00:00.000Z', to: '2025-03-11T00:00:00.000Z' },
      { from: '2025-03-11T00:00:00.000Z', to: '2025-03-11T00:30:00.000Z' },
    ]);
    expect(plan.beyondRetention).toEqual([]);
  });

  it('cuts gaps at the retention start: the older part is unfillable, the rest is asked for', () => {
    const plan = planBackfill(
      [
        { from: '2025-03-01T00:00:00.000Z', to: '2025-03-01T06:00:00.000Z' },
        { from: '2025-03-02T10:00:00.000Z', to: '2025-03-02T11:00:00.000Z' },
      ],
      Date.parse('2025-03-02T10:07:00Z'),
    );
    expect(plan.beyondRetention).toEqual([
      { from: '2025-03-01T00:00:00.000Z', to: '2025-03-01T06:00:00.000Z' },
      { from: '2025-03-02T10:00:00.000Z', to: '2025-03-02T10:15:00.000Z' },
    ]);
    expect(plan.requests).toEqual([{ from: '2025-03-02T10:15:00.000Z', to: '2025-03-02T11:00:00.000Z' }]);
  });
});

describe('mergeUnfillable', () => {
  it('merges touching gaps of one reason, keeps other reasons apart and the newest within the limit', () => {
    const merged = mergeUnfillable(
      [{ from: '2025-03-10T00:00:00.000Z', to: '2025-03-10T01:00:00.000Z', reason: 'no_data_at_podero' }],
      [
        { from: '2025-03-10T01:00:00.000Z', to: '2025-03-10T02:00:00.000Z', reason: 'no_data_at_podero' },
        { from: '2025-03-10T03:00:00.000Z', to: '2025-03-10T04:00:00.000Z', reason: 'beyond_retention' },
      ],
    );
    expect(merged).toEqual([
      { from: '2025-03-10T00:00:00.000Z', to: '2025-03-10T02:00:00.000Z', reason: 'no_data_at_podero' },
      { from: '2025-03-10T03:00:00.000Z', to: '2025-03-10T04:00:00.000Z', reason: 'beyond_retention' },
    ]);
    expect(mergeUnfillable(merged, [], 1)).toEqual([merged[1]]);
    expect(quartersIn({ from: '2025-03-10T00:00:00.000Z', to: '2025-03-10T02:00:00.000Z' })).toBe(8);
  });
});
