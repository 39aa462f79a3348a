import { describe, expect, it } from 'vitest';
import { QUARTER_HOUR_MS } from '../readings/coverage';
import { monthOf, monthRange, nextMonth } from './month';
import { buildStatement, deviceStatement, divideRounded, type PowerSample } from './statement';
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

const at = (time: string, watts: number): PowerSample => ({ at: `2025-01-01T${time}Z`, watts });

/** One sample at the start of every quarter-hour of [from, to), all at `watts`. */
function steady(from: string, to: string, watts: number): PowerSample[] {
  const samples: PowerSample[] = [];
  for (let ms = Date.parse(from); ms < Date.parse(to); ms += QUARTER_HOUR_MS) {
    samples.push({ at: new Date(ms).toISOString(), watts });
  }
  return samples;
}

describe('a device on a fixed tariff (hand-computed)', () => {
  // 00:00 readings 1000 W and 3000 W: mean 2000 W × 0.25 h = 500 Wh; 00:15 400 W = 100 Wh.
  // Baseline 00:00 2400 W = 600 Wh, 00:15 400 W = 100 Wh, 00:30 800 W = 200 Wh.
  const statement = deviceStatement(
    {
      type: 'heat_pump',
      deviceId: 'hp-1',
      consumption: [at('00:00:00', 1000), at('00:07:00', 3000), at('00:15:00', 400)],
      baseline: [at('00:00:00', 2400), at('00:15:00', 400), at('00:30:00', 800)],
      tariff: fixed(0.3),
    },
    JANUARY.from,
    JANUARY.to,
  );

  it('integrates the readings and the baseline per quarter-hour', () => {
    expect(statement.consumption.kwh).toBe(0.6);
    expect(statement.baseline.kwh).toBe(0.9);
    expect(statement.consumption.coverage).toEqual({
      expected_quarter_hours: JANUARY_QUARTERS,
      covered_quarter_hours: 2,
      ratio: 0.0007,
    });
    expect(statement.baseline.coverage.covered_quarter_hours).toBe(3);
  });

  it('costs both at the contract price: 0.6 kWh × 0.30 = 18 ct, 0.9 kWh × 0.30 = 27 ct', () => {
    expect(statement.cost.amount_minor).toBe(18);
    expect(statement.baseline_cost.amount_minor).toBe(27);
    expect(statement.currency).toBe('EUR');
    expect(statement.contract_id).toBe('c-fixed');
  });

  it('saves only over the quarter-hours holding both: (600-500)+(100-100) Wh = 0.1 kWh = 3 ct', () => {
    expect(statement.saving_energy.kwh).toBe(0.1);
    expect(statement.saving_energy.coverage.covered_quarter_hours).toBe(2);
    expect(statement.saving.amount_minor).toBe(3);
    expect(statement.notes).toEqual([]);
  });

  it('lists the quarter-hours without a reading as gaps', () => {
    expect(statement.consumption.gaps).toEqual([{ from: '2025-01-01T00:30:00.000Z', to: JANUARY.to }]);
  });
});

describe('a device on a dynamic (hourly spot) tariff (hand-computed)', () => {
  const spot = tariffOf({
    contractId: 'c-spot',
    type: 'spot_hourly',
    currency: 'EUR',
    // Deliberately out of order: the contract's steps are sorted by time.
    prices: [
      { price: 0.4, timestamp: '2025-01-01T01:00:00Z' },
      { price: 0.1, timestamp: '2025-01-01T00:00:00Z' },
    ],
  });
  // Optimised: 1000 Wh at 00:45 (0.10) and 500 Wh at 01:00 (0.40). Unoptimised: 0 Wh and 1500 Wh.
  const statement = deviceStatement(
    {
      type: 'heat_pump',
      deviceId: 'hp-2',
      consumption: [at('00:45:00', 4000), at('01:00:00', 2000)],
      baseline: [at('00:45:00', 0), at('01:00:00', 6000)],
      tariff: spot,
    },
    JANUARY.from,
    JANUARY.to,
  );

  it('prices each quarter-hour at the price then: 1 kWh × 0.10 + 0.5 kWh × 0.40 = 30 ct', () => {
    expect(statement.consumption.kwh).toBe(1.5);
    expect(statement.cost.amount_minor).toBe(30);
    expect(statement.baseline_cost.amount_minor).toBe(60);
  });

  it('shows a shift in time as a saving in money, not in energy', () => {
    expect(statement.saving_energy.kwh).toBe(0);
    // (0 - 1000) Wh × 0.10 + (1500 - 500) Wh × 0.40 = -10 ct + 40 ct.
    expect(statement.saving.amount_minor).toBe(30);
  });

  it('leaves the quarter-hours before the first price unpriced, and says so', () => {
    const late = tariffOf({
      contractId: 'c-late',
      type: 'spot_hourly',
      currency: 'EUR',
      prices: [{ price: 0.2, timestamp: '2025-01-01T01:00:00Z' }],
    });
    const partial = deviceStatement(
      {
        type: 'heat_pump',
        deviceId: 'hp-2',
        consumption: [at('00:45:00', 4000), at('01:00:00', 2000)],
        baseline: null,
        tariff: late,
      },
      JANUARY.from,
      JANUARY.to,
    );
    expect(partial.cost).toEqual({
      amount_minor: 10, // only 500 Wh × 0.20
      coverage: { expected_quarter_hours: JANUARY_QUARTERS, covered_quarter_hours: 1, ratio: 0.0003 },
      unavailable: null,
    });
    expect(partial.notes).toEqual(['no_baseline_series', 'no_price']);
  });
});

