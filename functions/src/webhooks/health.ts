/**
 * An endpoint's health, the rules in one place (pure: the delivery applies them, the API shows their result).
 *
 * - `failing` after FAILING_AFTER_CONSECUTIVE_FAILURES failed attempts in a row, whatever their events (a
 *   receiver that fails every attempt shows it within minutes, not after one event's eight attempts and 28
 *   hours), and at once when a delivery is dead-lettered (its retries are spent);
 * - `healthy` again after the next delivered attempt (which resets the count).
 *
 * And which dead-lettered deliveries a replay sends again (`replaySelection`).
 */
import type { BridgeEvent } from '../domain/events/catalogue';
import { type EndpointSubscription, endpointTakes } from '../domain/events/subscriptions';

/** Failed attempts in a row (to any event) after which an endpoint is `failing`. Declared once, here. */
export const FAILING_AFTER_CONSECUTIVE_FAILURES = 3;

export type EndpointStatus = 'healthy' | 'failing';

/**
 * The status an endpoint should have after an attempt, from its count of failures in a row (0 after a
 * success): `unchanged` for a failure that neither reaches the count nor is dead-lettered, which must not heal
 * an endpoint a dead letter made `failing` (only a delivered attempt does).
 */
export function statusAfterAttempt(attempt: {
  consecutiveFailures: number;
  deadLettered: boolean;
}): EndpointStatus | 'unchanged' {
  if (attempt.consecutiveFailures === 0) return 'healthy';
  return attempt.deadLettered || attempt.consecutiveFailures >= FAILING_AFTER_CONSECUTIVE_FAILURES
    ? 'failing'
    : 'unchanged';
}

/** Dead-lettered deliveries a replay sends again at most per call (each is one queue message). */
export const MAX_REPLAY_PER_CALL = 100;

export interface DeadLetterCandidate {
  readonly event: Pick<BridgeEvent, 'id' | 'type'>;
  readonly dead_lettered_at: string;
}

/**
 * Of a page of an endpoint's dead-lettered deliveries (one per event), those a replay sends again, oldest
 * first and at most `limit`, and those it discards. Oldest first within the page only: the store pages dead
 * letters in event-id order, and ids are digests, so an endpoint with more than a page replays each call's
 * page oldest first, not the endpoint's oldest first (receivers order by the payload's `timestamp` anyway).
 * Those discarded are events of a type the endpoint no longer takes (the delivery would drop
 * them; keeping them would leave them in every later replay's way). A disabled endpoint takes nothing: the
 * service refuses a replay to it before asking.
 */
export function replaySelection<T extends DeadLetterCandidate>(
  endpoint: EndpointSubscription,
  deadLetters: readonly T[],
  limit = MAX_REPLAY_PER_CALL,
): { replay: T[]; discard: T[] } {
  const oldestFirst = [...deadLetters].sort((a, b) => a.dead_lettered_at.localeCompare(b.dead_lettered_at));
  const takes = (d: T) => endpointTakes(endpoint, d.event.type, 'addressed');
  const discard = oldestFirst.filter((d) => !takes(d));
  const replay = oldestFirst.filter(takes).slice(0, limit);
  return { replay, discard };
}
