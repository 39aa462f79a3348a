import { describe, expect, it } from 'vitest';
import type { BridgeEvent } from '../domain/events/catalogue';
import {
  FAILING_AFTER_CONSECUTIVE_FAILURES,
  MAX_REPLAY_PER_CALL,
  replaySelection,
  statusAfterAttempt,
} from './health';

describe("an endpoint's health", () => {
  it('turns failing at the declared count of failures in a row, not before', () => {
    // Prepare: the count a receiver that fails every attempt reaches, attempt by attempt.
    const counts = Array.from({ length: FAILING_AFTER_CONSECUTIVE_FAILURES + 1 }, (_, i) => i + 1);
    // Act
    const statuses = counts.map((n) => statusAfterAttempt({ consecutiveFailures: n, deadLettered: false }));
    // Assess
    expect(FAILING_AFTER_CONSECUTIVE_FAILURES).toBeGreaterThan(1);
    expect(statuses.indexOf('failing')).toBe(FAILING_AFTER_CONSECUTIVE_FAILURES - 1);
    expect(statuses.slice(FAILING_AFTER_CONSECUTIVE_FAILURES - 1).every((s) => s === 'failing')).toBe(true);
  });

  it('is failing at once when a delivery is dead-lettered, and healthy after a success whatever came before', () => {
    expect(statusAfterAttempt({ consecutiveFailures: 1, deadLettered: true })).toBe('failing');
    expect(statusAfterAttempt({ consecutiveFailures: 0, deadLettered: false })).toBe('healthy');
  });

  it('leaves the status as it is after a failure under the count: a dead letter made it failing, only a delivery heals', () => {
    for (let n = 1; n < FAILING_AFTER_CONSECUTIVE_FAILURES; n++) {
      expect(statusAfterAttempt({ consecutiveFailures: n, deadLettered: false })).toBe('unchanged');
    }
  });
});

const deadLetter = (id: string, type: BridgeEvent['type'], at: string) => ({
  event: { id, type },
  dead_lettered_at: at,
});

describe('which dead letters a replay sends', () => {
  const all = { enabled: true, events: null };

  it('sends the oldest first, at most the bound per call', () => {
    const letters = Array.from({ length: MAX_REPLAY_PER_CALL + 5 }, (_, i) =>
      deadLetter(
        `evt_${i}`,
        'user.onboarded',
        new Date(Date.UTC(2026, 0, 1, 0, 0, MAX_REPLAY_PER_CALL + 5 - i)).toISOString(),
      ),
    );
    const { replay, discard } = replaySelection(all, letters);
    expect(replay).toHaveLength(MAX_REPLAY_PER_CALL);
    expect(replay[0]?.event.id).toBe(`evt_${MAX_REPLAY_PER_CALL + 4}`);
    expect(replay.map((d) => d.dead_lettered_at)).toEqual([...replay.map((d) => d.dead_lettered_at)].sort());
    expect(discard).toEqual([]);
  });

  it('discards events of a type the endpoint no longer takes, and keeps a test event addressed to it', () => {
    const letters = [
      deadLetter('evt_a', 'user.onboarded', '2026-01-01T00:00:01Z'),
      deadLetter('evt_b', 'sync.completed', '2026-01-01T00:00:02Z'),
      deadLetter('evt_c', 'webhook.test', '2026-01-01T00:00:03Z'),
    ];
    const { replay, discard } = replaySelection({ enabled: true, events: ['sync.completed'] }, letters);
    expect(replay.map((d) => d.event.id)).toEqual(['evt_b', 'evt_c']);
    expect(discard.map((d) => d.event.id)).toEqual(['evt_a']);
  });
});
