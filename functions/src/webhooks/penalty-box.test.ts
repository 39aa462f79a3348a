import { describe, expect, it } from 'vitest';
import { isReceiverTrouble, PENALTY_BASE_MS, PENALTY_MAX_MS, PenaltyBox } from './penalty-box';
import { MAX_RETRY_AFTER_MS } from './schedule';
import type { SendOutcome } from './sender';

const T0 = 1_000_000;

describe('the penalty box', () => {
  it('holds an endpoint after a failure, doubling the stay per failure up to the cap, until released', () => {
    const box = new PenaltyBox();
    expect(box.heldUntil('a', T0)).toBeNull();
    expect(box.penalize('a', T0)).toBe(T0 + PENALTY_BASE_MS);
    expect(box.heldUntil('a', T0 + PENALTY_BASE_MS - 1)).toBe(T0 + PENALTY_BASE_MS);
    expect(box.heldUntil('a', T0 + PENALTY_BASE_MS)).toBeNull();
    expect(box.heldUntil('b', T0)).toBeNull();
    expect(box.penalize('a', T0)).toBe(T0 + 2 * PENALTY_BASE_MS);
    expect(box.penalize('a', T0)).toBe(T0 + 4 * PENALTY_BASE_MS);
    for (let i = 0; i < 20; i++) box.penalize('a', T0);
    expect(box.heldUntil('a', T0)).toBe(T0 + PENALTY_MAX_MS);
    box.release('a');
    expect(box.heldUntil('a', T0)).toBeNull();
    expect(box.penalize('a', T0)).toBe(T0 + PENALTY_BASE_MS);
  });

  it("stays at least as long as the receiver's Retry-After, up to the longest one honoured", () => {
    const box = new PenaltyBox();
    expect(box.penalize('a', T0, 120_000)).toBe(T0 + 120_000);
    expect(box.penalize('b', T0, 1_000)).toBe(T0 + PENALTY_BASE_MS);
    expect(box.penalize('c', T0, 10 * MAX_RETRY_AFTER_MS)).toBe(T0 + MAX_RETRY_AFTER_MS);
  });

  it('counts timeouts, unreachable receivers, 429, 502, 503 and 504 as trouble; other answers, a plain 500 too, not', () => {
    const failed = (
      status: number | null,
      error: 'http_status' | 'timeout' | 'network' | 'redirect' | 'blocked_address',
    ) => ({ ok: false, status, error, durationMs: 1 }) as SendOutcome;
    expect(isReceiverTrouble(failed(null, 'timeout'))).toBe(true);
    expect(isReceiverTrouble(failed(null, 'network'))).toBe(true);
    expect(isReceiverTrouble(failed(429, 'http_status'))).toBe(true);
    for (const status of [502, 503, 504]) expect(isReceiverTrouble(failed(status, 'http_status'))).toBe(true);
    expect(isReceiverTrouble(failed(500, 'http_status'))).toBe(false);
    expect(isReceiverTrouble(failed(501, 'http_status'))).toBe(false);
    expect(isReceiverTrouble(failed(499, 'http_status'))).toBe(false);
    expect(isReceiverTrouble(failed(404, 'http_status'))).toBe(false);
    expect(isReceiverTrouble(failed(302, 'redirect'))).toBe(false);
    expect(isReceiverTrouble(failed(null, 'blocked_address'))).toBe(false);
    expect(isReceiverTrouble({ ok: true, status: 200, durationMs: 1 })).toBe(false);
  });
});
