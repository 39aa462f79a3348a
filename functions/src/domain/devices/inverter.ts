/**
 * The solar inverter and the home battery behind it (§3.9: a battery has no endpoint of its own): what the
 * engine needs to know about it (kinds.ts).
 */
import type {
  AuthSessionRequest,
  AuthSessionResponse,
  InverterDataQuery,
  InverterDataResponse,
  SavingsQuery,
  StatisticsResponse,
} from '@podero-bridge/podero-client';
import type { EventType } from '../events/catalogue';
import { type HealthEventNames, healthEvents } from './health';
import { inverterApi } from './inverter-api';
import { type InverterUpdateUpstream, inverterSettingsControl } from './inverter-controls';
import {
  inverterFieldSchemas,
  inverterListResponseSchema,
  inverterResponseSchema,
  inverterSchema,
  inverterView,
} from './inverter-view';
import type { DeviceKind } from './kind';
import { deletedKindEvents, type KindEventNames, standardKindEvents } from './kind-events';
import { visibleDevices } from './rules';
import { snapshotFieldsOf } from './snapshot-fields';
import type { DeviceJson } from './state';

/** The Podero client call the sync needs for the kind. */
export interface InverterListUpstream {
  inverters: { list(userId: string): Promise<DeviceJson[]> };
}

/** The Podero call of the kind's re-authentication session (§3.10). */
export interface InverterAuthSessionUpstream {
  inverters: {
    authSession(userId: string, deviceId: string, body?: AuthSessionRequest): Promise<AuthSessionResponse>;
  };
}

/** Every Podero client call the inverter needs (podero-client's `inverters` resource). */
export interface InverterUpstream extends InverterUpdateUpstream {
  inverters: InverterListUpstream['inverters'] &
    InverterUpdateUpstream['inverters'] & {
      get(userId: string, deviceId: string, options?: { includeDeleted?: boolean }): Promise<DeviceJson>;
      softDelete(userId: string, deviceId: string, at?: Date): Promise<DeviceJson>;
    };
}

/** The Podero call of the inverter's 15-minute series (I6, beta), for the backfill. */
export interface InverterHistoryUpstream {
  inverters: {
    data(userId: string, deviceId: string, query?: InverterDataQuery): Promise<InverterDataResponse>;
  };
}

/** The Podero call of the kind's savings (the insights service's). */
export interface InverterSavingsUpstream {
  inverters: { savings(userId: string, deviceId: string, query: SavingsQuery): Promise<StatisticsResponse> };
}

const names = {
  idField: 'inverter_id',
  connected: 'inverter.connected',
  connectionLost: 'inverter.connection_lost',
  connectionRestored: 'inverter.connection_restored',
  optimizationChanged: 'inverter.optimization_changed',
  deleted: 'inverter.deleted',
} as const satisfies KindEventNames;

/** The kind's health events (domain/devices/health.ts healthEvents). */
const healthNames = {
  idField: 'inverter_id',
  reportingStopped: 'inverter.reporting_stopped',
  reportingResumed: 'inverter.reporting_resumed',
  steeringFailed: 'inverter.steering_failed',
  steeringRecovered: 'inverter.steering_recovered',
} as const satisfies HealthEventNames;

const eventTypes = [
  'inverter.connected',
  'inverter.connection_lost',
  'inverter.connection_restored',
  'inverter.optimization_changed',
  'inverter.deleted',
  'inverter.reporting_stopped',
  'inverter.reporting_resumed',
  'inverter.steering_failed',
  'inverter.steering_recovered',
  'inverter.change_confirmed',
  'inverter.change_failed',
] as const satisfies readonly EventType[];

/** The state fields copied into a reading (charts and billing). */
const READING_FIELDS = [
  'current_solar_production_w',
  'household_consumption_w',
  'current_power_to_grid_w',
  'solar_surplus_w',
  'battery_charge_level_percent',
  'battery_charge_discharge_power_w',
  'is_smart_optimization_active',
  'connection_status',
] as const;

/** The kind's controls, by the names its `api.controls` routes use. */
const CONTROLS = { settings: inverterSettingsControl };

