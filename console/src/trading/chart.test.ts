import { describe, expect, it } from 'vitest';
import { formatEnergy, formatEuro, tradingPlot } from './chart';
import { quarterHours, tradingDay } from './fixtures.test-support';

const steps = (xs: readonly number[]) => xs.slice(1).map((x, i) => x - (xs[i] ?? 0));

describe('trading day → chart series', () => {
  it.each([
    ['2026-03-29 (spring: 92 quarter-hours)', '2026-03-28T23:00:00Z', 92, '2026-03-29T21:45:00Z'],
    ['2026-06-15 (96 quarter-hours)', '2026-06-14T22:00:00Z', 96, '2026-06-15T21:45:00Z'],
    ['2026-10-25 (autumn: 100 quarter-hours)', '2026-10-24T22:00:00Z', 100, '2026-10-25T22:45:00Z'],
  ])('%s: every quarter-hour once, 15 minutes apart, both curves and the price', (_, first, count, last) => {
    const [x, optimized, unoptimized, price] = tradingPlot(tradingDay(quarterHours(first, count), {}, true));
    expect(x).toHaveLength(count);
    expect(new Set(steps(x))).toEqual(new Set([900]));
    expect(x[0]).toBe(Date.parse(first) / 1000);
    expect(x.at(-1)).toBe(Date.parse(last) / 1000);
    expect(optimized).toEqual(Array(count).fill(2));
    expect(unoptimized).toEqual(Array(count).fill(1.5));
    expect(price?.[0]).toBe(40);
    expect(price?.at(-1)).toBe(40 + count - 1);
  });

  it('before the curves, draws the price line alone', () => {
    const [x, optimized, unoptimized, price] = tradingPlot(
      tradingDay(quarterHours('2026-10-24T22:00:00Z', 100)),
    );
    expect(x).toHaveLength(100);
    expect(optimized?.every((v) => v === null)).toBe(true);
    expect(unoptimized?.every((v) => v === null)).toBe(true);
    expect(price?.filter((v) => v !== null)).toHaveLength(100);
  });

  it('puts each curve value at its own quarter-hour, whatever order and offset the answer used', () => {
    const prices = quarterHours('2026-06-14T22:00:00Z', 96);
    const day = tradingDay(prices, {}, true);
    const curves = [
      {
        start: '2026-06-15T00:15:00+02:00',
        optimized_wh: 750,
        unoptimized_wh: 250,
        delta_wh: 500,
        price_eur_mwh: 41,
      },
      {
        start: '2026-06-14T22:00:00Z',
        optimized_wh: 1234,
        unoptimized_wh: 0,
        delta_wh: 1234,
        price_eur_mwh: 40,
      },
    ];
    const [, optimized, unoptimized] = tradingPlot({ ...day, curves });
    expect(optimized?.slice(0, 3)).toEqual([1.234, 0.75, null]);
    expect(unoptimized?.slice(0, 2)).toEqual([0, 0.25]);
  });

  it('formats the delta signed (kWh, MWh from 1 MWh on) and the saving in euros', () => {
    expect(formatEnergy(48_000)).toBe('+48.0 kWh');
    expect(formatEnergy(-360)).toBe('−0.4 kWh');
    expect(formatEnergy(2_500_000)).toBe('+2.50 MWh');
    expect(formatEnergy(0)).toBe('0.0 kWh');
    expect(formatEnergy(null)).toBe('—');
    expect(formatEnergy(91_800, { signed: false })).toBe('91.8 kWh');
    expect(formatEuro(12.5)).toBe('€12.50');
    expect(formatEuro(null)).toBe('—');
  });
});
