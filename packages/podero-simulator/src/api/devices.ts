/**
 * What every device kind shares: D1 (the general update of any device), §3.10 re-authentication sessions,
 * applying a validated create/update body to a record, and the bucketed savings response (H7's shape).
 */
import { randomBytes } from 'node:crypto';
import { type Handler, iso, jsonBody, queryObject, type SimCore, type SimResponse } from '../core';
import { loseConnection, restoreConnection } from '../cues';
import { type AnyDevice, advanceElectricVehicle, findDevice, requireAnyDevice } from '../device-kinds';
import { now, requireBuilding, requireUser } from '../domain';
import { notFound, parseOr422, validationError } from '../errors';
import { recordIssuedToken } from '../issued-secrets-log';
import { bucketsBetween } from '../model/series';
import type { AuthSessionRecord, DeviceRecord, UserRecord } from '../store';
import { heatPumpView } from '../views';
import { electricVehicleView, inverterView, wallboxView } from '../views-devices';
import { type DeviceModelInput, parseDateTime, type StatisticsResolution } from '../wire';
import {
  authSessionBodySchema,
  deviceSavingsQuerySchema,
  generalDeviceUpdateBodySchema,
} from '../wire-devices';
import { withoutUndefined } from './users';

const MAX_SAVINGS_BUCKETS = 35_136;

/** The response body of a device of any kind. */
export function anyDeviceView(core: SimCore, device: AnyDevice) {
  switch (device.kind) {
    case 'heat_pump': {
      const heatPump = core.store.heatPumps.get(device.record.id);
      if (!heatPump) throw notFound();
      return heatPumpView(core, heatPump);
    }
    case 'electric_vehicle':
      return electricVehicleView(core, device.record);
    case 'wallbox':
      return wallboxView(core, device.record);
    case 'inverter':
      return inverterView(core, device.record);
  }
}

/**
 * Copies the fields of a validated body onto a record: `building_id` -> `building` (checked to belong to the
 * user), the nested device model, every other field as it is (absent fields stay as they are).
 */
export function applyDeviceBody(
  core: SimCore,
  user: UserRecord,
  record: DeviceRecord,
  body: { device_model?: DeviceModelInput | undefined; building_id?: string | null | undefined },
): void {
  const { device_model, building_id, ...flat } = body;
  if (building_id) requireBuilding(core, user, building_id);
  Object.assign(record, withoutUndefined(flat));
  if (building_id !== undefined) record.building = building_id;
  if (device_model !== undefined) {
    const model = record.device_model;
    if (device_model.device_type !== undefined) model.device_type = device_model.device_type;
    if (device_model.manufacturer !== undefined) model.manufacturer = device_model.manufacturer;
    if (device_model.model !== undefined) model.model = device_model.model;
    if (device_model.year !== undefined) model.year = device_model.year;
    if (device_model.cloud_service_id !== undefined) model.cloud_service = device_model.cloud_service_id;
  }
}

/**
 * D1 `PATCH .../devices/{device_id}`: any kind. `null` leaves a boolean as it is; `is_authenticated` false drops
 * the connection the way a lapse does (a `reauthenticate` action appears), true restores it.
 */
export const updateGeneralDevice: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const device = requireAnyDevice(core, user, request.params.device_id ?? '');
  const body = parseOr422(generalDeviceUpdateBodySchema, jsonBody(request) ?? {}, ['body']);
  const record = device.record;
  if (body.is_smart_optimization_active != null)
    record.is_smart_optimization_active = body.is_smart_optimization_active;
  if (body.is_inverter_forced_mode_enabled != null)
    record.is_inverter_forced_mode_enabled = body.is_inverter_forced_mode_enabled;
  if (body.is_forecasting_enabled != null) record.is_forecasting_enabled = body.is_forecasting_enabled;
  if (body.comment !== undefined) record.comment = body.comment;
  if (body.is_authenticated != null && body.is_authenticated !== record.is_authenticated) {
    if (body.is_authenticated) restoreConnection(core, record, true);
    else loseConnection(core, record, true);
  }
  record.updated_at = now(core);
  core.changed();
  return { status: 200, json: anyDeviceView(core, device) };
};

