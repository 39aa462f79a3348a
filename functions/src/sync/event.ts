import * as z from 'zod';

/**
 * The event the sync takes: the schedule's payload (declarations.ts, typed against this) or a
 * manual run (local stack, operators). A leaf module, so that declarations.ts can take its type without
 * a circle through the handler.
 */
export const syncEventSchema = z.strictObject({ source: z.enum(['schedule', 'manual']) });
export type SyncEvent = z.infer<typeof syncEventSchema>;
