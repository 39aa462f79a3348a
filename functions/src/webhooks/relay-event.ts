import * as z from 'zod';

/**
 * What rings event-relay: its schedule (`{"source": "schedule"}`), the local stack's outbox poll
 * (`{"source": "local"}`), or a batch of the main table's stream records (in AWS, filtered to items with
 * pending events). Either way the relay drains the outbox: the records only say that there is something to
 * drain (the outbox, not the stream, is what holds the events).
 */
export const relayEventSchema = z.union([
  z.object({ source: z.enum(['schedule', 'local']) }),
  z.object({ Records: z.array(z.looseObject({ eventSource: z.literal('aws:dynamodb') })).min(1) }),
]);
export type RelayEvent = z.input<typeof relayEventSchema>;
