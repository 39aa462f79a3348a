/**
 * The arithmetic of a monthly savings statement, pure. Every figure is built per UTC quarter-hour (the unit
 * of the readings' coverage and of Podero's `/data`), and each carries the coverage behind it: the
 * quarter-hours of the month it rests on against those expected.
 *
 * - consumption: the bridge's readings of the device's power (the kind's statement field), a quarter-hour's
 *   energy = the mean of its readings × 15 minutes;
 * - baseline: Podero's unoptimised consumption for the quarter-hour (its `/data` series, mean watts), where
 *   the kind has one;
 * - cost and baseline cost: each quarter-hour's energy at the contract's price in force then;
 * - saving energy: baseline − consumption over the quarter-hours holding both; saving (money): the same at
 *   the contract's prices, over the quarter-hours that also have a price.
 *
 * A figure with no quarter-hour behind it is `null` (missing), never 0. Exactness: energy is integer
 * milliwatt-hours per quarter-hour (rounded half away from zero), prices integer micro-units per kWh, sums
 * of their products exact (BigInt); a money figure is rounded once, half away from zero, to whole cents
 * (minor units); kWh are shown to 3 decimals (whole Wh). Totals add the devices' rounded figures, so the
 * printed statement adds up.
 */
import { type CoverageGap, QUARTER_HOUR_MS, readingCoverage } from '../readings/coverage';
import { microPriceAt, type Tariff } from './tariff';

export interface PowerSample {
  /** ISO instant. */
  at: string;
  watts: number;
}

export interface StatementDeviceInput {
  type: string;
  deviceId: string;
  /** The bridge's readings of the device's power in the month (and possibly around it). */
  consumption: readonly PowerSample[];
  /** Podero's unoptimised mean power per quarter-hour; null: Podero publishes none for the kind. */
  baseline: readonly PowerSample[] | null;
  /** The energy contract that applies to the device; null: none. */
  tariff: Tariff | null;
}

export interface FigureCoverage {
  expected_quarter_hours: number;
  covered_quarter_hours: number;
  /** covered / expected, 4 decimals. */
  ratio: number;
}

export interface EnergyFigure {
  kwh: number | null;
  coverage: FigureCoverage;
}

export interface MoneyFigure {
  /** Minor units of the currency (cents); null: missing. */
  amount_minor: number | null;
  coverage: FigureCoverage;
}

/** Why a device's figure is missing or partial: machine-readable, documented in the README. */
export type StatementNote =
  | 'no_readings'
  | 'no_baseline_series'
  | 'no_baseline_data'
  | 'no_energy_contract'
  | 'no_price';

export interface DeviceStatement {
  type: string;
  device_id: string;
  contract_id: string | null;
  currency: string | null;
  consumption: EnergyFigure & { gaps: CoverageGap[] };
  baseline: EnergyFigure;
  cost: MoneyFigure;
  baseline_cost: MoneyFigure;
  saving_energy: EnergyFigure;
  saving: MoneyFigure;
  notes: StatementNote[];
}

export interface StatementTotals {
  /** The devices' currency; null when they have none or different ones (then money totals are null). */
  currency: string | null;
  consumption: EnergyFigure;
  baseline: EnergyFigure;
  cost: MoneyFigure;
  baseline_cost: MoneyFigure;
  saving_energy: EnergyFigure;
  saving: MoneyFigure;
}

export interface StatementFigures {
  from: string;
  to: string;
  devices: DeviceStatement[];
  total: StatementTotals;
}

/** Integer division rounded half away from zero. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const quotient = (n + d / 2n) / d;
  return negative ? -quotient : quotient;
}

const roundHalfAway = (value: number): number => Math.sign(value) * Math.round(Math.abs(value));

/** mWh × micro-units per kWh = 1e-12 of the currency; a cent is 1e-2. */
const PICO_PER_MINOR = 10_000_000_000n;
/** mWh per Wh: kWh shown with 3 decimals. */
const MWH_PER_WH = 1_000n;

