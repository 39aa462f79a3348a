/**
 * One date format and one time zone for the whole console: every page's times and every chart's axis go
 * through here. The zone is a setting (UTC by default, or the browser's own), kept in localStorage; the
 * format is ISO-like and 24-hour (`2026-07-12 11:04 UTC`), never ambiguous between day and month, and
 * always says its zone.
 */

export type ZoneSetting = 'UTC' | 'browser';
export const ZONE_SETTINGS: readonly ZoneSetting[] = ['UTC', 'browser'];
export const ZONE_STORAGE_KEY = 'podero-bridge.console.time-zone';

/** The setting's zone as an IANA name (the browser's resolved zone for `browser`). */
export function zoneOf(setting: ZoneSetting): string {
  return setting === 'UTC' ? 'UTC' : Intl.DateTimeFormat().resolvedOptions().timeZone;
}

let current: ZoneSetting = 'UTC';
const listeners = new Set<(setting: ZoneSetting) => void>();

/** Reads the stored setting (anything unknown reads as UTC); call once at start-up. */
export function loadZoneSetting(storage: Pick<Storage, 'getItem'> | undefined): ZoneSetting {
  const stored = storage?.getItem(ZONE_STORAGE_KEY);
  current = stored === 'browser' ? 'browser' : 'UTC';
  return current;
}

export function zoneSetting(): ZoneSetting {
  return current;
}

export function setZoneSetting(setting: ZoneSetting, storage: Pick<Storage, 'setItem'> | undefined): void {
  current = setting;
  storage?.setItem(ZONE_STORAGE_KEY, setting);
  for (const listener of listeners) listener(setting);
}

export function onZoneSetting(listener: (setting: ZoneSetting) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * One formatter per zone, built on first use: building an Intl.DateTimeFormat costs far more than formatting
 * with one, and a chart's axis or a page of rows formats hundreds of instants in the same zone.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** A zone's wall-clock fields at an instant, and its short name there (`UTC`, `CEST`; `GMT+2` where a zone has no short name). */
function partsAt(ms: number, timeZone: string) {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    time: `${get('hour')}:${get('minute')}`,
    zone: timeZone === 'UTC' ? 'UTC' : get('timeZoneName'),
  };
}

/** `2026-07-12 11:04 UTC` (or the zone's own name); `—` for nothing, the text itself when it is no date. */
export function formatDateTime(iso: string | null | undefined, timeZone = zoneOf(current)): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const { date, time, zone } = partsAt(ms, timeZone);
  return `${date} ${time} ${zone}`;
}

/** The zone's name to label an axis with: `UTC`, or the browser zone's IANA name. */
export const zoneLabel = (timeZone = zoneOf(current)): string => timeZone;

/**
 * A chart's time-axis labels (uPlot `values`): splits in seconds. Within one day `HH:MM`; across days the
 * day where it changes (`07-12`) or `07-12 HH:MM` when the splits are finer than a day. Same format as the
 * page: 24-hour, month before day, in the setting's zone.
 */
export function axisLabels(splitsSeconds: readonly number[], timeZone = zoneOf(current)): string[] {
  const parts = splitsSeconds.map((s) => partsAt(s * 1000, timeZone));
  const step = splitsSeconds.length > 1 ? (splitsSeconds[1] ?? 0) - (splitsSeconds[0] ?? 0) : 0;
  const daily = step >= 86_400;
  const oneDay = parts.every((p) => p.date === parts[0]?.date);
  return parts.map((p, i) => {
    if (oneDay) return p.time;
    const monthDay = p.date.slice(5);
    if (daily) return monthDay;
    return i === 0 || p.date !== parts[i - 1]?.date ? `${monthDay} ${p.time}` : p.time;
  });
}
