/**
 * Every function parses its event with its zod schema first: an event it does not understand is logged
 * naming the bad fields (never their values) and thrown, before anything is read or written.
 */
import type * as z from 'zod';

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(
    /** The function's name (its declaration's), as in `invalid token-refresh event`. */
    readonly functionName: string,
    /** The paths of the fields that did not match (`(root)` for the event itself). */
    readonly fields: readonly string[],
    detail: string,
  ) {
    super(`invalid ${functionName} event: ${detail}`);
  }
}

export function parseEvent<T>(
  schema: z.ZodType<T>,
  event: unknown,
  functionName: string,
  logger: { error(message: string, extra: Record<string, unknown>): void },
): T {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  const pathOf = (issue: z.core.$ZodIssue) => issue.path.join('.') || '(root)';
  const fields = parsed.error.issues.map(pathOf);
  logger.error(`invalid ${functionName} event`, { fields: fields.join(', ') });
  throw new InvalidEventError(
    functionName,
    fields,
    parsed.error.issues.map((issue) => `${pathOf(issue)}: ${issue.message}`).join('; '),
  );
}
