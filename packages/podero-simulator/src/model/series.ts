/**
 * Statistics, savings and time series derived from the living model by integrating its power curve.
 * Any range at any resolution is answered from the same pure functions the live state uses, so the
 * history a client fetches agrees with the readings it polled.
 */
import { iso } from '../core';
import type { DataResolution, HeatPumpDataKeyword, StatisticsResolution } from '../wire';
import { type HeatPumpProfile, type HeatPumpSettings, powerAt, priceAt, readingAt } from './living';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Everything the series functions need about one heat pump. */
export interface SeriesContext {
  seed: number;
  id: string;
  profile: HeatPumpProfile;
  settings: HeatPumpSettings;
  priceZone: string;
  /** Data exists in [availableFromMs, nowMs); null when the device was never connected. */
  availableFromMs: number | null;
  nowMs: number;
}

export type Resolution = StatisticsResolution | DataResolution;

/** The start of the calendar period (UTC) containing `tMs`. Weeks start on Monday. */
export function periodStart(resolution: Resolution, tMs: number): number {
  const date = new Date(tMs);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  switch (resolution) {
    case '15MIN':
      return tMs - (tMs % (15 * MINUTE_MS));
    case '1HOUR':
      return tMs - (tMs % HOUR_MS);
    case '1DAY':
      return tMs - (tMs % DAY_MS);
    case '1WEEK': {
      const dayStart = tMs - (tMs % DAY_MS);
      const daysSinceMonday = (date.getUTCDay() + 6) % 7;
      return dayStart - daysSinceMonday * DAY_MS;
    }
    case '1MONTH':
      return Date.UTC(year, month, 1);
    case '1QUARTER':
      return Date.UTC(year, month - (month % 3), 1);
    case '1YEAR':
      return Date.UTC(year, 0, 1);
  }
}

export function nextPeriodStart(resolution: Resolution, startMs: number): number {
  const date = new Date(startMs);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  switch (resolution) {
    case '15MIN':
      return startMs + 15 * MINUTE_MS;
    case '1HOUR':
      return startMs + HOUR_MS;
    case '1DAY':
      return startMs + DAY_MS;
    case '1WEEK':
      return startMs + 7 * DAY_MS;
    case '1MONTH':
      return Date.UTC(year, month + 1, 1);
    case '1QUARTER':
      return Date.UTC(year, month + 3, 1);
    case '1YEAR':
      return Date.UTC(year + 1, 0, 1);
  }
}

/** Calendar buckets covering [fromMs, toMs): aligned starts, at most `maxBuckets` (else null). */
export function bucketsBetween(
  resolution: Resolution,
  fromMs: number,
  toMs: number,
  maxBuckets: number,
): { start: number; end: number }[] | null {
  const buckets: { start: number; end: number }[] = [];
  for (
    let start = periodStart(resolution, fromMs);
    start < toMs;
    start = nextPeriodStart(resolution, start)
  ) {
    if (buckets.length >= maxBuckets) return null;
    buckets.push({ start, end: nextPeriodStart(resolution, start) });
  }
  return buckets;
}

export interface EnergyTotals {
  /** Covered time in ms (the part of the interval where data exists). */
  coveredMs: number;
  estimatedWh: number;
  unoptimizedWh: number;
  estimatedCostEur: number;
  unoptimizedCostEur: number;
}

/** Integrates the power curve over [fromMs, toMs) ∩ the available window, by midpoint sampling. */
export function energyBetween(context: SeriesContext, fromMs: number, toMs: number): EnergyTotals {
  const totals: EnergyTotals = {
    coveredMs: 0,
    estimatedWh: 0,
    unoptimizedWh: 0,
    estimatedCostEur: 0,
    unoptimizedCostEur: 0,
  };
  if (context.availableFromMs === null) return totals;
  const start = Math.max(fromMs, context.availableFromMs);
  const end = Math.min(toMs, context.nowMs);
  if (end <= start) return totals;
  const span = end - start;
  // Finer sampling for short spans catches hot-water cycles; hourly is plenty for months and years.
  const step = span <= HOUR_MS ? 5 * MINUTE_MS : span <= DAY_MS ? 15 * MINUTE_MS : HOUR_MS;
  const samples = Math.max(1, Math.ceil(span / step));
  const sampleMs = span / samples;
  const sampleHours = sampleMs / HOUR_MS;
  for (let index = 0; index < samples; index++) {
    const t = start + (index + 0.5) * sampleMs;
    const power = powerAt(context.seed, context.id, context.profile, context.settings, t);
    const eurPerWh = priceAt(context.priceZone, t) / 1_000_000;
    totals.estimatedWh += power.estimatedW * sampleHours;
    totals.unoptimizedWh += power.unoptimizedW * sampleHours;
    totals.estimatedCostEur += power.estimatedW * sampleHours * eurPerWh;
    totals.unoptimizedCostEur += power.unoptimizedW * sampleHours * eurPerWh;
  }
  totals.coveredMs = span;
  return totals;
}

