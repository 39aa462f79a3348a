import { describe, expect, it } from 'vitest';
import { formatCoverage, formatKwh, formatMoney, MISSING } from './figures';

const coverage = { expected_quarter_hours: 2976, covered_quarter_hours: 672, ratio: 0.2258 };

describe('the printable statement figures', () => {
  it('shows a missing figure as missing, never as zero', () => {
    expect(formatKwh({ kwh: null, coverage })).toBe(MISSING);
    expect(formatMoney({ amount_minor: null, coverage }, 'EUR')).toBe(MISSING);
    expect(formatKwh({ kwh: 0, coverage })).toBe('0.000 kWh');
    expect(formatMoney({ amount_minor: 0, coverage }, 'EUR')).toBe('€0.00');
  });

  it('shows kWh to 3 decimals and money from minor units in the currency, negative savings signed', () => {
    expect(formatKwh({ kwh: 12.5, coverage })).toBe('12.500 kWh');
    expect(formatMoney({ amount_minor: 123456, coverage }, 'EUR')).toBe('€1,234.56');
    expect(formatMoney({ amount_minor: -705, coverage }, 'EUR')).toBe('-€7.05');
    expect(formatMoney({ amount_minor: 705, coverage }, null)).toBe('7.05');
    expect(formatMoney({ amount_minor: 705, coverage }, 'XX1')).toBe('7.05 XX1');
  });

  it('says what a figure rests on', () => {
    expect(formatCoverage(coverage)).toBe('672/2976 quarter-hours (22.6 %)');
  });
});
