/**
 * A device's coverage as the customer page shows it: a cell per UTC day of the last days, its percent of
 * quarter-hours with a reading, and on hover what is missing (the coverage route's gaps) and how much the
 * history backfill filled.
 */

/** One day of the readings coverage route's answer (`ReadingCoverage.days`). */
export interface CoverageDay {
  day: string;
  expected: number;
  covered: number;
  ratio: number;
  backfilled: number;
  gaps: readonly { from: string; to: string }[];
}

/** `full`: every quarter-hour; `partial`: at least 90 %; `poor`: less; `none`: nothing expected yet. */
export type CoverageLevel = 'full' | 'partial' | 'poor' | 'none';

export interface CoverageCell {
  day: string;
  /** What the cell says: a whole percent, rounded down (99.9 % is not shown as complete). */
  label: string;
  level: CoverageLevel;
  /** The hover text: the figures, then the gaps in UTC. */
  title: string;
}

/** Days the strip shows, today included (the route's default range, the last seven days, spans eight). */
export const COVERAGE_DAYS = 7;
/** Gaps named in a cell's title; the rest are counted. */
const GAPS_NAMED = 6;

function clockOf(iso: string, day: string): string {
  // A gap that runs to the day's end ends at the next midnight: 24:00 reads better than 00:00.
  if (iso.slice(0, 10) !== day && iso.slice(11, 16) === '00:00') return '24:00';
  return iso.slice(11, 16);
}

export function coverageCell(day: CoverageDay): CoverageCell {
  if (day.expected === 0)
    return { day: day.day, label: '—', level: 'none', title: `${day.day}: no quarter-hour expected yet` };
  const percent = Math.floor(day.ratio * 100);
  const level: CoverageLevel = day.covered >= day.expected ? 'full' : day.ratio >= 0.9 ? 'partial' : 'poor';
  const lines = [
    `${day.day}: ${day.covered} of ${day.expected} quarter-hours with a reading` +
      (day.backfilled > 0 ? ` (${day.backfilled} backfilled)` : ''),
  ];
  if (day.gaps.length > 0) {
    const named = day.gaps
      .slice(0, GAPS_NAMED)
      .map((gap) => `${clockOf(gap.from, day.day)}–${clockOf(gap.to, day.day)}`);
    const more = day.gaps.length - GAPS_NAMED;
    lines.push(`Gaps (UTC): ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  return { day: day.day, label: `${percent} %`, level, title: lines.join('\n') };
}
