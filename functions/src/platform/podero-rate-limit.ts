/**
 * One Podero request budget for the whole stage, shared by every concurrently running sync worker
 * (ADR 0012). Each HTTP attempt to Podero (retries included) takes a permit first; permits are claimed
 * from the shared budget (storage/rate-budget.ts) a few at a time and are good only in the second they
 * were claimed for, so the workers together stay under the ceiling in every second. A 429 pauses every
 * worker: the one that saw it at once, the others at their next claim.
 */
import { type FetchLike, parseRetryAfterMs } from '@podero-bridge/podero-client';

/** What the shared budget grants (storage/rate-budget.ts keeps it in DynamoDB): some requests in a window, or a time to come back. */
export type RateClaim = { granted: number; window: number } | { granted: 0; retryAtMs: number };

export interface RateLimitSettings {
  /** Requests per second for the whole stage. */
  ceiling: number;
  /** Permits claimed at once (a worker's concurrency is a good size: one claim per round of calls). */
  chunk: number;
  /** No request starts this close to the end of a second: it would arrive in the next one. */
  guardMs?: number;
  /** The back-off after a 429 without Retry-After; doubles with each further 429, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface RateBudget {
  claim(want: number, window: number, ceiling: number, nowMs: number): Promise<RateClaim>;
  pause(untilMs: number): Promise<void>;
}

const DEFAULT_GUARD_MS = 30;
/** Bounds the wait loop of one acquire (each turn sleeps or returns). */
const MAX_TURNS = 100_000;

export class SharedRateLimiter {
  private window = -1;
  private remaining = 0;
  private pausedUntil = 0;
  private consecutive429 = 0;
  private claiming: Promise<void> | null = null;
  private readonly guardMs: number;

  constructor(
    private readonly budget: RateBudget,
    private readonly settings: RateLimitSettings,
    private readonly clock: { now: () => number; sleep: (ms: number) => Promise<void> },
  ) {
    this.guardMs = settings.guardMs ?? DEFAULT_GUARD_MS;
  }

  /** Resolves when this worker may send one request. */
  async acquire(): Promise<void> {
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      const now = this.clock.now();
      if (this.pausedUntil > now) {
        await this.clock.sleep(this.pausedUntil - now);
        continue;
      }
      const second = Math.floor(now / 1000);
      const intoSecond = now - second * 1000;
      if (intoSecond >= 1000 - this.guardMs) {
        await this.clock.sleep(1000 - intoSecond);
        continue;
      }
      if (this.window === second && this.remaining > 0) {
        this.remaining--;
        return;
      }
      // One claim at a time per worker: the callers waiting share what it brings.
      this.claiming ??= this.claim(second, now).finally(() => {
        this.claiming = null;
      });
      await this.claiming;
    }
    throw new Error('rate limiter: no permit after the bounded wait');
  }

  private async claim(second: number, now: number): Promise<void> {
    const claim = await this.budget.claim(this.settings.chunk, second, this.settings.ceiling, now);
    if ('window' in claim) {
      this.window = claim.window;
      this.remaining = claim.granted;
      return;
    }
    await this.clock.sleep(Math.max(1, claim.retryAtMs - this.clock.now()));
  }

  /** Podero answered 429: everyone waits (Retry-After when given, else a doubling back-off). */
  async rateLimited(retryAfterMs: number | undefined): Promise<void> {
    this.consecutive429++;
    const base = this.settings.backoffMs ?? 1000;
    const wait =
      retryAfterMs ?? Math.min(this.settings.maxBackoffMs ?? 30_000, base * 2 ** (this.consecutive429 - 1));
    const until = this.clock.now() + wait;
    this.pausedUntil = Math.max(this.pausedUntil, until);
    this.remaining = 0;
    await this.budget.pause(until);
  }

  succeeded(): void {
    this.consecutive429 = 0;
  }
}

/** The fetch the Podero client uses, each attempt behind a permit; a 429 pauses the stage's workers. */
export function rateLimitedFetch(inner: FetchLike, limiter: SharedRateLimiter): FetchLike {
  return async (url, init) => {
    await limiter.acquire();
    const response = await inner(url, init);
    if (response.status === 429)
      await limiter.rateLimited(parseRetryAfterMs(response.headers.get('retry-after')));
    else limiter.succeeded();
    return response;
  };
}
