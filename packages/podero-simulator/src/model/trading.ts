/**
 * Day-ahead trading in the simulator (contract §3.13, Appendix E): the market day in Europe/Berlin, the
 * loop's deadlines, the trades an organisation uploaded, and the load curves computed from its living
 * fleet. Written from the contract, never imported from the client (so the client's tests against the
 * simulator are a real check); docs/adr/0014-day-ahead-trading-variants.md records the choices.
 */
import { type HeatPumpProfile, type HeatPumpSettings, powerAt } from './living';

export const TRADING_VARIANTS = ['reference', 'guide'] as const;
export type TradingVariant = (typeof TRADING_VARIANTS)[number];
/** The reference's trading price zones (T1). */
export const TRADING_PRICE_ZONES = [
  'AT',
  'BE',
  'EE',
  'DE_LU',
  'PT',
  'SE_1',
  'SE_2',
  'SE_3',
  'SE_4',
  'UK',
] as const;
/** 14:30 for partners who also trade intraday, 23:30 for the others (Europe/Berlin, D−1). */
export const CONFIRMATION_DEADLINES = ['14:30', '23:30'] as const;
export type ConfirmationDeadline = (typeof CONFIRMATION_DEADLINES)[number];
export const DEFAULT_CONFIRMATION_DEADLINE: ConfirmationDeadline = '23:30';

export const MARKET_TIME_ZONE = 'Europe/Berlin';
export const QUARTER_HOUR_MS = 15 * 60_000;
/** [INFERRED] Uploads are taken until 09:00 on D−1 (the guide: "around 09:00"; the calculation starts then). */
export const UPLOAD_DEADLINE = { hour: 9, minute: 0 } as const;
/** The guide: the calculation is ready around 10:30 on D−1. */
export const CALCULATION_READY = { hour: 10, minute: 30 } as const;

const berlin = new Intl.DateTimeFormat('en-GB', {
  timeZone: MARKET_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

function berlinWall(ms: number) {
  const parts: Record<string, number> = {};
  for (const part of berlin.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
  };
}

function offsetMs(ms: number): number {
  const wall = berlinWall(ms);
  const minuteStart = ms - (ms % 60_000);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute) - minuteStart;
}

/** `YYYY-MM-DD` of `ms` in Europe/Berlin. */
export function berlinDay(ms: number): string {
  const wall = berlinWall(ms);
  return `${wall.year}-${String(wall.month).padStart(2, '0')}-${String(wall.day).padStart(2, '0')}`;
}

export function isCalendarDay(day: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === day;
}

export function shiftDay(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, (date ?? 1) + days)).toISOString().slice(0, 10);
}

/** A wall-clock time on `day` in Europe/Berlin as epoch ms (times that exist every day). */
export function berlinTimeMs(day: string, hour: number, minute: number): number {
  const [year, month, date] = day.split('-').map(Number);
  const naive = Date.UTC(year ?? 0, (month ?? 1) - 1, date ?? 1, hour, minute);
  return naive - offsetMs(naive - offsetMs(naive));
}

/** The quarter-hour starts of delivery day `day` (Europe/Berlin midnight to midnight): 96, 92 or 100. */
export function marketQuarterHours(day: string): number[] {
  const start = berlinTimeMs(day, 0, 0);
  const end = berlinTimeMs(shiftDay(day, 1), 0, 0);
  const starts: number[] = [];
  for (let at = start; at < end; at += QUARTER_HOUR_MS) starts.push(at);
  return starts;
}

export interface TradeTimes {
  uploadDeadlineMs: number;
  readyAtMs: number;
  expirationMs: number;
}

export function tradeTimes(day: string, deadline: ConfirmationDeadline): TradeTimes {
  const before = shiftDay(day, -1);
  const [hour, minute] = deadline.split(':').map(Number);
  return {
    uploadDeadlineMs: berlinTimeMs(before, UPLOAD_DEADLINE.hour, UPLOAD_DEADLINE.minute),
    readyAtMs: berlinTimeMs(before, CALCULATION_READY.hour, CALCULATION_READY.minute),
    expirationMs: berlinTimeMs(before, hour ?? 23, minute ?? 30),
  };
}

export interface Trade {
  id: string;
  orgId: string;
  priceZone: string;
  deliveryDay: string;
  uploadedAtMs: number;
  /** Quarter-hour starts (epoch ms) and their prices (EUR/MWh), in order. */
  quarterHours: number[];
  prices: number[];
  times: TradeTimes;
  /** Computed at the first read after `readyAtMs` and kept (the fleet may change later). */
  curves: LoadCurves | null;
  confirmation: { accepted: boolean; atMs: number } | null;
  /** Upload requests for this day and zone (the first included), and confirmation requests. */
  uploadRequests: number;
  confirmationRequests: number;
}

export interface TradingCounters {
  /** Upload requests that passed schema validation, whatever their state. */
  uploads_received: number;
  /** Uploads that created a trade (`success` / `accepted`). */
  uploads_accepted: number;
  /** Confirmation requests that named a known trade. */
  confirmations_received: number;
  /** Confirmations recorded (a repeat with the same answer is not counted again). */
  confirmations_accepted: number;
}

/** Every organisation's trades, settings and the counters a test asserts on; emptied by reset. */
export class TradingBook {
  readonly trades = new Map<string, Trade>();
  readonly deadlines = new Map<string, ConfirmationDeadline>();
  counters: TradingCounters = zeroCounters();

