/**
 * Market time for the trading page: the day-ahead market trades Europe/Berlin days and states its deadlines
 * in Berlin wall-clock time, so the page names days and times in Berlin whatever the operator's own zone.
 */
export const MARKET_TIME_ZONE = 'Europe/Berlin';

const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: MARKET_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Berlin calendar day (YYYY-MM-DD) an instant falls on. */
export function berlinDayOf(ms: number): string {
  return dayFormat.format(new Date(ms));
}

/** A calendar day `days` later (or earlier): date arithmetic on the date alone, no clock involved. */
export function addDays(day: string, days: number): string {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

/** The default delivery day: tomorrow in Berlin, the day whose trade is decided today. */
export function nextDeliveryDay(nowMs: number): string {
  return addDays(berlinDayOf(nowMs), 1);
}

const timeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: MARKET_TIME_ZONE,
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** An instant as Berlin wall-clock time with its offset's name: "Sat 24 Oct, 09:00 GMT+2". */
export function formatBerlin(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : timeFormat.format(new Date(ms));
}
