/**
 * Which change events a newly stored state yields, decided from the state stored before it: pure, no I/O,
 * stated once for every place that stores a state (the sync's plan, the API's live reads, onboarding
 * polls, onboarding and offboarding), beside the heat-pump rules they use (domain/devices/rules.ts).
 *
 * Event ids are derived from the transition, not from the observation: the subject, the type and the
 * identity of the state it left (for a connection: its state and the `since` it started at). Two
 * observers that read the same stored state (a live read racing the sync, a run retried after it died
 * before its write) detect the same transition with the same id, so a receiver that deduplicates on the id
 * sees it once. A later, different transition starts from a different stored state and gets a new id.
 */
import { createHash } from 'node:crypto';
import type { HeatPumpSnapshot } from '../devices/state';
import type { BridgeEvent, EventData, EventType } from './catalogue';

export function eventId(type: EventType, ...identity: readonly (string | null)[]): string {
  const digest = createHash('sha256')
    .update([type, ...identity.map((part) => part ?? '\u0000')].join('\u001f'))
    .digest('hex');
  return `evt_${digest.slice(0, 24)}`;
}

function event<T extends EventType>(
  type: T,
  timestamp: string,
  data: EventData<T>,
  identity: readonly (string | null)[],
): BridgeEvent<T> {
  return { id: eventId(type, ...identity), type, timestamp, data };
}

const optimizationOf = (snapshot: HeatPumpSnapshot | null | undefined): boolean | null => {
  const value = snapshot?.heatPump.is_smart_optimization_active;
  return typeof value === 'boolean' ? value : null;
};

/**
 * The events of storing `next` over `previous` (undefined: the device is new to the bridge):
 * - `heat_pump.connected` when a device is seen connected and was never seen connected before (new, or
 *   still in the state it was first seen in: `since` is null only then);
 * - `heat_pump.connection_lost` / `connection_restored` on a change to or from `connected`;
 *   between `reauthentication_required` and `disconnected` the device stays lost: no event;
 * - `heat_pump.optimization_changed` when Podero's `is_smart_optimization_active` flips (a device first
 *   seen has no earlier setting to change from: no event).
 */
export function heatPumpEvents(
  previous: HeatPumpSnapshot | null | undefined,
  next: HeatPumpSnapshot,
): BridgeEvent[] {
  const events: BridgeEvent[] = [];
  const subject = [next.externalUserId, next.heatPumpId] as const;
  const to = next.connection;
  const from = previous?.connection ?? null;
  if (to !== null && to.state !== from?.state) {
    const connection = { state: to.state, since: to.since } as EventData<'heat_pump.connected'>['connection'];
    const leftState = from === null ? ['first'] : [from.state, from.since];
    if (to.state === 'connected') {
      const firstTime = from === null || from.since === null;
      events.push(
        firstTime
          ? event(
              'heat_pump.connected',
              next.fetchedAt,
              { external_user_id: next.externalUserId, heat_pump_id: next.heatPumpId, connection },
              [...subject, ...leftState],
            )
          : event(
              'heat_pump.connection_restored',
              next.fetchedAt,
              {
                external_user_id: next.externalUserId,
                heat_pump_id: next.heatPumpId,
                connection,
                previous_state: from.state as EventData<'heat_pump.connection_restored'>['previous_state'],
              },
              [...subject, ...leftState],
            ),
      );
    } else if (from?.state === 'connected') {
      events.push(
        event(
          'heat_pump.connection_lost',
          next.fetchedAt,
          {
            external_user_id: next.externalUserId,
            heat_pump_id: next.heatPumpId,
            connection,
            previous_state: 'connected',
          },
          [...subject, ...leftState],
        ),
      );
    }
  }
  const before = optimizationOf(previous);
  const after = optimizationOf(next);
  if (previous && after !== null && before !== after) {
    events.push(
      event(
        'heat_pump.optimization_changed',
        next.fetchedAt,
        {
          external_user_id: next.externalUserId,
          heat_pump_id: next.heatPumpId,
          is_smart_optimization_active: after,
          previous: before,
        },
        // The stored state it left: its JSON's setting and when it was read.
        [...subject, String(before), previous.fetchedAt],
      ),
    );
  }
  return events;
}

/** `heat_pump.deleted` for each id the previous list named that the new one does not (once per device). */
export function deletedHeatPumpEvents(
  externalUserId: string,
  previousIds: readonly string[],
  currentIds: ReadonlySet<string>,
  at: string,
): BridgeEvent[] {
  return previousIds
    .filter((id) => !currentIds.has(id))
    .map((id) => deletedHeatPumpEvent(externalUserId, id, at));
}

export function deletedHeatPumpEvent(externalUserId: string, heatPumpId: string, at: string): BridgeEvent {
  return event('heat_pump.deleted', at, { external_user_id: externalUserId, heat_pump_id: heatPumpId }, [
    externalUserId,
    heatPumpId,
  ]);
}

/** The event of an onboarding session that settled (null while it is pending). */
export function onboardingSessionEvent(
  externalUserId: string,
  session: { id: string; state: string; device_id: string | null },
  at: string,
): BridgeEvent | null {
  if (session.state === 'completed' && session.device_id !== null) {
    return event(
      'onboarding_session.completed',
      at,
      { external_user_id: externalUserId, session_id: session.id, heat_pump_id: session.device_id },
      [externalUserId, session.id],
    );
  }
  if (session.state === 'expired') {
    return event(
      'onboarding_session.expired',
      at,
      { external_user_id: externalUserId, session_id: session.id },
      [externalUserId, session.id],
    );
  }
  return null;
}

/** One per Podero user created for the external user (a retried creation links the same Podero user). */
export function userOnboardedEvent(externalUserId: string, poderoUserId: string, at: string): BridgeEvent {
  return event('user.onboarded', at, { external_user_id: externalUserId }, [externalUserId, poderoUserId]);
}

export function userOffboardedEvent(externalUserId: string, poderoUserId: string, at: string): BridgeEvent {
  return event('user.offboarded', at, { external_user_id: externalUserId }, [externalUserId, poderoUserId]);
}

/** One per pass (its start), whichever run completes it: a pass completed again after a crash keeps its id. */
export function syncCompletedEvent(data: EventData<'sync.completed'>): BridgeEvent {
  return event('sync.completed', data.completed_at, data, [data.pass_started_at ?? data.run_id]);
}

/** A test event: each request sends a new one (its id includes the instant and a nonce). */
export function webhookTestEvent(webhookId: string, at: string, nonce: string): BridgeEvent {
  return event('webhook.test', at, { webhook_id: webhookId, message: 'A test event from podero-bridge.' }, [
    webhookId,
    at,
    nonce,
  ]);
}
