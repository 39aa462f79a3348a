import { describe, expect, it } from 'vitest';
import { deadlinesInOrder, formatCountdown, nextDeadline } from './deadlines';
import { quarterHours, tradingDay } from './fixtures.test-support';

const at = (iso: string) => Date.parse(iso);
const day = tradingDay(quarterHours('2026-10-24T22:00:00Z', 100));

describe('deadlines', () => {
  it('lists upload, curves expected and confirmation earliest first, whatever order the answer had', () => {
    const shuffled = {
      ...day.deadlines,
      confirm_by: '2026-10-24T12:30:00Z',
      upload_by: '2026-10-24T07:00:00Z',
      curves_expected_at: '2026-10-24T08:30:00Z',
    };
    expect(deadlinesInOrder(shuffled).map((d) => d.key)).toEqual([
      'upload_by',
      'curves_expected_at',
      'confirm_by',
    ]);
  });

  it('counts down to the next deadline the state still waits for', () => {
    const before = at('2026-10-24T06:00:00Z');
    expect(nextDeadline({ ...day, state: 'prices_received' }, before)?.key).toBe('upload_by');
    // Uploaded: the upload deadline no longer matters, even if it is still ahead.
    expect(nextDeadline({ ...day, state: 'uploaded' }, before)?.key).toBe('curves_expected_at');
    // Curves late: past their expected time, the confirmation deadline is next.
    expect(nextDeadline({ ...day, state: 'uploaded' }, at('2026-10-24T09:00:00Z'))?.key).toBe('confirm_by');
    expect(nextDeadline({ ...day, state: 'curves_ready' }, before)?.key).toBe('confirm_by');
    expect(nextDeadline({ ...day, state: 'confirmed' }, before)).toBeUndefined();
    expect(nextDeadline({ ...day, state: 'curves_ready' }, at('2026-10-24T12:30:00Z'))).toBeUndefined();
  });

  it('formats the time left, with days when over 24 hours, and "passed" at zero', () => {
    expect(formatCountdown(65_000)).toBe('00:01:05');
    expect(formatCountdown(3_600_000 * 26 + 5_000)).toBe('1 d 02:00:05');
    expect(formatCountdown(999)).toBe('00:00:00');
    expect(formatCountdown(0)).toBe('passed');
    expect(formatCountdown(-5_000)).toBe('passed');
  });

  it('counts the hours that really pass across a clock change, not the wall-clock difference', () => {
    // Autumn: 00:30 CEST to 09:00 CET on 25 Oct 2026 is 9 h 30 min (the wall clock says 8 h 30 min).
    expect(formatCountdown(at('2026-10-25T08:00:00Z') - at('2026-10-24T22:30:00Z'))).toBe('09:30:00');
    // Spring: 01:00 CET to 09:00 CEST on 29 Mar 2026 is 7 hours (the wall clock says 8).
    expect(formatCountdown(at('2026-03-29T07:00:00Z') - at('2026-03-29T00:00:00Z'))).toBe('07:00:00');
  });
});
