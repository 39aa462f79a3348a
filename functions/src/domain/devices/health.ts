/**
 * A device's health beside its connection, for every kind: is it reporting (a new state within a declared number
 * of sync intervals), is Podero steering it (its `steering_status`), and the one verdict a partner acts on:
 * steerable now. Pure: the rules, the stored observation, the view and the events of a change, stated once for
 * the sync and the API's live reads (domain/devices/rules.ts observedSnapshot calls `observeHealth`).
 *
 * The contract fields each rule rests on (docs/podero-api.md, "Device health"):
 * - reporting: `current_state_last_updated_at` (§3.5, every kind [REF]) against the clock, judged only while
 *   the connection is `connected` (`is_authenticated`): a device that lost its connection is the connection's
 *   business (`connection_lost`), not a second alarm. Missing timestamp: `unknown`, never a guess.
 * - steering: `steering_status` (`ok | warning | error | unknown`, §3.5 [REF]); anything else or missing is
 *   `unknown`. `actual_steering_state` (full enum unknown, §6) is shown verbatim, never interpreted.
 *
 * `since` follows the connection's rule (the first observation of a state after a different one; null while
 * the state is as first seen), except for `stale`: a stale device became stale when its last state plus the
 * threshold passed, which every observer computes alike (so a read that judges it stale before the sync stored
 * it shows the same `since` the sync will store).
 */
import type { BridgeEvent, CONNECTION_STATES, EventData, EventType } from '../events/catalogue';
import { event } from '../events/rules';
import type { ChangeStatus } from './changes';
import {
  type DeviceJson,
  type DeviceSnapshot,
  type ReportingState,
  STEERING_STATES,
  type SteeringState,
  type StoredHealth,
  type StoredHealthPart,
  stateTimestampOf,
} from './state';

/** The connection the bridge observed (domain/devices/rules.ts connectionStateOf decides it; passed in). */
type ConnectionState = (typeof CONNECTION_STATES)[number];

/** A control write's tracked status (domain/devices/changes.ts; the verdict reads the latest). */
export { CHANGE_STATUSES, type ChangeStatus } from './changes';
export {
  REPORTING_STATES,
  type ReportingState,
  STEERING_STATES,
  type SteeringState,
  type StoredHealth,
  type StoredHealthPart,
} from './state';
/** Why a device is not steerable now, in the order the verdict checks them. */
export const NOT_STEERABLE_REASONS = [
  'not_connected',
  'not_reporting',
  'steering_not_ok',
  'last_change_failed',
] as const;
export type NotSteerableReason = (typeof NOT_STEERABLE_REASONS)[number];

/** One kind's threshold (DeviceKind.health) and the stage's sync interval (SYNC_INTERVAL_MINUTES). */
export interface HealthRules {
  /** A connected device is stale after this many sync intervals without a new state. */
  readonly staleAfterSyncIntervals: number;
  readonly syncIntervalMs: number;
}

export const staleAfterMs = (rules: HealthRules): number =>
  rules.staleAfterSyncIntervals * rules.syncIntervalMs;

interface ReportingJudgement {
  state: ReportingState;
  reason: string;
  /** Podero's `current_state_last_updated_at`, normalised; null when missing. */
  lastStateAt: string | null;
  /** When a stale device became stale (its last state plus the threshold); null otherwise. */
  staleSince: string | null;
}

const minutes = (ms: number): string => `${Math.round(ms / 60_000)} minutes`;

/** Reporting as judged at `atMs` from Podero's JSON and the connection it implies. */
export function judgeReporting(
  device: DeviceJson,
  connection: ConnectionState,
  atMs: number,
  rules: HealthRules,
): ReportingJudgement {
  const lastStateAt = stateTimestampOf(device);
  if (connection !== 'connected') {
    return {
      state: 'unknown',
      reason: 'not connected: reporting is judged only while the manufacturer connection is live',
      lastStateAt,
      staleSince: null,
    };
  }
  if (lastStateAt === null) {
    return {
      state: 'unknown',
      reason: 'Podero sends no current_state_last_updated_at',
      lastStateAt,
      staleSince: null,
    };
  }
  const threshold = staleAfterMs(rules);
  const staleAtMs = Date.parse(lastStateAt) + threshold;
  if (atMs > staleAtMs) {
    return {
      state: 'stale',
      reason: `no new state for more than ${rules.staleAfterSyncIntervals} sync intervals (${minutes(threshold)})`,
      lastStateAt,
      staleSince: new Date(staleAtMs).toISOString(),
    };
  }
  return {
    state: 'ok',
    reason: `a new state within the last ${rules.staleAfterSyncIntervals} sync intervals`,
    lastStateAt,
    staleSince: null,
  };
}

