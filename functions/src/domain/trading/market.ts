/**
 * The day-ahead market's calendar, in the market's time (docs/adr/0015-day-ahead-trading-workflow.md): the
 * delivery day's quarter-hours, a forecast's validity and the day's deadlines, all Europe/Berlin wall-clock
 * time. Pure: the quarter-hours come from podero-client's `marketDay` (a pure function of the day), so the
 * bridge validates exactly what the client will send, with one rule for both.
 */
import {
  ANY_PRICE_ZONES,
  addDays,
  isoUtc,
  MARKET_TIME_ZONE,
  marketDay,
  zonedTimeToUtcMs,
} from '@podero-bridge/podero-client';
import * as z from 'zod';

export { MARKET_TIME_ZONE };

/**
 * Zones whose day-ahead auction clears the coupled European (CET/CEST) day. UK is not one: its market
 * trades a Europe/London day, and Podero's upload carries the Berlin day only (ADR 0015), so the bridge
 * refuses it rather than shifting a UK forecast by an hour.
 */
export const OFF_MARKET_CLOCK_ZONES = ['UK'] as const;
export const TRADING_ZONES = ANY_PRICE_ZONES.filter(
  (zone) => !(OFF_MARKET_CLOCK_ZONES as readonly string[]).includes(zone),
) as [string, ...string[]];
export const tradingZoneSchema = z.enum(TRADING_ZONES).meta({
  description:
    'A price zone on the coupled European day-ahead market (CET/CEST day); UK is not traded through the bridge (ADR 0015)',
});

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar date `YYYY-MM-DD` (the delivery day in market time). */
export function isCalendarDay(day: string): boolean {
  if (!DAY_PATTERN.test(day)) return false;
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}
export const deliveryDaySchema = z
  .string()
  .refine(isCalendarDay, 'must be a calendar date YYYY-MM-DD (the delivery day in Europe/Berlin)')
  .meta({
    description: 'The delivery day D, a calendar date in market time (Europe/Berlin)',
    example: '2026-03-29',
  });

/** The delivery day's quarter-hour starts as UTC instants (`...Z`): 96, or 92/100 when the clocks change. */
export function quarterHoursOf(deliveryDay: string): string[] {
  return marketDay(deliveryDay).quarterHours;
}

/** When a confirmation is due on D−1: 14:30 (partners who also trade intraday) or 23:30 (the others). */
export const CONFIRMATION_DEADLINES = ['14:30', '23:30'] as const;
export type ConfirmationDeadline = (typeof CONFIRMATION_DEADLINES)[number];

export interface TradingCalendar {
  /** Upload by this wall-clock time on D−1 (Podero answers `late` after it). */
  readonly uploadBy: string;
  /** When Podero's calculation is expected on D−1 (the curves are asked for from then on). */
  readonly curvesExpectedAt: string;
  /** The curves-late alarm's time on D−1: curves not stored by then are a problem to look at. */
  readonly curvesLateAt: string;
  readonly confirmBy: ConfirmationDeadline;
  /** How long before `confirmBy` an undecided day counts as `confirmation due soon` (minutes). */
  readonly confirmationDueMarginMinutes: number;
}

export const DEFAULT_TRADING_CALENDAR: TradingCalendar = {
  uploadBy: '09:00',
  curvesExpectedAt: '10:30',
  curvesLateAt: '11:30',
  confirmBy: '23:30',
  confirmationDueMarginMinutes: 60,
};

export interface DayDeadlines {
  /** ISO instants (UTC, `Z`). */
  readonly upload_by: string;
  readonly curves_expected_at: string;
  readonly curves_late_at: string;
  readonly confirm_by: string;
  readonly confirmation_due_at: string;
}

function wallClockOn(day: string, hhmm: string): number {
  const [hour, minute] = hhmm.split(':').map(Number);
  return zonedTimeToUtcMs(day, hour ?? 0, minute ?? 0, MARKET_TIME_ZONE);
}

