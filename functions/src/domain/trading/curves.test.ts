import { describe, expect, it } from 'vitest';
import { shiftedWh, summariseCurves } from './curves';

const q = (hour: number, minute = 0) =>
  `2027-03-10T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`;

describe('shiftedWh', () => {
  it('counts the energy moved into other quarter-hours, not the net delta', () => {
    // 30 kWh moved from the dear 18:00 quarter-hour to two cheap ones: the net is 0, the shift is 30 kWh.
    const forecast = [
      { start: q(3), price_eur_mwh: 20 },
      { start: q(3, 15), price_eur_mwh: 25 },
      { start: q(18), price_eur_mwh: 200 },
    ];
    const summary = summariseCurves(
      forecast,
      [
        { start: q(3), energyWh: 120_000 },
        { start: q(3, 15), energyWh: 110_000 },
        { start: q(18), energyWh: 70_000 },
      ],
      [
        { start: q(3), energyWh: 100_000 },
        { start: q(3, 15), energyWh: 100_000 },
        { start: q(18), energyWh: 100_000 },
      ],
    );
    expect(summary.optimized_wh - summary.unoptimized_wh).toBe(0);
    expect(shiftedWh(summary.points)).toBe(30_000);
    // Moving it from 200 to 20-25 EUR/MWh saves (30,000·200 − 20,000·20 − 10,000·25) Wh·EUR/MWh = 5.35 EUR.
    expect(summary.expected_saving_eur).toBe(5.35);
  });

  it('is the added energy when the optimised day draws more, and 0 for an unchanged day', () => {
    expect(shiftedWh([{ delta_wh: 50 }, { delta_wh: 0 }, { delta_wh: 25 }])).toBe(75);
    expect(shiftedWh([{ delta_wh: 0 }, { delta_wh: -10 }])).toBe(0);
    expect(shiftedWh([])).toBe(0);
  });
});
