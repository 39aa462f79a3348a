import * as z from 'zod';

/**
 * The event the history backfill takes: the schedule's payload (declarations.ts, typed against this) or a
 * manual run (local stack, operators). A leaf module, so declarations.ts can take its type without a circle.
 */
export const historyBackfillEventSchema = z.strictObject({ source: z.enum(['schedule', 'manual']) });
export type HistoryBackfillEvent = z.infer<typeof historyBackfillEventSchema>;
