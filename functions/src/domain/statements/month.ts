/**
 * A statement month: a calendar month in an IANA time zone, as the UTC instants [from, to) it spans. A
 * customer's bill runs from local midnight on the 1st, so March in Europe/Vienna is an hour shorter than
 * March in UTC (the clocks go forward) and October an hour longer. Pure: Intl knows the zones' rules.
 */

export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export interface MonthRange {
  /** `YYYY-MM`. */
  month: string;
  timeZone: string;
  /** ISO UTC, inclusive: local midnight of the 1st. */
  from: string;
  /** ISO UTC, exclusive: local midnight of the next month's 1st. */
  to: string;
}

/** Whether Intl knows the zone (`Europe/Vienna`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in ms (Vienna in summer: +7,200,000). */
function offsetAt(timeZone: string, epochMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(epochMs);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((candidate) => candidate.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** The instant of local midnight starting the given day (zones change their clocks at night, not at 00:00). */
function localMidnight(timeZone: string, year: number, monthIndex: number): number {
  const wall = Date.UTC(year, monthIndex, 1);
  const first = wall - offsetAt(timeZone, wall);
  // The offset at the guess may differ from the offset at the true instant (a change within hours of it).
  return wall - offsetAt(timeZone, first);
}

export function monthRange(month: string, timeZone: string): MonthRange {
  const match = MONTH_PATTERN.exec(month);
  if (!match) throw new RangeError(`not a YYYY-MM month: ${month}`);
  if (!isTimeZone(timeZone)) throw new RangeError(`not a time zone: ${timeZone}`);
  const year = Number(match[1]);
  const monthIndex = Number(match[2]) - 1;
  return {
    month,
    timeZone,
    from: new Date(localMidnight(timeZone, year, monthIndex)).toISOString(),
    to: new Date(localMidnight(timeZone, year, monthIndex + 1)).toISOString(),
  };
}

/** The month (`YYYY-MM`) an instant falls in, in the zone. */
export function monthOf(epochMs: number, timeZone: string): string {
  const local = new Date(epochMs + offsetAt(timeZone, epochMs));
  return `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The month after (`2025-12` → `2026-01`). */
export function nextMonth(month: string): string {
  const match = MONTH_PATTERN.exec(month);
  if (!match) throw new RangeError(`not a YYYY-MM month: ${month}`);
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]), 1));
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}
