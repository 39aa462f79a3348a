import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import * as z from 'zod';
import type { DeliveryConfig } from '../config';
import { createSecretsManagerClient, createSqsClient } from '../platform/aws-clients';
import { createDocumentClient } from '../platform/dynamodb-client';
import {
  coldStartFlag,
  createLogger,
  createMetrics,
  invocationKeys,
  type MetricsSink,
  withLogKeys,
} from '../platform/observability';
import { passThroughTracing, type Tracing } from '../platform/tracing';
import { WebhookStore } from '../storage/webhooks';
import { createSecretsProvider } from '../tokens/source';
import { type DeliveryStep, WebhookDelivery, type WebhookDeliveryDeps } from './delivery';
import { PenaltyBox } from './penalty-box';
import { type DeliveryMessage, DeliveryQueue, deliveryMessageSchema } from './queue';
import { WebhookSigningKeys } from './secrets';
import { createWebhookSender, type WebhookSender } from './sender';
import type { Resolve } from './url-rules';

export interface DeliveryDepsBundle {
  readonly config: DeliveryConfig;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  readonly tracing: Tracing;
  readonly db: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly keys: Pick<WebhookSigningKeys, 'signingSecrets'>;
  readonly send: WebhookSender;
  /** One per container: it outlives a batch. */
  readonly penalties: PenaltyBox;
  readonly now: () => number;
  readonly resolve?: Resolve;
  readonly step?: (step: DeliveryStep) => void;
}

export interface DeliveryOverrides {
  logger?: Logger;
  metrics?: MetricsSink;
  tracing?: Tracing;
  db?: DynamoDBDocumentClient;
  now?: () => number;
  send?: WebhookSender;
  resolve?: Resolve;
  /** Seconds a read signing secret is reused (default webhooks/secrets.ts SECRET_CACHE_SECONDS). */
  secretCacheSeconds?: number;
  step?: (step: DeliveryStep) => void;
}

export function createDeliveryDeps(
  config: DeliveryConfig,
  overrides: DeliveryOverrides = {},
): DeliveryDepsBundle {
  const tracing = overrides.tracing ?? passThroughTracing;
  const rules = { allowLoopback: config.webhookAllowLoopback };
  return {
    config,
    tracing,
    logger: overrides.logger ?? createLogger('webhookDelivery'),
    metrics: overrides.metrics ?? createMetrics('webhookDelivery', config.stage),
    db: overrides.db ?? createDocumentClient(config, tracing.instrument),
    sqs: createSqsClient(config, tracing.instrument),
    keys: new WebhookSigningKeys(
      createSecretsProvider(createSecretsManagerClient(config, tracing.instrument)),
      config.webhookSecretPrefix,
      overrides.secretCacheSeconds,
    ),
    send: overrides.send ?? createWebhookSender(rules),
    penalties: new PenaltyBox(),
    now: overrides.now ?? Date.now,
    ...(overrides.resolve ? { resolve: overrides.resolve } : {}),
    ...(overrides.step ? { step: overrides.step } : {}),
  };
}

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
    recordDelivery: (id, record) => store.recordDelivery(id, record),
  };
}

/** Endpoints of one batch attempted at once (a batch holds at most 10 messages: all of them). */
const ENDPOINTS_IN_PARALLEL = 10;

/** The part of an SQS event the delivery reads (Lambda's event source mapping shape). */
const sqsEventSchema = z.object({
  Records: z.array(
    z.looseObject({ messageId: z.string().min(1), body: z.string(), eventSource: z.literal('aws:sqs') }),
  ),
});

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export class InvalidDeliveryEventError extends Error {
  override readonly name = 'InvalidDeliveryEventError';
}

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
  const delivery = (logger: ReturnType<typeof withLogKeys>) =>
    new WebhookDelivery({
      endpoints: endpointsOfOneBatch(store),
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
    const parsed = sqsEventSchema.safeParse(event);
    if (!parsed.success) {
      logger.error('invalid webhook-delivery event', {
        fields: parsed.error.issues.map((i) => i.path.join('.')).join(', '),
      });
      throw new InvalidDeliveryEventError('invalid webhook-delivery event');
    }
    const attempts = delivery(logger);
    const failures: { itemIdentifier: string }[] = [];
    const byEndpoint = new Map<string, { messageId: string; message: DeliveryMessage }[]>();
    for (const record of parsed.data.Records) {
      let message: DeliveryMessage;
      try {
        message = deliveryMessageSchema.parse(JSON.parse(record.body));
      } catch {
        logger.error('not a webhook delivery message', { message_id: record.messageId });
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      const group = byEndpoint.get(message.webhook_id) ?? [];
      group.push({ messageId: record.messageId, message });
      byEndpoint.set(message.webhook_id, group);
    }
    const limit = pLimit(ENDPOINTS_IN_PARALLEL);
    await Promise.all(
      [...byEndpoint.values()].map((group) =>
        limit(async () => {
          for (const { messageId, message } of group) {
            try {
              await attempts.attempt(message);
            } catch (error) {
              logger.error('webhook delivery attempt failed to complete', {
                message_id: messageId,
                error_name: (error as Error).name,
              });
              failures.push({ itemIdentifier: messageId });
            }
          }
        }),
      ),
    );
    deps.metrics.publishStoredMetrics();
    return { batchItemFailures: failures };
  };
}
