import {
  PoderoAuthError,
  PoderoConflictError,
  PoderoError,
  PoderoNetworkError,
  PoderoNotFoundError,
  PoderoRateLimitError,
  PoderoRequestError,
  PoderoResponseShapeError,
  PoderoServerError,
  PoderoValidationError,
} from '@podero-bridge/podero-client';
import { ReauthenticationExpiredError } from '../../devices/reauthentication';
import { DomainError } from '../../domain/errors';
import { ApiError, badRequest, notFound } from './http';

/** Default Retry-After when Podero rate-limits without saying for how long. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * The one mapping from what the domain and Podero refuse to the API's answer; the handler calls it for
 * every error a route throws. Podero's own words (detail, body) are never passed on: callers see our code
 * and message, the logs keep the upstream status and path. Returns undefined for anything unexpected,
 * which the handler turns into a 500.
 */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  const domain = fromDomainError(error);
  if (domain) return domain;
  if (error instanceof PoderoRateLimitError) {
    const seconds = Math.max(1, Math.ceil((error.retryAfterMs ?? DEFAULT_RETRY_AFTER_SECONDS * 1000) / 1000));
    return new ApiError(
      503,
      'upstream_rate_limited',
      'Podero is rate-limiting requests; retry later',
      undefined,
      {
        'retry-after': String(seconds),
      },
    );
  }
  if (error instanceof PoderoNetworkError) {
    return new ApiError(
      502,
      error.timedOut ? 'upstream_timeout' : 'upstream_unavailable',
      error.timedOut ? 'Podero did not answer in time' : 'Podero could not be reached',
    );
  }
  if (error instanceof PoderoServerError)
    return new ApiError(502, 'upstream_error', 'Podero answered with an error');
  if (error instanceof PoderoResponseShapeError) {
    return new ApiError(502, 'upstream_bad_response', 'Podero answered with an unexpected response');
  }
  if (error instanceof PoderoAuthError) {
    return new ApiError(502, 'upstream_auth_failed', 'the bridge could not authenticate with Podero');
  }
  if (error instanceof PoderoNotFoundError) return new ApiError(404, 'not_found', 'not found at Podero');
  if (error instanceof PoderoConflictError)
    return new ApiError(409, 'conflict', 'Podero reported a conflict');
  if (error instanceof PoderoValidationError) {
    // Podero rejected a request our own validation let through (e.g. an email already used in the org).
    const details = error.fieldErrors.slice(0, 10).map((f) => ({
      field: ['body', ...f.loc.filter((p) => p !== 'body').map(String)].join('.'),
      message: f.msg.slice(0, 200),
    }));
    return new ApiError(400, 'rejected_by_podero', 'Podero rejected the request', details);
  }
  if (error instanceof PoderoRequestError) {
    const details = error.issues.slice(0, 10).map((i) => ({ field: `body.${i.path}`, message: i.message }));
    return new ApiError(400, 'validation_error', 'the request is not valid for Podero', details);
  }
  if (error instanceof PoderoError)
    return new ApiError(502, 'upstream_error', 'Podero answered with an error');
  return undefined;
}

/**
 * The domain's refusals, by kind (domain/errors.ts): each error says what it is and what may be told; this
 * maps kinds to statuses, plus the one special case (an expired link is gone, 410).
 */
function fromDomainError(error: unknown): ApiError | undefined {
  if (!(error instanceof DomainError)) return undefined;
  if (error instanceof ReauthenticationExpiredError) return new ApiError(410, 'link_expired', error.message);
  const message = error.summary ?? error.message;
  const details = error.fields ? [...error.fields] : undefined;
  switch (error.kind) {
    case 'not_found':
      return notFound(error.subject ?? 'resource');
    case 'invalid':
      return badRequest(message, details);
    case 'conflict':
      return new ApiError(409, error.code ?? 'conflict', message, details, undefined, error.attributes);
    case 'busy':
      return new ApiError(503, error.code ?? 'busy', message, details, {
        'retry-after': String(error.retryAfterSeconds ?? 1),
      });
    case 'upstream':
      return new ApiError(502, error.code ?? 'upstream_error', message, details);
  }
}
