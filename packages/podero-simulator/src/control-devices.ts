/**
 * The control plane's device operations for every kind: add a connected device to a user, break or restore its
 * manufacturer connection, drive its state (plug an EV in or out, set its level, the sun and the home
 * battery), and play a wallbox that uses a claim token. In-process (`sim.control`) and over HTTP (`/__sim/`).
 */
import * as z from 'zod';
import { catalogOf, connectDevice } from './connect-ui';
import type { SimCore, SimResponse } from './core';
import { iso } from './core';
import { loseConnection, restoreConnection } from './cues';
import {
  advanceElectricVehicle,
  advanceWallbox,
  type DeviceKind,
  electricVehicleContext,
  findDevice,
  kindDeviceModel,
  linkedElectricVehicle,
  newWallboxRecord,
  wallboxContext,
} from './device-kinds';
import { markOnboarded } from './domain';
import { parseOr422, SimHttpError } from './errors';
import { setBatteryLevel, setPlugged } from './model/charging';
import { PRICE_ZONES, type PriceZone } from './wire';

export interface AddDeviceRequest {
  kind: DeviceKind;
  manufacturer?: string;
  model?: string;
  buildingId?: string | null;
  priceZone?: PriceZone;
  smartOptimizationActive?: boolean;
  /** Inverters: with a home battery (default true). */
  withBattery?: boolean;
}

export interface ConnectionChange {
  authenticated: boolean;
  reauthentication?: boolean;
}

export interface DeviceConnectionState {
  device_id: string;
  kind: DeviceKind;
  is_authenticated: boolean;
  lifecycle_state: string;
  /** The active re-authentication cue, if any. */
  cue_id: string | null;
}

export interface ElectricVehicleDrive {
  plugged_in?: boolean;
  /** With `plugged_in: true`: plugged in away from home (Podero has no session there). */
  at_home?: boolean;
  battery_level?: number;
}

export interface WallboxDrive {
  plugged_in?: boolean;
  ocpp_connected?: boolean;
  /** The level of the car on the box (the connected EV's, else the box's virtual car's). */
  battery_level?: number;
}

export interface InverterDrive {
  battery_level?: number;
  /** A share of clear-sky production (0..1) held until changed; null: the weather again. */
  sun?: number | null;
}

export interface WallboxClaim {
  token: string;
  manufacturer?: string;
  model?: string;
  firmware_version?: string;
}

export class UnknownDeviceError extends Error {
  constructor(readonly deviceId: string) {
    super(`unknown device ${deviceId}`);
  }
}

/** A control-plane refusal that is not a 404 (a spent or expired claim token, a bad catalogue choice). */
export class ControlRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function liveDevice(core: SimCore, deviceId: string, kind?: DeviceKind) {
  const device = findDevice(core, deviceId);
  if (!device || device.record.deleted_at !== null || (kind !== undefined && device.kind !== kind)) {
    throw new UnknownDeviceError(deviceId);
  }
  return device;
}

export function addDevice(
  core: SimCore,
  userId: string,
  request: AddDeviceRequest,
): { id: string; kind: DeviceKind } {
  const user = core.store.users.get(userId);
  if (!user || user.deleted_at !== null) throw new UnknownDeviceError(userId);
  const catalog = catalogOf(request.kind);
  const entry =
    request.manufacturer === undefined
      ? catalog[0]
      : catalog.find(
          (candidate) =>
            candidate.manufacturer === request.manufacturer &&
            (request.model === undefined || candidate.model === request.model),
        );
  if (!entry)
    throw new ControlRefusal(
      422,
      `no ${request.kind} ${request.manufacturer} ${request.model ?? ''} in the catalogue`,
    );
  if (request.buildingId != null) {
    const building = core.store.buildings.get(request.buildingId);
    if (!building || building.user_id !== user.id)
      throw new ControlRefusal(422, 'building_id: not a building of the user');
  }
  const id = connectDevice(core, request.kind, entry, {
    orgId: user.organization_id,
    ownerId: user.id,
    buildingId: request.buildingId ?? null,
    priceZone: request.priceZone ?? 'AT',
    smartOptimizationActive: request.smartOptimizationActive ?? true,
  });
  if (request.kind === 'inverter' && request.withBattery === false) {
    const inverter = core.store.inverters.get(id);
    if (inverter) {
      inverter.is_battery_connected = false;
      inverter.battery_capacity_kwh = null;
    }
  }
  markOnboarded(user);
  core.changed();
  return { id, kind: request.kind };
}

export function setDeviceConnection(
  core: SimCore,
  deviceId: string,
  change: ConnectionChange,
): DeviceConnectionState {
  const device = liveDevice(core, deviceId);
  if (change.authenticated) restoreConnection(core, device.record, true);
  else loseConnection(core, device.record, change.reauthentication ?? true);
  core.changed();
  const cue = core.store.activeCuesOf(deviceId).find((candidate) => candidate.code === 'reauthenticate');
  return {
    device_id: deviceId,
    kind: device.kind,
    is_authenticated: device.record.is_authenticated,
    lifecycle_state: device.record.lifecycle_state,
    cue_id: cue?.id ?? null,
  };
}

