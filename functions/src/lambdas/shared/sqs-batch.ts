import * as z from 'zod';

/**
 * SQS partial batch responses (`ReportBatchItemFailures`), written once for the two queue consumers.
 *
 * Why not `@aws-lambda-powertools/batch` (checked at 2.35.0, the version of our other Powertools packages):
 * its record handler sees one record at a time, all in sequence or all in parallel, and fails a record by
 * throwing. webhook-delivery needs a third order (each endpoint's messages in sequence, endpoints side by
 * side, so that a hanging receiver holds up only its own events), and the sync worker fails a record by
 * its outcome (a shard continued in a new message is not an error, and a thrown error must fail the whole
 * invocation as it does today). Wrapping both into throws and back would be more code than this helper,
 * and one more package in two bundles whose size ADR 0013 measures.
 */

/** The part of an SQS event a queue consumer reads (Lambda's event source mapping shape). */
export const sqsEventSchema = z.object({
  Records: z.array(
    z.looseObject({ messageId: z.string().min(1), body: z.string(), eventSource: z.literal('aws:sqs') }),
  ),
});

/**
 * Each record with the message its body carries, or `message: undefined` when the body is no such message
 * (not JSON, or not the schema's shape): the consumer reports it, so it fails every receive and ends in the
 * dead-letter queue.
 */
export function sqsMessagesOf<M>(
  records: readonly { readonly messageId: string; readonly body: string }[],
  schema: z.ZodType<M>,
): { messageId: string; message: M | undefined }[] {
  return records.map(({ messageId, body }) => ({ messageId, message: messageOf(body, schema) }));
}

function messageOf<M>(body: string, schema: z.ZodType<M>): M | undefined {
  try {
    return schema.parse(JSON.parse(body));
  } catch {
    return undefined;
  }
}

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** `done`: the message may be deleted; `retry`: report it, it comes back after the visibility timeout. */
export type RecordOutcome = 'done' | 'retry';

export interface SqsBatchOptions<R> {
  /**
   * Records of one group are processed one after another in the batch's order; groups side by side (at most
   * `concurrency` at once). Without it the whole batch is one group: strictly in order.
   */
  groupOf?: (record: R) => string;
  concurrency?: number;
  /** Called when processing a record throws; the record is then reported. Without it the error propagates. */
  onError?: (record: R, error: unknown) => void;
}

export async function processSqsBatch<R extends { readonly messageId: string }>(
  records: readonly R[],
  processRecord: (record: R) => Promise<RecordOutcome>,
  options: SqsBatchOptions<R> = {},
): Promise<SqsBatchResponse> {
  const groups = new Map<string, R[]>();
  for (const record of records) {
    const key = options.groupOf ? options.groupOf(record) : '';
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  const failed = new Set<string>();
  const runGroup = async (group: readonly R[]) => {
    for (const record of group) {
      let outcome: RecordOutcome;
      try {
        outcome = await processRecord(record);
      } catch (error) {
        if (!options.onError) throw error;
        options.onError(record, error);
        outcome = 'retry';
      }
      if (outcome === 'retry') failed.add(record.messageId);
    }
  };
  const queue = [...groups.values()];
  const workers = Array.from(
    { length: Math.max(1, Math.min(options.concurrency ?? 1, queue.length)) },
    async () => {
      for (let group = queue.shift(); group; group = queue.shift()) await runGroup(group);
    },
  );
  await Promise.all(workers);
  // In the batch's order, whatever order the groups finished in.
  return {
    batchItemFailures: records
      .filter((record) => failed.has(record.messageId))
      .map((record) => ({ itemIdentifier: record.messageId })),
  };
}
