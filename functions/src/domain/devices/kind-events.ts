/**
 * The change events every kind after the heat pump shares, by the same rules as the heat pump's
 * (heat-pump.ts states them; its own functions stay as they were so its events keep their ids): connected,
 * connection lost and restored, smart optimisation switched, deleted. A kind names its types and the field
 * carrying its device's id; its own events (an EV's plug-in, say) are its module's.
 */
import type { BridgeEvent, EventData, EventType } from '../events/catalogue';
import { event } from '../events/rules';
import type { DeviceSnapshot } from './state';

/** A kind's standard event types and the data field naming its device (`electric_vehicle_id`). */
export interface KindEventNames {
  readonly idField: string;
  readonly connected: EventType;
  readonly connectionLost: EventType;
  readonly connectionRestored: EventType;
  readonly optimizationChanged: EventType;
  readonly deleted: EventType;
}

/** An event whose data the catalogue checks by its type (the kind's names are catalogue types). */
const kindEvent = (
  type: EventType,
  at: string,
  data: Record<string, unknown>,
  identity: readonly (string | null)[],
): BridgeEvent => event(type, at, data as EventData<EventType>, identity);

const booleanOf = (snapshot: DeviceSnapshot | null | undefined, field: string): boolean | null => {
  const value = snapshot?.device[field];
  return typeof value === 'boolean' ? value : null;
};

/**
 * The connection and optimisation events of storing `next` over `previous` (undefined: new to the bridge),
 * as for heat pumps: connected when first seen connected, lost/restored on a change to or from `connected`,
 * optimisation changed on a flip of `is_smart_optimization_active` (never for a device first seen).
 */
export function standardKindEvents(
  names: KindEventNames,
  previous: DeviceSnapshot | null | undefined,
  next: DeviceSnapshot,
): BridgeEvent[] {
  const events: BridgeEvent[] = [];
  const subject = [next.externalUserId, next.deviceId] as const;
  const ids = { external_user_id: next.externalUserId, [names.idField]: next.deviceId };
  const to = next.connection;
  const from = previous?.connection ?? null;
  if (to !== null && to.state !== from?.state) {
    const connection = { state: to.state, since: to.since };
    const leftState = from === null ? ['first'] : [from.state, from.since];
    if (to.state === 'connected') {
      if (from === null || from.since === null) {
        events.push(
          kindEvent(names.connected, next.fetchedAt, { ...ids, connection }, [...subject, ...leftState]),
        );
      } else {
        events.push(
          kindEvent(
            names.connectionRestored,
            next.fetchedAt,
            { ...ids, connection, previous_state: from.state },
            [...subject, ...leftState],
          ),
        );
      }
    } else if (from?.state === 'connected') {
      events.push(
        kindEvent(names.connectionLost, next.fetchedAt, { ...ids, connection, previous_state: 'connected' }, [
          ...subject,
          ...leftState,
        ]),
      );
    }
  }
  const before = booleanOf(previous, 'is_smart_optimization_active');
  const after = booleanOf(next, 'is_smart_optimization_active');
  if (previous && after !== null && before !== after) {
    events.push(
      kindEvent(
        names.optimizationChanged,
        next.fetchedAt,
        { ...ids, is_smart_optimization_active: after, previous: before },
        [...subject, String(before), previous.fetchedAt],
      ),
    );
  }
  return events;
}

/** The kind's deletion event for each id the previous list named that the current one does not. */
export function deletedKindEvents(
  names: Pick<KindEventNames, 'idField' | 'deleted'>,
  externalUserId: string,
  previousIds: readonly string[],
  currentIds: ReadonlySet<string>,
  at: string,
): BridgeEvent[] {
  return previousIds
    .filter((id) => !currentIds.has(id))
    .map((id) =>
      kindEvent(names.deleted, at, { external_user_id: externalUserId, [names.idField]: id }, [
        externalUserId,
        id,
      ]),
    );
}

/**
 * A change of one boolean field between two stored states (null: unknown before or after, or a device first
 * seen: no change to report). The identity is the state it left, as for the optimisation event.
 */
export function flipOf(
  previous: DeviceSnapshot | null | undefined,
  next: DeviceSnapshot,
  field: string,
): 'on' | 'off' | null {
  if (!previous) return null;
  const before = booleanOf(previous, field);
  const after = booleanOf(next, field);
  if (before === null || after === null || before === after) return null;
  return after ? 'on' : 'off';
}
