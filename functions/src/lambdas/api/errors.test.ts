/** The error mapper by kind gives every domain refusal the answer it had when the mapper named each class. */
import { describe, expect, it } from 'vitest';
import {
  InvalidReturnUrlError,
  ReauthenticationExpiredError,
  ReauthenticationNotNeededError,
  UnknownReauthenticationError,
} from '../../devices/reauthentication';
import { SettingsConflictError, UnknownDeviceError } from '../../devices/service';
import {
  CreationInProgressError,
  EmailInUseError,
  OffboardingInProgressError,
  UnknownBuildingError,
  UnknownOnboardingSessionError,
  UnknownUserError,
  UserEmailConflictError,
} from '../../domain/errors';
import { UnknownEnergyContractError } from '../../energy-contracts/service';
import { InvalidUsersCursorError } from '../../operator/service';
import { InvalidCursorError } from '../../storage/readings';
import { TokenUnavailableError } from '../../tokens/provider';
import { TokenRefreshFailedError } from '../../tokens/refresher';
import { InvalidWebhookUrlError, TooManyWebhooksError, UnknownWebhookError } from '../../webhooks/service';
import { toApiError } from './errors';

const answer = (error: unknown) => {
  const mapped = toApiError(error);
  return (
    mapped && {
      status: mapped.status,
      code: mapped.code,
      message: mapped.message,
      details: mapped.details,
      headers: mapped.headers,
    }
  );
};

describe('toApiError maps the kinds of domain errors', () => {
  it.each([
    [new UnknownUserError('u1'), 404, 'not_found', 'user not found'],
    [new UnknownDeviceError('heat pump', 'hp'), 404, 'not_found', 'heat pump not found'],
    [new UnknownEnergyContractError('c'), 404, 'not_found', 'energy contract not found'],
    [new UnknownOnboardingSessionError('s'), 404, 'not_found', 'onboarding session not found'],
    [new UnknownReauthenticationError(), 404, 'not_found', 're-authentication not found'],
    [new UnknownWebhookError('w1'), 404, 'not_found', 'webhook not found'],
  ])('not_found: %s is 404 naming what', (error, status, code, message) => {
    expect(answer(error)).toEqual({ status, code, message, details: undefined, headers: undefined });
  });

  it('invalid: 400 validation_error with the public summary and the named field', () => {
    expect(answer(new InvalidUsersCursorError())).toMatchObject({
      status: 400,
      code: 'validation_error',
      message: 'the cursor is not valid for this request',
      details: [{ field: 'query.cursor', message: 'not a cursor returned by this API for these filters' }],
    });
    expect(answer(new InvalidCursorError('bad base64'))).toMatchObject({
      status: 400,
      details: [{ field: 'query.cursor', message: 'cursor is invalid: bad base64' }],
    });
    expect(answer(new UnknownBuildingError('b1'))).toMatchObject({
      status: 400,
      message: 'unknown building',
      details: [{ field: 'body.building_id', message: 'not a building of this user' }],
    });
    expect(answer(new InvalidReturnUrlError('cancel_url', 'not an allowed origin'))).toMatchObject({
      status: 400,
      message: 'the return URL is not allowed',
      details: [{ field: 'body.cancel_url', message: 'not an allowed origin' }],
    });
    expect(answer(new InvalidWebhookUrlError('private address'))).toMatchObject({
      status: 400,
      message: 'the webhook URL is not allowed',
      details: [{ field: 'body.url', message: 'private address' }],
    });
    expect(
      answer(new SettingsConflictError([{ path: ['settings', 'min'], message: 'above the maximum' }])),
    ).toMatchObject({
      status: 400,
      message: 'the settings are inconsistent',
      details: [{ field: 'body.settings.min', message: 'above the maximum' }],
    });
  });

  it('conflict: 409 with its own code where it has one', () => {
    expect(answer(new UserEmailConflictError())).toMatchObject({
      status: 409,
      code: 'conflict',
      details: [{ field: 'body.email', message: 'differs from the onboarded user' }],
    });
    expect(answer(new EmailInUseError())).toMatchObject({ status: 409, code: 'email_in_use' });
    expect(answer(new OffboardingInProgressError())).toMatchObject({
      status: 409,
      code: 'offboarding_in_progress',
    });
    expect(answer(new TooManyWebhooksError('at most 10'))).toMatchObject({
      status: 409,
      code: 'too_many_webhooks',
      message: 'at most 10',
    });
    expect(answer(new ReauthenticationNotNeededError('connected'))).toMatchObject({
      status: 409,
      code: 'reauthentication_not_needed',
    });
    expect(answer(new ReauthenticationNotNeededError('disconnected'))).toMatchObject({
      code: 'reauthentication_unavailable',
    });
  });

  it('busy: 503 with Retry-After', () => {
    expect(answer(new CreationInProgressError())).toMatchObject({
      status: 503,
      code: 'creation_in_progress',
      headers: { 'retry-after': '1' },
    });
  });

  it('upstream: 502 with the public summary, never the internal message', () => {
    for (const error of [
      new TokenUnavailableError('no valid Podero access token is available'),
      new TokenRefreshFailedError('token-refresh failed (Unhandled)', { cause: new Error('x') }),
    ]) {
      expect(answer(error)).toEqual({
        status: 502,
        code: 'upstream_auth_failed',
        message: 'the bridge could not authenticate with Podero',
        details: undefined,
        headers: undefined,
      });
    }
  });

  it('the one special case: an expired link is gone (410)', () => {
    expect(answer(new ReauthenticationExpiredError())).toMatchObject({ status: 410, code: 'link_expired' });
  });

  it('anything else is not an answer (the handler makes it a 500)', () => {
    expect(toApiError(new Error('bug'))).toBeUndefined();
  });
});
