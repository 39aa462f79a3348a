/**
 * The statement's two newer cases, against hand-computed figures: a device removed mid-month (readings kept,
 * readings erased), and a vehicle whose baseline cost and saving come from Podero's charging sessions (and
 * one without: no session, another currency, a wallbox with no source at all).
 */
import { describe, expect, it } from 'vitest';
import { QUARTER_HOUR_MS } from '../readings/coverage';
import { monthRange } from './month';
import { buildStatement, type ChargingSessionFigures, deviceStatement, type PowerSample } from './statement';
import { tariffOf } from './tariff';

const JANUARY = monthRange('2025-01', 'UTC');
const JANUARY_QUARTERS = 31 * 96;

const fixed = (price: number, currency: string | null = 'EUR') =>
  tariffOf({
    contractId: 'c-fixed',
    type: 'monthly',
    currency,
    prices: [{ price, timestamp: '2024-01-01T00:00:00Z' }],
  });

function steady(from: string, to: string, watts: number): PowerSample[] {
  const samples: PowerSample[] = [];
  for (let ms = Date.parse(from); ms < Date.parse(to); ms += QUARTER_HOUR_MS) {
    samples.push({ at: new Date(ms).toISOString(), watts });
  }
  return samples;
}

describe('a device removed at Podero on 11 January at 10:07, its readings kept (hand-computed)', () => {
  // Covered up to the quarter-hour holding the removal: 10 days × 96 + 10 h × 4 + 1 = 1,001 quarter-hours.
  // 1,000 W = 250 Wh a quarter-hour: 250.25 kWh; baseline 1,200 W = 300 Wh: 300.3 kWh; at 0.30 EUR/kWh:
  // cost 75.075 → 7,508 ct, baseline cost 90.09 → 9,009 ct, saving 50.05 kWh → 15.015 → 1,502 ct (each
  // rounded once: 9,009 − 7,508 would be 1,501).
  const removal = { at: '2025-01-11T10:07:00.000Z', by: 'podero', readings: 'kept' } as const;
  const statement = deviceStatement(
    {
      type: 'heat_pump',
      deviceId: 'hp-gone',
      removal,
      consumption: [
        ...steady(JANUARY.from, '2025-01-11T10:15:00Z', 1000),
        // After its last quarter-hour (none can exist, but none would count).
        { at: '2025-01-11T10:15:00Z', watts: 9999 },
      ],
      baseline: steady(JANUARY.from, '2025-01-20T00:00:00Z', 1200),
      tariff: fixed(0.3),
    },
    JANUARY.from,
    JANUARY.to,
  );

  it('is labelled removed, with when and how', () => {
    expect(statement.removed).toEqual(removal);
    expect(statement.notes).toEqual(['removed']);
    expect(statement.baseline_source).toBe('unoptimized_consumption');
  });

  it('expects only the quarter-hours it was on the account, so its coverage is whole', () => {
    expect(statement.consumption.coverage).toEqual({
      expected_quarter_hours: 1001,
      covered_quarter_hours: 1001,
      ratio: 1,
    });
    expect(statement.consumption.gaps).toEqual([]);
    expect(statement.baseline.coverage.expected_quarter_hours).toBe(1001);
  });

  it('adds up its figures up to the removal, each rounded once', () => {
    expect(statement.consumption).toMatchObject({ kwh: 250.25, unavailable: null });
    expect(statement.baseline).toMatchObject({ kwh: 300.3, unavailable: null });
    expect(statement.cost).toMatchObject({ amount_minor: 7508, unavailable: null });
    expect(statement.baseline_cost).toMatchObject({ amount_minor: 9009, unavailable: null });
    expect(statement.saving_energy).toMatchObject({ kwh: 50.05, unavailable: null });
    expect(statement.saving).toMatchObject({ amount_minor: 1502, unavailable: null });
  });
});

describe('a device offboarded on 21 January, its readings erased', () => {
  const removal = { at: '2025-01-21T00:00:00.000Z', by: 'offboarding', readings: 'erased' } as const;
  const erased = {
    type: 'wallbox',
    deviceId: 'wb-gone',
    removal,
    consumption: [],
    baseline: null,
    tariff: fixed(0.3),
  };
  const current = {
    type: 'heat_pump',
    deviceId: 'hp-1',
    // The whole month at 400 W: 100 Wh × 2,976 = 297.6 kWh, 89.28 EUR.
    consumption: steady(JANUARY.from, JANUARY.to, 400),
    baseline: null,
    tariff: fixed(0.3),
  };
  const statement = buildStatement([current, erased], JANUARY.from, JANUARY.to);
  const gone = statement.devices[1];

  it('keeps its place: every figure missing for the erasure, none zero', () => {
    expect(gone).toMatchObject({ device_id: 'wb-gone', removed: removal, baseline_source: null });
    for (const figure of [gone?.consumption, gone?.baseline, gone?.saving_energy])
      expect(figure).toMatchObject({ kwh: null, unavailable: 'readings_erased' });
    for (const figure of [gone?.cost, gone?.baseline_cost, gone?.saving])
      expect(figure).toMatchObject({ amount_minor: null, unavailable: 'readings_erased' });
    expect(gone?.notes).toEqual(['removed', 'readings_erased']);
  });

  it('counts its 20 days as uncovered in the total, and adds only what is known', () => {
    expect(gone?.consumption.coverage).toEqual({
      expected_quarter_hours: 20 * 96,
      covered_quarter_hours: 0,
      ratio: 0,
    });
    expect(gone?.consumption.gaps).toEqual([{ from: JANUARY.from, to: removal.at }]);
    expect(statement.total.consumption).toEqual({
      kwh: 297.6,
      coverage: {
        expected_quarter_hours: JANUARY_QUARTERS + 1920,
        covered_quarter_hours: JANUARY_QUARTERS,
        ratio: 0.6078,
      },
      unavailable: null,
    });
    expect(statement.total.cost.amount_minor).toBe(8928);
    // No device has a baseline: the total says why, as both devices do.
    expect(statement.total.baseline).toMatchObject({ kwh: null, unavailable: 'no_device_figure' });
  });
});

