/**
 * The electric vehicle (§3.7): what the engine needs to know about it (kinds.ts). Besides the events every
 * kind has (kind-events.ts), a vehicle's own: plugged in and unplugged, charging started and completed,
 * boost started and ended, each from a change between two stored states (none for a vehicle first seen).
 */
import type {
  AllChargingSessionsQuery,
  AuthSessionRequest,
  AuthSessionResponse,
  ChargingSession,
  SavingsQuery,
  StatisticsResponse,
} from '@podero-bridge/podero-client';
import type { BridgeEvent, EventType } from '../events/catalogue';
import { event } from '../events/rules';
import type { ChargingSessionFigures } from '../statements/statement';
import { boostApplied } from './changes';
import {
  CHARGE_POLICY_CONTROL,
  type ChargePolicyReadUpstream,
  chargePolicyApplied,
  chargePolicyReadBack,
} from './charge-policy';
import { electricVehicleApi } from './electric-vehicle-api';
import {
  type ElectricVehicleUpdateUpstream,
  electricVehicleSettingsControl,
} from './electric-vehicle-controls';
import {
  electricVehicleFieldSchemas,
  electricVehicleListResponseSchema,
  electricVehicleResponseSchema,
  electricVehicleSchema,
  electricVehicleView,
} from './electric-vehicle-view';
import { type HealthEventNames, healthEvents } from './health';
import type { DeviceKind } from './kind';
import { deletedKindEvents, flipOf, type KindEventNames, standardKindEvents } from './kind-events';
import { visibleDevices } from './rules';
import { snapshotFieldsOf } from './snapshot-fields';
import type { DeviceJson, DeviceSnapshot } from './state';

/** The Podero client call the sync needs for the kind. */
export interface ElectricVehicleListUpstream {
  electricVehicles: { list(userId: string): Promise<DeviceJson[]> };
}

/** The Podero call of the kind's re-authentication session (§3.10). */
export interface ElectricVehicleAuthSessionUpstream {
  electricVehicles: {
    authSession(userId: string, deviceId: string, body?: AuthSessionRequest): Promise<AuthSessionResponse>;
  };
}

/** Every Podero client call the electric vehicle needs (podero-client's `electricVehicles` resource). */
export interface ElectricVehicleUpstream extends ElectricVehicleUpdateUpstream {
  electricVehicles: ElectricVehicleListUpstream['electricVehicles'] &
    ElectricVehicleUpdateUpstream['electricVehicles'] & {
      get(userId: string, deviceId: string, options?: { includeDeleted?: boolean }): Promise<DeviceJson>;
      softDelete(userId: string, deviceId: string, at?: Date): Promise<DeviceJson>;
    };
}

/** The Podero call of the kind's savings (the insights service's). */
export interface ElectricVehicleSavingsUpstream {
  electricVehicles: {
    savings(userId: string, deviceId: string, query: SavingsQuery): Promise<StatisticsResponse>;
  };
}

/** E10, every page: the completed sessions the statement's baseline cost and saving rest on. */
export interface ElectricVehicleSessionsUpstream {
  electricVehicles: {
    sessions: {
      all(userId: string, deviceId: string, query: AllChargingSessionsQuery): Promise<ChargingSession[]>;
    };
  };
}

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const numberOrNull = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const textOrNull = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);

/**
 * E10 between whole UTC days (inclusive), a day wider than the range on each side: Podero does not say
 * whether it filters by plug-in or by unplug, and the statement keeps the sessions that began in the range.
 */
async function chargingSessionsAround(
  podero: ElectricVehicleSessionsUpstream,
  poderoUserId: string,
  deviceId: string,
  range: { from: string; to: string },
): Promise<ChargingSessionFigures[]> {
  const sessions = await podero.electricVehicles.sessions.all(poderoUserId, deviceId, {
    from: utcDay(Date.parse(range.from) - DAY_MS),
    to: utcDay(Date.parse(range.to) + DAY_MS),
  });
  return sessions.flatMap((session) => {
    const plugInAt = textOrNull(session.plug_in_time);
    if (plugInAt === null) return [];
    return [
      {
        plugInAt,
        endAt: textOrNull(session.unplug_time) ?? textOrNull(session.inferred_session_end),
        costEur: numberOrNull(session.actual_cost_eur),
        savingsEur: numberOrNull(session.actual_savings_eur),
      },
    ];
  });
}

