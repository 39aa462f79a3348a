/**
 * Re-authentication of a device whose manufacturer connection lapsed (contract §3.12, §5.5 step 6), without
 * the partner ever handling a cue's secret:
 *
 * 1. `start`: the partner's URLs must be on the stage's return origins (return-urls.ts); a live, owned
 *    read finds the device's `reauthenticate` action; its resolution link's cue id and secret are kept
 *    server-side in an attempt keyed by a random callback token; Podero's Q1 `resolve` is called with the
 *    bridge's own callback URLs (success and fail, each with its own random proof) and the end user is
 *    sent to the `redirect_url` Podero answers.
 * 2. The Connect UI redirects the browser to one of the callback URLs; `complete` claims the attempt (once,
 *    and only with the proof of the outcome the URL names), reports the outcome to Podero (Q2 `state`)
 *    with the kept secret, and sends the browser on to the partner's success or cancel URL. A link used
 *    again sends the browser to the partner's page for the outcome already reported.
 *
 * A kind that Podero re-authenticates through an `auth_session` (§3.10: EVs, wallboxes, inverters) needs none
 * of that: `start` asks Podero for a session with the partner's URLs and hands its `authentication_url` (a
 * secret: it signs in whoever holds it, so it is never logged) to the partner; Podero returns the browser to
 * the partner itself, and there is no outcome to report.
 *
 * Why proofs and not a signature over the outcome: the contract does not say whether the Connect UI keeps
 * or adds query parameters (§5.4), only that it returns to the URL given for success or for cancel; two
 * unguessable URLs are the binding that needs nothing more from it.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type CueActionResponse,
  type CueStateRequest,
  PoderoNotFoundError,
  parseCueLink,
  type ResolveCueRequest,
  type ResolveCueResponse,
} from '@podero-bridge/podero-client';
import type { AuthSessionsUpstream, DeviceKind } from '../domain/devices/kinds';
import { connectionStateOf, pendingActionsOf, REAUTHENTICATE_ACTION } from '../domain/devices/rules';
import { ConflictError, InvalidError, NotFoundError } from '../domain/errors';
import type {
  ReauthenticationAttempt,
  ReauthenticationOutcome,
  ReauthenticationStore,
} from '../storage/reauthentications';
import { type ReturnUrlRules, returnUrlProblem } from './return-urls';
import type { DeviceService } from './service';

/** 256 random bits, base64url (43 characters): the callback token and each outcome's proof. */
const newCallbackSecret = () => randomBytes(32).toString('base64url');

/** The contract: a cue's secret expires one hour after it is issued; a fresh read's secret is taken as new ([INFERRED]). */
export const CUE_SECRET_LIFETIME_MS = 3_600_000;

export interface CueUpstream {
  cues: {
    resolve(cueId: string, secret: string, body: ResolveCueRequest): Promise<ResolveCueResponse>;
    reportState(cueId: string, secret: string, body: CueStateRequest): Promise<CueActionResponse>;
  };
}

export class ReauthenticationNotNeededError extends ConflictError {
  override readonly name = 'ReauthenticationNotNeededError';
  constructor(
    readonly state: 'connected' | 'disconnected',
    noun = 'heat pump',
  ) {
    super(
      state === 'connected'
        ? `the ${noun} is connected; it needs no re-authentication`
        : `the ${noun} has no re-authentication action; onboard it again`,
      { code: state === 'connected' ? 'reauthentication_not_needed' : 'reauthentication_unavailable' },
    );
  }
}

export class UnknownReauthenticationError extends NotFoundError {
  override readonly name = 'UnknownReauthenticationError';
  constructor() {
    super('unknown re-authentication', { subject: 're-authentication' });
  }
}

export class ReauthenticationExpiredError extends NotFoundError {
  override readonly name = 'ReauthenticationExpiredError';
  constructor() {
    // The api answers it 410 link_expired (its one special case of not_found).
    super('this re-authentication link has expired', {
      code: 'link_expired',
      subject: 're-authentication link',
    });
  }
}

/** A partner URL the stage does not allow; `field` names it as the request body does. */
export class InvalidReturnUrlError extends InvalidError {
  override readonly name = 'InvalidReturnUrlError';
  constructor(
    readonly field: 'success_url' | 'cancel_url',
    message: string,
  ) {
    super(message, {
      summary: 'the return URL is not allowed',
      fields: [{ field: `body.${field}`, message }],
    });
  }
}

export interface StartReauthentication {
  success_url: string;
  cancel_url: string;
  language?: string | undefined;
}

export class ReauthenticationService {
  constructor(
    private readonly deps: {
      /** Each kind's device service (the live read that finds what to repair). */
      devices: { of(kind: DeviceKind): Pick<DeviceService, 'readLive'> };
      podero: CueUpstream & AuthSessionsUpstream;
      attempts: ReauthenticationStore;
      returnUrls: ReturnUrlRules;
      now: () => number;
      logger?: Logger;
    },
  ) {}