describe('coverage and missing data', () => {
  const february = monthRange('2025-02', 'UTC');

  it('covers half of February with readings for its first 14 days: 336 kWh, 84.00 EUR at 0.25', () => {
    const statement = deviceStatement(
      {
        type: 'inverter',
        deviceId: 'inv-1',
        consumption: steady(february.from, '2025-02-15T00:00:00.000Z', 1000),
        baseline: null,
        tariff: fixed(0.25),
      },
      february.from,
      february.to,
    );
    expect(statement.consumption.kwh).toBe(336);
    expect(statement.consumption.coverage).toEqual({
      expected_quarter_hours: 2688,
      covered_quarter_hours: 1344,
      ratio: 0.5,
    });
    expect(statement.cost.amount_minor).toBe(8400);
    expect(statement.consumption.gaps).toEqual([{ from: '2025-02-15T00:00:00.000Z', to: february.to }]);
    // Without Podero's unoptimised series there is no baseline and no saving: missing, not zero.
    expect(statement.baseline.kwh).toBeNull();
    expect(statement.saving.amount_minor).toBeNull();
    expect(statement.notes).toEqual(['no_baseline_series']);
  });

  it('shows a month without data as missing, not zero, and the total counts its quarter-hours as uncovered', () => {
    const statement = buildStatement(
      [
        {
          type: 'heat_pump',
          deviceId: 'hp-1',
          consumption: [at('00:00:00', 2000)],
          baseline: [at('00:00:00', 2400)],
          tariff: fixed(0.3),
        },
        { type: 'electric_vehicle', deviceId: 'ev-1', consumption: [], baseline: null, tariff: fixed(0.3) },
      ],
      JANUARY.from,
      JANUARY.to,
    );
    const ev = statement.devices[1];
    expect(ev?.consumption.kwh).toBeNull();
    expect(ev?.cost.amount_minor).toBeNull();
    expect(ev?.saving.amount_minor).toBeNull();
    expect(ev?.notes).toEqual(['no_readings', 'no_baseline_series']);
    expect(statement.total.consumption.kwh).toBe(0.5);
    expect(statement.total.cost.amount_minor).toBe(15);
    expect(statement.total.saving.amount_minor).toBe(3); // 100 Wh × 0.30
    expect(statement.total.consumption.coverage).toEqual({
      expected_quarter_hours: 2 * JANUARY_QUARTERS,
      covered_quarter_hours: 1,
      ratio: 0.0002,
    });
    expect(statement.total.currency).toBe('EUR');
  });

  it('has no cost without a contract, and no money total across two currencies', () => {
    const uncontracted = deviceStatement(
      {
        type: 'wallbox',
        deviceId: 'wb-1',
        consumption: [at('00:00:00', 2000)],
        baseline: null,
        tariff: null,
      },
      JANUARY.from,
      JANUARY.to,
    );
    expect(uncontracted.cost.amount_minor).toBeNull();
    expect(uncontracted.notes).toContain('no_energy_contract');

    const mixed = buildStatement(
      [
        {
          type: 'heat_pump',
          deviceId: 'a',
          consumption: [at('00:00:00', 2000)],
          baseline: null,
          tariff: fixed(0.3),
        },
        {
          type: 'heat_pump',
          deviceId: 'b',
          consumption: [at('00:00:00', 2000)],
          baseline: null,
          tariff: fixed(0.3, 'CHF'),
        },
      ],
      JANUARY.from,
      JANUARY.to,
    );
    expect(mixed.devices.map((device) => device.cost.amount_minor)).toEqual([15, 15]);
    expect(mixed.total.currency).toBeNull();
    expect(mixed.total.cost.amount_minor).toBeNull();
    expect(mixed.total.consumption.kwh).toBe(1);
  });

  it('ignores readings outside the month', () => {
    const statement = deviceStatement(
      {
        type: 'heat_pump',
        deviceId: 'hp-1',
        consumption: [
          { at: '2024-12-31T23:59:59.999Z', watts: 9000 },
          { at: '2025-02-01T00:00:00.000Z', watts: 9000 },
        ],
        baseline: [],
        tariff: fixed(0.3),
      },
      JANUARY.from,
      JANUARY.to,
    );
    expect(statement.consumption.kwh).toBeNull();
    expect(statement.notes).toEqual(['no_readings', 'no_baseline_data']);
  });
});

