/**
 * One HTTP exchange with Podero, with timeout, retries, the 401 refresh and error mapping.
 * Knows nothing about endpoints; the resources in client.ts describe requests and pass a schema.
 */
import type * as z from 'zod';
import {
  describeIssues,
  PoderoAuthError,
  PoderoConflictError,
  PoderoError,
  type PoderoErrorInit,
  type PoderoFieldError,
  PoderoNetworkError,
  PoderoNotFoundError,
  PoderoRateLimitError,
  PoderoResponseShapeError,
  PoderoServerError,
  PoderoValidationError,
  toIssues,
} from './errors';
import {
  backoffDelayMs,
  type HttpMethod,
  isConnectionRefused,
  isIdempotent,
  isStaleSocket,
  networkErrorCode,
  parseRetryAfterMs,
  RETRYABLE_STATUSES_IDEMPOTENT,
  type RetryOptions,
} from './retry';

/** What one HTTP exchange needs from a request... */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal?: AbortSignal;
}

/** ...and from its response: the status, a header by name, the whole body as text. */
export interface FetchResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/**
 * The HTTP exchange the transport uses. The default is `node:http` with keep-alive
 * (`createNodeHttpFetch`); the global `fetch` fits this shape too and may be passed instead.
 */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponseLike>;

export interface TokenProvider {
  getToken(): Promise<string>;
  /** Called with the token that Podero answered 401 to; the next getToken() must not return it. */
  invalidate(rejectedToken: string): Promise<void> | void;
}

export interface TransportOptions {
  fetch: FetchLike;
  timeoutMs: number;
  retry: RetryOptions;
  userAgent: string;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** See TransportOverrides.deadline. */
  deadline?: () => number | undefined;
  /** See TransportOverrides.observe. */
  observe?: (observation: AttemptObservation) => void;
  /** See TransportOverrides.span. */
  span?: RequestSpan;
}

/** Runs one request (all its attempts) inside the caller's span: a tracer's subsegment, say. */
export type RequestSpan = <T>(operation: string, run: () => Promise<T>) => Promise<T>;

/**
 * One attempt as the caller's metrics see it: how Podero answered (or did not), and how long it took.
 * `path` has no query string (no secrets); `outcome` groups the status the way the retry policy does.
 */
export interface AttemptObservation {
  /** The client method (`heatPumps.get`, `oauth.token`): a name without ids, fit for a metric dimension. */
  operation: string;
  method: HttpMethod;
  path: string;
  outcome: 'success' | 'rate_limited' | 'server_error' | 'client_error' | 'timeout' | 'network';
  status?: number;
  durationMs: number;
}

/** The transport settings a caller may override; the client and the token request share them. */
export interface TransportOverrides {
  fetch?: FetchLike;
  /** Per attempt, including reading the body. Default 10 000 ms. */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  userAgent?: string;
  /** Injectable so that tests do not wait through backoff. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1); injectable for deterministic tests. */
  random?: () => number;
  /**
   * The caller's deadline for the current request, as epoch ms (undefined: none), read at every attempt:
   * an attempt gets at most the time left, no retry starts that could not finish before it, and a request
   * whose deadline has passed fails at once as a timeout. A server answering within a time budget (the
   * bridge's API) sets it per incoming request; the per-attempt `timeoutMs` still applies.
   */
  deadline?: () => number | undefined;
  /**
   * Called after every attempt (retries and refreshes included) with its outcome and duration, for the
   * caller's metrics. It must not throw; if it does, the request goes on as if it had not been called.
   */
  observe?: (observation: AttemptObservation) => void;
  /**
   * Wraps each request, retries and token refreshes included, named by its operation: the caller's tracing.
   * Its promise must settle as `run`'s does.
   */
  span?: RequestSpan;
}

/** `none`: the one documented call without an Authorization header (a cue's state, §3.12: its secret authorises). */
export type Authorization =
  | { kind: 'bearer'; tokenProvider: TokenProvider }
  | { kind: 'basic'; value: string }
  | { kind: 'none' };

