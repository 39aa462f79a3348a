/**
 * The outbox relay: publishes pending events (storage/outbox.ts) in outbox order, an item at a time and in
 * the order its events were stored, to the stage's EventBridge bus and, per registered endpoint that wants
 * the type, to the webhook delivery queue; then removes them from the outbox.
 *
 * At-least-once: a process killed after publishing and before the removal publishes the same events again
 * on its next run, under the same ids (EventBridge's own entry id differs: consumers deduplicate on the
 * detail's `id`). Nothing is removed before it was published, so nothing is lost. One relay runs at a time
 * (reserved concurrency 1 in AWS, one loop locally), which keeps the order per device.
 *
 * Each published event about a customer is also kept on that customer's timeline (storage/event-history.ts),
 * before its deliveries are queued (their attempts record how they went on that item) and so before the
 * outbox item is removed (a re-publication rewrites the same item). Not for a customer being
 * offboarded or gone: the offboarding erased the partition, and the erasure's sweeps take what a relay
 * that read the customer earlier still put there.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  type BridgeEvent,
  bridgeEventSchema,
  EVENT_SOURCE,
  eventBridgeDetailOf,
} from '../domain/events/catalogue';
import { endpointTakes } from '../domain/events/subscriptions';
import type { RequestLogger } from '../platform/observability';
import { type EventHistoryStore, subjectOf } from '../storage/event-history';
import type { OutboxStore, PendingOutboxItem } from '../storage/outbox';
import type { UserStore } from '../storage/users';
import type { WebhookEndpointRecord, WebhookStore } from '../storage/webhooks';
import type { DeliveryMessage, DeliveryQueue } from './queue';

/** Steps a test may stop the process at (the kill-at-each-step test). */
export type RelayStep = 'after-read' | 'after-event-bus' | 'after-history' | 'after-enqueue' | 'after-remove';

export interface RelayDeps {
  outbox: Pick<OutboxStore, 'pending' | 'remove'>;
  endpoints: Pick<WebhookStore, 'list'>;
  eventBus: { client: EventBridgeClient; name: string };
  queue: Pick<DeliveryQueue, 'enqueue'>;
  /** The customers' timelines, and whether a customer still has one (not offboarded). */
  history: Pick<EventHistoryStore, 'record'>;
  users: Pick<UserStore, 'getState'>;
  now: () => number;
  logger: Pick<RequestLogger, 'info' | 'warn' | 'error'>;
  step?: (step: RelayStep, item: PendingOutboxItem) => void;
}

export interface RelaySummary {
  items: number;
  events: number;
  deliveries_enqueued: number;
  /** Stored events that do not parse as the catalogue says: kept out of the destinations, logged, removed. */
  malformed: number;
}

const PAGE = 25;

export class OutboxRelay {
  constructor(private readonly deps: RelayDeps) {}

  /** Publishes until the outbox is empty, `maxPages` pages were done, or `shouldStop` says so. */
  async drain(options: { maxPages?: number; shouldStop?: () => boolean } = {}): Promise<RelaySummary> {
    const summary: RelaySummary = { items: 0, events: 0, deliveries_enqueued: 0, malformed: 0 };
    const maxPages = options.maxPages ?? 40;
    let endpoints: WebhookEndpointRecord[] | null = null;
    for (let page = 0; page < maxPages && !options.shouldStop?.(); page++) {
      const items = await this.deps.outbox.pending(PAGE);
      if (items.length === 0) break;
      endpoints ??= await this.deps.endpoints.list();
      for (const item of items) {
        await this.publishItem(item, endpoints, summary);
      }
    }
    return summary;
  }

  private async publishItem(
    item: PendingOutboxItem,
    endpoints: readonly WebhookEndpointRecord[],
    summary: RelaySummary,
  ) {
    const { deps } = this;
    deps.step?.('after-read', item);
    const events: BridgeEvent[] = [];
    for (const json of item.events) {
      const parsed = bridgeEventSchema.safeParse(JSON.parse(json));
      if (parsed.success) events.push(parsed.data);
      else {
        summary.malformed++;
        deps.logger.error('malformed event in the outbox; not published', {
          pk: item.key.pk,
          sk: item.key.sk,
        });
      }
    }
    for (let i = 0; i < events.length; i += 10) {
      const chunk = events.slice(i, i + 10);
      const out = await deps.eventBus.client.send(
        new PutEventsCommand({
          Entries: chunk.map((event) => ({
            EventBusName: deps.eventBus.name,
            Source: EVENT_SOURCE,
            DetailType: event.type,
            Detail: JSON.stringify(eventBridgeDetailOf(event)),
            Time: new Date(event.timestamp),
          })),
        }),
      );
      // A failed entry fails the item: it stays in the outbox and is published again (same ids).
      if ((out.FailedEntryCount ?? 0) > 0)
        throw new Error(`EventBridge refused ${out.FailedEntryCount} entries`);
    }
    deps.step?.('after-event-bus', item);
    const nowMs = deps.now();
    const deliveries: DeliveryMessage[] = events.flatMap((event) =>
      endpoints
        .filter((endpoint) => endpointTakes(endpoint, event.type, 'fanned-out'))
        .map((endpoint) => ({
          webhook_id: endpoint.id,
          event,
          attempt: 1,
          not_before: new Date(nowMs).toISOString(),
        })),
    );
    // The timeline first: each attempt records its outcome on the event's item there, and only on one
    // that exists (storage/event-history.ts), so the item must be there before the first attempt can be.
    await this.recordHistory(events, deliveries, nowMs);
    deps.step?.('after-history', item);
    await deps.queue.enqueue(deliveries, nowMs);
    deps.step?.('after-enqueue', item);
    await deps.outbox.remove(item);
    deps.step?.('after-remove', item);
    summary.items++;
    summary.events += events.length;
    summary.deliveries_enqueued += deliveries.length;
  }

  private async recordHistory(
    events: readonly BridgeEvent[],
    deliveries: readonly DeliveryMessage[],
    nowMs: number,
  ): Promise<void> {
    const onboarded = new Map<string, boolean>();
    for (const event of events) {
      const subject = subjectOf(event);
      if (subject === undefined) continue;
      let keep = onboarded.get(subject);
      if (keep === undefined) {
        const state = await this.deps.users.getState(subject);
        keep = state.kind === 'active' || state.kind === 'creating';
        onboarded.set(subject, keep);
      }
      if (!keep) continue;
      const webhookIds = deliveries
        .filter((delivery) => delivery.event.id === event.id)
        .map((delivery) => delivery.webhook_id);
      await this.deps.history.record(subject, event, webhookIds, nowMs);
    }
  }
}