export interface StatisticsEntry {
  resolution: string;
  period: { start_period: string; end_period: string };
  savings?: { total: number; percentage: number };
  consumption?: { total: number };
  heat_pump: { estimated_consumption_wh: number };
  electric_vehicle: null;
  inverter: null;
}

/** One statistics entry for [startMs, endMs): consumption in kWh, savings in EUR and percent. */
export function statisticsEntry(
  context: SeriesContext,
  resolution: StatisticsResolution,
  startMs: number,
  endMs: number,
  keywords: readonly string[],
): StatisticsEntry {
  const totals = energyBetween(context, startMs, endMs);
  const savedEur = totals.unoptimizedCostEur - totals.estimatedCostEur;
  const entry: StatisticsEntry = {
    resolution,
    period: { start_period: iso(startMs), end_period: iso(endMs) },
    heat_pump: { estimated_consumption_wh: Math.round(totals.estimatedWh) },
    electric_vehicle: null,
    inverter: null,
  };
  if (keywords.includes('savings')) {
    entry.savings = {
      total: round(savedEur, 2),
      percentage: totals.unoptimizedCostEur > 0 ? round((savedEur / totals.unoptimizedCostEur) * 100, 1) : 0,
    };
  }
  if (keywords.includes('consumption')) entry.consumption = { total: round(totals.estimatedWh / 1000, 3) };
  return entry;
}

export type DataPoint = { time: string } & Partial<Record<DataField, number | null>>;
type DataField =
  | 'price'
  | 'inlet_temp_act'
  | 'hot_water_temp'
  | 'estimated_consumption'
  | 'simulated_consumption'
  | 'unoptimized_consumption'
  | 'estimated_consumption_filtered';

const FIELDS_BY_KEYWORD: Record<HeatPumpDataKeyword, DataField[]> = {
  price: ['price'],
  inlet_temp_act: ['inlet_temp_act'],
  hot_water_temp: ['hot_water_temp'],
  estimated_consumption: ['estimated_consumption', 'simulated_consumption', 'estimated_consumption_filtered'],
  unoptimized_consumption: ['unoptimized_consumption'],
};

/**
 * Time series for [fromMs, toMs) at `resolution`. Consumption values are average power over the
 * bucket (W), price is EUR/MWh, temperatures °C. Buckets without data are null when `fillMissing`,
 * otherwise left out; `hasData` tells the caller whether any bucket had data.
 */
export function dataSeries(
  context: SeriesContext,
  buckets: readonly { start: number; end: number }[],
  keywords: readonly HeatPumpDataKeyword[] | undefined,
  fillMissing: boolean,
): { points: DataPoint[]; hasData: boolean } {
  const fields = (keywords ?? (Object.keys(FIELDS_BY_KEYWORD) as HeatPumpDataKeyword[])).flatMap(
    (keyword) => FIELDS_BY_KEYWORD[keyword],
  );
  const points: DataPoint[] = [];
  let hasData = false;
  for (const bucket of buckets) {
    const totals = energyBetween(context, bucket.start, bucket.end);
    const point: DataPoint = { time: iso(bucket.start) };
    if (totals.coveredMs === 0) {
      if (!fillMissing) continue;
      for (const field of fields) point[field] = null;
      points.push(point);
      continue;
    }
    hasData = true;
    const hours = totals.coveredMs / HOUR_MS;
    const from = Math.max(bucket.start, context.availableFromMs ?? bucket.start);
    const midpoint = from + totals.coveredMs / 2;
    const reading = readingAt(context.seed, context.id, context.profile, context.settings, midpoint);
    const values: Record<DataField, number> = {
      price: priceAt(context.priceZone, midpoint),
      inlet_temp_act: reading.inlet_temperature,
      hot_water_temp: reading.dhw_temperature,
      estimated_consumption: round(totals.estimatedWh / hours, 1),
      simulated_consumption: round(totals.unoptimizedWh / hours, 1),
      unoptimized_consumption: round(totals.unoptimizedWh / hours, 1),
      estimated_consumption_filtered: round(totals.estimatedWh / hours, 1),
    };
    for (const field of fields) point[field] = values[field];
    points.push(point);
  }
  return { points, hasData };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