export interface RequestSpec<T> {
  /** The client method's name, see AttemptObservation.operation. */
  operation: string;
  method: HttpMethod;
  /** Absolute URL, query included. */
  url: string;
  /** Path without query, used in error messages. */
  path: string;
  auth: Authorization;
  headers?: Record<string, string>;
  body?: unknown;
  /** Response schema; undefined means the body is ignored (e.g. DELETE). */
  schema?: z.ZodType<T>;
  /** A POST whose replay is harmless (the token request: a second token costs nothing). */
  replaySafe?: boolean;
  /** Leave the raw body out of errors (token responses). */
  hideBody?: boolean;
  /** Values an error must not repeat (a claim token in the path): cut from Podero's `detail` if it echoes one. */
  secrets?: readonly string[];
}

type Attempt =
  | { kind: 'response'; status: number; headers: FetchResponseLike['headers']; text: string }
  | { kind: 'network'; error: unknown; timedOut: boolean; code?: string; afterResponse: boolean };

/**
 * Token refreshes one request may make after 401s. Two, not one: a token cached by a caller may have
 * been replaced and the replacement revoked as well (two revocations within a cache's age), and then
 * the first refresh hands back that stored replacement and only the second gets a new token. Bounded
 * so that a Podero rejecting every token costs three requests, not a loop.
 */
export const MAX_TOKEN_REFRESHES_PER_REQUEST = 2;

export const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** Time left before the caller's deadline, in ms (Infinity without one). */
function timeLeftMs(options: TransportOptions): number {
  const deadline = options.deadline?.();
  return deadline === undefined ? Number.POSITIVE_INFINITY : deadline - Date.now();
}

export function send<T>(options: TransportOptions, spec: RequestSpec<T>): Promise<T> {
  return options.span
    ? options.span(spec.operation, () => sendAttempts(options, spec))
    : sendAttempts(options, spec);
}

async function sendAttempts<T>(options: TransportOptions, spec: RequestSpec<T>): Promise<T> {
  const retryable = isIdempotent(spec.method) || spec.replaySafe === true;
  let token = spec.auth.kind === 'bearer' ? await spec.auth.tokenProvider.getToken() : undefined;
  /** A retry waits `delayMs` first: only worth it when an attempt can still follow before the deadline. */
  const retryFits = (delayMs: number) => timeLeftMs(options) - delayMs > 0;
  let retriesUsed = 0;
  // Tokens Podero answered 401 to during this request (each one refreshed once).
  const rejectedTokens = new Set<string>();
  let staleSocketRetried = false;

  for (;;) {
    const left = timeLeftMs(options);
    if (left <= 0) throw deadlineError(spec);
    const attemptStarted = performance.now();
    const attempt = await attemptOnce(
      left < options.timeoutMs ? { ...options, timeoutMs: Math.ceil(left) } : options,
      spec,
      token,
    );
    if (options.observe) observeAttempt(options.observe, spec, attempt, performance.now() - attemptStarted);

    if (attempt.kind === 'network') {
      // Only replay-safe requests: a POST reset mid-flight may already have created something upstream.
      const staleSocket =
        retryable && !attempt.afterResponse && !attempt.timedOut && isStaleSocket(attempt.code);
      if (staleSocket && !staleSocketRetried) {
        staleSocketRetried = true;
        continue; // a fresh connection is opened at once; no backoff needed
      }
      const mayRetry = retryable || (isConnectionRefused(attempt.code) && !attempt.afterResponse);
      const delayMs = backoffDelayMs(retriesUsed, options.retry, options.random);
      if (mayRetry && retriesUsed < options.retry.maxRetries && retryFits(delayMs)) {
        await options.sleep(delayMs);
        retriesUsed++;
        continue;
      }
      throw networkError(spec, attempt, options.timeoutMs);
    }

    const { status, headers, text } = attempt;
    if (status >= 200 && status < 300) return parseSuccess(spec, status, text);

    if (
      status === 401 &&
      spec.auth.kind === 'bearer' &&
      token !== undefined &&
      rejectedTokens.size < MAX_TOKEN_REFRESHES_PER_REQUEST
    ) {
      rejectedTokens.add(token);
      await spec.auth.tokenProvider.invalidate(token);
      const fresh = await spec.auth.tokenProvider.getToken();
      // A token already rejected (e.g. a static provider's only one) would only earn another 401.
      if (!rejectedTokens.has(fresh)) {
        token = fresh;
        continue;
      }
    }

    const retryAfterMs = parseRetryAfterMs(headers.get('retry-after'));
    const statusRetryable = status === 429 || (retryable && RETRYABLE_STATUSES_IDEMPOTENT.has(status));
    const waitTooLong = retryAfterMs !== undefined && retryAfterMs > options.retry.maxRetryAfterMs;
    const delayMs = retryAfterMs ?? backoffDelayMs(retriesUsed, options.retry, options.random);
    if (statusRetryable && !waitTooLong && retriesUsed < options.retry.maxRetries && retryFits(delayMs)) {
      await options.sleep(delayMs);
      retriesUsed++;
      continue;
    }
    throw errorFromResponse(spec, status, text, retryAfterMs);
  }
}

