import { describe, expect, it } from 'vitest';
import { summariseCurves } from './curves';
import {
  DEFAULT_TRADING_CALENDAR,
  deadlinesOf,
  deliveryDaySchema,
  forecastIssues,
  quarterHoursOf,
  tradingZoneSchema,
} from './market';

const forecastOf = (day: string, price = (i: number) => i - 10) =>
  quarterHoursOf(day).map((start, i) => ({ start, price_eur_mwh: price(i) }));

describe('the delivery day in market time', () => {
  it('has 92 quarter-hours on 2026-03-29 (CET -> CEST), starting at local midnight', () => {
    const day = quarterHoursOf('2026-03-29');
    expect(day).toHaveLength(92);
    expect(day[0]).toBe('2026-03-28T23:00:00Z');
    expect(day.at(-1)).toBe('2026-03-29T21:45:00Z');
  });
  it('has 100 quarter-hours on 2026-10-25 (CEST -> CET)', () => {
    const day = quarterHoursOf('2026-10-25');
    expect(day).toHaveLength(100);
    expect(day[0]).toBe('2026-10-24T22:00:00Z');
    expect(day.at(-1)).toBe('2026-10-25T22:45:00Z');
  });
  it('has 96 across the year boundary, 2027-01-01 starting 2026-12-31T23:00Z', () => {
    const day = quarterHoursOf('2027-01-01');
    expect(day).toHaveLength(96);
    expect(day[0]).toBe('2026-12-31T23:00:00Z');
  });
  it('refuses a day that is not a calendar date, and UK (not on the coupled market clock)', () => {
    expect(deliveryDaySchema.safeParse('2026-02-30').success).toBe(false);
    expect(deliveryDaySchema.safeParse('2026-2-3').success).toBe(false);
    expect(deliveryDaySchema.safeParse('2026-02-28').success).toBe(true);
    expect(tradingZoneSchema.safeParse('UK').success).toBe(false);
    expect(tradingZoneSchema.safeParse('DE_LU').success).toBe(true);
  });
});

describe('deadlines in Europe/Berlin wall-clock time on D-1', () => {
  it('puts 09:00 / 10:30 / 23:30 of 2026-03-28 (still CET) at UTC+1', () => {
    const d = deadlinesOf('2026-03-29', DEFAULT_TRADING_CALENDAR);
    expect(d.upload_by).toBe('2026-03-28T08:00:00Z');
    expect(d.curves_expected_at).toBe('2026-03-28T09:30:00Z');
    expect(d.confirm_by).toBe('2026-03-28T22:30:00Z');
    expect(d.confirmation_due_at).toBe('2026-03-28T21:30:00Z');
  });
  it('puts the deadlines of the day after the spring change (D-1 in CEST) at UTC+2', () => {
    const d = deadlinesOf('2026-03-30', { ...DEFAULT_TRADING_CALENDAR, confirmBy: '14:30' });
    expect(d.upload_by).toBe('2026-03-29T07:00:00Z');
    expect(d.confirm_by).toBe('2026-03-29T12:30:00Z');
  });
  it('puts the deadlines for 2026-10-25 (D-1 still CEST) at UTC+2 and for 2026-10-26 at UTC+1', () => {
    expect(deadlinesOf('2026-10-25', DEFAULT_TRADING_CALENDAR).upload_by).toBe('2026-10-24T07:00:00Z');
    expect(deadlinesOf('2026-10-26', DEFAULT_TRADING_CALENDAR).upload_by).toBe('2026-10-25T08:00:00Z');
  });
  it('crosses the year boundary: 2027-01-01 is uploaded by 2026-12-31 09:00 CET', () => {
    const d = deadlinesOf('2027-01-01', { ...DEFAULT_TRADING_CALENDAR, confirmBy: '14:30' });
    expect(d.upload_by).toBe('2026-12-31T08:00:00Z');
    expect(d.confirm_by).toBe('2026-12-31T13:30:00Z');
  });
});

describe('a forecast', () => {
  it('is valid with every quarter-hour in order, negative prices allowed, also in other offsets', () => {
    expect(forecastIssues('2026-10-25', forecastOf('2026-10-25'))).toEqual([]);
    const withOffset = forecastOf('2026-06-01').map((p) => ({
      ...p,
      start: new Date(Date.parse(p.start)).toISOString().replace('Z', '+00:00'),
    }));
    expect(forecastIssues('2026-06-01', withOffset)).toEqual([]);
  });
  it('names the missing quarter-hours of a 92-quarter-hour day sent as 96', () => {
    const ninetySix = forecastOf('2026-03-28').map((p, i) => ({
      start: new Date(Date.parse('2026-03-28T23:00:00Z') + i * 900_000).toISOString(),
      price_eur_mwh: p.price_eur_mwh,
    }));
    const issues = forecastIssues('2026-03-29', ninetySix);
    expect(issues.map((i) => i.field)).toContain('body.prices');
    expect(issues.find((i) => i.field === 'body.prices')?.message).toContain('92 quarter-hours');
  });
  it('names a misaligned start, a duplicate, a gap and a non-finite price by index', () => {
    const points = forecastOf('2026-06-01');
    const broken = points.map((p) => ({ ...p }));
    broken[1] = { start: '2026-05-31T22:20:00Z', price_eur_mwh: 1 };
    broken[2] = { start: points[0]?.start ?? '', price_eur_mwh: 1 };
    broken[3] = { start: points[4]?.start ?? '', price_eur_mwh: Number.NaN };
    const fields = forecastIssues('2026-06-01', broken).map((i) => `${i.field}: ${i.message}`);
    expect(fields).toEqual([
      'body.prices[1].start: must start on :00, :15, :30 or :45',
      'body.prices[2].start: duplicates an earlier quarter-hour',
      expect.stringMatching(/^body\.prices\[3\]\.start: expected 2026-05-31T22:45:00Z/),
      'body.prices[3].price_eur_mwh: must be a finite number (EUR/MWh)',
      expect.stringMatching(/^body\.prices\[4\]\.start: duplicates/),
    ]);
  });
});

describe('curves', () => {
  it('computes the delta and the saving at the forecast prices', () => {
    const forecast = [
      { start: '2026-06-01T00:00:00Z', price_eur_mwh: 100 },
      { start: '2026-06-01T00:15:00Z', price_eur_mwh: -20 },
    ];
    const summary = summariseCurves(
      forecast,
      [
        { start: '2026-06-01T00:00:00Z', energyWh: 1_000 },
        { start: '2026-06-01T00:15:00+00:00', energyWh: 3_000 },
      ],
      [
        { start: '2026-06-01T00:00:00Z', energyWh: 2_000 },
        { start: '2026-06-01T00:15:00Z', energyWh: 2_000 },
      ],
    );
    expect(summary.points.map((p) => p.delta_wh)).toEqual([-1000, 1000]);
    expect(summary.points[1]?.start).toBe('2026-06-01T00:15:00Z');
    // (2000-1000)*100/1e6 + (2000-3000)*(-20)/1e6 = 0.1 + 0.02
    expect(summary.expected_saving_eur).toBe(0.12);
    expect(summary.optimized_wh).toBe(summary.unoptimized_wh);
  });
});