/** The day's deadlines: wall-clock times on D−1 in Europe/Berlin, as UTC instants. */
export function deadlinesOf(deliveryDay: string, calendar: TradingCalendar): DayDeadlines {
  const dayBefore = addDays(deliveryDay, -1);
  const confirmBy = wallClockOn(dayBefore, calendar.confirmBy);
  return {
    upload_by: isoUtc(wallClockOn(dayBefore, calendar.uploadBy)),
    curves_expected_at: isoUtc(wallClockOn(dayBefore, calendar.curvesExpectedAt)),
    curves_late_at: isoUtc(wallClockOn(dayBefore, calendar.curvesLateAt)),
    confirm_by: isoUtc(confirmBy),
    confirmation_due_at: isoUtc(confirmBy - calendar.confirmationDueMarginMinutes * 60_000),
  };
}

export interface ForecastPoint {
  /** The quarter-hour's start, an ISO instant with an offset. */
  readonly start: string;
  /** EUR/MWh: finite, negatives allowed. */
  readonly price_eur_mwh: number;
}

export interface ForecastIssue {
  readonly field: string;
  readonly message: string;
}

const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * How a forecast's issues name their field: the API request's (`body.prices[3].start`) by default; a
 * dropped file names its lines instead (trading/forecast-drop.ts).
 */
export interface ForecastFieldNames {
  /** The point at `index` (0-based) and its `start` or `price_eur_mwh`. */
  point(index: number, name: keyof ForecastPoint): string;
  /** The forecast as a whole (its count). */
  readonly whole: string;
}

export const requestFieldNames: ForecastFieldNames = {
  point: (index, name) => `body.prices[${index}].${name}`,
  whole: 'body.prices',
};

/**
 * What is wrong with a forecast for `deliveryDay` (empty: nothing). The rules: every quarter-hour of the day
 * in market time, in order (96; 92/100 when the clocks change), each start on :00/:15/:30/:45, no gap, no
 * duplicate, a finite price. Fields are named as the request has them (`body.prices[3].start`), or as
 * `names` says.
 */
export function forecastIssues(
  deliveryDay: string,
  points: readonly ForecastPoint[],
  names: ForecastFieldNames = requestFieldNames,
): ForecastIssue[] {
  const expected = quarterHoursOf(deliveryDay);
  const issues: ForecastIssue[] = [];
  const seen = new Set<number>();
  points.forEach((point, index) => {
    const start = names.point(index, 'start');
    const ms = Date.parse(point.start);
    if (Number.isNaN(ms)) issues.push({ field: start, message: 'must be an ISO-8601 instant' });
    else if (ms % QUARTER_HOUR_MS !== 0) {
      issues.push({ field: start, message: 'must start on :00, :15, :30 or :45' });
    } else if (seen.has(ms)) {
      issues.push({ field: start, message: 'duplicates an earlier quarter-hour' });
    } else if (isoUtc(ms) !== expected[index]) {
      issues.push({
        field: start,
        message: `expected ${expected[index] ?? 'no more quarter-hours'} (the day's quarter-hours in order, no gaps)`,
      });
    }
    if (!Number.isNaN(ms)) seen.add(ms);
    if (!Number.isFinite(point.price_eur_mwh)) {
      issues.push({
        field: names.point(index, 'price_eur_mwh'),
        message: 'must be a finite number (EUR/MWh)',
      });
    }
  });
  if (points.length !== expected.length) {
    // First: a gap or a clock-change day misread names every later point, and only 20 issues are kept.
    issues.unshift({
      field: names.whole,
      message: `the delivery day ${deliveryDay} has ${expected.length} quarter-hours in ${MARKET_TIME_ZONE}, got ${points.length}`,
    });
  }
  return issues.slice(0, 20);
}

/** The forecast in the market day's order, each start as the UTC instant the client sends. */
export function normalisedForecast(points: readonly ForecastPoint[]): ForecastPoint[] {
  return points.map((point) => ({
    start: isoUtc(Date.parse(point.start)),
    price_eur_mwh: point.price_eur_mwh,
  }));
}

/** The stage's calendar: the defaults with its confirmation deadline. */
export function tradingCalendarOf(confirmBy: ConfirmationDeadline): TradingCalendar {
  return { ...DEFAULT_TRADING_CALENDAR, confirmBy };
}