describe("a vehicle's baseline from Podero's charging sessions (hand-computed)", () => {
  const session = (
    plugInAt: string,
    endAt: string | null,
    costEur: number | null,
    savingsEur: number | null,
  ): ChargingSessionFigures => ({ plugInAt, endAt, costEur, savingsEur });
  const sessions = [
    session('2025-01-05T17:50:00Z', '2025-01-06T07:00:00Z', 2.345, 1.2345),
    session('2025-01-20T18:00:00Z', null, 3.1, 0.0045),
    // Began in December: December's.
    session('2024-12-31T20:00:00Z', '2025-01-01T06:00:00Z', 5, 5),
    // No saving from Podero: it adds nothing, and its 8 quarter-hours are uncovered.
    session('2025-01-25T08:00:00Z', '2025-01-25T10:00:00Z', 1, null),
  ];
  // 7,400 W for 2 hours: 8 × 1,850 Wh = 14.8 kWh, at 0.30: 4.44 EUR.
  const consumption = steady('2025-01-05T18:00:00Z', '2025-01-05T20:00:00Z', 7400);
  const ev = (currency: string | null, withSessions: readonly ChargingSessionFigures[]) =>
    deviceStatement(
      {
        type: 'electric_vehicle',
        deviceId: 'ev-1',
        consumption,
        baseline: null,
        sessions: withSessions,
        tariff: fixed(0.3, currency),
      },
      JANUARY.from,
      JANUARY.to,
    );

  it('takes the baseline cost as cost + saving of the sessions begun in the month, rounded once: 6.684 → 668 ct', () => {
    // (2.345 + 1.2345) + (3.10 + 0.0045) = 6.684 EUR.
    const statement = ev('EUR', sessions);
    expect(statement.baseline_source).toBe('charging_sessions');
    expect(statement.baseline_cost).toEqual({
      amount_minor: 668,
      coverage: {
        expected_quarter_hours: JANUARY_QUARTERS,
        covered_quarter_hours: JANUARY_QUARTERS - 8,
        ratio: 0.9973,
      },
      unavailable: null,
    });
  });

  it("takes the saving as Podero's actual savings: 1.2345 + 0.0045 = 1.239 → 124 ct (rounded per session: 123)", () => {
    const statement = ev('EUR', sessions);
    expect(statement.saving).toMatchObject({ amount_minor: 124, unavailable: null });
    expect(statement.cost).toMatchObject({ amount_minor: 444, unavailable: null });
    expect(statement.consumption.kwh).toBe(14.8);
    expect(statement.notes).toEqual(['no_baseline_series', 'baseline_from_charging_sessions']);
  });

  it('has no baseline in energy: Podero publishes none for a vehicle', () => {
    const statement = ev('EUR', sessions);
    expect(statement.baseline).toMatchObject({ kwh: null, unavailable: 'no_baseline_series' });
    expect(statement.saving_energy).toMatchObject({ kwh: null, unavailable: 'no_baseline_series' });
  });

  it('without a session begun in the month, shows the baseline and saving missing, never zero', () => {
    const statement = ev('EUR', [sessions[2] as ChargingSessionFigures]);
    expect(statement.baseline_cost).toMatchObject({ amount_minor: null, unavailable: 'no_baseline_data' });
    expect(statement.saving).toMatchObject({ amount_minor: null, unavailable: 'no_baseline_data' });
    expect(statement.baseline_cost.coverage.covered_quarter_hours).toBe(0);
    expect(statement.notes).toEqual(['no_baseline_series', 'no_baseline_data']);
    // Its own consumption and cost stand.
    expect(statement.cost.amount_minor).toBe(444);
  });

  it("does not mix Podero's euros into a statement priced in another currency", () => {
    const statement = ev('CHF', sessions);
    expect(statement.baseline_cost).toMatchObject({ amount_minor: null, unavailable: 'currency_mismatch' });
    expect(statement.saving).toMatchObject({ amount_minor: null, unavailable: 'currency_mismatch' });
  });

  it('a wallbox has no source at all: baseline and saving missing for want of a series', () => {
    const statement = deviceStatement(
      { type: 'wallbox', deviceId: 'wb-1', consumption, baseline: null, tariff: fixed(0.3) },
      JANUARY.from,
      JANUARY.to,
    );
    expect(statement.baseline_source).toBeNull();
    expect(statement.baseline_cost).toMatchObject({ amount_minor: null, unavailable: 'no_baseline_series' });
    expect(statement.saving).toMatchObject({ amount_minor: null, unavailable: 'no_baseline_series' });
    expect(statement.cost).toMatchObject({ amount_minor: 444, unavailable: null });
  });
});
