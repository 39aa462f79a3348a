import { describe, expect, it } from 'vitest';
import { decisionAvailability } from './decision';
import { quarterHours, tradingDay } from './fixtures.test-support';

const ready = tradingDay(quarterHours('2026-10-24T22:00:00Z', 100), {}, true);
const beforeDeadline = Date.parse('2026-10-24T10:00:00Z');

describe('whether the page offers confirm and reject', () => {
  it('offers them while the curves are ready, undecided, before the confirmation deadline', () => {
    expect(decisionAvailability(ready, beforeDeadline)).toEqual({ open: true });
  });

  it('does not once the deadline passed, before the curves, after a decision or in a final state', () => {
    expect(decisionAvailability(ready, Date.parse(ready.deadlines.confirm_by))).toEqual({
      open: false,
      reason: 'The confirmation deadline has passed',
    });
    expect(decisionAvailability({ ...ready, state: 'uploaded' }, beforeDeadline)).toEqual({
      open: false,
      reason: 'The load curves are not ready yet',
    });
    expect(
      decisionAvailability(
        { ...ready, decision: { accepted: false, by: 'auto', at: '2026-10-24T08:40:00Z' } },
        beforeDeadline,
      ),
    ).toEqual({ open: false, reason: 'Rejected by the auto-confirm policy' });
    expect(decisionAvailability({ ...ready, state: 'missed' }, beforeDeadline)).toEqual({
      open: false,
      reason: 'The day is missed',
    });
  });
});
