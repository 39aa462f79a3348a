/**
 * The penalty box (as svix keeps one): an endpoint whose receiver just timed out, could not be reached or
 * said it is overloaded or unavailable (429, 502, 503, 504) gets no further attempts for a while. Its other deliveries are put back on the queue,
 * delayed until the box opens, instead of each waiting out its own timeout inline, so that one partner
 * system's trouble does not hold up the pollers that deliver everybody else's events.
 *
 * Per container (in memory): each delivery container learns of a struggling endpoint from its own first
 * failed attempt, so an endpoint meets at most one attempt per container while it is boxed. The stay doubles
 * with each consecutive failure (from PENALTY_BASE_MS up to PENALTY_MAX_MS, the longest single SQS delay)
 * and lasts at least as long as the receiver's `Retry-After`; a delivered attempt opens the box.
 */
import { MAX_RETRY_AFTER_MS } from './schedule';
import type { SendOutcome } from './sender';

export const PENALTY_BASE_MS = 10_000;
export const PENALTY_MAX_MS = 900_000;

/**
 * Statuses that say the receiver is overloaded or unavailable. Not a plain 500: it comes back at once (it
 * holds no poller up) and often concerns one event, so boxing on it would throttle a partner whose receiver
 * rejects some events (`pnpm bench webhooks` fails one first attempt in four with a 500).
 */
const TROUBLE_STATUSES = new Set([429, 502, 503, 504]);

/** Outcomes that say the receiver is in trouble (slow, unreachable, overloaded), not that it refused this event. */
export function isReceiverTrouble(outcome: SendOutcome): boolean {
  if (outcome.ok) return false;
  if (outcome.error === 'timeout' || outcome.error === 'network') return true;
  return outcome.status !== null && TROUBLE_STATUSES.has(outcome.status);
}

export class PenaltyBox {
  private readonly boxed = new Map<string, { until: number; strikes: number }>();

  /** Until when the endpoint is boxed, or null when it may be attempted. */
  heldUntil(endpointId: string, nowMs: number): number | null {
    const entry = this.boxed.get(endpointId);
    return entry !== undefined && entry.until > nowMs ? entry.until : null;
  }

  /** Boxes the endpoint after a failed attempt; returns until when. */
  penalize(endpointId: string, nowMs: number, retryAfterMs = 0): number {
    const strikes = (this.boxed.get(endpointId)?.strikes ?? 0) + 1;
    const stay = Math.min(PENALTY_BASE_MS * 2 ** (strikes - 1), PENALTY_MAX_MS);
    const until = nowMs + Math.max(stay, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
    this.boxed.set(endpointId, { until, strikes });
    return until;
  }

  release(endpointId: string): void {
    this.boxed.delete(endpointId);
  }
}
