/**
 * Typed errors of the Podero client.
 *
 * Every error carries the request method and path (never the query string's secrets, the
 * Authorization header, the access token or the client secret), the HTTP status where there was a
 * response, Podero's `detail` where the body had one, and the underlying `cause`.
 */
import type * as z from 'zod';

export interface PoderoErrorInit {
  method: string;
  path: string;
  status?: number;
  detail?: string;
  /** The upstream error body (parsed JSON, or text cut to a few hundred characters). */
  body?: unknown;
  cause?: unknown;
}

export class PoderoError extends Error {
  override name = 'PoderoError';
  readonly status?: number;
  readonly method: string;
  readonly path: string;
  readonly detail?: string;
  readonly body?: unknown;

  constructor(message: string, init: PoderoErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.method = init.method;
    this.path = init.path;
    if (init.status !== undefined) this.status = init.status;
    if (init.detail !== undefined) this.detail = init.detail;
    if (init.body !== undefined) this.body = init.body;
  }
}

/** 401 or 403: the token was rejected (even after refreshing it) or lacks the rights. */
export class PoderoAuthError extends PoderoError {
  override name = 'PoderoAuthError';
}

export class PoderoNotFoundError extends PoderoError {
  override name = 'PoderoNotFoundError';
}

export interface PoderoFieldError {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** 400 or 422. `fieldErrors` holds django-ninja's `detail` items when the body had them. */
export class PoderoValidationError extends PoderoError {
  override name = 'PoderoValidationError';
  readonly fieldErrors: PoderoFieldError[];

  constructor(message: string, init: PoderoErrorInit & { fieldErrors: PoderoFieldError[] }) {
    super(message, init);
    this.fieldErrors = init.fieldErrors;
  }
}

export class PoderoConflictError extends PoderoError {
  override name = 'PoderoConflictError';
}

/** 429 after the retry budget ran out (or a Retry-After longer than the client will wait). */
export class PoderoRateLimitError extends PoderoError {
  override name = 'PoderoRateLimitError';
  /** From the last response's Retry-After header, when it had one. */
  readonly retryAfterMs?: number;

  constructor(message: string, init: PoderoErrorInit & { retryAfterMs?: number }) {
    super(message, init);
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

export class PoderoServerError extends PoderoError {
  override name = 'PoderoServerError';
}

/** No response: connection refused or reset, DNS failure, or the request timed out. */
export class PoderoNetworkError extends PoderoError {
  override name = 'PoderoNetworkError';
  readonly timedOut: boolean;
  /** The system error code when known, e.g. ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET. */
  readonly code?: string;

  constructor(message: string, init: PoderoErrorInit & { timedOut: boolean; code?: string }) {
    super(message, init);
    this.timedOut = init.timedOut;
    if (init.code !== undefined) this.code = init.code;
  }
}

export interface PoderoIssue {
  /** Dotted field path, e.g. `data.0.period.start_period` or `email`; `(root)` for the whole value. */
  path: string;
  message: string;
}

/** A 2xx response whose body did not match the expected shape. Names the fields; never echoes values. */
export class PoderoResponseShapeError extends PoderoError {
  override name = 'PoderoResponseShapeError';
  readonly issues: PoderoIssue[];

  constructor(message: string, init: PoderoErrorInit & { issues: PoderoIssue[] }) {
    super(message, init);
    this.issues = init.issues;
  }
}

/** An invalid request caught locally: nothing was sent. `issues` name the offending fields. */
export class PoderoRequestError extends PoderoError {
  override name = 'PoderoRequestError';
  readonly issues: PoderoIssue[];

  constructor(message: string, init: PoderoErrorInit & { issues: PoderoIssue[] }) {
    super(message, init);
    this.issues = init.issues;
  }
}

/**
 * Turns zod issues into field paths and messages. zod 4's default messages state the expected type
 * or values, never the received value, so no secret can leak through them.
 */
export function toIssues(error: z.ZodError, prefix?: string): PoderoIssue[] {
  return error.issues.map((issue) => {
    const segments = [...(prefix ? [prefix] : []), ...issue.path.map((segment) => String(segment))];
    return { path: segments.length > 0 ? segments.join('.') : '(root)', message: issue.message };
  });
}

export function describeIssues(issues: PoderoIssue[]): string {
  const shown = issues.slice(0, 5).map((issue) => `${issue.path}: ${issue.message}`);
  const more = issues.length > shown.length ? ` (+${issues.length - shown.length} more)` : '';
  return `${shown.join('; ')}${more}`;
}
