import { describe, expect, it } from 'vitest';
import {
  canTransition,
  decisionRefusal,
  nextStep,
  retryAt,
  TRADING_STATES,
  type WorkflowView,
} from './workflow';

const at = (iso: string) => Date.parse(iso);
const base: WorkflowView = {
  state: 'prices_received',
  deadlines: { upload_by: '2026-10-24T07:00:00Z', confirm_by: '2026-10-24T21:30:00Z' },
  calculation_ready_at: null,
  decision: null,
  upload_attempts: 0,
  next_attempt_at: null,
};

describe('the workflow state machine', () => {
  it('allows only forward transitions and none out of a final state', () => {
    expect(canTransition('prices_received', 'uploaded')).toBe(true);
    expect(canTransition('uploaded', 'prices_received')).toBe(false);
    expect(canTransition('prices_received', 'confirmed')).toBe(false);
    for (const final of ['confirmed', 'rejected', 'missed', 'failed'] as const) {
      for (const to of TRADING_STATES) expect(canTransition(final, to)).toBe(false);
    }
  });

  it('uploads before the deadline, verifies first after an earlier attempt, misses after it', () => {
    expect(nextStep(base, at('2026-10-24T06:00:00Z'), 'off')).toEqual({ kind: 'upload', verifyFirst: false });
    expect(nextStep({ ...base, upload_attempts: 1 }, at('2026-10-24T06:00:00Z'), 'off')).toEqual({
      kind: 'upload',
      verifyFirst: true,
    });
    expect(nextStep(base, at('2026-10-24T07:00:00Z'), 'off').kind).toBe('miss');
  });

  it('waits out a back-off, then for the calculation, then fetches the curves', () => {
    const backingOff = { ...base, next_attempt_at: '2026-10-24T06:05:00Z' };
    expect(nextStep(backingOff, at('2026-10-24T06:00:00Z'), 'off')).toEqual({
      kind: 'wait',
      untilMs: at('2026-10-24T06:05:00Z'),
    });
    const uploaded = { ...base, state: 'uploaded' as const, calculation_ready_at: '2026-10-24T08:30:00Z' };
    expect(nextStep(uploaded, at('2026-10-24T08:00:00Z'), 'off').kind).toBe('wait');
    expect(nextStep(uploaded, at('2026-10-24T08:30:00Z'), 'off')).toEqual({ kind: 'fetch_curves' });
    expect(nextStep(uploaded, at('2026-10-24T21:30:00Z'), 'off').kind).toBe('miss');
  });

  it('lets the desk decide (or the auto policy), confirms the decision, and misses at the deadline', () => {
    const ready = { ...base, state: 'curves_ready' as const };
    expect(nextStep(ready, at('2026-10-24T12:00:00Z'), 'off')).toEqual({
      kind: 'wait',
      untilMs: at('2026-10-24T21:30:00Z'),
    });
    expect(nextStep(ready, at('2026-10-24T12:00:00Z'), 'accept')).toEqual({ kind: 'decide', accepted: true });
    const decided = {
      ...ready,
      decision: { accepted: false, by: 'desk' as const, at: '2026-10-24T12:00:00Z' },
    };
    expect(nextStep(decided, at('2026-10-24T12:01:00Z'), 'off')).toEqual({
      kind: 'confirm',
      accepted: false,
    });
    expect(nextStep(ready, at('2026-10-24T21:30:00Z'), 'accept')).toEqual({
      kind: 'miss',
      reason: 'no decision before the confirmation deadline',
    });
    expect(nextStep({ ...ready, state: 'confirmed' }, at('2026-10-24T12:00:00Z'), 'off')).toEqual({
      kind: 'done',
    });
  });

  it('takes one decision from the desk, only while the curves are ready and before the deadline', () => {
    const ready = { ...base, state: 'curves_ready' as const };
    expect(decisionRefusal(ready, at('2026-10-24T12:00:00Z'))).toBeNull();
    expect(decisionRefusal(base, at('2026-10-24T06:00:00Z'))).toBe('the load curves are not ready yet');
    expect(decisionRefusal(ready, at('2026-10-24T21:30:00Z'))).toBe('the confirmation deadline has passed');
    const decided = {
      ...ready,
      decision: { accepted: true, by: 'auto' as const, at: '2026-10-24T12:00:00Z' },
    };
    expect(decisionRefusal(decided, at('2026-10-24T12:00:00Z'))).toBe('the trade was already accepted');
  });

  it('backs off 30 s, 1, 2 minutes ... capped at 10 and never past the window', () => {
    const now = at('2026-10-24T06:00:00Z');
    expect(retryAt(now, 1, now + 3_600_000) - now).toBe(30_000);
    expect(retryAt(now, 3, now + 3_600_000) - now).toBe(120_000);
    expect(retryAt(now, 12, now + 3_600_000) - now).toBe(600_000);
    expect(retryAt(now, 12, now + 5_000) - now).toBe(5_000);
  });
});
