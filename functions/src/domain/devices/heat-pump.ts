/**
 * The heat pump, the first device kind: what the engine needs to know about it (domain/devices/kinds.ts).
 * Its storage names are the data's since the bridge began (`HEATPUMP#<id>`, `heat_pump_id`, ...): existing
 * items read back unchanged.
 */
import type {
  HeatPumpDataQuery,
  HeatPumpDataResponse,
  SavingsQuery,
  StatisticsQuery,
  StatisticsResponse,
} from '@podero-bridge/podero-client';
import type { BridgeEvent, EventData } from '../events/catalogue';
import { event } from '../events/rules';
import { type HealthEventNames, healthEvents } from './health';
import { heatPumpApi } from './heat-pump-api';
import { type HeatPumpUpdateUpstream, heatPumpSettingsControl } from './heat-pump-controls';
import {
  heatPumpFieldSchemas,
  heatPumpListResponseSchema,
  heatPumpResponseSchema,
  heatPumpSchema,
  heatPumpView,
} from './heat-pump-view';
import type { DeviceKind } from './kind';
import { visibleDevices } from './rules';
import { snapshotFieldsOf } from './snapshot-fields';
import type { DeviceJson, DeviceSnapshot } from './state';

/** The Podero client call the sync needs for the heat pump (podero-client's `heatPumps` resource). */
export interface HeatPumpListUpstream {
  heatPumps: { list(userId: string): Promise<DeviceJson[]> };
}

/** Every Podero client call the heat pump needs: the sync's, the API's reads and offboarding, its controls. */
export interface HeatPumpUpstream extends HeatPumpUpdateUpstream {
  heatPumps: HeatPumpListUpstream['heatPumps'] &
    HeatPumpUpdateUpstream['heatPumps'] & {
      get(userId: string, deviceId: string, options?: { includeDeleted?: boolean }): Promise<DeviceJson>;
      softDelete(userId: string, deviceId: string, at?: Date): Promise<DeviceJson>;
    };
}

/** The Podero calls of the heat pump's statistics and savings (H6, H7). */
export interface HeatPumpInsightsUpstream {
  heatPumps: {
    statistics(userId: string, deviceId: string, query?: StatisticsQuery): Promise<StatisticsResponse>;
    savings(userId: string, deviceId: string, query: SavingsQuery): Promise<StatisticsResponse>;
  };
}

/** The kind's health events (domain/devices/health.ts healthEvents). */
const healthNames = {
  idField: 'heat_pump_id',
  reportingStopped: 'heat_pump.reporting_stopped',
  reportingResumed: 'heat_pump.reporting_resumed',
  steeringFailed: 'heat_pump.steering_failed',
  steeringRecovered: 'heat_pump.steering_recovered',
} as const satisfies HealthEventNames;

/** The Podero call of the heat pump's time series (H8): the statement's baseline. */
export interface HeatPumpDataUpstream {
  heatPumps: {
    data(userId: string, deviceId: string, query?: HeatPumpDataQuery): Promise<HeatPumpDataResponse>;
  };
}

