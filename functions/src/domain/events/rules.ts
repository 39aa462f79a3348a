/**
 * Which change events a newly stored state yields, decided from the state stored before it: pure, no I/O,
 * stated once for every place that stores a state (the sync's plan, the API's live reads, onboarding
 * polls, onboarding and offboarding). A device kind's own change events are its module's
 * (domain/devices/heat-pump.ts), built with `event` below.
 *
 * Event ids are derived from the transition, not from the observation: the subject, the type and the
 * identity of the state it left (for a connection: its state and the `since` it started at). Two
 * observers that read the same stored state (a live read racing the sync, a run retried after it died
 * before its write) detect the same transition with the same id, so a receiver that deduplicates on the id
 * sees it once. A later, different transition starts from a different stored state and gets a new id.
 */
import { createHash } from 'node:crypto';
import type { BridgeEvent, EventData, EventType } from './catalogue';

export function eventId(type: EventType, ...identity: readonly (string | null)[]): string {
  const digest = createHash('sha256')
    .update([type, ...identity.map((part) => part ?? '\u0000')].join('\u001f'))
    .digest('hex');
  return `evt_${digest.slice(0, 24)}`;
}

/** An event with the id of its transition (`identity`: the subject and the state it left). */
export function event<T extends EventType>(
  type: T,
  timestamp: string,
  data: EventData<T>,
  identity: readonly (string | null)[],
): BridgeEvent<T> {
  return { id: eventId(type, ...identity), type, timestamp, data };
}

/** The event of an onboarding session that settled (null while it is pending). */
export function onboardingSessionEvent(
  externalUserId: string,
  session: { id: string; state: string; device_id: string | null; device_kind?: string | null | undefined },
  at: string,
): BridgeEvent | null {
  if (session.state === 'completed' && session.device_id !== null) {
    const kind = session.device_kind ?? null;
    // A heat pump's (or a device Podero did not list yet) keeps v1's `heat_pump_id`; every kind's adds the pair.
    const heatPump = kind === null || kind === 'heat_pump' ? { heat_pump_id: session.device_id } : {};
    return event(
      'onboarding_session.completed',
      at,
      {
        external_user_id: externalUserId,
        session_id: session.id,
        ...heatPump,
        device_id: session.device_id,
        device_kind: kind,
      },
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

/**
 * A month's statement is final (domain/statements/ready.ts). One per user, Podero user and month: a user
 * offboarded and onboarded again under the same id starts a new series.
 */
export function statementReadyEvent(
  externalUserId: string,
  poderoUserId: string,
  range: { month: string; timeZone: string; from: string; to: string },
  at: string,
): BridgeEvent {
  return event(
    'statement.ready',
    at,
    {
      external_user_id: externalUserId,
      month: range.month,
      time_zone: range.timeZone,
      from: range.from,
      to: range.to,
    },
    [externalUserId, poderoUserId, range.timeZone, range.month],
  );
}

/** A test event: each request sends a new one (its id includes the instant and a nonce). */
export function webhookTestEvent(webhookId: string, at: string, nonce: string): BridgeEvent {
  return event('webhook.test', at, { webhook_id: webhookId, message: 'A test event from podero-bridge.' }, [
    webhookId,
    at,
    nonce,
  ]);
}
