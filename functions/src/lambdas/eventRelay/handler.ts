import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { coldStartFlag, invocationKeys, withLogKeys } from '../../platform/observability';
import { EventHistoryStore } from '../../storage/event-history';
import { OutboxStore } from '../../storage/outbox';
import { UserStore } from '../../storage/users';
import { WebhookStore } from '../../storage/webhooks';
import { DeliveryQueue } from '../../webhooks/queue';
import { OutboxRelay, type RelaySummary } from '../../webhooks/relay';
import { relayEventSchema } from '../../webhooks/relay-event';
import { parseEvent } from '../shared/parse-event';
import type { RelayDepsBundle } from './deps';

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
    history: new EventHistoryStore(deps.db, deps.config.mainTableName),
    users: new UserStore(deps.db, deps.config.mainTableName),
    now: deps.now,
    logger: withLogKeys(deps.logger, {}),
    ...(deps.step ? { step: deps.step } : {}),
  });
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    parseEvent(relayEventSchema, event, 'event-relay', logger);
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