  /** `callbackUrl`: this API's callback route, absolute (the browser comes back to it). */
  async start(
    kind: DeviceKind,
    externalUserId: string,
    deviceId: string,
    input: StartReauthentication,
    callbackUrl: string,
  ): Promise<{ redirect_url: string; expires_at: string }> {
    for (const field of ['success_url', 'cancel_url'] as const) {
      const problem = returnUrlProblem(input[field], this.deps.returnUrls);
      if (problem !== null) throw new InvalidReturnUrlError(field, problem);
    }
    const { poderoUserId, device } = await this.deps.devices.of(kind).readLive(externalUserId, deviceId);
    const state = connectionStateOf(device);
    if (kind.authSession !== undefined) {
      if (state === 'connected') throw new ReauthenticationNotNeededError(state, kind.noun);
      return this.startAuthSession(kind.authSession, poderoUserId, deviceId, input, kind);
    }
    if (state !== 'reauthentication_required') throw new ReauthenticationNotNeededError(state);
    const link = pendingActionsOf(device)
      .filter((action) => action.code === REAUTHENTICATE_ACTION && action.url !== null)
      .map((action) => parseCueLink(action.url ?? ''))
      .find((parsed) => parsed !== null);
    // Podero raised the action without a link we can use: nothing the owner can do here.
    if (!link) throw new ReauthenticationNotNeededError('disconnected');

    const nowMs = this.deps.now();
    const token = newCallbackSecret();
    const proofs = { success: newCallbackSecret(), fail: newCallbackSecret() };
    const validUntilMs = nowMs + CUE_SECRET_LIFETIME_MS;
    await this.deps.attempts.put(
      token,
      {
        external_user_id: externalUserId,
        heat_pump_id: deviceId,
        cue_id: link.cueId,
        cue_secret: link.secret,
        success_url: input.success_url,
        cancel_url: input.cancel_url,
        state: 'open',
        created_at: new Date(nowMs).toISOString(),
        valid_until_ms: validUntilMs,
        outcome: null,
      },
      proofs,
    );
    const callback = (outcome: ReauthenticationOutcome) =>
      `${callbackUrl}?${new URLSearchParams({ token, outcome, proof: proofs[outcome] }).toString()}`;
    let resolved: ResolveCueResponse;
    try {
      resolved = await this.deps.podero.cues.resolve(link.cueId, link.secret, {
        successUrl: callback('success'),
        cancelUrl: callback('fail'),
        ...(input.language === undefined ? {} : { language: input.language }),
      });
    } catch (error) {
      // No link was handed out: the attempt (and the secret it holds) goes again.
      await this.deps.attempts.discard(token);
      throw error;
    }
    this.deps.logger?.info('re-authentication started', { heat_pump_id: deviceId });
    return { redirect_url: resolved.redirect_url, expires_at: new Date(validUntilMs).toISOString() };
  }

  /**
   * Podero's `auth_session` with the partner's own URLs (already checked against the stage's origins). Its
   * lifetime is not documented: the answer says the cue secret's hour, as for heat pumps [INFERRED].
   */
  private async startAuthSession(
    authSession: NonNullable<DeviceKind['authSession']>,
    poderoUserId: string,
    deviceId: string,
    input: StartReauthentication,
    kind: DeviceKind,
  ): Promise<{ redirect_url: string; expires_at: string }> {
    const session = await authSession(this.deps.podero, poderoUserId, deviceId, {
      success_url: input.success_url,
      cancel_url: input.cancel_url,
    });
    const url = session.authentication_url;
    if (typeof url !== 'string' || url === '')
      throw new ReauthenticationNotNeededError('disconnected', kind.noun);
    this.deps.logger?.info('re-authentication started', {
      [kind.api.idParam]: deviceId,
      through: 'auth_session',
    });
    return {
      redirect_url: url,
      expires_at: new Date(this.deps.now() + CUE_SECRET_LIFETIME_MS).toISOString(),
    };
  }

  /** The browser is back from the Connect UI: report the outcome to Podero once; where to send the browser. */
  async complete(
    token: string,
    outcome: ReauthenticationOutcome,
    proof: string,
  ): Promise<{ location: string }> {
    const claim = await this.deps.attempts.claim(token, outcome, proof, this.deps.now());
    if (claim.kind === 'unknown') throw new UnknownReauthenticationError();
    if (claim.kind === 'expired') throw new ReauthenticationExpiredError();
    if (claim.kind === 'used') {
      // A reload or the back button: the end customer belongs on the partner's page, not on an error. The
      // page is the one for the outcome Podero was told (the claim records it).
      return { location: partnerPageOf(claim.attempt, claim.attempt.outcome ?? outcome) };
    }
    const { attempt } = claim;
    try {
      await this.deps.podero.cues.reportState(attempt.cue_id, attempt.cue_secret, { state: outcome });
    } catch (error) {
      // 404: the action is no longer active (Podero ended it already): nothing left to report.
      if (!(error instanceof PoderoNotFoundError)) {
        await this.deps.attempts.release(token);
        throw error;
      }
    }
    await this.deps.attempts.finish(token);
    this.deps.logger?.info('re-authentication reported', { heat_pump_id: attempt.heat_pump_id, outcome });
    return { location: partnerPageOf(attempt, outcome) };
  }
}

function partnerPageOf(attempt: ReauthenticationAttempt, outcome: ReauthenticationOutcome): string {
  return outcome === 'success' ? attempt.success_url : attempt.cancel_url;
}