/** Podero's `steering_status`, where it is one of the documented values; `unknown` otherwise. */
export function steeringStateOf(device: DeviceJson): SteeringState {
  const raw = device.steering_status;
  return typeof raw === 'string' && (STEERING_STATES as readonly string[]).includes(raw)
    ? (raw as SteeringState)
    : 'unknown';
}

function steeringReason(device: DeviceJson, state: SteeringState): string {
  if (typeof device.steering_status !== 'string') return 'Podero sends no steering_status';
  if (state === 'unknown' && device.steering_status !== 'unknown')
    return `Podero's steering_status is an undocumented value`;
  return `Podero's steering_status is ${state}`;
}

function observePart<S extends string>(
  previous: StoredHealthPart<S> | null | undefined,
  state: S,
  observedAt: string,
): StoredHealthPart<S> {
  if (!previous) return { state, since: null };
  if (previous.state === state) return { state, since: previous.since };
  return { state, since: observedAt };
}

/** The health after observing `device` at `observedAt`, given the health stored before (if any). */
export function observeHealth(
  previous: StoredHealth | null | undefined,
  device: DeviceJson,
  connection: ConnectionState,
  observedAt: string,
  rules: HealthRules,
): StoredHealth {
  const reporting = judgeReporting(device, connection, Date.parse(observedAt), rules);
  const observedReporting = observePart(previous?.reporting, reporting.state, observedAt);
  return {
    reporting:
      reporting.staleSince === null
        ? observedReporting
        : // Stale since its threshold passed, whoever saw it first: the same `since` from every observer.
          {
            state: 'stale',
            since: previous?.reporting.state === 'stale' ? previous.reporting.since : reporting.staleSince,
          },
    steering: observePart(previous?.steering, steeringStateOf(device), observedAt),
  };
}

/** The inputs of the steerable verdict. */
export interface SteerableInput {
  connection: ConnectionState;
  reporting: ReportingState;
  steering: SteeringState;
  /** The device's latest tracked change (steer/changes); undefined: none known. */
  lastChangeStatus?: ChangeStatus | undefined;
}

/**
 * Steerable now: connected, reporting, Podero's steering `ok`, and its latest change not failed. Every reason
 * that fails is named, so a partner sees all that stands in the way at once.
 */
export function steerableVerdict(input: SteerableInput): {
  steerable: boolean;
  reasons: NotSteerableReason[];
} {
  const reasons: NotSteerableReason[] = [];
  if (input.connection !== 'connected') reasons.push('not_connected');
  if (input.reporting !== 'ok') reasons.push('not_reporting');
  if (input.steering !== 'ok') reasons.push('steering_not_ok');
  if (input.lastChangeStatus === 'failed') reasons.push('last_change_failed');
  return { steerable: reasons.length === 0, reasons };
}

/** What a caller sees of a device's health (every kind's view carries it as `health`). */
export interface DeviceHealthView {
  reporting: {
    state: ReportingState;
    since: string | null;
    reason: string;
    last_state_at: string | null;
    stale_after_seconds: number;
  };
  steering: {
    state: SteeringState;
    since: string | null;
    reason: string;
    actual_steering_state: string | null;
  };
  steerable: boolean;
  not_steerable_because: NotSteerableReason[];
}

/**
 * The health a caller sees of a stored snapshot at `nowMs`: the stored observation judged again against the
 * clock (a device whose state stopped moving turns stale between two syncs, with the same `since` the next
 * sync stores), and the verdict (with the latest tracked change's status).
 */