function observeAttempt<T>(
  observe: (observation: AttemptObservation) => void,
  spec: RequestSpec<T>,
  attempt: Attempt,
  durationMs: number,
): void {
  const base = { operation: spec.operation, method: spec.method, path: spec.path, durationMs };
  let observation: AttemptObservation;
  if (attempt.kind === 'network') {
    observation = { ...base, outcome: attempt.timedOut ? 'timeout' : 'network' };
  } else {
    const { status } = attempt;
    const outcome =
      status >= 200 && status < 300
        ? 'success'
        : status === 429
          ? 'rate_limited'
          : status >= 500
            ? 'server_error'
            : 'client_error';
    observation = { ...base, outcome, status };
  }
  try {
    observe(observation);
  } catch {
    // A metrics hook must never fail a request.
  }
}

async function attemptOnce<T>(
  options: TransportOptions,
  spec: RequestSpec<T>,
  token: string | undefined,
): Promise<Attempt> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': options.userAgent,
    ...spec.headers,
  };
  if (spec.auth.kind === 'bearer') headers.authorization = `Bearer ${token ?? ''}`;
  else if (spec.auth.kind === 'basic') headers.authorization = `Basic ${spec.auth.value}`;
  let body: string | undefined;
  if (spec.body !== undefined) {
    body = JSON.stringify(spec.body);
    headers['content-type'] = 'application/json';
  }

  // A timer cleared when the attempt ends, not AbortSignal.timeout: that signal (and, through the
  // listeners fetch adds to it, the request and its response) stays reachable until the timeout
  // fires, so a busy sync would hold the last timeoutMs worth of requests in memory and spend its
  // time collecting them (a third of the CPU of a 10,000-user pass, `pnpm bench sync`).
  const controller = new AbortController();
  const signal = controller.signal;
  const timer = setTimeout(
    () => controller.abort(new DOMException(`timed out after ${options.timeoutMs} ms`, 'TimeoutError')),
    options.timeoutMs,
  );
  // Also race the timeout ourselves, so that a fetch implementation that ignores `signal` cannot
  // hang the caller past timeoutMs.
  const timeout = new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  timeout.catch(() => undefined);
  let afterResponse = false;
  try {
    const response = await Promise.race([
      options.fetch(spec.url, { method: spec.method, headers, body, signal }),
      timeout,
    ]);
    afterResponse = true;
    const text = await Promise.race([response.text(), timeout]);
    return { kind: 'response', status: response.status, headers: response.headers, text };
  } catch (error) {
    const timedOut = signal.aborted;
    const code = networkErrorCode(error);
    return { kind: 'network', error, timedOut, afterResponse, ...(code === undefined ? {} : { code }) };
  } finally {
    clearTimeout(timer);
  }
}

function parseSuccess<T>(spec: RequestSpec<T>, status: number, text: string): T {
  if (spec.schema === undefined) return undefined as T;
  const base = { method: spec.method, path: spec.path, status };
  let json: unknown;
  try {
    json = text.length === 0 ? undefined : JSON.parse(text);
  } catch (cause) {
    const issues = [{ path: '(root)', message: 'response body is not JSON' }];
    throw new PoderoResponseShapeError(
      `Podero ${spec.method} ${spec.path} returned a body that is not JSON`,
      {
        ...base,
        issues,
        cause,
      },
    );
  }
  const result = spec.schema.safeParse(json);
  if (!result.success) {
    const issues = toIssues(result.error);
    // The zod error is not kept as `cause`: its issues may hold the received values (a token).
    throw new PoderoResponseShapeError(
      `Podero ${spec.method} ${spec.path} returned an unexpected shape: ${describeIssues(issues)}`,
      { ...base, issues },
    );
  }
  return result.data;
}

