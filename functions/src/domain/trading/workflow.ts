/**
 * The day-ahead workflow of one price zone and delivery day as pure rules (ADR 0015): its states, which
 * transitions are allowed, and, given what is stored and the time, the one step to take next. The service
 * (functions/src/trading/) performs the step and stores its outcome with a condition on the state it
 * started from, so two runs, or a run and its successor after a crash, cannot both record it.
 *
 * prices_received ──upload──▶ uploaded ──curves──▶ curves_ready ──decision──▶ confirmed | rejected
 *        │                        │                      │
 *        └──── past its deadline ─┴──────────────────────┴──▶ missed      (and failed: Podero refused for good)
 */

export const TRADING_STATES = [
  'prices_received',
  'uploaded',
  'curves_ready',
  'confirmed',
  'rejected',
  'missed',
  'failed',
] as const;
export type TradingState = (typeof TRADING_STATES)[number];

export const FINAL_TRADING_STATES = [
  'confirmed',
  'rejected',
  'missed',
  'failed',
] as const satisfies readonly TradingState[];
export type FinalTradingState = (typeof FINAL_TRADING_STATES)[number];

export function isFinal(state: TradingState): state is FinalTradingState {
  return (FINAL_TRADING_STATES as readonly TradingState[]).includes(state);
}

const ALLOWED: Readonly<Record<TradingState, readonly TradingState[]>> = {
  prices_received: ['uploaded', 'missed', 'failed'],
  uploaded: ['curves_ready', 'missed', 'failed'],
  curves_ready: ['confirmed', 'rejected', 'missed', 'failed'],
  confirmed: [],
  rejected: [],
  missed: [],
  failed: [],
};

export function canTransition(from: TradingState, to: TradingState): boolean {
  return ALLOWED[from].includes(to);
}

/** Throws on a transition the workflow never makes (a bug, not a refusal). */
export function assertTransition(from: TradingState, to: TradingState): void {
  if (!canTransition(from, to)) throw new Error(`trading workflow: no transition ${from} -> ${to}`);
}

/** Who decided the trade: the trading desk through the API, or the stage's auto-confirm policy. */
export type DecisionSource = 'desk' | 'auto';
export interface TradingDecision {
  readonly accepted: boolean;
  readonly by: DecisionSource;
  readonly at: string;
}

/** `accept`: the workflow accepts every trade as soon as its curves are stored; `off`: the desk decides. */
export const AUTO_CONFIRM_POLICIES = ['off', 'accept'] as const;
export type AutoConfirmPolicy = (typeof AUTO_CONFIRM_POLICIES)[number];

/** What the next step depends on: the stored day, reduced to the fields the rules read. */
export interface WorkflowView {
  readonly state: TradingState;
  readonly deadlines: { readonly upload_by: string; readonly confirm_by: string };
  /** Podero's answer to the upload: when the calculation will be ready (else the expected time). */
  readonly calculation_ready_at: string | null;
  readonly decision: TradingDecision | null;
  /** Upload requests started (recorded BEFORE each is sent: a crash leaves its trace). */
  readonly upload_attempts: number;
  /** Not before this instant (a bounded back-off after a Podero failure). */
  readonly next_attempt_at: string | null;
}

export type WorkflowStep =
  | { readonly kind: 'done' }
  | { readonly kind: 'wait'; readonly untilMs: number }
  /** `verifyFirst`: an earlier attempt may have reached Podero; read back before sending again. */
  | { readonly kind: 'upload'; readonly verifyFirst: boolean }
  | { readonly kind: 'fetch_curves' }
  /** Record the auto-confirm policy's decision (then `confirm` follows). */
  | { readonly kind: 'decide'; readonly accepted: boolean }
  | { readonly kind: 'confirm'; readonly accepted: boolean }
  | { readonly kind: 'miss'; readonly reason: string };

const ms = (iso: string | null): number => (iso === null ? 0 : Date.parse(iso));

/** The next step for `day` at `nowMs`. */
export function nextStep(day: WorkflowView, nowMs: number, policy: AutoConfirmPolicy): WorkflowStep {
  if (isFinal(day.state)) return { kind: 'done' };
  const uploadBy = ms(day.deadlines.upload_by);
  const confirmBy = ms(day.deadlines.confirm_by);
  const backOff = ms(day.next_attempt_at);
  switch (day.state) {
    case 'prices_received':
      if (nowMs >= uploadBy)
        return { kind: 'miss', reason: 'the forecast was not uploaded before its deadline' };
      if (nowMs < backOff) return { kind: 'wait', untilMs: backOff };
      return { kind: 'upload', verifyFirst: day.upload_attempts > 0 };
    case 'uploaded': {
      if (nowMs >= confirmBy)
        return { kind: 'miss', reason: 'no load curves before the confirmation deadline' };
      const from = Math.max(backOff, ms(day.calculation_ready_at));
      if (nowMs < from) return { kind: 'wait', untilMs: Math.min(from, confirmBy) };
      return { kind: 'fetch_curves' };
    }
    case 'curves_ready':
      if (nowMs >= confirmBy) {
        return {
          kind: 'miss',
          reason: day.decision
            ? 'the decision could not be delivered to Podero before the confirmation deadline'
            : 'no decision before the confirmation deadline',
        };
      }
      if (day.decision === null) {
        return policy === 'accept'
          ? { kind: 'decide', accepted: true }
          : { kind: 'wait', untilMs: confirmBy };
      }
      if (nowMs < backOff) return { kind: 'wait', untilMs: backOff };
      return { kind: 'confirm', accepted: day.decision.accepted };
  }
}

/** Whether the desk may record a decision now (and why not). */
export function decisionRefusal(day: WorkflowView, nowMs: number): string | null {
  if (isFinal(day.state)) return `the day is already ${day.state}`;
  if (day.state !== 'curves_ready') return 'the load curves are not ready yet';
  if (nowMs >= ms(day.deadlines.confirm_by)) return 'the confirmation deadline has passed';
  if (day.decision !== null)
    return `the trade was already ${day.decision.accepted ? 'accepted' : 'rejected'}`;
  return null;
}

/** Bounded back-off inside the window: 30 s, 1, 2, 4 ... minutes, at most 10, never past `limitMs`. */
export function retryAt(nowMs: number, failures: number, limitMs: number): number {
  const delay = Math.min(10 * 60_000, 30_000 * 2 ** Math.max(0, failures - 1));
  return Math.min(nowMs + delay, limitMs);
}
