import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RelayConfig } from '../../config';
import { createEventBridgeClient, createSqsClient } from '../../platform/aws-clients';
import { createDocumentClient } from '../../platform/dynamodb-client';
import {
  coldStartFlag,
  createLogger,
  createMetrics,
  invocationKeys,
  type MetricsSink,
  withLogKeys,
} from '../../platform/observability';
import { passThroughTracing, type Tracing } from '../../platform/tracing';
import { OutboxStore } from '../../storage/outbox';
import { WebhookStore } from '../../storage/webhooks';
import { DeliveryQueue } from '../../webhooks/queue';
import { OutboxRelay, type RelayStep, type RelaySummary } from '../../webhooks/relay';
import { relayEventSchema } from './event';

export interface RelayDepsBundle {
  readonly config: RelayConfig;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  readonly tracing: Tracing;
  readonly db: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly eventBridge: EventBridgeClient;
  readonly now: () => number;
  readonly step?: (step: RelayStep) => void;
}

export interface RelayOverrides {
  logger?: Logger;
  metrics?: MetricsSink;
  tracing?: Tracing;
  db?: DynamoDBDocumentClient;
  now?: () => number;
  /** Tests: a crash point (events/relay.ts RelayStep). */
  step?: (step: RelayStep) => void;
}

export class InvalidRelayEventError extends Error {
  override readonly name = 'InvalidRelayEventError';
}

/** Built once per container (cold start). */
export function createRelayDeps(config: RelayConfig, overrides: RelayOverrides = {}): RelayDepsBundle {
  const tracing = overrides.tracing ?? passThroughTracing;
  return {
    config,
    tracing,
    logger: overrides.logger ?? createLogger('eventRelay'),
    metrics: overrides.metrics ?? createMetrics('eventRelay', config.stage),
    db: overrides.db ?? createDocumentClient(config, tracing.instrument),
    sqs: createSqsClient(config, tracing.instrument),
    eventBridge: createEventBridgeClient(config, tracing.instrument),
    now: overrides.now ?? Date.now,
    ...(overrides.step ? { step: overrides.step } : {}),
  };
}

/** Margin kept of the invocation's time: the relay stops taking pages when less remains. */
const RELAY_MARGIN_MS = 10_000;

export function makeRelayHandler(
  deps: RelayDepsBundle,
): (
  event: unknown,
  context?: { awsRequestId?: string; getRemainingTimeInMillis(): number },
) => Promise<RelaySummary> {
  const isColdStart = coldStartFlag();
  const relay = new OutboxRelay({
    outbox: new OutboxStore(deps.db, deps.config.mainTableName),
    endpoints: new WebhookStore(deps.db, deps.config.mainTableName),
    eventBus: { client: deps.eventBridge, name: deps.config.eventBusName },
    // The relay only enqueues first attempts; dead letters are the delivery function's.
    queue: new DeliveryQueue(deps.sqs, deps.config.webhookQueueUrl),
    now: deps.now,
    logger: withLogKeys(deps.logger, {}),
    ...(deps.step ? { step: deps.step } : {}),
  });
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    const parsed = relayEventSchema.safeParse(event);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => i.path.join('.') || '(event)').join(', ');
      logger.error('invalid event-relay event', { fields });
      throw new InvalidRelayEventError(`invalid event-relay event: ${fields}`);
    }
    const summary = await relay.drain({
      shouldStop: () => context !== undefined && context.getRemainingTimeInMillis() < RELAY_MARGIN_MS,
    });
    if (summary.events > 0 || summary.malformed > 0) logger.info('event relay', { summary });
    deps.metrics.addMetric('EventsPublished', MetricUnit.Count, summary.events);
    deps.metrics.addMetric('WebhookDeliveriesEnqueued', MetricUnit.Count, summary.deliveries_enqueued);
    if (summary.malformed > 0) deps.metrics.addMetric('EventsMalformed', MetricUnit.Count, summary.malformed);
    deps.metrics.publishStoredMetrics();
    return summary;
  };
}