/** A quarter-hour's energy (mWh) from power samples in it: their mean × 15 minutes. */
function quarterHourEnergies(
  samples: readonly PowerSample[],
  fromMs: number,
  toMs: number,
): Map<number, number> {
  const sums = new Map<number, { watts: number; count: number }>();
  for (const sample of samples) {
    const ms = Date.parse(sample.at);
    if (!Number.isFinite(ms) || ms < fromMs || ms >= toMs || !Number.isFinite(sample.watts)) continue;
    const slot = Math.floor(ms / QUARTER_HOUR_MS);
    const sum = sums.get(slot) ?? { watts: 0, count: 0 };
    sum.watts += sample.watts;
    sum.count += 1;
    sums.set(slot, sum);
  }
  // Mean watts × 0.25 h = Wh; × 1000 = mWh: mean × 250.
  return new Map([...sums].map(([slot, sum]) => [slot, roundHalfAway((sum.watts * 250) / sum.count)]));
}

const slotIso = (slot: number) => new Date(slot * QUARTER_HOUR_MS).toISOString();

function coverageOf(slots: readonly number[], from: string, to: string) {
  const coverage = readingCoverage(slots.map(slotIso), from, to);
  return {
    figure: {
      expected_quarter_hours: coverage.expected,
      covered_quarter_hours: coverage.covered,
      ratio: Math.round(coverage.ratio * 10_000) / 10_000,
    },
    gaps: coverage.gaps,
  };
}

const kwhOf = (mwh: bigint) => Number(divideRounded(mwh, MWH_PER_WH)) / 1000;

/** Sums over the quarter-hours a figure rests on; null when there are none. */
function energyFigure(slots: readonly number[], mwhOf: (slot: number) => number, from: string, to: string) {
  const total = slots.reduce((sum, slot) => sum + BigInt(mwhOf(slot)), 0n);
  const { figure } = coverageOf(slots, from, to);
  return { mwh: total, figure: { kwh: slots.length > 0 ? kwhOf(total) : null, coverage: figure } };
}

function moneyFigure(
  slots: readonly number[],
  mwhOf: (slot: number) => number,
  microPriceOf: (slot: number) => number,
  from: string,
  to: string,
): MoneyFigure {
  const pico = slots.reduce((sum, slot) => sum + BigInt(mwhOf(slot)) * BigInt(microPriceOf(slot)), 0n);
  return {
    amount_minor: slots.length > 0 ? Number(divideRounded(pico, PICO_PER_MINOR)) : null,
    coverage: coverageOf(slots, from, to).figure,
  };
}

export function deviceStatement(input: StatementDeviceInput, from: string, to: string): DeviceStatement {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const consumption = quarterHourEnergies(input.consumption, fromMs, toMs);
  const baseline = quarterHourEnergies(input.baseline ?? [], fromMs, toMs);
  const prices = new Map<number, number>();
  const firstSlot = Math.ceil(fromMs / QUARTER_HOUR_MS);
  const endSlot = Math.floor(toMs / QUARTER_HOUR_MS);
  if (input.tariff) {
    for (let slot = firstSlot; slot < endSlot; slot++) {
      const price = microPriceAt(input.tariff, slot * QUARTER_HOUR_MS);
      if (price !== undefined) prices.set(slot, price);
    }
  }
  const inMonth = (slot: number) => slot >= firstSlot && slot < endSlot;
  const consumed = [...consumption.keys()].filter(inMonth).sort((a, b) => a - b);
  const baselined = [...baseline.keys()].filter(inMonth).sort((a, b) => a - b);
  const both = consumed.filter((slot) => baseline.has(slot));
  const c = (slot: number) => consumption.get(slot) ?? 0;
  const b = (slot: number) => baseline.get(slot) ?? 0;
  const p = (slot: number) => prices.get(slot) ?? 0;
  const priced = (slots: number[]) => slots.filter((slot) => prices.has(slot));

  const notes: StatementNote[] = [];
  if (consumed.length === 0) notes.push('no_readings');
  if (input.baseline === null) notes.push('no_baseline_series');
  else if (baselined.length === 0) notes.push('no_baseline_data');
  if (!input.tariff) notes.push('no_energy_contract');
  else if (prices.size < endSlot - firstSlot) notes.push('no_price');

  const consumptionCoverage = coverageOf(consumed, from, to);
  return {
    type: input.type,
    device_id: input.deviceId,
    contract_id: input.tariff?.contractId ?? null,
    currency: input.tariff?.currency ?? null,
    consumption: { ...energyFigure(consumed, c, from, to).figure, gaps: consumptionCoverage.gaps },
    baseline: energyFigure(baselined, b, from, to).figure,
    cost: moneyFigure(priced(consumed), c, p, from, to),
    baseline_cost: moneyFigure(priced(baselined), b, p, from, to),
    saving_energy: energyFigure(both, (slot) => b(slot) - c(slot), from, to).figure,
    saving: moneyFigure(priced(both), (slot) => b(slot) - c(slot), p, from, to),
    notes,
  };
}