const optimizationOf = (snapshot: DeviceSnapshot | null | undefined): boolean | null => {
  const value = snapshot?.device.is_smart_optimization_active;
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
  previous: DeviceSnapshot | null | undefined,
  next: DeviceSnapshot,
): BridgeEvent[] {
  const events: BridgeEvent[] = [];
  const subject = [next.externalUserId, next.deviceId] as const;
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
              { external_user_id: next.externalUserId, heat_pump_id: next.deviceId, connection },
              [...subject, ...leftState],
            )
          : event(
              'heat_pump.connection_restored',
              next.fetchedAt,
              {
                external_user_id: next.externalUserId,
                heat_pump_id: next.deviceId,
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
            heat_pump_id: next.deviceId,
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
          heat_pump_id: next.deviceId,
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

export function deletedHeatPumpEvent(externalUserId: string, deviceId: string, at: string): BridgeEvent {
  return event('heat_pump.deleted', at, { external_user_id: externalUserId, heat_pump_id: deviceId }, [
    externalUserId,
    deviceId,
  ]);
}

/** The state fields copied into a reading (charts and billing). */
const READING_FIELDS = [
  'current_power_consumption_w',
  'outdoor_temperature',
  'indoor_actual_temperature',
  'indoor_target_temperature',
  'inlet_temperature',
  'outlet_temperature',
  'dhw_temperature',
  'current_mode',
  'is_smart_optimization_active',
  'optimization_level',
  'connection_status',
] as const;

/** The kind's controls, by the names its `api.controls` routes use. */
const CONTROLS = { settings: heatPumpSettingsControl };

export const heatPumpKind = {
  name: 'heat_pump',
  noun: 'heat pump',
  poderoPaths: {
    list: '/org/{org_id}/users/{user_id}/heat-pumps',
    one: '/org/{org_id}/users/{user_id}/heat-pumps/{heat_pump_id}',
  },
  list: (podero: HeatPumpListUpstream, poderoUserId: string) => podero.heatPumps.list(poderoUserId),
  get: (
    podero: HeatPumpUpstream,
    poderoUserId: string,
    deviceId: string,
    options?: { includeDeleted?: boolean },
  ) => podero.heatPumps.get(poderoUserId, deviceId, options),
  softDelete: (podero: HeatPumpUpstream, poderoUserId: string, deviceId: string, at: Date) =>
    podero.heatPumps.softDelete(poderoUserId, deviceId, at),
  visible: visibleDevices,
  api: heatPumpApi,
  viewSchema: heatPumpSchema,
  listResponseSchema: heatPumpListResponseSchema,
  responseSchema: heatPumpResponseSchema,
  view: heatPumpView,
  // A heat pump's vendor cloud applies a setting within minutes; two 15-minute sync passes leave room.
  changeTimeoutSeconds: 1800,
  controls: CONTROLS,
  insights: {
    bucketPart: 'heat_pump',
    statistics: (
      podero: HeatPumpInsightsUpstream,
      poderoUserId: string,
      deviceId: string,
      query: StatisticsQuery,
    ) => podero.heatPumps.statistics(poderoUserId, deviceId, query),
    savings: (
      podero: HeatPumpInsightsUpstream,
      poderoUserId: string,
      deviceId: string,
      query: SavingsQuery,
    ) => podero.heatPumps.savings(poderoUserId, deviceId, query),
  },
  statement: {
    powerField: 'current_power_consumption_w',
    // H8 at 15 minutes, `fill-missing` so that a month without data is an empty series, not a 400.
    baseline: async (
      podero: HeatPumpDataUpstream,
      poderoUserId: string,
      deviceId: string,
      range: { from: string; to: string },
    ) =>
      (
        await podero.heatPumps.data(poderoUserId, deviceId, {
          from_datetime: range.from,
          to_datetime: range.to,
          resolution: '15MIN',
          keywords: ['unoptimized_consumption'],
          fillMissing: true,
        })
      ).data.flatMap((point) =>
        typeof point.unoptimized_consumption === 'number'
          ? [{ at: point.time, watts: point.unoptimized_consumption }]
          : [],
      ),
  },
  storage: {
    kind: 'heat_pump',
    skPrefix: 'HEATPUMP#',
    listMarkerSk: 'HEATPUMPS',
    idAttribute: 'heat_pump_id',
    jsonAttribute: 'heat_pump_json',
    idsAttribute: 'heat_pump_ids',
    snapshotEntity: 'heat_pump_snapshot',
    markerEntity: 'heat_pump_list_marker',
    snapshotFields: snapshotFieldsOf({
      viewFields: heatPumpFieldSchemas,
      readingFields: READING_FIELDS,
      controls: CONTROLS,
    }),
  },
  // Podero's heat-pump state updates every 5-15 minutes (contract, Appendix E): three missed intervals is an outage.
  health: { staleAfterSyncIntervals: 3 },
  readingFields: READING_FIELDS,
  history: {
    available: true,
    endpoint: 'H8 GET .../heat-pumps/{heat_pump_id}/data',
    // H8's consumption is the average power over the quarter-hour (W), the state's the power at one instant:
    // close enough for a chart and for energy sums, which is what a filled quarter-hour is for. Nothing in H8
    // says the outdoor or indoor temperatures, the outlet temperature, the mode or the settings: a
    // backfilled reading has none of them.
    fields: {
      estimated_consumption: 'current_power_consumption_w',
      inlet_temp_act: 'inlet_temperature',
      hot_water_temp: 'dhw_temperature',
    },
    series: async (
      podero: HeatPumpDataUpstream,
      poderoUserId: string,
      deviceId: string,
      fromIso: string,
      toIso: string,
    ) =>
      (
        await podero.heatPumps.data(poderoUserId, deviceId, {
          from_datetime: fromIso,
          to_datetime: toIso,
          resolution: '15MIN',
          keywords: ['estimated_consumption', 'inlet_temp_act', 'hot_water_temp'],
          fillMissing: true,
        })
      ).data,
  },
  figure: 'heat_pumps',
  metric: 'SyncHeatPumps',
  eventTypes: [
    'heat_pump.connected',
    'heat_pump.connection_lost',
    'heat_pump.connection_restored',
    'heat_pump.optimization_changed',
    'heat_pump.deleted',
    'heat_pump.reporting_stopped',
    'heat_pump.reporting_resumed',
    'heat_pump.steering_failed',
    'heat_pump.steering_recovered',
    'heat_pump.change_confirmed',
    'heat_pump.change_failed',
  ],
  changeEvents: (previous, next) => [
    ...heatPumpEvents(previous, next),
    ...healthEvents(healthNames, previous, next),
  ],
  deletedEvents: deletedHeatPumpEvents,
} as const satisfies DeviceKind<HeatPumpUpstream & HeatPumpInsightsUpstream & HeatPumpDataUpstream>;