const names = {
  idField: 'electric_vehicle_id',
  connected: 'electric_vehicle.connected',
  connectionLost: 'electric_vehicle.connection_lost',
  connectionRestored: 'electric_vehicle.connection_restored',
  optimizationChanged: 'electric_vehicle.optimization_changed',
  deleted: 'electric_vehicle.deleted',
} as const satisfies KindEventNames;

const batteryLevelOf = (snapshot: DeviceSnapshot): number | null =>
  typeof snapshot.device.battery_level === 'number' ? snapshot.device.battery_level : null;

const boostStateOf = (snapshot: DeviceSnapshot | null | undefined): string | null =>
  typeof snapshot?.device.boost_state === 'string' ? snapshot.device.boost_state : null;

/**
 * The vehicle's own events between two stored states. Each id is the transition's (the subject, the value
 * it left and when that state was read), so the same change seen twice is one event.
 */
export function electricVehicleStateEvents(
  previous: DeviceSnapshot | null | undefined,
  next: DeviceSnapshot,
): BridgeEvent[] {
  if (!previous) return [];
  const ids = { external_user_id: next.externalUserId, electric_vehicle_id: next.deviceId };
  const battery_level = batteryLevelOf(next);
  const identity = (value: string | null) => [next.externalUserId, next.deviceId, value, previous.fetchedAt];
  const events: BridgeEvent[] = [];
  const plug = flipOf(previous, next, 'is_plugged_in');
  if (plug === 'on') {
    events.push(
      event('electric_vehicle.plugged_in', next.fetchedAt, { ...ids, battery_level }, identity('false')),
    );
  } else if (plug === 'off') {
    events.push(
      event('electric_vehicle.unplugged', next.fetchedAt, { ...ids, battery_level }, identity('true')),
    );
  }
  const charging = flipOf(previous, next, 'is_charging');
  if (charging === 'on') {
    events.push(
      event(
        'electric_vehicle.charging_started',
        next.fetchedAt,
        { ...ids, battery_level },
        identity('false'),
      ),
    );
  } else if (charging === 'off') {
    const full = next.device.is_fully_charged;
    events.push(
      event(
        'electric_vehicle.charging_completed',
        next.fetchedAt,
        { ...ids, battery_level, is_fully_charged: typeof full === 'boolean' ? full : null },
        identity('true'),
      ),
    );
  }
  const boostBefore = boostStateOf(previous);
  const boostAfter = boostStateOf(next);
  // Unknown before or after (a shape without it): no change to report.
  if (boostBefore !== null && boostAfter !== null && boostBefore !== boostAfter) {
    if (boostAfter === 'ongoing') {
      events.push(
        event(
          'electric_vehicle.boost_started',
          next.fetchedAt,
          { ...ids, battery_level },
          identity(boostBefore),
        ),
      );
    } else if (boostBefore === 'ongoing') {
      events.push(
        event(
          'electric_vehicle.boost_ended',
          next.fetchedAt,
          { ...ids, battery_level, boost_state: boostAfter },
          identity(boostBefore),
        ),
      );
    }
  }
  return events;
}

export const electricVehicleEvents = (
  previous: DeviceSnapshot | null | undefined,
  next: DeviceSnapshot,
): BridgeEvent[] => [
  ...standardKindEvents(names, previous, next),
  ...electricVehicleStateEvents(previous, next),
  ...healthEvents(healthNames, previous, next),
];

/** The kind's health events (domain/devices/health.ts healthEvents). */
const healthNames = {
  idField: 'electric_vehicle_id',
  reportingStopped: 'electric_vehicle.reporting_stopped',
  reportingResumed: 'electric_vehicle.reporting_resumed',
  steeringFailed: 'electric_vehicle.steering_failed',
  steeringRecovered: 'electric_vehicle.steering_recovered',
} as const satisfies HealthEventNames;

const eventTypes = [
  'electric_vehicle.connected',
  'electric_vehicle.connection_lost',
  'electric_vehicle.connection_restored',
  'electric_vehicle.optimization_changed',
  'electric_vehicle.deleted',
  'electric_vehicle.plugged_in',
  'electric_vehicle.unplugged',
  'electric_vehicle.charging_started',
  'electric_vehicle.charging_completed',
  'electric_vehicle.boost_started',
  'electric_vehicle.boost_ended',
  'electric_vehicle.reporting_stopped',
  'electric_vehicle.reporting_resumed',
  'electric_vehicle.steering_failed',
  'electric_vehicle.steering_recovered',
  'electric_vehicle.change_confirmed',
  'electric_vehicle.change_failed',
] as const satisfies readonly EventType[];

