/**
 * Retry policy: which failures are worth another attempt, and how long to wait before it.
 *
 * The rules follow what the server can have done with the request:
 * - 429: the server refused before acting -> retried for every method.
 * - 502/503/504, timeouts, connection resets: the server may have acted -> retried only for
 *   idempotent methods (GET, PUT, DELETE). A POST is never replayed after a 500 or a timeout.
 * - ECONNREFUSED: nothing reached the server -> retried for every method.
 * - A stale keep-alive socket (reset/closed before any response; a thawed Lambda meets these) gets
 *   one immediate retry, outside the budget, for idempotent or replay-safe requests only: a POST
 *   reset mid-flight may already have been acted on, so it is surfaced, never replayed.
 */
export interface RetryOptions {
  /** Retries after the first attempt (the 401 refresh and the stale-socket retry are extra). */
  maxRetries: number;
  /** First backoff step; the n-th retry waits random() * min(maxDelayMs, baseDelayMs * 2^n). */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * The longest Retry-After the client will wait. A longer one is not waited for: the request
   * fails at once with PoderoRateLimitError.retryAfterMs so that the caller can pass it on
   * (a Lambda should not sleep for minutes).
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  maxRetries: 3,
  baseDelayMs: 200,
  maxDelayMs: 3_000,
  maxRetryAfterMs: 10_000,
});

/** Defaults overlaid with the given values; an explicit `undefined` keeps the default. */
export function resolveRetryOptions(partial: Partial<RetryOptions> = {}): RetryOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
  return { ...DEFAULT_RETRY_OPTIONS, ...defined };
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export function isIdempotent(method: HttpMethod): boolean {
  return method === 'GET' || method === 'PUT' || method === 'DELETE';
}

/** Capped exponential backoff with full jitter (AWS architecture blog's "Full Jitter"). */
export function backoffDelayMs(retryIndex: number, options: RetryOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}

/** Retry-After as delta-seconds or an HTTP-date; undefined when absent or unparseable. */
export function parseRetryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export const RETRYABLE_STATUSES_IDEMPOTENT = new Set([429, 502, 503, 504]);

/** Error codes that mean the connection was refused: the server never saw the request. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED']);
/** A socket closed under us before any response: typical of a stale keep-alive connection. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

/** Finds a system/undici error code in an error's cause chain (fetch wraps it in TypeError). */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (current instanceof AggregateError && current.errors[0] instanceof Error) {
      const inner = (current.errors[0] as { code?: unknown }).code;
      if (typeof inner === 'string') return inner;
    }
    current = current.cause;
  }
  return undefined;
}

export function isConnectionRefused(code: string | undefined): boolean {
  return code !== undefined && NOT_CONNECTED_CODES.has(code);
}

export function isStaleSocket(code: string | undefined): boolean {
  return code !== undefined && STALE_SOCKET_CODES.has(code);
}
