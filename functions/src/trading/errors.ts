/** The trading service's refusals (domain error kinds: lambdas/api/errors.ts maps them to 404/400/409). */
import { ConflictError, InvalidError, NotFoundError } from '../domain/errors';

export class UnknownTradingDayError extends NotFoundError {
  override readonly name = 'UnknownTradingDayError';
  constructor() {
    super('trading day not found', { subject: 'trading day' });
  }
}

export class InvalidForecastError extends InvalidError {
  override readonly name = 'InvalidForecastError';
  constructor(fields: readonly { field: string; message: string }[]) {
    super('the forecast does not fit the delivery day', { fields });
  }
}

/** A forecast after the upload deadline, a different one after the upload, a decision out of turn. */
export class TradingConflictError extends ConflictError {
  override readonly name = 'TradingConflictError';
  constructor(code: string, summary: string) {
    super(summary, { code, summary });
  }
}
