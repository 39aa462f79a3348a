import * as z from 'zod';

/**
 * One shard of a fleet pass, as a message on the sync-shards queue (planner -> worker). A leaf module:
 * the planner, the worker and the tests share it.
 */
export const shardMessageSchema = z.strictObject({
  v: z.literal(1),
  pass_id: z.string().min(1).max(100),
  shard: z.number().int().min(0),
  /** Exclusive, null: from the first user. */
  after: z.string().min(1).nullable(),
  /** Inclusive, null: to the last user. */
  until: z.string().min(1).nullable(),
});
export type ShardMessage = z.infer<typeof shardMessageSchema>;

/** The SQS records the event source mapping hands the worker (the fields the worker reads). */
export const shardEventSchema = z.object({
  Records: z
    .array(
      z.object({
        messageId: z.string().min(1),
        body: z.string(),
        attributes: z.object({ ApproximateReceiveCount: z.coerce.number().int().min(1) }).loose(),
      }),
    )
    .min(1),
});
export type ShardEvent = z.infer<typeof shardEventSchema>;
