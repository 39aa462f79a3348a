import type { TradingDay } from './chart';

/**
 * Whether the page offers Confirm and Reject, and if not, why. Only a hint: the API decides (its role check
 * and its own rule, `decisionRefusal`, at its own clock), and the page shows its refusal when it says no.
 * Every trading route is admin-only, so a caller who could load the day may also decide it.
 */
export type DecisionAvailability = { open: true } | { open: false; reason: string };

export function decisionAvailability(
  day: Pick<TradingDay, 'state' | 'decision' | 'deadlines'>,
  nowMs: number,
): DecisionAvailability {
  if (day.decision !== null) {
    return {
      open: false,
      reason: `${day.decision.accepted ? 'Accepted' : 'Rejected'} by ${day.decision.by === 'desk' ? 'the desk' : 'the auto-confirm policy'}`,
    };
  }
  if (day.state !== 'curves_ready') {
    return {
      open: false,
      reason: ['prices_received', 'uploaded'].includes(day.state)
        ? 'The load curves are not ready yet'
        : `The day is ${day.state}`,
    };
  }
  if (nowMs >= Date.parse(day.deadlines.confirm_by)) {
    return { open: false, reason: 'The confirmation deadline has passed' };
  }
  return { open: true };
}
