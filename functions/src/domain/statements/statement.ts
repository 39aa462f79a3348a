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
 * A device removed from the account (domain's DeviceRemoval) is covered up to its removal: its expected
 * quarter-hours end at the quarter-hour holding it. A removed device whose readings were erased (offboarded
 * through the bridge) keeps its place and its expected quarter-hours, every figure missing (`readings_erased`).
 *
 * A vehicle has no unoptimised series at Podero: its baseline cost and money saving come from Podero's
 * completed charging sessions (E10: `actual_cost_eur` + `actual_savings_eur`, and `actual_savings_eur`), in
 * EUR, so only for a device priced in EUR; its baseline and saving in energy stay missing.
 *
 * A figure with no quarter-hour behind it is `null` (missing), never 0, and says why (`unavailable`). Exactness: energy is integer
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

/** A device no longer on the account: when the bridge saw it go, how, and whether its readings are kept. */
export interface DeviceRemoval {
  /** ISO: the offboarding's time, or the sync pass (or live read) that found it gone at Podero. */
  at: string;
  /** `offboarding`: through the bridge (readings erased); `podero`: deleted or disconnected at Podero. */
  by: 'offboarding' | 'podero';
  readings: 'kept' | 'erased';
}

/** The figures of one completed charging session at Podero (E10) the statement reads. */
export interface ChargingSessionFigures {
  /** ISO `plug_in_time`: the session belongs to the month it began in. */
  plugInAt: string;
  /** ISO `unplug_time` (else `inferred_session_end`); null: unknown. */
  endAt: string | null;
  /** `actual_cost_eur`; null: Podero gave none. */
  costEur: number | null;
  /** `actual_savings_eur`; null: Podero gave none. */
  savingsEur: number | null;
}

export interface StatementDeviceInput {
  type: string;
  deviceId: string;
  /** Set when the device is no longer on the account. */
  removal?: DeviceRemoval | null;
  /** The bridge's readings of the device's power in the month (and possibly around it). */
  consumption: readonly PowerSample[];
  /** Podero's unoptimised mean power per quarter-hour; null: Podero publishes none for the kind. */
  baseline: readonly PowerSample[] | null;
  /**
   * Podero's completed charging sessions that began in the month, where the kind's baseline rests on them
   * (a vehicle's); absent or null: the kind has none.
   */
  sessions?: readonly ChargingSessionFigures[] | null;
  /** The energy contract that applies to the device; null: none. */
  tariff: Tariff | null;
}

export interface FigureCoverage {
  expected_quarter_hours: number;
  covered_quarter_hours: number;
  /** covered / expected, 4 decimals. */
  ratio: number;
}

/** Why a figure is missing (its value null): machine-readable, documented in the README. */
export const UNAVAILABLE_REASONS = [
  'no_readings',
  'readings_erased',
  'no_baseline_series',
  'no_baseline_data',
  'no_energy_contract',
  'no_price',
  'currency_mismatch',
  'no_device_figure',
] as const;
export type UnavailableReason = (typeof UNAVAILABLE_REASONS)[number];

export interface EnergyFigure {
  kwh: number | null;
  coverage: FigureCoverage;
  /** Why `kwh` is null; null when it has a value. */
  unavailable: UnavailableReason | null;
}

export interface MoneyFigure {
  /** Minor units of the currency (cents); null: missing. */
  amount_minor: number | null;
  coverage: FigureCoverage;
  /** Why `amount_minor` is null; null when it has a value. */
  unavailable: UnavailableReason | null;
}

/** Why a device's figures are missing, partial or of another source: machine-readable, in the README. */
export const STATEMENT_NOTES = [
  'no_readings',
  'no_baseline_series',
  'no_baseline_data',
  'no_energy_contract',
  'no_price',
  'removed',
  'readings_erased',
  'baseline_from_charging_sessions',
] as const;
export type StatementNote = (typeof STATEMENT_NOTES)[number];

/** Where a device's baseline comes from: Podero's unoptimised series (H8), or its charging sessions (E10). */
export type BaselineSource = 'unoptimized_consumption' | 'charging_sessions';

export interface DeviceStatement {
  type: string;
  device_id: string;
  contract_id: string | null;
  currency: string | null;
  /** Null while the device is on the account. */
  removed: DeviceRemoval | null;
  /** Null: no baseline of any kind (the figures say why). */
  baseline_source: BaselineSource | null;
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

/** Sums over the quarter-hours a figure rests on; null (for `why`) when there are none. */
function energyFigure(
  slots: readonly number[],
  mwhOf: (slot: number) => number,
  from: string,
  to: string,
  why: UnavailableReason,
): EnergyFigure {
  const total = slots.reduce((sum, slot) => sum + BigInt(mwhOf(slot)), 0n);
  const { figure } = coverageOf(slots, from, to);
  return slots.length > 0
    ? { kwh: kwhOf(total), coverage: figure, unavailable: null }
    : { kwh: null, coverage: figure, unavailable: why };
}

function moneyFigure(
  slots: readonly number[],
  mwhOf: (slot: number) => number,
  microPriceOf: (slot: number) => number,
  from: string,
  to: string,
  why: UnavailableReason,
): MoneyFigure {
  const pico = slots.reduce((sum, slot) => sum + BigInt(mwhOf(slot)) * BigInt(microPriceOf(slot)), 0n);
  const coverage = coverageOf(slots, from, to).figure;
  return slots.length > 0
    ? { amount_minor: Number(divideRounded(pico, PICO_PER_MINOR)), coverage, unavailable: null }
    : { amount_minor: null, coverage, unavailable: why };
}

/** A figure that has nothing behind it for a reason that holds for the whole device. */
function missingEnergy(from: string, to: string, why: UnavailableReason): EnergyFigure {
  return { kwh: null, coverage: coverageOf([], from, to).figure, unavailable: why };
}

function missingMoney(from: string, to: string, why: UnavailableReason): MoneyFigure {
  return { amount_minor: null, coverage: coverageOf([], from, to).figure, unavailable: why };
}

/** Micro-EUR per cent: a session's euros are taken to the micro-EUR, their sum rounded once to cents. */
const MICRO_PER_MINOR = 10_000n;
const microEurOf = (eur: number) => BigInt(roundHalfAway(eur * 1_000_000));

/**
 * A money figure from Podero's charging sessions that began in [from, to): the sum of `amountOf` over the
 * sessions that carry it, rounded once to cents. Its coverage: the device's quarter-hours except those a
 * session without the value spans (Podero lists every completed session, so the rest is known).
 */
function sessionMoney(
  sessions: readonly ChargingSessionFigures[],
  amountOf: (session: ChargingSessionFigures) => number | null,
  from: string,
  to: string,
): MoneyFigure {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const inPeriod = sessions.filter((session) => {
    const ms = Date.parse(session.plugInAt);
    return Number.isFinite(ms) && ms >= fromMs && ms < toMs;
  });
  const firstSlot = Math.ceil(fromMs / QUARTER_HOUR_MS);
  const endSlot = Math.floor(toMs / QUARTER_HOUR_MS);
  const uncovered = new Set<number>();
  let micro = 0n;
  let counted = 0;
  for (const session of inPeriod) {
    const value = amountOf(session);
    if (value !== null && Number.isFinite(value)) {
      micro += microEurOf(value);
      counted += 1;
      continue;
    }
    // The quarter-hours it spans (its first alone when its end is unknown).
    const startMs = Date.parse(session.plugInAt);
    const endMs = session.endAt === null ? Number.NaN : Date.parse(session.endAt);
    const startSlot = Math.floor(startMs / QUARTER_HOUR_MS);
    const stopSlot = endMs > startMs ? Math.ceil(endMs / QUARTER_HOUR_MS) : startSlot + 1;
    for (let slot = Math.max(startSlot, firstSlot); slot < Math.min(stopSlot, endSlot); slot++)
      uncovered.add(slot);
  }
  const covered: number[] = [];
  for (let slot = firstSlot; slot < endSlot; slot++) if (!uncovered.has(slot)) covered.push(slot);
  const coverage = coverageOf(counted > 0 ? covered : [], from, to).figure;
  return counted > 0
    ? { amount_minor: Number(divideRounded(micro, MICRO_PER_MINOR)), coverage, unavailable: null }
    : { amount_minor: null, coverage, unavailable: 'no_baseline_data' };
}

const sumOrNull = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);

/** The quarter-hour boundary at or after an instant: a device removed at 10:07 is covered to 10:15. */
const quarterHourAtOrAfter = (iso: string) =>
  new Date(Math.ceil(Date.parse(iso) / QUARTER_HOUR_MS) * QUARTER_HOUR_MS).toISOString();

/** The device's own part of [from, to): up to its removal, if it was removed in the month. */
function periodEnd(removal: DeviceRemoval | null | undefined, from: string, to: string): string {
  if (!removal || !Number.isFinite(Date.parse(removal.at))) return to;
  const end = quarterHourAtOrAfter(removal.at);
  if (Date.parse(end) >= Date.parse(to)) return to;
  return Date.parse(end) <= Date.parse(from) ? from : end;
}

function erasedDeviceStatement(
  input: StatementDeviceInput,
  removal: DeviceRemoval,
  from: string,
  to: string,
) {
  const energy = () => missingEnergy(from, to, 'readings_erased');
  const money = () => missingMoney(from, to, 'readings_erased');
  const statement: DeviceStatement = {
    type: input.type,
    device_id: input.deviceId,
    contract_id: input.tariff?.contractId ?? null,
    currency: input.tariff?.currency ?? null,
    removed: removal,
    baseline_source: null,
    consumption: { ...energy(), gaps: coverageOf([], from, to).gaps },
    baseline: energy(),
    cost: money(),
    baseline_cost: money(),
    saving_energy: energy(),
    saving: money(),
    notes: ['removed', 'readings_erased'],
  };
  return statement;
}

export function deviceStatement(input: StatementDeviceInput, from: string, monthTo: string): DeviceStatement {
  const removal = input.removal ?? null;
  const to = periodEnd(removal, from, monthTo);
  if (removal?.readings === 'erased') return erasedDeviceStatement(input, removal, from, to);
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
  const inPeriod = (slot: number) => slot >= firstSlot && slot < endSlot;
  const consumed = [...consumption.keys()].filter(inPeriod).sort((a, b) => a - b);
  const baselined = [...baseline.keys()].filter(inPeriod).sort((a, b) => a - b);
  const both = consumed.filter((slot) => baseline.has(slot));
  const c = (slot: number) => consumption.get(slot) ?? 0;
  const b = (slot: number) => baseline.get(slot) ?? 0;
  const p = (slot: number) => prices.get(slot) ?? 0;
  const priced = (slots: number[]) => slots.filter((slot) => prices.has(slot));
  const sessions = input.sessions ?? null;
  const currency = input.tariff?.currency ?? null;

  // Why each figure may be missing, in the order that explains it best.
  const noReadings: UnavailableReason | null = consumed.length === 0 ? 'no_readings' : null;
  const noBaseline: UnavailableReason | null =
    input.baseline === null ? 'no_baseline_series' : baselined.length === 0 ? 'no_baseline_data' : null;
  const noPrice: UnavailableReason = input.tariff ? 'no_price' : 'no_energy_contract';
  // Podero's session figures are in EUR: they join a statement priced in EUR only.
  const sessionCurrency: UnavailableReason | null =
    currency === 'EUR' ? null : currency === null ? 'no_energy_contract' : 'currency_mismatch';

  let baselineCost: MoneyFigure;
  let saving: MoneyFigure;
  if (sessions !== null) {
    baselineCost = sessionCurrency
      ? missingMoney(from, to, sessionCurrency)
      : sessionMoney(sessions, (session) => sumOrNull(session.costEur, session.savingsEur), from, to);
    saving = sessionCurrency
      ? missingMoney(from, to, sessionCurrency)
      : sessionMoney(sessions, (session) => session.savingsEur, from, to);
  } else {
    baselineCost = moneyFigure(priced(baselined), b, p, from, to, noBaseline ?? noPrice);
    saving = moneyFigure(
      priced(both),
      (slot) => b(slot) - c(slot),
      p,
      from,
      to,
      noReadings ?? noBaseline ?? (both.length === 0 ? 'no_baseline_data' : noPrice),
    );
  }

  const notes: StatementNote[] = [];
  if (removal) notes.push('removed');
  if (consumed.length === 0) notes.push('no_readings');
  if (input.baseline === null) notes.push('no_baseline_series');
  else if (baselined.length === 0) notes.push('no_baseline_data');
  if (sessions !== null) {
    if (baselineCost.amount_minor !== null || saving.amount_minor !== null)
      notes.push('baseline_from_charging_sessions');
    else if (!sessionCurrency) notes.push('no_baseline_data');
  }
  if (!input.tariff) notes.push('no_energy_contract');
  else if (prices.size < endSlot - firstSlot) notes.push('no_price');

  const consumptionCoverage = coverageOf(consumed, from, to);
  return {
    type: input.type,
    device_id: input.deviceId,
    contract_id: input.tariff?.contractId ?? null,
    currency,
    removed: removal,
    baseline_source:
      input.baseline !== null ? 'unoptimized_consumption' : sessions !== null ? 'charging_sessions' : null,
    consumption: {
      ...energyFigure(consumed, c, from, to, 'no_readings'),
      gaps: consumptionCoverage.gaps,
    },
    baseline: energyFigure(baselined, b, from, to, noBaseline ?? 'no_baseline_data'),
    cost: moneyFigure(priced(consumed), c, p, from, to, noReadings ?? noPrice),
    baseline_cost: baselineCost,
    saving_energy: energyFigure(
      both,
      (slot) => b(slot) - c(slot),
      from,
      to,
      noReadings ?? noBaseline ?? 'no_baseline_data',
    ),
    saving,
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

/** A total is missing when no device has the figure: for the devices' one reason, if they share it. */
function totalReason(figures: readonly { unavailable: UnavailableReason | null }[]): UnavailableReason {
  const reasons = new Set(figures.map((figure) => figure.unavailable));
  const [only] = reasons;
  return reasons.size === 1 && only ? only : 'no_device_figure';
}

function sumEnergy(figures: readonly EnergyFigure[]): EnergyFigure {
  const present = figures.flatMap((figure) => (figure.kwh === null ? [] : [Math.round(figure.kwh * 1000)]));
  const coverage = sumCoverage(figures.map((figure) => figure.coverage));
  return present.length > 0
    ? { kwh: present.reduce((sum, wh) => sum + wh, 0) / 1000, coverage, unavailable: null }
    : { kwh: null, coverage, unavailable: totalReason(figures) };
}

function sumMoney(figures: readonly MoneyFigure[], comparable: boolean, priced: boolean): MoneyFigure {
  const present = figures.flatMap((figure) => (figure.amount_minor === null ? [] : [figure.amount_minor]));
  const coverage = sumCoverage(figures.map((figure) => figure.coverage));
  if (!comparable) return { amount_minor: null, coverage, unavailable: 'currency_mismatch' };
  return priced && present.length > 0
    ? { amount_minor: present.reduce((sum, cents) => sum + cents, 0), coverage, unavailable: null }
    : { amount_minor: null, coverage, unavailable: priced ? totalReason(figures) : 'no_energy_contract' };
}

/**
 * The whole statement: one entry per device (removed ones included), and totals that add the devices'
 * figures. A total's coverage counts every device's expected quarter-hours, so a device without data lowers
 * it rather than vanishing.
 */
export function buildStatement(
  devices: readonly StatementDeviceInput[],
  from: string,
  to: string,
): StatementFigures {
  const statements = devices.map((device) => deviceStatement(device, from, to));
  const currencies = new Set(statements.flatMap((device) => (device.currency ? [device.currency] : [])));
  const priced = statements.some((device) => device.contract_id !== null);
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
      cost: sumMoney(pick('cost'), comparable, priced),
      baseline_cost: sumMoney(pick('baseline_cost'), comparable, priced),
      saving_energy: sumEnergy(pick('saving_energy')),
      saving: sumMoney(pick('saving'), comparable, priced),
    },
  };
}