export const inverterKind = {
  name: 'inverter',
  noun: 'solar inverter',
  poderoPaths: {
    list: '/org/{org_id}/users/{user_id}/inverters',
    one: '/org/{org_id}/users/{user_id}/inverters/{inverter_id}',
  },
  list: (podero: InverterListUpstream, poderoUserId: string) => podero.inverters.list(poderoUserId),
  get: (
    podero: InverterUpstream,
    poderoUserId: string,
    deviceId: string,
    options?: { includeDeleted?: boolean },
  ) => podero.inverters.get(poderoUserId, deviceId, options),
  softDelete: (podero: InverterUpstream, poderoUserId: string, deviceId: string, at: Date) =>
    podero.inverters.softDelete(poderoUserId, deviceId, at),
  visible: visibleDevices,
  api: inverterApi,
  viewSchema: inverterSchema,
  listResponseSchema: inverterListResponseSchema,
  responseSchema: inverterResponseSchema,
  view: inverterView,
  // An inverter's cloud applies settings within minutes: two sync passes.
  changeTimeoutSeconds: 1800,
  controls: CONTROLS,
  authSession: (
    podero: InverterAuthSessionUpstream,
    poderoUserId: string,
    deviceId: string,
    body: AuthSessionRequest,
  ) => podero.inverters.authSession(poderoUserId, deviceId, body),
  insights: {
    bucketPart: 'inverter',
    savings: (podero: InverterSavingsUpstream, poderoUserId: string, deviceId: string, query: SavingsQuery) =>
      podero.inverters.savings(poderoUserId, deviceId, query),
  },
  statement: {
    // The household's draw the inverter measures; I6's `unoptimized_consumption` is not in the client yet.
    powerField: 'household_consumption_w',
  },
  storage: {
    kind: 'inverter',
    skPrefix: 'INVERTER#',
    listMarkerSk: 'INVERTERS',
    idAttribute: 'inverter_id',
    jsonAttribute: 'inverter_json',
    idsAttribute: 'inverter_ids',
    snapshotEntity: 'inverter_snapshot',
    markerEntity: 'inverter_list_marker',
    snapshotFields: snapshotFieldsOf({
      viewFields: inverterFieldSchemas,
      readingFields: READING_FIELDS,
      controls: CONTROLS,
    }),
  },
  // Production and consumption change all day (§3.9): three missed intervals is an outage.
  health: { staleAfterSyncIntervals: 3 },
  readingFields: READING_FIELDS,
  history: {
    available: true,
    endpoint: 'I6 GET .../inverters/{inverter_id}/data (beta)',
    // I6's powers are averages over the quarter-hour, the state's are instants. I6 has no surplus (the state's
    // `solar_surplus_w`), no setting and no connection status: a backfilled reading has none of them.
    fields: {
      solar_production_w: 'current_solar_production_w',
      household_consumption_w: 'household_consumption_w',
      export_power_to_grid_w: 'current_power_to_grid_w',
      battery_charge_level_percent: 'battery_charge_level_percent',
      battery_charge_discharge_power_w: 'battery_charge_discharge_power_w',
    },
    series: async (
      podero: InverterHistoryUpstream,
      poderoUserId: string,
      deviceId: string,
      fromIso: string,
      toIso: string,
    ) =>
      (
        await podero.inverters.data(poderoUserId, deviceId, {
          from_datetime: fromIso,
          to_datetime: toIso,
          resolution: '15MIN',
          keywords: [
            'solar_production_w',
            'household_consumption_w',
            'export_power_to_grid_w',
            'battery_charge_level_percent',
            'battery_charge_discharge_power_w',
          ],
          fillMissing: true,
        })
      ).data,
  },
  figure: 'inverters',
  metric: 'SyncInverters',
  eventTypes,
  changeEvents: (previous, next) => [
    ...standardKindEvents(names, previous, next),
    ...healthEvents(healthNames, previous, next),
  ],
  deletedEvents: (externalUserId, previousIds, currentIds, at) =>
    deletedKindEvents(names, externalUserId, previousIds, currentIds, at),
} as const satisfies DeviceKind<
  InverterUpstream & InverterSavingsUpstream & InverterAuthSessionUpstream & InverterHistoryUpstream
>;
