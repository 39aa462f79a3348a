/**
 * The domain's refusals. Each carries a *kind* (what sort of refusal it is) and what an answer may say about
 * it; services and stores throw them, and the api's error mapper (lambdas/api/errors.ts) turns a kind into
 * an HTTP answer without knowing every module's classes. Pure: no I/O, no HTTP.
 */

/** not_found: the thing does not exist (for this caller); conflict: it contradicts what is stored; invalid:
 * the request is wrong in a named field; busy: try again shortly; upstream: Podero (or the token) failed. */
export type ErrorKind = 'not_found' | 'conflict' | 'invalid' | 'busy' | 'upstream';

/** One named problem: `field` as the request has it (`body.email`, `query.cursor`). */
export interface ErrorField {
  readonly field: string;
  readonly message: string;
}

export interface RefusalOptions {
  /** The answer's code when it is not the kind's own (`email_in_use`, `too_many_webhooks`). */
  readonly code?: string;
  /** What a caller is told, when not the error's message (which may name internals). */
  readonly summary?: string;
  /** What was not found (`user`, `heat pump`): not_found answers `<subject> not found`. */
  readonly subject?: string;
  readonly fields?: readonly ErrorField[];
  /** busy: when to come back. */
  readonly retryAfterSeconds?: number;
  /**
   * Named facts the answer carries beside its code (`reason`, `state` of a refused boost): allow-listed
   * values, never upstream prose.
   */
  readonly attributes?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  readonly code: string | undefined;
  readonly summary: string | undefined;
  readonly subject: string | undefined;
  readonly fields: readonly ErrorField[] | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly attributes: Readonly<Record<string, string>> | undefined;
  constructor(message: string, options: RefusalOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.attributes = options.attributes;
    this.summary = options.summary;
    this.subject = options.subject;
    this.fields = options.fields;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export abstract class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}
export abstract class ConflictError extends DomainError {
  readonly kind = 'conflict';
}
export abstract class InvalidError extends DomainError {
  readonly kind = 'invalid';
}
export abstract class BusyError extends DomainError {
  readonly kind = 'busy';
}
export abstract class UpstreamError extends DomainError {
  readonly kind = 'upstream';
}

// The refusals about users and their records.

export class UnknownUserError extends NotFoundError {
  override readonly name = 'UnknownUserError';
  constructor(readonly externalUserId: string) {
    super('user not found', { subject: 'user' });
  }
}

/** POST /users for an external id that is onboarded with another e-mail. */
export class UserEmailConflictError extends ConflictError {
  override readonly name = 'UserEmailConflictError';
  constructor() {
    super('a user with this external_user_id exists with a different email', {
      fields: [{ field: 'body.email', message: 'differs from the onboarded user' }],
    });
  }
}

/**
 * Podero refused the e-mail: another user of the organisation has it (Podero answers 409; e-mail is unique
 * per organisation, case-insensitively). The one mapping of that refusal, for creates and updates alike.
 */
export class EmailInUseError extends ConflictError {
  override readonly name = 'EmailInUseError';
  constructor() {
    super('another user of the organisation has this email', {
      code: 'email_in_use',
      fields: [{ field: 'body.email', message: 'already used by another user' }],
    });
  }
}

/** A DELETE of the user has begun and not finished: repeat it, then onboard again. */
export class OffboardingInProgressError extends ConflictError {
  override readonly name = 'OffboardingInProgressError';
  constructor() {
    super('this user is being offboarded; repeat the DELETE to finish it, then onboard again', {
      code: 'offboarding_in_progress',
    });
  }
}

/** Another request holds the user's creation lease past the wait. */
export class CreationInProgressError extends BusyError {
  override readonly name = 'CreationInProgressError';
  constructor() {
    super('this user is being onboarded by another request; retry', {
      code: 'creation_in_progress',
      retryAfterSeconds: 1,
    });
  }
}

export class UnknownBuildingError extends InvalidError {
  override readonly name = 'UnknownBuildingError';
  constructor(readonly buildingId: string) {
    super('not a building of this user', {
      summary: 'unknown building',
      fields: [{ field: 'body.building_id', message: 'not a building of this user' }],
    });
  }
}

export class UnknownOnboardingSessionError extends NotFoundError {
  override readonly name = 'UnknownOnboardingSessionError';
  constructor(readonly sessionId: string) {
    super('onboarding session not found', { subject: 'onboarding session' });
  }
}