function sumCoverage(coverages: readonly FigureCoverage[]): FigureCoverage {
  const expected = coverages.reduce((sum, coverage) => sum + coverage.expected_quarter_hours, 0);
  const covered = coverages.reduce((sum, coverage) => sum + coverage.covered_quarter_hours, 0);
  return {
    expected_quarter_hours: expected,
    covered_quarter_hours: covered,
    ratio: expected === 0 ? 1 : Math.round((covered / expected) * 10_000) / 10_000,
  };
}

function sumEnergy(figures: readonly EnergyFigure[]): EnergyFigure {
  const present = figures.flatMap((figure) => (figure.kwh === null ? [] : [Math.round(figure.kwh * 1000)]));
  return {
    kwh: present.length > 0 ? present.reduce((sum, wh) => sum + wh, 0) / 1000 : null,
    coverage: sumCoverage(figures.map((figure) => figure.coverage)),
  };
}

function sumMoney(figures: readonly MoneyFigure[], comparable: boolean): MoneyFigure {
  const present = figures.flatMap((figure) => (figure.amount_minor === null ? [] : [figure.amount_minor]));
  return {
    amount_minor: comparable && present.length > 0 ? present.reduce((sum, cents) => sum + cents, 0) : null,
    coverage: sumCoverage(figures.map((figure) => figure.coverage)),
  };
}

/**
 * The whole statement: one entry per device, and totals that add the devices' figures. A total's coverage
 * counts every device's expected quarter-hours, so a device without data lowers it rather than vanishing.
 */
export function buildStatement(
  devices: readonly StatementDeviceInput[],
  from: string,
  to: string,
): StatementFigures {
  const statements = devices.map((device) => deviceStatement(device, from, to));
  const currencies = new Set(statements.flatMap((device) => (device.currency ? [device.currency] : [])));
  const priced = statements.filter((device) => device.contract_id !== null);
  // Money adds up only in one currency: a contract without one (a fixed tariff may name none) joins any.
  const comparable = currencies.size <= 1;
  const pick = <K extends keyof DeviceStatement>(key: K) => statements.map((device) => device[key]);
  return {
    from,
    to,
    devices: statements,
    total: {
      currency: comparable ? ([...currencies][0] ?? null) : null,
      consumption: sumEnergy(pick('consumption')),
      baseline: sumEnergy(pick('baseline')),
      cost: sumMoney(pick('cost'), comparable && priced.length > 0),
      baseline_cost: sumMoney(pick('baseline_cost'), comparable && priced.length > 0),
      saving_energy: sumEnergy(pick('saving_energy')),
      saving: sumMoney(pick('saving'), comparable && priced.length > 0),
    },
  };
}
