import { describe, expect, it } from 'vitest';
import type { RateClaim } from './podero-rate-limit';
import { type RateBudget, rateLimitedFetch, SharedRateLimiter } from './podero-rate-limit';

/** A budget shared by several limiters, with the same rules as the DynamoDB item (one window, a pause). */
class FakeBudget implements RateBudget {
  window = -1;
  used = 0;
  pausedUntil = 0;
  claims = 0;
  async claim(want: number, window: number, ceiling: number, nowMs: number): Promise<RateClaim> {
    this.claims++;
    if (this.pausedUntil > nowMs) return { granted: 0, retryAtMs: this.pausedUntil };
    if (window > this.window) {
      this.window = window;
      this.used = 0;
    }
    const granted = Math.min(want, ceiling - this.used);
    if (granted <= 0) return { granted: 0, retryAtMs: (window + 1) * 1000 };
    this.used += granted;
    return { granted, window };
  }
  async pause(untilMs: number): Promise<void> {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }
}

/** A manual clock: sleeping moves it (the limiter never waits for real). */
function fakeClock(start = 1_000_000) {
  const clock = { now: start, sleeps: [] as number[] };
  return {
    clock,
    deps: {
      now: () => clock.now,
      sleep: async (ms: number) => {
        clock.sleeps.push(ms);
        clock.now += ms;
      },
    },
  };
}

describe('SharedRateLimiter', () => {
  it('grants no more than the ceiling in any one second across limiters sharing a budget', async () => {
    const budget = new FakeBudget();
    const { clock, deps } = fakeClock();
    const limiters = [1, 2, 3].map(() => new SharedRateLimiter(budget, { ceiling: 10, chunk: 4 }, deps));
    const perSecond = new Map<number, number>();
    for (let i = 0; i < 45; i++) {
      await (limiters[i % 3] as SharedRateLimiter).acquire();
      const second = Math.floor(clock.now / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(10);
    expect([...perSecond.values()].reduce((a, b) => a + b, 0)).toBe(45);
    // Five seconds' worth at 10/s: the limiter waited for new seconds rather than overshooting.
    expect(perSecond.size).toBeGreaterThanOrEqual(5);
    // One claim per chunk, not per request; and no wait longer than to the next second.
    expect(budget.claims).toBeLessThan(45);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(1000);
    expect(clock.now - 1_000_000).toBeLessThan(6_000);
  });

  it('does not use a permit in the last guard milliseconds of a second (it would arrive in the next)', async () => {
    for (const [start, guardMs, waitsUntil] of [
      [2_000_985, undefined, 2_001_000],
      [2_000_970, undefined, 2_001_000],
      [2_000_969, undefined, 2_000_969],
      [2_000_900, 100, 2_001_000],
      [2_000_899, 100, 2_000_899],
    ] as const) {
      const { clock, deps } = fakeClock(start);
      const limiter = new SharedRateLimiter(
        new FakeBudget(),
        { ceiling: 5, chunk: 5, ...(guardMs ? { guardMs } : {}) },
        deps,
      );
      await limiter.acquire();
      expect(clock.now, `start ${start}, guard ${guardMs ?? 'default'}`).toBe(waitsUntil);
    }
  });

  it('gives up after a bounded wait when no permit ever comes', async () => {
    const { deps } = fakeClock();
    const never: RateBudget = {
      claim: async (_want, _window, _ceiling, nowMs) => ({ granted: 0, retryAtMs: nowMs + 1 }),
      pause: async () => {},
    };
    await expect(new SharedRateLimiter(never, { ceiling: 5, chunk: 5 }, deps).acquire()).rejects.toThrow(
      /bounded wait/,
    );
  });

  it('pauses every limiter after one sees a 429: Retry-After when given, else a doubling back-off', async () => {
    const budget = new FakeBudget();
    const { clock, deps } = fakeClock();
    const a = new SharedRateLimiter(budget, { ceiling: 100, chunk: 1, backoffMs: 500 }, deps);
    const b = new SharedRateLimiter(budget, { ceiling: 100, chunk: 1, backoffMs: 500 }, deps);
    await a.acquire();
    const start = clock.now;
    await a.rateLimited(2_000);
    await b.acquire();
    expect(clock.now).toBeGreaterThanOrEqual(start + 2_000);
    // Without Retry-After: 500 ms, then 1 s, then 2 s; a success resets the doubling.
    a.succeeded();
    const before = clock.now;
    await a.rateLimited(undefined);
    await a.rateLimited(undefined);
    expect(budget.pausedUntil - clock.now).toBe(1_000);
    expect(clock.now).toBe(before);
    a.succeeded();
    // A pause only ever extends: after the last one ended, the next is 500 ms again.
    clock.now = budget.pausedUntil + 1;
    await a.rateLimited(undefined);
    expect(budget.pausedUntil - clock.now).toBe(500);
  });

  it('wraps fetch: a permit before every attempt, a 429 reported with its Retry-After', async () => {
    const budget = new FakeBudget();
    const { deps } = fakeClock();
    const limiter = new SharedRateLimiter(budget, { ceiling: 100, chunk: 10 }, deps);
    const statuses = [429, 200];
    const fetch = rateLimitedFetch(async () => {
      const status = statuses.shift() ?? 200;
      return {
        status,
        headers: { get: (n: string) => (n === 'retry-after' && status === 429 ? '3' : null) },
        text: async () => '',
      };
    }, limiter);
    const before = deps.now();
    expect((await fetch('http://x', { method: 'GET', headers: {} })).status).toBe(429);
    // Retry-After: 3 -> every worker waits 3 s.
    expect(budget.pausedUntil).toBe(before + 3_000);
    const paused = budget.pausedUntil;
    expect((await fetch('http://x', { method: 'GET', headers: {} })).status).toBe(200);
    expect(deps.now()).toBeGreaterThanOrEqual(paused);
  });
});
