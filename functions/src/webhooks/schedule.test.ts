import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, nextAttemptAt, queueDelaySeconds, RETRY_DELAYS_SECONDS } from './schedule';

describe('the retry schedule (Standard Webhooks)', () => {
  it('retries 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after each failure, eight attempts in all', () => {
    const failedAt = 1_000_000;
    const after = Array.from({ length: MAX_ATTEMPTS }, (_, i) => nextAttemptAt(i + 1, failedAt));
    expect(after.map((at) => (at === null ? null : (at - failedAt) / 1000))).toEqual([
      5,
      300,
      1800,
      7200,
      18000,
      36000,
      36000,
      null,
    ]);
    expect(RETRY_DELAYS_SECONDS[0]).toBe(0);
  });

  it('SQS delays a message at most 15 minutes, never past its due time, never negative', () => {
    expect(queueDelaySeconds(10_000, 0)).toBe(10);
    expect(queueDelaySeconds(10_001, 0)).toBe(11);
    expect(queueDelaySeconds(7_200_000, 0)).toBe(900);
    expect(queueDelaySeconds(0, 5_000)).toBe(0);
  });
});