describe('rounding', () => {
  it('rounds money once, half away from zero, to cents', () => {
    expect(divideRounded(15n, 10n)).toBe(2n);
    expect(divideRounded(-15n, 10n)).toBe(-2n);
    expect(divideRounded(14n, 10n)).toBe(1n);
    // 200 W for a quarter-hour = 50 Wh; at 0.10 EUR/kWh = 0.5 ct, rounded to 1 ct; the saving -0.5 ct to -1 ct.
    const statement = deviceStatement(
      {
        type: 'heat_pump',
        deviceId: 'hp-1',
        consumption: [at('00:00:00', 200)],
        baseline: [at('00:00:00', 0)],
        tariff: fixed(0.1),
      },
      JANUARY.from,
      JANUARY.to,
    );
    expect(statement.cost.amount_minor).toBe(1);
    expect(statement.saving.amount_minor).toBe(-1);
    expect(statement.saving_energy.kwh).toBe(-0.05);
  });

  it('keeps sub-cent prices exact over a month (0.123456 EUR/kWh × 744 kWh = 91.851264 EUR)', () => {
    const statement = deviceStatement(
      {
        type: 'heat_pump',
        deviceId: 'hp-1',
        consumption: steady(JANUARY.from, JANUARY.to, 1000),
        baseline: null,
        tariff: fixed(0.123456),
      },
      JANUARY.from,
      JANUARY.to,
    );
    expect(statement.consumption.kwh).toBe(744);
    expect(statement.cost.amount_minor).toBe(9185);
  });
});

describe('months in a time zone, across the clock changes', () => {
  it('starts and ends March in Vienna at local midnight: 743 hours (clocks forward)', () => {
    const march = monthRange('2025-03', 'Europe/Vienna');
    expect(march).toEqual({
      month: '2025-03',
      timeZone: 'Europe/Vienna',
      from: '2025-02-28T23:00:00.000Z',
      to: '2025-03-31T22:00:00.000Z',
    });
    const statement = deviceStatement(
      {
        type: 'heat_pump',
        deviceId: 'hp-1',
        consumption: steady('2025-02-28T00:00:00Z', '2025-04-02T00:00:00Z', 1000),
        baseline: null,
        tariff: fixed(0.2),
      },
      march.from,
      march.to,
    );
    expect(statement.consumption.coverage.expected_quarter_hours).toBe(743 * 4);
    expect(statement.consumption.coverage.ratio).toBe(1);
    expect(statement.consumption.kwh).toBe(743);
    expect(statement.cost.amount_minor).toBe(14_860);
  });

  it('gives October in Vienna 745 hours (clocks back), and UTC months their calendar length', () => {
    const october = monthRange('2025-10', 'Europe/Vienna');
    expect(october.from).toBe('2025-09-30T22:00:00.000Z');
    expect(october.to).toBe('2025-10-31T23:00:00.000Z');
    expect((Date.parse(october.to) - Date.parse(october.from)) / 3_600_000).toBe(745);
    expect(monthRange('2024-02', 'UTC')).toMatchObject({
      from: '2024-02-01T00:00:00.000Z',
      to: '2024-03-01T00:00:00.000Z',
    });
  });

  it('knows the month of an instant in a zone, and the next month', () => {
    expect(monthOf(Date.parse('2025-03-31T22:30:00Z'), 'Europe/Vienna')).toBe('2025-04');
    expect(monthOf(Date.parse('2025-03-31T22:30:00Z'), 'UTC')).toBe('2025-03');
    expect(nextMonth('2025-12')).toBe('2026-01');
  });

  it('refuses a malformed month or an unknown zone', () => {
    expect(() => monthRange('2025-13', 'UTC')).toThrow(RangeError);
    expect(() => monthRange('2025-01', 'Mars/Olympus')).toThrow(RangeError);
  });
});