/** The state fields copied into a reading (charts and billing). */
const READING_FIELDS = [
  'battery_level',
  'current_charging_power_w',
  'charge_rate_w',
  'is_plugged_in',
  'is_charging',
  'driving_range',
  'boost_state',
  'is_smart_optimization_active',
  'connection_status',
] as const;

/** The kind's controls, by the names its `api.controls` routes use. */
const CONTROLS = { settings: electricVehicleSettingsControl };

export const electricVehicleKind = {
  name: 'electric_vehicle',
  noun: 'electric vehicle',
  poderoPaths: {
    list: '/org/{org_id}/users/{user_id}/electric-vehicles',
    one: '/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}',
  },
  list: (podero: ElectricVehicleListUpstream, poderoUserId: string) =>
    podero.electricVehicles.list(poderoUserId),
  get: (
    podero: ElectricVehicleUpstream,
    poderoUserId: string,
    deviceId: string,
    options?: { includeDeleted?: boolean },
  ) => podero.electricVehicles.get(poderoUserId, deviceId, options),
  softDelete: (podero: ElectricVehicleUpstream, poderoUserId: string, deviceId: string, at: Date) =>
    podero.electricVehicles.softDelete(poderoUserId, deviceId, at),
  visible: visibleDevices,
  api: electricVehicleApi,
  viewSchema: electricVehicleSchema,
  listResponseSchema: electricVehicleListResponseSchema,
  responseSchema: electricVehicleResponseSchema,
  view: electricVehicleView,
  // Vehicle clouds apply a write when the car next wakes: allow an hour.
  changeTimeoutSeconds: 3600,
  controls: CONTROLS,
  // The charging service's boost (E6, W4) and weekly policy (E9) record changes of their own (charging.ts).
  changeChecks: { boost: boostApplied, [CHARGE_POLICY_CONTROL]: chargePolicyApplied },
  // The weekly policy is not in the vehicle's JSON: only E8 shows it (charge-policy.ts).
  changeReadBacks: { [CHARGE_POLICY_CONTROL]: chargePolicyReadBack },
  authSession: (
    podero: ElectricVehicleAuthSessionUpstream,
    poderoUserId: string,
    deviceId: string,
    body: AuthSessionRequest,
  ) => podero.electricVehicles.authSession(poderoUserId, deviceId, body),
  insights: {
    bucketPart: 'electric_vehicle',
    savings: (
      podero: ElectricVehicleSavingsUpstream,
      poderoUserId: string,
      deviceId: string,
      query: SavingsQuery,
    ) => podero.electricVehicles.savings(poderoUserId, deviceId, query),
  },
  statement: {
    // The car's charging power. Podero publishes no unoptimised series of a vehicle: no baseline in energy;
    // its completed sessions carry their cost and saving (E10), the baseline cost and the money saving.
    powerField: 'current_charging_power_w',
    sessions: chargingSessionsAround,
  },
  storage: {
    kind: 'electric_vehicle',
    skPrefix: 'EV#',
    listMarkerSk: 'EVS',
    idAttribute: 'electric_vehicle_id',
    jsonAttribute: 'electric_vehicle_json',
    idsAttribute: 'electric_vehicle_ids',
    snapshotEntity: 'electric_vehicle_snapshot',
    markerEntity: 'electric_vehicle_list_marker',
    snapshotFields: snapshotFieldsOf({
      viewFields: electricVehicleFieldSchemas,
      readingFields: READING_FIELDS,
      controls: CONTROLS,
      alsoKept: ['boost_state', 'boost_for_next_session', 'is_fully_charged'],
    }),
  },
  // EV state comes from the car's own reports, on change (Smartcar webhooks, §3.7): a parked car may say nothing
  // for hours, so only half a day of silence (at the default 15-minute interval) counts as stale.
  health: { staleAfterSyncIntervals: 48 },
  readingFields: READING_FIELDS,
  history: {
    available: false,
    reason:
      'Podero offers no 15-minute series (`/data`) for electric vehicles: their missed quarter-hours stay gaps',
  },
  figure: 'electric_vehicles',
  metric: 'SyncElectricVehicles',
  eventTypes,
  changeEvents: electricVehicleEvents,
  deletedEvents: (externalUserId, previousIds, currentIds, at) =>
    deletedKindEvents(names, externalUserId, previousIds, currentIds, at),
} as const satisfies DeviceKind<
  ElectricVehicleUpstream &
    ElectricVehicleSavingsUpstream &
    ElectricVehicleAuthSessionUpstream &
    ElectricVehicleSessionsUpstream &
    ChargePolicyReadUpstream
>;