/** §3.10 (E5, W3, I5): a re-authentication session for the user's device of `kind`. */
export function createAuthSession(kind: AnyDevice['kind'], idParam: string): Handler {
  return (core, request) => {
    const user = requireUser(core, request.orgId, request.params.user_id ?? '');
    const device = findDevice(core, request.params[idParam] ?? '');
    if (
      !device ||
      device.kind !== kind ||
      device.record.owner_id !== user.id ||
      device.record.deleted_at !== null
    )
      throw notFound();
    const body = parseOr422(authSessionBodySchema, jsonBody(request), ['body']);
    const pageToken = randomBytes(18).toString('base64url');
    recordIssuedToken(pageToken);
    const session: AuthSessionRecord = {
      id: core.newId(),
      org_id: request.orgId,
      device_id: device.record.id,
      success_url: body.success_url ?? null,
      cancel_url: body.cancel_url ?? null,
      page_token: pageToken,
      created_at: iso(core.clock.nowMs()),
    };
    core.store.authSessions.set(session.id, session);
    core.changed();
    return {
      status: 200,
      json: {
        authentication_url: `${core.baseUrl()}/connect/reauthenticate?token=${pageToken}`,
        device_id: device.record.id,
        session_id: session.id,
      },
    };
  };
}

export interface SavingsBucket {
  resolution: StatisticsResolution;
  startMs: number;
  endMs: number;
}

/**
 * E12 and the inverter's savings: H7's query (`from`, `to` required; `resolution` default 1MONTH) and shape;
 * `entry` fills one bucket (clipped to the range).
 */
export function savingsResponse(
  core: SimCore,
  request: Parameters<Handler>[1],
  entry: (bucket: SavingsBucket) => Record<string, unknown>,
  units: Record<string, string>,
): SimResponse {
  const query = parseOr422(deviceSavingsQuerySchema, queryObject(request), ['query']);
  const fromMs = parseDateTime(query.from);
  const toMs = parseDateTime(query.to);
  if (toMs <= fromMs) {
    throw validationError([{ type: 'value_error', loc: ['query', 'to'], msg: '`to` must be after `from`' }]);
  }
  const buckets = bucketsBetween(query.resolution, fromMs, toMs, MAX_SAVINGS_BUCKETS);
  if (buckets === null) {
    throw validationError([{ type: 'value_error', loc: ['query'], msg: 'The range is too long.' }]);
  }
  return {
    status: 200,
    json: {
      metadata: {
        requested_at: iso(core.clock.nowMs()),
        query: { from: query.from, to: query.to, resolution: query.resolution },
        units,
        error: '',
      },
      data: buckets.map((bucket) => {
        const startMs = Math.max(bucket.start, fromMs);
        const endMs = Math.min(bucket.end, toMs);
        return {
          resolution: query.resolution,
          period: { start_period: iso(startMs), end_period: iso(endMs) },
          ...entry({ resolution: query.resolution, startMs, endMs }),
        };
      }),
    },
  };
}

/** Every live device of the user's kinds, advanced to now (for counts and the charging configuration). */
export function liveDevicesOf(core: SimCore, userId: string) {
  const live = <T extends DeviceRecord>(records: T[]) =>
    records.filter((record) => record.deleted_at === null);
  const electricVehicles = live(core.store.electricVehiclesOf(userId));
  for (const vehicle of electricVehicles) advanceElectricVehicle(core, vehicle);
  return {
    heatPumps: live(core.store.heatPumpsOf(userId)),
    electricVehicles,
    wallboxes: live(core.store.wallboxesOf(userId)),
    inverters: live(core.store.invertersOf(userId)),
  };
}
