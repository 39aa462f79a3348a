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
import { UnknownEnergyContractError } from '../energy-contracts/service';
import { UnknownErasureError } from '../erasure/erasure';
import {
  InvalidReturnUrlError,
  ReauthenticationExpiredError,
  ReauthenticationNotNeededError,
  UnknownReauthenticationError,
} from '../heat-pumps/reauthentication';
import { SettingsConflictError, UnknownHeatPumpError } from '../heat-pumps/service';
import { InvalidUsersCursorError } from '../operator/service';
import { InvalidCursorError } from '../storage/readings';
import { TokenUnavailableError } from '../tokens/provider';
import { TokenRefreshFailedError } from '../tokens/refresher';
import {
  CreationInProgressError,
  EmailInUseError,
  OffboardingInProgressError,
  UnknownBuildingError,
  UnknownOnboardingSessionError,
  UnknownUserError,
  UserEmailConflictError,
} from '../users/errors';
import { InvalidWebhookUrlError, TooManyWebhooksError, UnknownWebhookError } from '../webhooks/service';
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
  if (
    error instanceof PoderoAuthError ||
    error instanceof TokenUnavailableError ||
    error instanceof TokenRefreshFailedError
  ) {
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

/** The domain's refusals (users, buildings, sessions, heat pumps, readings). */
function fromDomainError(error: unknown): ApiError | undefined {
  if (error instanceof UnknownUserError) return notFound('user');
  if (error instanceof UnknownHeatPumpError) return notFound('heat pump');
  if (error instanceof UnknownEnergyContractError) return notFound('energy contract');
  if (error instanceof UnknownErasureError) return notFound('erasure');
  if (error instanceof InvalidUsersCursorError) {
    return badRequest('the cursor is not valid for this request', [
      { field: 'query.cursor', message: error.message },
    ]);
  }
  if (error instanceof UnknownOnboardingSessionError) return notFound('onboarding session');
  if (error instanceof ReauthenticationNotNeededError) {
    return new ApiError(
      409,
      error.state === 'connected' ? 'reauthentication_not_needed' : 'reauthentication_unavailable',
      error.message,
    );
  }
  if (error instanceof UnknownReauthenticationError) return notFound('re-authentication');
  if (error instanceof ReauthenticationExpiredError) return new ApiError(410, 'link_expired', error.message);
  if (error instanceof InvalidReturnUrlError) {
    return badRequest('the return URL is not allowed', [
      { field: `body.${error.field}`, message: error.message },
    ]);
  }
  if (error instanceof UnknownBuildingError) {
    return badRequest('unknown building', [{ field: 'body.building_id', message: error.message }]);
  }
  if (error instanceof UserEmailConflictError) {
    return new ApiError(409, 'conflict', error.message, [
      { field: 'body.email', message: 'differs from the onboarded user' },
    ]);
  }
  if (error instanceof EmailInUseError) {
    return new ApiError(409, 'email_in_use', error.message, [
      { field: 'body.email', message: 'already used by another user' },
    ]);
  }
  if (error instanceof OffboardingInProgressError) {
    return new ApiError(409, 'offboarding_in_progress', error.message);
  }
  if (error instanceof CreationInProgressError) {
    return new ApiError(503, 'creation_in_progress', error.message, undefined, { 'retry-after': '1' });
  }
  if (error instanceof InvalidCursorError) {
    return badRequest('the cursor is not valid for this request', [
      { field: 'query.cursor', message: error.message },
    ]);
  }
  if (error instanceof UnknownWebhookError) return notFound('webhook');
  if (error instanceof InvalidWebhookUrlError) {
    return badRequest('the webhook URL is not allowed', [{ field: 'body.url', message: error.message }]);
  }
  if (error instanceof TooManyWebhooksError) return new ApiError(409, 'too_many_webhooks', error.message);
  if (error instanceof SettingsConflictError) {
    return badRequest(
      'the settings are inconsistent',
      error.issues.map((i) => ({ field: ['body', ...i.path].join('.'), message: i.message })),
    );
  }
  return undefined;
}
