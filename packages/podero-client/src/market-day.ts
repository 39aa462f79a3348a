/**
 * The day-ahead market's delivery day in Podero's wire format: ONE mapping for both API variants
 * (docs/adr/0014-day-ahead-trading-variants.md). The coupled European day-ahead market trades a CET/CEST
 * day, so a delivery day runs from local midnight to local midnight in Europe/Berlin: 96 quarter-hours,
 * 92 on the last Sunday of March and 100 on the last Sunday of October. Its quarter-hours go on the wire
 * as UTC instants with `Z` (what both variants' data references ask for).
 */

/** The market's clock: every trading deadline and delivery day is wall-clock time here. */
export const MARKET_TIME_ZONE = 'Europe/Berlin';

const QUARTER_HOUR_MS = 15 * 60_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock fields of `instantMs` in `timeZone`. */
function wallClock(instantMs: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** How far `timeZone` is ahead of UTC at `instantMs`, in ms (Europe/Berlin: 1 h in winter, 2 h in summer). */
export function zoneOffsetMs(instantMs: number, timeZone: string = MARKET_TIME_ZONE): number {
  const wall = wallClock(instantMs, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - (instantMs - (instantMs % 1000));
}

/** Parses `YYYY-MM-DD` (a real calendar date) into its parts, or throws a RangeError naming it. */
export function parseDay(day: string): { year: number; month: number; day: number } {
  const match = DAY_PATTERN.exec(day);
  const [year, month, date] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const check = new Date(Date.UTC(year, month - 1, date));
  if (
    !match ||
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== date
  ) {
    throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(day)}`);
  }
  return { year, month, day: date };
}

/**
 * The UTC instant of a wall-clock time on `day` in `timeZone` (`hour` may be 24: the next midnight).
 * Meant for times that exist on every day (midnight, 09:00, 14:30, 23:30 in Europe/Berlin): the clocks
 * change at 02:00/03:00, so the offset two passes settle on is the one in force at that time.
 */
export function zonedTimeToUtcMs(
  day: string,
  hour: number,
  minute: number,
  timeZone = MARKET_TIME_ZONE,
): number {
  const { year, month, day: date } = parseDay(day);
  const naive = Date.UTC(year, month - 1, date, hour, minute);
  const first = naive - zoneOffsetMs(naive, timeZone);
  return naive - zoneOffsetMs(first, timeZone);
}

/** The calendar day (`YYYY-MM-DD`) that `instantMs` falls on in `timeZone`. */
export function dayInZone(instantMs: number, timeZone = MARKET_TIME_ZONE): string {
  const wall = wallClock(instantMs, timeZone);
  return `${String(wall.year).padStart(4, '0')}-${String(wall.month).padStart(2, '0')}-${String(wall.day).padStart(2, '0')}`;
}

/** `day` plus `days` calendar days, as `YYYY-MM-DD`. */
export function addDays(day: string, days: number): string {
  const { year, month, day: date } = parseDay(day);
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

export interface MarketDay {
  /** `YYYY-MM-DD`, the delivery day in the market's time. */
  deliveryDay: string;
  timeZone: string;
  /** Local midnight starting the day, as a UTC instant (`2026-03-28T23:00:00Z`). */
  startUtc: string;
  /** Local midnight ending it (exclusive). */
  endUtc: string;
  /** Every quarter-hour's start, UTC with `Z`, in order: 96, or 92/100 when the clocks change. */
  quarterHours: string[];
}

/** ISO-8601 in UTC without milliseconds: `2026-03-28T23:00:00Z`. */
export function isoUtc(instantMs: number): string {
  return new Date(instantMs).toISOString().replace('.000Z', 'Z');
}

/** The delivery day `deliveryDay` (market time) as the quarter-hours both API variants carry. */
export function marketDay(deliveryDay: string, timeZone = MARKET_TIME_ZONE): MarketDay {
  const startMs = zonedTimeToUtcMs(deliveryDay, 0, 0, timeZone);
  const endMs = zonedTimeToUtcMs(addDays(deliveryDay, 1), 0, 0, timeZone);
  const quarterHours: string[] = [];
  for (let at = startMs; at < endMs; at += QUARTER_HOUR_MS) quarterHours.push(isoUtc(at));
  return { deliveryDay, timeZone, startUtc: isoUtc(startMs), endUtc: isoUtc(endMs), quarterHours };
}
