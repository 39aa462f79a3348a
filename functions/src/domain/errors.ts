/**
 * The domain's refusals about users and their records. Services throw these; api/errors.ts is the one
 * place that turns them (and Podero's errors) into HTTP answers.
 */
export class UnknownUserError extends Error {
  override readonly name = 'UnknownUserError';
  constructor(readonly externalUserId: string) {
    super('user not found');
  }
}

/** POST /users for an external id that is onboarded with another e-mail. */
export class UserEmailConflictError extends Error {
  override readonly name = 'UserEmailConflictError';
  constructor() {
    super('a user with this external_user_id exists with a different email');
  }
}

/**
 * Podero refused the e-mail: another user of the organisation has it (Podero answers 409; e-mail is unique
 * per organisation, case-insensitively). The one mapping of that refusal, for creates and updates alike.
 */
export class EmailInUseError extends Error {
  override readonly name = 'EmailInUseError';
  constructor() {
    super('another user of the organisation has this email');
  }
}

/** A DELETE of the user has begun and not finished: repeat it, then onboard again. */
export class OffboardingInProgressError extends Error {
  override readonly name = 'OffboardingInProgressError';
  constructor() {
    super('this user is being offboarded; repeat the DELETE to finish it, then onboard again');
  }
}

/** Another request holds the user's creation lease past the wait. */
export class CreationInProgressError extends Error {
  override readonly name = 'CreationInProgressError';
  constructor() {
    super('this user is being onboarded by another request; retry');
  }
}

export class UnknownBuildingError extends Error {
  override readonly name = 'UnknownBuildingError';
  constructor(readonly buildingId: string) {
    super('not a building of this user');
  }
}

export class UnknownOnboardingSessionError extends Error {
  override readonly name = 'UnknownOnboardingSessionError';
  constructor(readonly sessionId: string) {
    super('onboarding session not found');
  }
}
