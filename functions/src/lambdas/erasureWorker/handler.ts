import { erasureMessageSchema, erasureServiceOf } from '../../erasure/erasure';
import { coldStartFlag, invocationKeys, withLogKeys } from '../../platform/observability';
import { parseEvent } from '../shared/parse-event';
import { processSqsBatch, type SqsBatchResponse, sqsEventSchema, sqsMessagesOf } from '../shared/sqs-batch';
import type { ErasureDepsBundle } from './deps';

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
    const records = sqsMessagesOf(Records, erasureMessageSchema);
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
