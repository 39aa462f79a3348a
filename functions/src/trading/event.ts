import * as z from 'zod';

/**
 * The event the trading workflow takes: the schedule's payload (declarations.ts, typed against this) or a
 * manual run (local stack, operators). A leaf module, so declarations.ts can take its type without a circle.
 */
export const tradingWorkflowEventSchema = z.strictObject({ source: z.enum(['schedule', 'manual']) });
export type TradingWorkflowEvent = z.infer<typeof tradingWorkflowEventSchema>;