export function driveElectricVehicle(core: SimCore, vehicleId: string, drive: ElectricVehicleDrive) {
  const device = liveDevice(core, vehicleId, 'electric_vehicle');
  if (device.kind !== 'electric_vehicle') throw new UnknownDeviceError(vehicleId);
  const vehicle = device.record;
  advanceElectricVehicle(core, vehicle);
  const context = electricVehicleContext(core, vehicle);
  if (drive.battery_level !== undefined) setBatteryLevel(context, vehicle.charging, drive.battery_level);
  if (drive.plugged_in !== undefined)
    setPlugged(context, vehicle.charging, drive.plugged_in, drive.at_home ?? true);
  vehicle.updated_at = iso(core.clock.nowMs());
  core.changed();
  const state = vehicle.charging;
  return {
    electric_vehicle_id: vehicle.id,
    plugged_in: state.plugged_in,
    at_home: state.at_home,
    battery_level: Math.round(state.battery_level * 10) / 10,
    charging_power_w: state.charging_w,
    boost: state.boost,
    boost_armed: state.boost_armed,
  };
}

export function driveWallbox(core: SimCore, wallboxId: string, drive: WallboxDrive) {
  const device = liveDevice(core, wallboxId, 'wallbox');
  if (device.kind !== 'wallbox') throw new UnknownDeviceError(wallboxId);
  const wallbox = device.record;
  advanceWallbox(core, wallbox);
  if (drive.ocpp_connected !== undefined) wallbox.is_ocpp_connected = drive.ocpp_connected;
  const vehicle = linkedElectricVehicle(core, wallbox);
  const car =
    vehicle !== null
      ? { context: electricVehicleContext(core, vehicle), state: vehicle.charging }
      : { context: wallboxContext(core, wallbox), state: wallbox.charging };
  if (drive.battery_level !== undefined) setBatteryLevel(car.context, car.state, drive.battery_level);
  if (drive.plugged_in !== undefined) setPlugged(car.context, car.state, drive.plugged_in, true);
  wallbox.updated_at = iso(core.clock.nowMs());
  core.changed();
  return { wallbox_id: wallbox.id, is_ocpp_connected: wallbox.is_ocpp_connected };
}

export function driveInverter(core: SimCore, inverterId: string, drive: InverterDrive) {
  const device = liveDevice(core, inverterId, 'inverter');
  if (device.kind !== 'inverter') throw new UnknownDeviceError(inverterId);
  const inverter = device.record;
  if (drive.sun !== undefined) inverter.sun_override = drive.sun;
  if (drive.battery_level !== undefined) {
    if (!inverter.is_battery_connected)
      throw new ControlRefusal(422, 'battery_level: the inverter has no battery');
    inverter.battery_override = { at_ms: core.clock.nowMs(), level: drive.battery_level };
  }
  inverter.updated_at = iso(core.clock.nowMs());
  core.changed();
  return {
    inverter_id: inverter.id,
    sun: inverter.sun_override,
    battery_override: inverter.battery_override,
  };
}

/**
 * A wallbox connects with a claim token (what the real box does over `wss_url`): the token's user gets an
 * online wallbox; the token is spent (a second use is 409), an expired one is 410, an unknown one 404.
 */
export function claimWallbox(core: SimCore, claim: WallboxClaim): { wallbox_id: string } {
  const record = core.store.claimTokens.get(claim.token);
  if (!record) throw new UnknownDeviceError('claim token');
  if (record.claimed_at !== null) throw new ControlRefusal(409, 'the claim token was already used');
  if (core.clock.nowMs() >= Date.parse(record.expires_at))
    throw new ControlRefusal(410, 'the claim token expired');
  const user = core.store.users.get(record.user_id);
  if (!user || user.deleted_at !== null)
    throw new ControlRefusal(410, 'the claim token’s user no longer exists');
  const entry =
    catalogOf('wallbox').find(
      (candidate) =>
        candidate.manufacturer === (claim.manufacturer ?? candidate.manufacturer) &&
        candidate.model === (claim.model ?? candidate.model),
    ) ?? null;
  if (entry === null) throw new ControlRefusal(422, 'manufacturer/model: not a wallbox in the catalogue');
  const session =
    record.onboarding_session_id === null
      ? undefined
      : core.store.onboardingSessions.get(record.onboarding_session_id);
  const wallbox = newWallboxRecord(core, {
    orgId: record.org_id,
    ownerId: user.id,
    buildingId: session?.building_id ?? null,
    priceZone: session?.price_zone_default ?? 'AT',
    deviceModel: kindDeviceModel('wallbox', entry),
    authenticated: true,
    smartOptimizationActive: session?.is_smart_optimization_active_default ?? true,
  });
  if (claim.firmware_version !== undefined) wallbox.firmware_version = claim.firmware_version;
  core.store.wallboxes.set(wallbox.id, wallbox);
  record.claimed_at = iso(core.clock.nowMs());
  record.wallbox_id = wallbox.id;
  if (session && session.used_at === null) {
    if (core.modes.onboardingObjectId === 'filled') session.object_id = wallbox.id;
    session.used_at = record.claimed_at;
  }
  markOnboarded(user);
  core.changed();
  return { wallbox_id: wallbox.id };
}

