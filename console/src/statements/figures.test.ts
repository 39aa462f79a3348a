import { describe, expect, it } from 'vitest';
import {
  formatCoverage,
  formatKwh,
  formatMoney,
  formatRemoval,
  MISSING,
  UNAVAILABLE_LABELS,
} from './figures';

const coverage = { expected_quarter_hours: 2976, covered_quarter_hours: 672, ratio: 0.2258 };

describe('the printable statement figures', () => {
  it('shows a missing figure as missing, never as zero', () => {
    expect(formatKwh({ kwh: null, coverage, unavailable: 'no_readings' })).toBe(MISSING);
    expect(formatMoney({ amount_minor: null, coverage, unavailable: 'no_readings' }, 'EUR')).toBe(MISSING);
    expect(formatKwh({ kwh: 0, coverage, unavailable: null })).toBe('0.000 kWh');
    expect(formatMoney({ amount_minor: 0, coverage, unavailable: null }, 'EUR')).toBe('€0.00');
  });

  it('shows kWh to 3 decimals and money from minor units in the currency, negative savings signed', () => {
    expect(formatKwh({ kwh: 12.5, coverage, unavailable: null })).toBe('12.500 kWh');
    expect(formatMoney({ amount_minor: 123456, coverage, unavailable: null }, 'EUR')).toBe('€1,234.56');
    expect(formatMoney({ amount_minor: -705, coverage, unavailable: null }, 'EUR')).toBe('-€7.05');
    expect(formatMoney({ amount_minor: 705, coverage, unavailable: null }, null)).toBe('7.05');
    expect(formatMoney({ amount_minor: 705, coverage, unavailable: null }, 'XX1')).toBe('7.05 XX1');
  });

  it('says what a figure rests on', () => {
    expect(formatCoverage(coverage)).toBe('672/2976 quarter-hours (22.6 %)');
  });

  it('says how and when a removed device left, and whether its readings were kept', () => {
    const time = (iso: string) => iso.slice(0, 16).replace('T', ' ');
    expect(formatRemoval({ at: '2025-01-11T10:07:00.000Z', by: 'podero', readings: 'kept' }, time)).toBe(
      'removed at Podero 2025-01-11 10:07 (readings kept)',
    );
    expect(
      formatRemoval({ at: '2025-01-21T00:00:00.000Z', by: 'offboarding', readings: 'erased' }, time),
    ).toBe('offboarded 2025-01-21 00:00 (readings erased)');
  });

  it('names every reason the API gives for a missing figure', () => {
    expect(UNAVAILABLE_LABELS.readings_erased).toBe('readings erased');
    expect(UNAVAILABLE_LABELS.no_baseline_series).toBe('no baseline published');
  });
});
