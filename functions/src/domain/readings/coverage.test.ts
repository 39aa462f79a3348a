import { describe, expect, it } from 'vitest';
import { QUARTER_HOUR_MS, readingCoverage } from './coverage.js';

const at = (iso: string, quarters: number) =>
  new Date(Date.parse(iso) + quarters * QUARTER_HOUR_MS).toISOString();

describe('readingCoverage', () => {
  it('expects 96 quarter-hours in a UTC day and counts a reading in each as full coverage', () => {
    const day = '2025-03-10T00:00:00.000Z';
    const times = Array.from({ length: 96 }, (_, i) => at(day, i));
    expect(readingCoverage(times, day, '2025-03-11T00:00:00.000Z')).toEqual({
      expected: 96,
      covered: 96,
      ratio: 1,
      gaps: [],
    });
  });

  it('reads the day in UTC whatever offset the times are written with', () => {
    // 00:30+01:00 is 23:30Z the day before: outside the UTC day; 01:05+01:00 is 00:05Z: the day's first.
    const coverage = readingCoverage(
      ['2025-03-10T00:30:00+01:00', '2025-03-10T01:05:00+01:00'],
      '2025-03-10T00:00:00Z',
      '2025-03-11T00:00:00Z',
    );
    expect(coverage.covered).toBe(1);
    expect(coverage.gaps[0]).toEqual({ from: '2025-03-10T00:15:00.000Z', to: '2025-03-11T00:00:00.000Z' });
    expect(coverage.gaps).toHaveLength(1);
  });

  it('merges consecutive missing quarter-hours into gaps, in order', () => {
    const times = ['2025-03-10T00:00:00Z', '2025-03-10T00:45:00Z', '2025-03-10T01:14:59.999Z'];
    const coverage = readingCoverage(times, '2025-03-10T00:00:00Z', '2025-03-10T02:00:00Z');
    expect(coverage.expected).toBe(8);
    expect(coverage.covered).toBe(3);
    expect(coverage.ratio).toBeCloseTo(3 / 8);
    expect(coverage.gaps).toEqual([
      { from: '2025-03-10T00:15:00.000Z', to: '2025-03-10T00:45:00.000Z' },
      { from: '2025-03-10T01:15:00.000Z', to: '2025-03-10T02:00:00.000Z' },
    ]);
  });

  it('expects only the whole quarter-hours of a range off the boundaries', () => {
    // 10:07 to 10:52: 10:15 and 10:30 lie inside; 10:00 and 10:45 only partly.
    const coverage = readingCoverage(
      ['2025-03-10T10:03:00Z', '2025-03-10T10:20:00Z', '2025-03-10T10:50:00Z'],
      '2025-03-10T10:07:00Z',
      '2025-03-10T10:52:00Z',
    );
    expect(coverage).toEqual({
      expected: 2,
      covered: 1,
      ratio: 0.5,
      gaps: [{ from: '2025-03-10T10:30:00.000Z', to: '2025-03-10T10:45:00.000Z' }],
    });
  });

  it('counts several readings in one quarter-hour once', () => {
    const times = [
      '2025-03-10T10:00:00Z',
      '2025-03-10T10:01:00Z',
      '2025-03-10T10:14:00Z',
      '2025-03-10T10:00:00Z',
    ];
    const coverage = readingCoverage(times, '2025-03-10T10:00:00Z', '2025-03-10T10:30:00Z');
    expect(coverage.expected).toBe(2);
    expect(coverage.covered).toBe(1);
    expect(coverage.gaps).toEqual([{ from: '2025-03-10T10:15:00.000Z', to: '2025-03-10T10:30:00.000Z' }]);
  });

  it('expects nothing of an empty, reversed or shorter-than-a-quarter-hour range', () => {
    const none = { expected: 0, covered: 0, ratio: 1, gaps: [] };
    expect(readingCoverage(['2025-03-10T10:00:00Z'], '2025-03-10T10:00:00Z', '2025-03-10T10:00:00Z')).toEqual(
      none,
    );
    expect(readingCoverage([], '2025-03-10T11:00:00Z', '2025-03-10T10:00:00Z')).toEqual(none);
    expect(readingCoverage([], '2025-03-10T10:01:00Z', '2025-03-10T10:14:00Z')).toEqual(none);
  });

  it('reports a range without readings as one gap', () => {
    expect(readingCoverage([], '2025-03-10T10:00:00Z', '2025-03-10T11:00:00Z')).toEqual({
      expected: 4,
      covered: 0,
      ratio: 0,
      gaps: [{ from: '2025-03-10T10:00:00.000Z', to: '2025-03-10T11:00:00.000Z' }],
    });
  });

  it('ignores unparseable reading times and refuses an unparseable range', () => {
    expect(readingCoverage(['soon'], '2025-03-10T10:00:00Z', '2025-03-10T10:15:00Z').covered).toBe(0);
    expect(() => readingCoverage([], 'yesterday', '2025-03-10T10:15:00Z')).toThrow(RangeError);
  });
});