  static key(orgId: string, priceZone: string, day: string): string {
    return `${orgId}|${priceZone}|${day}`;
  }

  deadlineOf(orgId: string): ConfirmationDeadline {
    return this.deadlines.get(orgId) ?? DEFAULT_CONFIRMATION_DEADLINE;
  }

  tradesOf(orgId: string): Trade[] {
    return [...this.trades.values()].filter((trade) => trade.orgId === orgId);
  }

  clear(): void {
    this.trades.clear();
    this.deadlines.clear();
    this.counters = zeroCounters();
  }
}

function zeroCounters(): TradingCounters {
  return { uploads_received: 0, uploads_accepted: 0, confirmations_received: 0, confirmations_accepted: 0 };
}

// ----------------------------------------------------------------------------------------- the curves

export interface FleetDevice {
  seed: number;
  id: string;
  profile: HeatPumpProfile;
  settings: HeatPumpSettings;
}

export interface LoadCurves {
  /** Integer Wh per quarter-hour; both sum to the same total. */
  optimized: number[];
  unoptimized: number[];
}

/**
 * The share of a heat pump's energy that may move to other quarter-hours of the day, by optimisation level:
 * a building's thermal mass and the hot-water tank carry it (the comfort limit). Without smart optimisation
 * nothing moves.
 */
export const FLEXIBLE_SHARE = { Low: 0.15, Mid: 0.3, Max: 0.45 } as const;
/** How strongly the cheapest quarter-hour attracts flexible load relative to the dearest: weights 1±SPREAD. */
export const PRICE_SPREAD = 0.6;

/**
 * The fleet's expected consumption over a delivery day, unoptimised (each device's baseline from the living
 * model) and optimised: each device's flexible share is redistributed over the day with weights that rank
 * the quarter-hours by price (cheapest 1+SPREAD, dearest 1−SPREAD), so a cheaper quarter-hour draws more and
 * a dearer one less, and no quarter-hour leaves its comfort band (at most (1−f)+f·(1+S)/(1−S) times its
 * baseline). Each device's energy is conserved exactly before rounding; the integer curves are rounded by
 * largest remainder to the same total, so the day's energy is conserved to the Wh.
 */
export function computeLoadCurves(
  fleet: readonly FleetDevice[],
  quarterHours: readonly number[],
  prices: readonly number[],
): LoadCurves {
  const n = quarterHours.length;
  const weights = priceRankWeights(prices);
  const unoptimized = new Array<number>(n).fill(0);
  const optimized = new Array<number>(n).fill(0);
  for (const device of fleet) {
    const baseline = quarterHours.map(
      (start) =>
        (powerAt(device.seed, device.id, device.profile, device.settings, start + QUARTER_HOUR_MS / 2)
          .unoptimizedW *
          QUARTER_HOUR_MS) /
        3_600_000,
    );
    const share = device.settings.is_smart_optimization_active
      ? FLEXIBLE_SHARE[device.settings.optimization_level]
      : 0;
    const flexible = baseline.map((wh) => wh * share);
    const flexibleTotal = flexible.reduce((sum, wh) => sum + wh, 0);
    const weighted = flexible.map((wh, index) => wh * (weights[index] ?? 1));
    const weightedTotal = weighted.reduce((sum, wh) => sum + wh, 0);
    for (let index = 0; index < n; index++) {
      const base = baseline[index] ?? 0;
      const moved = weightedTotal > 0 ? (flexibleTotal * (weighted[index] ?? 0)) / weightedTotal : 0;
      unoptimized[index] = (unoptimized[index] ?? 0) + base;
      optimized[index] = (optimized[index] ?? 0) + base - (flexible[index] ?? 0) + moved;
    }
  }
  const total = Math.round(unoptimized.reduce((sum, wh) => sum + wh, 0));
  return { unoptimized: roundToTotal(unoptimized, total), optimized: roundToTotal(optimized, total) };
}

/** 1+SPREAD for the cheapest quarter-hour down to 1−SPREAD for the dearest; ties share their mean rank. */
export function priceRankWeights(prices: readonly number[]): number[] {
  const n = prices.length;
  if (n < 2) return prices.map(() => 1);
  const order = prices.map((price, index) => ({ price, index })).sort((a, b) => a.price - b.price);
  const ranks = new Array<number>(n).fill(0);
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && order[end + 1]?.price === order[start]?.price) end++;
    const mean = (start + end) / 2;
    for (let k = start; k <= end; k++) ranks[order[k]?.index ?? 0] = mean;
    start = end + 1;
  }
  return ranks.map((rank) => 1 + PRICE_SPREAD * (1 - (2 * rank) / (n - 1)));
}

/** Integers summing to `total`, each the floor of its value plus one for the largest remainders. */
export function roundToTotal(values: readonly number[], total: number): number[] {
  const floors = values.map((value) => Math.floor(value));
  let missing = total - floors.reduce((sum, value) => sum + value, 0);
  const byRemainder = values
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder);
  for (const { index } of byRemainder) {
    if (missing <= 0) break;
    floors[index] = (floors[index] ?? 0) + 1;
    missing--;
  }
  return floors;
}

/** Sums quarter-hours into hours (delivery days start on a UTC hour, so every hour has four). */
export function toHours(values: readonly number[]): number[] {
  const hours: number[] = [];
  for (let index = 0; index < values.length; index += 4) {
    hours.push(values.slice(index, index + 4).reduce((sum, value) => sum + value, 0));
  }
  return hours;
}