function networkError<T>(
  spec: RequestSpec<T>,
  attempt: Extract<Attempt, { kind: 'network' }>,
  timeoutMs: number,
): PoderoNetworkError {
  const reason = innermostMessage(attempt.error);
  const what = attempt.timedOut
    ? `timed out after ${timeoutMs} ms`
    : `network error${reason ? ` (${reason})` : attempt.code ? ` (${attempt.code})` : ''}`;
  return new PoderoNetworkError(`Podero ${spec.method} ${spec.path} failed: ${what}`, {
    method: spec.method,
    path: spec.path,
    timedOut: attempt.timedOut,
    ...(attempt.code === undefined ? {} : { code: attempt.code }),
    cause: attempt.error,
  });
}

/** The caller's deadline passed before an attempt could start: a timeout, like an attempt that ran out. */
function deadlineError<T>(spec: RequestSpec<T>): PoderoNetworkError {
  return new PoderoNetworkError(`Podero ${spec.method} ${spec.path} failed: the caller's deadline passed`, {
    method: spec.method,
    path: spec.path,
    timedOut: true,
  });
}

/** The root cause's message, e.g. "connect ECONNREFUSED 127.0.0.1:4010" (undici never puts headers there). */
function innermostMessage(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause instanceof Error; depth++) {
    current = current.cause;
  }
  if (!(current instanceof Error) || current === error) return undefined;
  return current.message.replace(/\s+/g, ' ').slice(0, 200);
}

const MAX_BODY_TEXT = 500;
const MAX_DETAIL = 300;

function parseErrorBody(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text.length > MAX_BODY_TEXT ? `${text.slice(0, MAX_BODY_TEXT)}…` : text;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** django-ninja's 422 items: `{type, loc, msg}`; anything else in `detail` is ignored here. */
function extractFieldErrors(body: unknown): PoderoFieldError[] {
  if (!isRecord(body) || !Array.isArray(body.detail)) return [];
  return body.detail.filter(isRecord).map((item) => ({
    loc: Array.isArray(item.loc)
      ? item.loc.filter(
          (part): part is string | number => typeof part === 'string' || typeof part === 'number',
        )
      : [],
    msg: typeof item.msg === 'string' ? item.msg : '',
    type: typeof item.type === 'string' ? item.type : '',
  }));
}

function extractDetail(body: unknown, fieldErrors: PoderoFieldError[]): string | undefined {
  let detail: string | undefined;
  if (typeof body === 'string') detail = body;
  else if (isRecord(body)) {
    if (typeof body.detail === 'string') detail = body.detail;
    else if (fieldErrors.length > 0) {
      detail = fieldErrors.map((field) => `${field.loc.join('.')}: ${field.msg}`).join('; ');
    } else if (typeof body.error === 'string') {
      // OAuth errors: {"error": "invalid_client", "error_description"?: "..."}
      detail =
        typeof body.error_description === 'string' ? `${body.error}: ${body.error_description}` : body.error;
    } else if (typeof body.reason === 'string')
      detail = body.reason; // boost 409: {state, reason}
    else if (typeof body.message === 'string') detail = body.message;
  }
  if (detail === undefined) return undefined;
  const oneLine = detail.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_DETAIL ? `${oneLine.slice(0, MAX_DETAIL)}…` : oneLine;
}

function redact(text: string | undefined, secrets: readonly string[] = []): string | undefined {
  if (text === undefined) return undefined;
  return secrets.reduce((scrubbed, secret) => scrubbed.replaceAll(secret, '[redacted]'), text);
}

function errorFromResponse<T>(
  spec: RequestSpec<T>,
  status: number,
  text: string,
  retryAfterMs: number | undefined,
): PoderoError {
  const body = parseErrorBody(text);
  const fieldErrors = extractFieldErrors(body);
  const detail = redact(extractDetail(body, fieldErrors), spec.secrets);
  const init: PoderoErrorInit = {
    method: spec.method,
    path: spec.path,
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(body === undefined || spec.hideBody ? {} : { body }),
  };
  const message = `Podero ${spec.method} ${spec.path} failed with HTTP ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 401 || status === 403) return new PoderoAuthError(message, init);
  if (status === 404) return new PoderoNotFoundError(message, init);
  if (status === 400 || status === 422) return new PoderoValidationError(message, { ...init, fieldErrors });
  if (status === 409) return new PoderoConflictError(message, init);
  if (status === 429) {
    return new PoderoRateLimitError(message, {
      ...init,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status >= 500) return new PoderoServerError(message, init);
  return new PoderoError(message, init);
}
