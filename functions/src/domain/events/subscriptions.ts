import type { BridgeEvent } from './catalogue';

/** What the rule needs of an endpoint: whether it is on, and its filter (null: every type). */
export interface EndpointSubscription {
  readonly enabled: boolean;
  readonly events: readonly string[] | null;
}

/**
 * Whether an endpoint takes an event of a type, the one rule the relay (fanning events out to endpoints) and the
 * delivery (sending a message queued for one endpoint) share. A disabled endpoint takes nothing. A
 * `webhook.test` event is never fanned out: it goes only to the endpoint it was queued for (`addressed`), which
 * takes it whatever its filter. Every other type follows the filter, so an endpoint whose filter changed after
 * the message was queued no longer receives it.
 */
export function endpointTakes(
  endpoint: EndpointSubscription,
  type: BridgeEvent['type'],
  delivery: 'fanned-out' | 'addressed',
): boolean {
  if (!endpoint.enabled) return false;
  if (type === 'webhook.test') return delivery === 'addressed';
  return endpoint.events === null || endpoint.events.includes(type);
}
