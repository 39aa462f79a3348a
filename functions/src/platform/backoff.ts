/**
 * The one backoff of the functions' own retries (DynamoDB unprocessed items and keys, a throttled
 * token-refresh invoke): capped exponential with full jitter, so callers throttled together do not come
 * back together. Podero calls follow the client's documented retry policy instead (Retry-After first).
 */
export interface Backoff {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Jitter source in [0, 1). */
  readonly random: () => number;
}

/** The wait before retry number `retry` (1 for the first retry): uniform in [0, min(max, base * 2^(retry-1))). */
export function backoffDelayMs(retry: number, backoff: Backoff): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(backoff.random() * ceiling);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
