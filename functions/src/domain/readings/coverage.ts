/**
 * Coverage of a reading series: which quarter-hours of a range hold at least one reading. Podero's `/data`
 * series and the sync both think in UTC quarter-hours, so a quarter-hour is the unit of "did we see the
 * device then"; a day (UTC) has 96 of them.
 */

export const QUARTER_HOUR_MS = 900_000;

/** A run of quarter-hours without a reading, ISO UTC, [from, to). */
export interface CoverageGap {
  from: string;
  to: string;
}

/**
 * `expected`: the whole quarter-hours inside the range; `covered`: those holding at least one reading;
 * `ratio`: covered / expected (1 when nothing is expected: nothing is missing); `gaps`: the uncovered
 * quarter-hours, consecutive ones merged, in time order.
 */
export interface Coverage {
  expected: number;
  covered: number;
  ratio: number;
  gaps: CoverageGap[];
}

function epochOf(iso: string, name: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`${name} is not an ISO time: ${iso}`);
  return ms;
}

/**
 * Quarter-hours of [fromIso, toIso) holding at least one reading (readingTimes: ISO UTC).
 *
 * Only whole quarter-hours count: a range that does not start or end on a quarter-hour boundary expects
 * the quarter-hours that lie entirely inside it (a range ending "now" does not expect the quarter-hour
 * still running). A reading counts for the quarter-hour it falls in; several in one count once; readings
 * outside the expected quarter-hours and unparseable times are ignored. An empty or reversed range
 * expects nothing.
 */
export function readingCoverage(readingTimes: readonly string[], fromIso: string, toIso: string): Coverage {
  const from = epochOf(fromIso, 'fromIso');
  const to = epochOf(toIso, 'toIso');
  const firstSlot = Math.ceil(from / QUARTER_HOUR_MS);
  const endSlot = Math.floor(to / QUARTER_HOUR_MS); // exclusive
  const expected = Math.max(0, endSlot - firstSlot);
  if (expected === 0) return { expected: 0, covered: 0, ratio: 1, gaps: [] };

  const seen = new Set<number>();
  for (const time of readingTimes) {
    const ms = Date.parse(time);
    if (!Number.isFinite(ms)) continue;
    const slot = Math.floor(ms / QUARTER_HOUR_MS);
    if (slot >= firstSlot && slot < endSlot) seen.add(slot);
  }

  const gaps: CoverageGap[] = [];
  let gapStart: number | undefined;
  for (let slot = firstSlot; slot <= endSlot; slot++) {
    const missing = slot < endSlot && !seen.has(slot);
    if (missing && gapStart === undefined) gapStart = slot;
    if (!missing && gapStart !== undefined) {
      gaps.push({
        from: new Date(gapStart * QUARTER_HOUR_MS).toISOString(),
        to: new Date(slot * QUARTER_HOUR_MS).toISOString(),
      });
      gapStart = undefined;
    }
  }
  return { expected, covered: seen.size, ratio: seen.size / expected, gaps };
}
