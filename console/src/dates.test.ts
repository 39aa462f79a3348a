import { afterEach, describe, expect, it } from 'vitest';
import {
  axisLabels,
  formatDateTime,
  loadZoneSetting,
  onZoneSetting,
  setZoneSetting,
  ZONE_STORAGE_KEY,
  zoneSetting,
} from './dates';

const memory = () => {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
};

afterEach(() => loadZoneSetting(undefined));

describe('formatDateTime', () => {
  it('writes ISO-like 24-hour times with their zone, in UTC by default', () => {
    expect(formatDateTime('2026-07-12T23:04:59Z')).toBe('2026-07-12 23:04 UTC');
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date')).toBe('not a date');
  });

  it("follows Berlin's clock across the spring change (CET to CEST at 01:00 UTC)", () => {
    expect(formatDateTime('2026-03-29T00:59:00Z', 'Europe/Berlin')).toBe('2026-03-29 01:59 CET');
    expect(formatDateTime('2026-03-29T01:00:00Z', 'Europe/Berlin')).toBe('2026-03-29 03:00 CEST');
  });

  it('tells the repeated autumn hour apart by its zone name', () => {
    const first = formatDateTime('2026-10-25T00:30:00Z', 'Europe/Berlin');
    const second = formatDateTime('2026-10-25T01:30:00Z', 'Europe/Berlin');
    expect(first).toBe('2026-10-25 02:30 CEST');
    expect(second).toBe('2026-10-25 02:30 CET');
  });

  it('puts a late-evening UTC instant on the next day in a zone east of UTC', () => {
    expect(formatDateTime('2026-07-12T23:30:00Z', 'UTC')).toBe('2026-07-12 23:30 UTC');
    expect(formatDateTime('2026-07-12T23:30:00Z', 'Europe/Berlin')).toBe('2026-07-13 01:30 CEST');
    // The formatter cached for one zone is not used for another.
    expect(formatDateTime('2026-07-12T23:30:00Z', 'UTC')).toBe('2026-07-12 23:30 UTC');
  });
});

describe('the zone setting', () => {
  it('is UTC unless the browser zone was chosen, and is kept in storage', () => {
    const storage = memory();
    expect(loadZoneSetting(storage)).toBe('UTC');
    const seen: string[] = [];
    const stop = onZoneSetting((s) => seen.push(s));
    setZoneSetting('browser', storage);
    stop();
    expect(storage.getItem(ZONE_STORAGE_KEY)).toBe('browser');
    expect(seen).toEqual(['browser']);
    loadZoneSetting({ getItem: () => 'Mars/Olympus' });
    expect(zoneSetting()).toBe('UTC');
    expect(loadZoneSetting(storage)).toBe('browser');
  });
});

describe('axisLabels', () => {
  const at = (iso: string) => Date.parse(iso) / 1000;

  it('shows times alone within a day, in the zone (Berlin is UTC+2 in July)', () => {
    expect(axisLabels([at('2026-07-12T06:00:00Z'), at('2026-07-12T12:00:00Z')], 'UTC')).toEqual([
      '06:00',
      '12:00',
    ]);
    expect(axisLabels([at('2026-07-12T06:00:00Z'), at('2026-07-12T12:00:00Z')], 'Europe/Berlin')).toEqual([
      '08:00',
      '14:00',
    ]);
  });

  it('names the day where it changes, and only the day for daily splits', () => {
    const hourly = [at('2026-07-12T18:00:00Z'), at('2026-07-13T00:00:00Z'), at('2026-07-13T06:00:00Z')];
    expect(axisLabels(hourly, 'UTC')).toEqual(['07-12 18:00', '07-13 00:00', '06:00']);
    const daily = [at('2026-07-12T00:00:00Z'), at('2026-07-13T00:00:00Z')];
    expect(axisLabels(daily, 'UTC')).toEqual(['07-12', '07-13']);
  });

  it('keeps the day right across the autumn change, when a day has 25 hours', () => {
    const days = [at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z')];
    expect(axisLabels(days, 'Europe/Berlin')).toEqual(['10-25', '10-26']);
  });
});
