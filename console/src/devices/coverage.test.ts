import { describe, expect, it } from 'vitest';
import { type CoverageDay, coverageCell } from './coverage';

const day = (fields: Partial<CoverageDay>): CoverageDay => ({
  day: '2026-03-10',
  expected: 96,
  covered: 96,
  ratio: 1,
  backfilled: 0,
  gaps: [],
  ...fields,
});

describe('a device card’s coverage cells', () => {
  it('shows a complete day as 100 % with how much the backfill filled', () => {
    expect(coverageCell(day({ backfilled: 3 }))).toEqual({
      day: '2026-03-10',
      label: '100 %',
      level: 'full',
      title: '2026-03-10: 96 of 96 quarter-hours with a reading (3 backfilled)',
    });
  });

  it('rounds down, so a day missing one quarter-hour is never shown as complete', () => {
    const cell = coverageCell(
      day({
        expected: 1000,
        covered: 999,
        ratio: 0.999,
        gaps: [{ from: '2026-03-10T23:45:00.000Z', to: '2026-03-11T00:00:00.000Z' }],
      }),
    );
    expect(cell).toMatchObject({ label: '99 %', level: 'partial' });
    expect(cell.title.split('\n')[1]).toBe('Gaps (UTC): 23:45–24:00');
  });

  it('names the first gaps in UTC and counts the rest', () => {
    const gaps = Array.from({ length: 8 }, (_, i) => ({
      from: `2026-03-10T0${i}:00:00.000Z`,
      to: `2026-03-10T0${i}:15:00.000Z`,
    }));
    const cell = coverageCell(day({ covered: 88, ratio: 88 / 96, gaps }));
    expect(cell).toMatchObject({ label: '91 %', level: 'partial' });
    expect(cell.title.split('\n')[1]).toBe(
      'Gaps (UTC): 00:00–00:15, 01:00–01:15, 02:00–02:15, 03:00–03:15, 04:00–04:15, 05:00–05:15 and 2 more',
    );
  });

  it('marks a poor day, and a day with nothing expected as none', () => {
    expect(coverageCell(day({ covered: 48, ratio: 0.5 })).level).toBe('poor');
    expect(coverageCell(day({ expected: 0, covered: 0, ratio: 1 }))).toMatchObject({
      label: '—',
      level: 'none',
    });
  });
});
