import { describe, expect, it } from 'vitest';
import { addDays, dayInZone, marketDay, parseDay, zonedTimeToUtcMs } from './market-day';

describe('marketDay: a delivery day in Europe/Berlin as UTC quarter-hours', () => {
  it('a winter day: 96 quarter-hours from 23:00Z the evening before', () => {
    const day = marketDay('2026-01-15');
    expect(day.quarterHours).toHaveLength(96);
    expect(day.startUtc).toBe('2026-01-14T23:00:00Z');
    expect(day.endUtc).toBe('2026-01-15T23:00:00Z');
    expect(day.quarterHours[0]).toBe('2026-01-14T23:00:00Z');
    expect(day.quarterHours[1]).toBe('2026-01-14T23:15:00Z');
    expect(day.quarterHours.at(-1)).toBe('2026-01-15T22:45:00Z');
  });

  it('a summer day: 96 quarter-hours from 22:00Z', () => {
    const day = marketDay('2026-07-01');
    expect(day.quarterHours).toHaveLength(96);
    expect(day.startUtc).toBe('2026-06-30T22:00:00Z');
    expect(day.endUtc).toBe('2026-07-01T22:00:00Z');
  });

  it('the spring clock change (2026-03-29): 92 quarter-hours, starting on CET and ending on CEST', () => {
    const day = marketDay('2026-03-29');
    expect(day.quarterHours).toHaveLength(92);
    expect(day.startUtc).toBe('2026-03-28T23:00:00Z');
    expect(day.endUtc).toBe('2026-03-29T22:00:00Z');
    // 01:45 CET is 00:45Z; the next local quarter-hour is 03:00 CEST = 01:00Z: no gap in UTC.
    expect(day.quarterHours).toContain('2026-03-29T00:45:00Z');
    expect(day.quarterHours).toContain('2026-03-29T01:00:00Z');
  });

  it('the autumn clock change (2026-10-25): 100 quarter-hours, the hour 02:00-03:00 twice', () => {
    const day = marketDay('2026-10-25');
    expect(day.quarterHours).toHaveLength(100);
    expect(day.startUtc).toBe('2026-10-24T22:00:00Z');
    expect(day.endUtc).toBe('2026-10-25T23:00:00Z');
    expect(new Set(day.quarterHours).size).toBe(100);
  });

  it('the days around both clock changes are ordinary 96-quarter-hour days', () => {
    for (const d of ['2026-03-28', '2026-03-30', '2026-10-24', '2026-10-26']) {
      expect(marketDay(d).quarterHours, d).toHaveLength(96);
    }
  });

  it("across a year boundary: New Year's Day starts at 23:00Z on 31 December", () => {
    const day = marketDay('2027-01-01');
    expect(day.startUtc).toBe('2026-12-31T23:00:00Z');
    expect(day.quarterHours).toHaveLength(96);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    // 23:30Z on 31 December is already 1 January in Berlin.
    expect(dayInZone(Date.parse('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
    expect(dayInZone(Date.parse('2026-12-31T22:30:00Z'))).toBe('2026-12-31');
  });

  it('wall-clock deadlines follow the offset in force that day', () => {
    expect(new Date(zonedTimeToUtcMs('2026-03-28', 14, 30)).toISOString()).toBe('2026-03-28T13:30:00.000Z');
    expect(new Date(zonedTimeToUtcMs('2026-03-29', 14, 30)).toISOString()).toBe('2026-03-29T12:30:00.000Z');
    expect(new Date(zonedTimeToUtcMs('2026-10-25', 23, 30)).toISOString()).toBe('2026-10-25T22:30:00.000Z');
    expect(new Date(zonedTimeToUtcMs('2026-10-24', 9, 0)).toISOString()).toBe('2026-10-24T07:00:00.000Z');
  });

  it('refuses what is not a calendar date', () => {
    expect(() => parseDay('2026-02-30')).toThrow(RangeError);
    expect(() => marketDay('2026-1-5')).toThrow(RangeError);
  });
});
