import { coldStartFlag, invocationKeys, withLogKeys } from '../../platform/observability';
import { EventHistoryStore } from '../../storage/event-history';
import { FleetDailyStore } from '../../storage/fleet-daily';
import { WebhookStore } from '../../storage/webhooks';
import { WebhookDelivery, type WebhookDeliveryDeps } from '../../webhooks/delivery';
import { DeliveryQueue, deliveryMessageSchema } from '../../webhooks/queue';
import { parseEvent } from '../shared/parse-event';
import { processSqsBatch, type SqsBatchResponse, sqsEventSchema, sqsMessagesOf } from '../shared/sqs-batch';
import type { DeliveryDepsBundle } from './deps';

export type { SqsBatchResponse };

/**
 * The endpoint store as one batch sees it: each endpoint read once per batch (a batch is mostly one
 * endpoint's events; `pnpm bench webhooks`), read again after its status changed.
 */
function endpointsOfOneBatch(store: WebhookStore): WebhookDeliveryDeps['endpoints'] {
  const read = new Map<string, ReturnType<WebhookStore['getForDelivery']>>();
  return {
    getForDelivery(id) {
      let endpoint = read.get(id);
      if (endpoint === undefined) {
        endpoint = store.getForDelivery(id);
        read.set(id, endpoint);
      }
      return endpoint;
    },
    setStatus(id, status, at) {
      read.delete(id);
      return store.setStatus(id, status, at);
    },
    disable(id, at) {
      read.delete(id);
      return store.disable(id, at);
    },
    forget: (id) => read.delete(id),
    recordDelivery: (id, record, aboutCustomer) => store.recordDelivery(id, record, aboutCustomer),
    recordAttemptHealth: (id, health) => store.recordAttemptHealth(id, health),
    putEvent: (id, event, atMs) => store.putEvent(id, event, atMs),
    recordDeadLetter: (id, record) => store.recordDeadLetter(id, record),
  };
}

/** Endpoints of one batch attempted at once (a batch holds at most 10 messages: all of them). */
const ENDPOINTS_IN_PARALLEL = 10;

/**
 * The SQS handler: each message is one attempt. The batch's endpoints are attempted side by side and each
 * endpoint's messages one after another in the batch's order, so that a hanging receiver holds up only its
 * own events (and, once it has failed, the penalty box puts the rest of them back on the queue). A message whose attempt could not be
 * completed (the table or a queue failed) is reported in `batchItemFailures` and comes back after the
 * visibility timeout; one that is not a delivery message at all fails every receive and ends in the
 * dead-letter queue through the redrive policy.
 */
export function makeDeliveryHandler(
  deps: DeliveryDepsBundle,
): (event: unknown, context?: { awsRequestId?: string }) => Promise<SqsBatchResponse> {
  const isColdStart = coldStartFlag();
  const store = new WebhookStore(deps.db, deps.config.mainTableName);
  const daily = new FleetDailyStore(deps.db, deps.config.mainTableName);
  const history = new EventHistoryStore(deps.db, deps.config.mainTableName);
  const delivery = (logger: ReturnType<typeof withLogKeys>) =>
    new WebhookDelivery({
      endpoints: endpointsOfOneBatch(store),
      history,
      keys: deps.keys,
      queue: new DeliveryQueue(deps.sqs, deps.config.webhookQueueUrl, deps.config.webhookDeadLetterQueueUrl),
      send: deps.send,
      penalties: deps.penalties,
      rules: { allowLoopback: deps.config.webhookAllowLoopback },
      ...(deps.resolve ? { resolve: deps.resolve } : {}),
      now: deps.now,
      logger,
      metrics: deps.metrics,
      ...(deps.step ? { step: deps.step } : {}),
    });
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    const { Records } = parseEvent(sqsEventSchema, event, 'webhook-delivery', logger);
    const attempts = delivery(logger);
    // The batch's outcomes, added to the day's webhook success rate in one write after the batch.
    const outcomes = { delivered: 0, failed: 0 };
    const records = sqsMessagesOf(Records, deliveryMessageSchema);
    const response = await processSqsBatch(
      records,
      async ({ messageId, message }) => {
        if (!message) {
          logger.error('not a webhook delivery message', { message_id: messageId });
          return 'retry';
        }
        const result = await attempts.attempt(message);
        if (result === 'delivered') outcomes.delivered++;
        else if (result === 'retrying' || result === 'dead_lettered') outcomes.failed++;
        return 'done';
      },
      {
        // Each endpoint's messages in order, the endpoints side by side.
        groupOf: ({ messageId, message }) => message?.webhook_id ?? `unreadable:${messageId}`,
        concurrency: ENDPOINTS_IN_PARALLEL,
        onError: ({ messageId }, error) =>
          logger.error('webhook delivery attempt failed to complete', {
            message_id: messageId,
            error_name: (error as Error).name,
          }),
      },
    );
    // Best effort: the trend may miss a batch, the deliveries themselves are recorded already.
    await daily
      .addWebhookAttempts(deps.now(), outcomes)
      .catch((error: unknown) =>
        logger.warn('could not add the batch to the fleet day', { error_name: (error as Error).name }),
      );
    deps.metrics.publishStoredMetrics();
    return response;
  };
}