export function deviceHealthView(
  snapshot: Pick<DeviceSnapshot, 'device' | 'health' | 'fetchedAt'>,
  connection: ConnectionState,
  nowMs: number,
  rules: HealthRules,
  // The device's latest tracked change, as the user's open-changes item records it (changes.ts
  // lastChangeStatus); undefined for a device never changed, or where the caller did not read it.
  lastChangeStatus?: ChangeStatus,
): DeviceHealthView {
  const device = snapshot.device;
  const atMs = Math.max(nowMs, Date.parse(snapshot.fetchedAt));
  const health = observeHealth(snapshot.health, device, connection, new Date(atMs).toISOString(), rules);
  const reporting = judgeReporting(device, connection, atMs, rules);
  const steering = health.steering.state;
  const actual = device.actual_steering_state;
  const verdict = steerableVerdict({
    connection,
    reporting: health.reporting.state,
    steering,
    lastChangeStatus,
  });
  return {
    reporting: {
      state: health.reporting.state,
      // A state first judged now (not as stored) has no observed start yet, unless it is stale.
      since: sameState(snapshot.health?.reporting, health.reporting)
        ? health.reporting.since
        : reporting.staleSince,
      reason: reporting.reason,
      last_state_at: reporting.lastStateAt,
      stale_after_seconds: staleAfterMs(rules) / 1000,
    },
    steering: {
      state: steering,
      since: sameState(snapshot.health?.steering, health.steering) ? health.steering.since : null,
      reason: steeringReason(device, steering),
      actual_steering_state: typeof actual === 'string' ? actual : null,
    },
    steerable: verdict.steerable,
    not_steerable_because: verdict.reasons,
  };
}

const sameState = (stored: StoredHealthPart<string> | undefined, now: StoredHealthPart<string>): boolean =>
  stored !== undefined && stored.state === now.state;

/** A kind's health event types and the data field naming its device (`heat_pump_id`). */
export interface HealthEventNames {
  readonly idField: string;
  readonly reportingStopped: EventType;
  readonly reportingResumed: EventType;
  readonly steeringFailed: EventType;
  readonly steeringRecovered: EventType;
}

/** The health event types of a kind, by its name (`heat_pump.reporting_stopped`, ...). */
export function healthEventNamesOf(kind: string, idField: string): HealthEventNames {
  return {
    idField,
    reportingStopped: `${kind}.reporting_stopped` as EventType,
    reportingResumed: `${kind}.reporting_resumed` as EventType,
    steeringFailed: `${kind}.steering_failed` as EventType,
    steeringRecovered: `${kind}.steering_recovered` as EventType,
  };
}

export const healthEventTypesOf = (names: HealthEventNames): EventType[] => [
  names.reportingStopped,
  names.reportingResumed,
  names.steeringFailed,
  names.steeringRecovered,
];

const healthEvent = (
  type: EventType,
  at: string,
  data: Record<string, unknown>,
  identity: readonly (string | null)[],
): BridgeEvent => event(type, at, data as EventData<EventType>, identity);

/**
 * The health events of storing `next` over `previous`, between two observed healths only (a device first seen,
 * or stored before health was, yields none):
 * - reporting stopped: into `stale` from `ok` or `unknown`; resumed: from `stale` to `ok` (a stale device that
 *   loses its connection becomes `unknown` with `connection_lost`, not `resumed`);
 * - steering failed: into `error`; recovered: out of `error` (into whatever Podero says now, in the data).
 * Ids: the subject, the type and the state left with its `since` (as the connection's events).
 */
export function healthEvents(
  names: HealthEventNames,
  previous: DeviceSnapshot | null | undefined,
  next: DeviceSnapshot,
): BridgeEvent[] {
  const from = previous?.health;
  const to = next.health;
  if (!from || !to) return [];
  const events: BridgeEvent[] = [];
  const subject = [next.externalUserId, next.deviceId] as const;
  const ids = { external_user_id: next.externalUserId, [names.idField]: next.deviceId };
  const lastStateAt = next.stateUpdatedAt;
  if (from.reporting.state !== to.reporting.state) {
    const type =
      to.reporting.state === 'stale'
        ? names.reportingStopped
        : from.reporting.state === 'stale' && to.reporting.state === 'ok'
          ? names.reportingResumed
          : null;
    if (type !== null) {
      events.push(
        healthEvent(
          type,
          next.fetchedAt,
          {
            ...ids,
            reporting: { ...to.reporting, last_state_at: lastStateAt },
            previous_state: from.reporting.state,
          },
          [...subject, from.reporting.state, from.reporting.since],
        ),
      );
    }
  }
  if (from.steering.state !== to.steering.state) {
    const type =
      to.steering.state === 'error'
        ? names.steeringFailed
        : from.steering.state === 'error'
          ? names.steeringRecovered
          : null;
    if (type !== null) {
      const actual = next.device.actual_steering_state;
      events.push(
        healthEvent(
          type,
          next.fetchedAt,
          {
            ...ids,
            steering: to.steering,
            previous_state: from.steering.state,
            actual_steering_state: typeof actual === 'string' ? actual : null,
          },
          [...subject, from.steering.state, from.steering.since],
        ),
      );
    }
  }
  return events;
}
