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

/** The documented reasons of a boost's 409 (§3.7 E6, §3.8 W4); Podero may add others. */
export const BOOST_REFUSAL_REASONS = [
  'already_charging',
  'fully_charged',
  'no_active_session',
  'internal_error',
] as const;
export type BoostRefusalReason = (typeof BOOST_REFUSAL_REASONS)[number];

/**
 * 409 from an EV's or a wallbox's boost: Podero refused it, saying why. `reason` is one of
 * BOOST_REFUSAL_REASONS or a value not documented yet (kept, never refused); `state` is the device's
 * `boost_state` at the time. Either is undefined when the body did not carry it.
 */
export class BoostRefusedError extends PoderoConflictError {
  override name = 'BoostRefusedError';
  readonly reason?: string;
  readonly state?: string;

  constructor(message: string, init: PoderoErrorInit & { reason?: string; state?: string }) {
    super(message, init);
    if (init.reason !== undefined) this.reason = init.reason;
    if (init.state !== undefined) this.state = init.state;
  }
}

/**
 * 400 or 422 from the charging-configuration update (CC2): `fields` names the refused fields
 * (`mode`, from django-ninja's `loc` without its leading `body`), empty when the body named none.
 */
export class InvalidChargingConfigError extends PoderoValidationError {
  override name = 'InvalidChargingConfigError';
  readonly fields: string[];

  constructor(
    message: string,
    init: PoderoErrorInit & { fieldErrors: PoderoFieldError[]; fields: string[] },
  ) {
    super(message, init);
    this.fields = init.fields;
  }
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short identifier-like string from an error body (a reason, a state), or undefined. */
function codeFrom(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 100 ? value : undefined;
}

function initOf(error: PoderoError): PoderoErrorInit {
  return {
    method: error.method,
    path: error.path,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    ...(error.body === undefined ? {} : { body: error.body }),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  };
}

/**
 * A boost's 409 as a BoostRefusedError (anything else unchanged). The documented fields are `state` and
 * `reason`; their wrapping is not, so they are read at the top level or inside an object `detail`.
 */
export function asBoostRefusal(error: unknown): unknown {
  if (!(error instanceof PoderoConflictError) || error instanceof BoostRefusedError) return error;
  const body = error.body;
  const where = isRecord(body) && isRecord(body.detail) ? body.detail : isRecord(body) ? body : {};
  const reason = codeFrom(where.reason);
  const state = codeFrom(where.state);
  return new BoostRefusedError(error.message, {
    ...initOf(error),
    ...(reason === undefined ? {} : { reason }),
    ...(state === undefined ? {} : { state }),
  });
}

/** A charging-configuration 400/422 as an InvalidChargingConfigError naming the fields (anything else unchanged). */
export function asInvalidChargingConfig(error: unknown): unknown {
  if (!(error instanceof PoderoValidationError) || error instanceof InvalidChargingConfigError) return error;
  const fields = new Set<string>();
  for (const { loc } of error.fieldErrors) {
    const parts = loc[0] === 'body' ? loc.slice(1) : loc;
    if (parts.length > 0) fields.add(parts.join('.'));
  }
  // A body of another shape naming its field(s) directly: {"field": "mode"} or {"fields": ["mode"]}.
  const body = isRecord(error.body) ? error.body : {};
  const named = [body.field, ...(Array.isArray(body.fields) ? body.fields : [])];
  for (const field of named) {
    const code = codeFrom(field);
    if (code !== undefined) fields.add(code);
  }
  return new InvalidChargingConfigError(error.message, {
    ...initOf(error),
    fieldErrors: error.fieldErrors,
    fields: [...fields],
  });
}
