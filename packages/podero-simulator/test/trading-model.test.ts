import { describe, expect, it } from 'vitest';
import type { HeatPumpSettings } from '../src/model/living';
import { profileFor } from '../src/model/living';
import {
  computeLoadCurves,
  marketQuarterHours,
  priceRankWeights,
  roundToTotal,
  toHours,
  tradeTimes,
} from '../src/model/trading';

const iso = (ms: number | undefined) => new Date(ms ?? Number.NaN).toISOString();

const settings = (overrides: Partial<HeatPumpSettings> = {}): HeatPumpSettings => ({
  is_smart_optimization_active: true,
  optimization_level: 'Max',
  indoor_target_temperature_offset: 0,
  dhw_standard_temperature: 50,
  is_space_heating_enabled: true,
  is_hot_water_heating_enabled: true,
  pause_power_until: null,
  is_pause_power_active: false,
  is_away_mode_enabled: false,
  away_mode_start: null,
  away_mode_end: null,
  away_mode_minimum_temperature_limit: null,
  minimum_temperature_limit: null,
  maximum_temperature_limit: null,
  ...overrides,
});

const fleet = (count: number, overrides: Partial<HeatPumpSettings> = {}) =>
  Array.from({ length: count }, (_, index) => {
    const id = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
    return { seed: 7, id, profile: profileFor(7, id), settings: settings(overrides) };
  });

/** A day's prices: cheap at night, dear in the evening, one negative quarter-hour. */
const pricesFor = (n: number) =>
  Array.from({ length: n }, (_, i) => (i === 10 ? -20 : 60 + 40 * Math.sin((2 * Math.PI * (i - 30)) / n)));

describe('the market day in the simulator', () => {
  it('has 96 quarter-hours, 92 and 100 on the clock-change days', () => {
    expect(marketQuarterHours('2026-01-16')).toHaveLength(96);
    expect(marketQuarterHours('2026-03-29')).toHaveLength(92);
    expect(marketQuarterHours('2026-10-25')).toHaveLength(100);
    expect(iso(marketQuarterHours('2026-07-01')[0])).toBe('2026-06-30T22:00:00.000Z');
  });

  it('puts the deadlines on D−1 in Europe/Berlin, across clock changes and a year boundary', () => {
    const newYear = tradeTimes('2027-01-01', '23:30');
    expect(iso(newYear.uploadDeadlineMs)).toBe('2026-12-31T08:00:00.000Z');
    expect(iso(newYear.readyAtMs)).toBe('2026-12-31T09:30:00.000Z');
    expect(iso(newYear.expirationMs)).toBe('2026-12-31T22:30:00.000Z');
    // D = 2026-03-30: D−1 is the spring change day itself, already on CEST at 09:00.
    expect(iso(tradeTimes('2026-03-30', '14:30').uploadDeadlineMs)).toBe('2026-03-29T07:00:00.000Z');
    expect(iso(tradeTimes('2026-03-29', '14:30').expirationMs)).toBe('2026-03-28T13:30:00.000Z');
    expect(iso(tradeTimes('2026-10-26', '23:30').expirationMs)).toBe('2026-10-25T22:30:00.000Z');
  });
});

describe('load curves from the living fleet', () => {
  for (const day of ['2026-01-16', '2026-03-29', '2026-10-25']) {
    it(`${day}: integer Wh, energy conserved to the Wh, cheaper quarter-hours draw more`, () => {
      const starts = marketQuarterHours(day);
      const prices = pricesFor(starts.length);
      const curves = computeLoadCurves(fleet(6), starts, prices);
      expect(curves.optimized).toHaveLength(starts.length);
      expect(curves.unoptimized).toHaveLength(starts.length);
      for (const value of [...curves.optimized, ...curves.unoptimized])
        expect(Number.isInteger(value)).toBe(true);
      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      expect(sum(curves.optimized)).toBe(sum(curves.unoptimized));
      expect(sum(curves.unoptimized)).toBeGreaterThan(0);
      const order = prices.map((price, index) => ({ price, index })).sort((a, b) => a.price - b.price);
      const delta = (index: number) => (curves.optimized[index] ?? 0) - (curves.unoptimized[index] ?? 0);
      const quarter = Math.floor(starts.length / 4);
      const meanDelta = (slice: { index: number }[]) => sum(slice.map((q) => delta(q.index))) / slice.length;
      expect(meanDelta(order.slice(0, quarter))).toBeGreaterThan(0);
      expect(meanDelta(order.slice(-quarter))).toBeLessThan(0);
      expect(delta(order[0]?.index ?? 0)).toBeGreaterThan(0);
      // Comfort: no quarter-hour beyond its band around the baseline.
      curves.optimized.forEach((value, index) => {
        expect(value).toBeLessThanOrEqual(Math.ceil((curves.unoptimized[index] ?? 0) * 5) + 1);
        expect(value).toBeGreaterThanOrEqual(Math.floor((curves.unoptimized[index] ?? 0) * 0.5) - 1);
      });
    });
  }

  it('moves nothing when smart optimisation is off', () => {
    const starts = marketQuarterHours('2026-01-16');
    const curves = computeLoadCurves(
      fleet(3, { is_smart_optimization_active: false }),
      starts,
      pricesFor(96),
    );
    expect(curves.optimized).toEqual(curves.unoptimized);
  });

  it('rank weights favour cheap quarter-hours and share ties', () => {
    expect(priceRankWeights([10, 30, 20])).toEqual([1.6, 0.4, 1]);
    const tied = priceRankWeights([5, 5, 9]);
    expect(tied[0]).toBe(tied[1]);
    expect(tied[0]).toBeGreaterThan(tied[2] ?? 0);
  });

  it('rounds to a total by largest remainder, and sums hours of four', () => {
    expect(roundToTotal([1.4, 1.4, 1.2], 4)).toEqual([2, 1, 1]);
    expect(toHours([1, 2, 3, 4, 5, 6, 7, 8])).toEqual([10, 26]);
  });
});
