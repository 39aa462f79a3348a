import * as z from 'zod';
import { type ErasureMessage, erasureMessageSchema, erasureServiceOf } from '../../erasure/erasure';
import { coldStartFlag, invocationKeys, withLogKeys } from '../../platform/observability';
import { parseEvent } from '../shared/parse-event';
import { processSqsBatch, type SqsBatchResponse } from '../shared/sqs-batch';
import type { ErasureDepsBundle } from './deps';

/** The part of an SQS event the worker reads (Lambda's event source mapping shape). */
const sqsEventSchema = z.object({
  Records: z.array(
    z.looseObject({ messageId: z.string().min(1), body: z.string(), eventSource: z.literal('aws:sqs') }),
  ),
});

/** The erasure message a record carries, or undefined when it is none. */
function messageOf(body: string): ErasureMessage | undefined {
  try {
    return erasureMessageSchema.parse(JSON.parse(body));
  } catch {
    return undefined;
  }
}

/**
 * The SQS handler: one sweep per message, in order. A sweep that failed (the table throttled, the queue
 * refused) is reported in `batchItemFailures` and comes back after the visibility timeout; a body that is
 * not an erasure message fails every receive and ends in the dead-letter queue.
 */
export function makeErasureHandler(
  deps: ErasureDepsBundle,
): (event: unknown, context?: { awsRequestId?: string }) => Promise<SqsBatchResponse> {
  const isColdStart = coldStartFlag();
  const erasure = erasureServiceOf({
    db: deps.db,
    sqs: deps.sqs,
    now: deps.now,
    settings: deps.config,
    ...(deps.settleMs === undefined ? {} : { settleMs: deps.settleMs }),
  });
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    const { Records } = parseEvent(sqsEventSchema, event, 'erasure', logger);
    const records = Records.map((record) => ({
      messageId: record.messageId,
      message: messageOf(record.body),
    }));
    const response = await processSqsBatch(
      records,
      async ({ messageId, message }) => {
        if (!message) {
          logger.error('not an erasure message', { message_id: messageId });
          return 'retry';
        }
        await erasure.process(message);
        return 'done';
      },
      {
        onError: ({ messageId }, error) =>
          logger.error('erasure sweep failed', { message_id: messageId, error_name: (error as Error).name }),
      },
    );
    deps.metrics.publishStoredMetrics();
    return response;
  };
}