// ---------------------------------------------------------------- HTTP

const KIND_BY_SEGMENT: Record<string, DeviceKind> = {
  'heat-pumps': 'heat_pump',
  'electric-vehicles': 'electric_vehicle',
  wallboxes: 'wallbox',
  inverters: 'inverter',
};

const addDeviceBodySchema = z.strictObject({
  kind: z.enum(['heat_pump', 'electric_vehicle', 'wallbox', 'inverter']),
  manufacturer: z.string().min(1).max(100).optional(),
  model: z.string().min(1).max(100).optional(),
  building_id: z.string().nullable().optional(),
  price_zone: z.enum(PRICE_ZONES).optional(),
  is_smart_optimization_active: z.boolean().optional(),
  with_battery: z.boolean().optional(),
});
const connectionBodySchema = z.strictObject({
  authenticated: z.boolean(),
  reauthentication: z.boolean().optional(),
});
const percent = z.number().min(0).max(100);
const electricVehicleDriveSchema = z.strictObject({
  plugged_in: z.boolean().optional(),
  at_home: z.boolean().optional(),
  battery_level: percent.optional(),
});
const wallboxDriveSchema = z.strictObject({
  plugged_in: z.boolean().optional(),
  ocpp_connected: z.boolean().optional(),
  battery_level: percent.optional(),
});
const inverterDriveSchema = z.strictObject({
  battery_level: percent.optional(),
  sun: z.number().min(0).max(1.2).nullable().optional(),
});
const claimBodySchema = z.strictObject({
  token: z.string().min(1).max(200),
  manufacturer: z.string().min(1).max(100).optional(),
  model: z.string().min(1).max(100).optional(),
  firmware_version: z.string().min(1).max(50).optional(),
});

const ADD_DEVICE = /^POST \/__sim\/users\/([^/]+)\/devices$/;
const DEVICE_CONTROL = /^POST \/__sim\/(electric-vehicles|wallboxes|inverters)\/([^/]+)\/(connection|state)$/;

/** Handles the device routes of `/__sim/`; null when the route is not one of them. */
export function handleDeviceControl(core: SimCore, route: string, body: () => unknown): SimResponse | null {
  try {
    if (route === 'POST /__sim/wallboxes/claims') {
      const parsed = parseOr422(claimBodySchema, body(), ['body']);
      return { status: 200, json: claimWallbox(core, withoutUndefined(parsed)) };
    }
    const add = ADD_DEVICE.exec(route);
    if (add) {
      const parsed = parseOr422(addDeviceBodySchema, body(), ['body']);
      return {
        status: 200,
        json: addDevice(core, decodeURIComponent(add[1] ?? ''), {
          kind: parsed.kind,
          ...withoutUndefined({
            manufacturer: parsed.manufacturer,
            model: parsed.model,
            buildingId: parsed.building_id,
            priceZone: parsed.price_zone,
            smartOptimizationActive: parsed.is_smart_optimization_active,
            withBattery: parsed.with_battery,
          }),
        }),
      };
    }
    const control = DEVICE_CONTROL.exec(route);
    if (!control) return null;
    const kind = KIND_BY_SEGMENT[control[1] ?? ''];
    const id = decodeURIComponent(control[2] ?? '');
    if (control[3] === 'connection') {
      const parsed = parseOr422(connectionBodySchema, body(), ['body']);
      liveDevice(core, id, kind);
      return { status: 200, json: setDeviceConnection(core, id, withoutUndefined(parsed)) };
    }
    switch (kind) {
      case 'electric_vehicle':
        return {
          status: 200,
          json: driveElectricVehicle(
            core,
            id,
            withoutUndefined(parseOr422(electricVehicleDriveSchema, body(), ['body'])),
          ),
        };
      case 'wallbox':
        return {
          status: 200,
          json: driveWallbox(core, id, withoutUndefined(parseOr422(wallboxDriveSchema, body(), ['body']))),
        };
      default:
        return {
          status: 200,
          json: driveInverter(core, id, withoutUndefined(parseOr422(inverterDriveSchema, body(), ['body']))),
        };
    }
  } catch (error) {
    if (error instanceof UnknownDeviceError) throw new SimHttpError(404, { detail: 'Unknown device' });
    if (error instanceof ControlRefusal) throw new SimHttpError(error.status, { detail: error.message });
    throw error;
  }
}

function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
