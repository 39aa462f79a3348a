/**
 * When a failed delivery is tried again: the schedule the Standard Webhooks specification recommends
 * (immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after each failure), eight attempts in all;
 * after the last failure the delivery is dead-lettered and the endpoint marked failing.
 */
export const RETRY_DELAYS_SECONDS = [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 36_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length;
/** SQS delays a message by at most this much; a longer wait is a chain of such delays. */
export const SQS_MAX_DELAY_SECONDS = 900;

/** The longest `Retry-After` (429/503) a delivery waits for: a receiver cannot push its events out by days. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * The instant attempt `attempt + 1` is due after attempt `attempt` (1-based) failed at `failedAtMs`; null
 * when none is left. A receiver's `Retry-After` postpones it (up to MAX_RETRY_AFTER_MS), never brings it
 * forward.
 */
export function nextAttemptAt(attempt: number, failedAtMs: number, retryAfterMs = 0): number | null {
  const delay = RETRY_DELAYS_SECONDS[attempt];
  if (delay === undefined) return null;
  return failedAtMs + Math.max(delay * 1000, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/** The SQS delay that brings a message closer to `dueAtMs` without passing it. */
export function queueDelaySeconds(dueAtMs: number, nowMs: number): number {
  return Math.max(0, Math.min(SQS_MAX_DELAY_SECONDS, Math.ceil((dueAtMs - nowMs) / 1000)));
}
