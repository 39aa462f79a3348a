/**
 * The lint test (floors-lint.integ.test.ts) writes deliberately bad files into functions/src for a moment,
 * while other test files may read that folder in parallel (floors.test.ts walks it for circles): they are named
 * with this prefix so that such readers skip them.
 */
export const FLOORS_PROBE_PREFIX = 'zz-floors-probe-';
