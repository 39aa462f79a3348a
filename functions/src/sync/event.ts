import * as z from 'zod';

/**
 * The event heat-pump-sync takes: the schedule's payload (declarations.ts, typed against this) or a
 * manual run (local stack, operators). A leaf module, so that declarations.ts can take its type without
 * a circle through the handler.
 */
export const syncEventSchema = z.strictObject({ source: z.enum(['schedule', 'manual']) });
export type SyncEvent = z.infer<typeof syncEventSchema>;

export class InvalidSyncEventError extends Error {
  override readonly name = 'InvalidSyncEventError';
}

/**
 * The event a sync function was invoked with, parsed by its schema; anything else is logged and thrown,
 * naming the fields (never their values).
 */
export function parseSyncFunctionEvent<T>(
  schema: z.ZodType<T>,
  event: unknown,
  functionName: string,
  logger: { error(message: string, extra: Record<string, unknown>): void },
): T {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => i.path.join('.') || '(event)').join(', ');
  logger.error(`invalid ${functionName} event`, { fields });
  throw new InvalidSyncEventError(`invalid ${functionName} event: ${fields}`);
}
