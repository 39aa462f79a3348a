/**
 * The device kinds beside heat pumps: their catalogues, new records, lookups scoped to a user, and the
 * contexts their living models run in. Shared by the API handlers, the Connect UI and the control plane.
 */
import type { SimCore } from './core';
import { catalogDeviceModel, type NewDeviceOptions, newDeviceRecord } from './domain';
import { notFound } from './errors';
import {
  advanceCharging,
  type CarProfile,
  type ChargingContext,
  initialChargingState,
} from './model/charging';
import { reportingNowMs } from './model/device-health';
import { type SolarContext, solarModel } from './model/solar';
import { unitHash } from './random';
import type {
  DeviceModelRecord,
  DeviceRecord,
  ElectricVehicleRecord,
  InverterRecord,
  UserRecord,
  WallboxRecord,
  WeeklyPolicyRecord,
} from './store';
import { type ChargingConfigMode, WEEKDAYS } from './wire-devices';

export type DeviceKind = 'heat_pump' | 'electric_vehicle' | 'wallbox' | 'inverter';
export const DEVICE_KINDS: readonly DeviceKind[] = ['heat_pump', 'electric_vehicle', 'wallbox', 'inverter'];
/** The onboarding session's `ev/iv/wb/hp` values (§6) and the kinds they stand for. */
export const KIND_BY_ONBOARDING_TYPE = {
  hp: 'heat_pump',
  ev: 'electric_vehicle',
  wb: 'wallbox',
  iv: 'inverter',
} as const satisfies Record<string, DeviceKind>;

export const DEVICE_TYPES: Record<
  Exclude<DeviceKind, 'heat_pump'>,
  { short_name: string; long_name: string }
> = {
  electric_vehicle: { short_name: 'ev', long_name: 'Electric Vehicle' },
  // Not seen in the contract (§6): INFERRED, in the style of the other kinds.
  wallbox: { short_name: 'wallbox', long_name: 'Wallbox' },
  inverter: { short_name: 'inverter', long_name: 'Solar Inverter' },
};

export interface CatalogEntry {
  manufacturer: string;
  model: string;
  year: number;
}

/** What the Connect UI offers per kind beside heat pumps (and the control plane picks from). */
export const KIND_CATALOG: Record<Exclude<DeviceKind, 'heat_pump'>, readonly CatalogEntry[]> = {
  electric_vehicle: [
    { manufacturer: 'Tesla', model: 'Model 3', year: 2023 },
    { manufacturer: 'Volkswagen', model: 'ID.4', year: 2022 },
    { manufacturer: 'Hyundai', model: 'Ioniq 5', year: 2023 },
    { manufacturer: 'Renault', model: 'Zoe', year: 2021 },
  ],
  wallbox: [
    { manufacturer: 'Easee', model: 'Home', year: 2022 },
    { manufacturer: 'Wallbox', model: 'Pulsar Plus', year: 2023 },
    { manufacturer: 'go-e', model: 'Charger Gemini', year: 2023 },
  ],
  inverter: [
    { manufacturer: 'Fronius', model: 'Symo GEN24 10.0 Plus', year: 2022 },
    { manufacturer: 'SMA', model: 'Sunny Tripower X', year: 2023 },
    { manufacturer: 'Huawei', model: 'SUN2000-10KTL', year: 2021 },
  ],
};

export function kindDeviceModel(
  kind: Exclude<DeviceKind, 'heat_pump'>,
  entry: CatalogEntry | null,
): DeviceModelRecord {
  if (entry === null) {
    return {
      device_type: { ...DEVICE_TYPES[kind] },
      manufacturer: null,
      model: null,
      year: null,
      cloud_service: null,
      cloud_service_instructions: null,
      cloud_service_signup_link: null,
    };
  }
  return { ...catalogDeviceModel(entry), device_type: { ...DEVICE_TYPES[kind] } };
}

/** The default weekly policy: 80 % by 07:00 on weekdays, 60 % by 09:00 at weekends (INFERRED values). */
export function defaultChargePolicy(): WeeklyPolicyRecord {
  const day = (weekend: boolean) =>
    weekend
      ? { charge_percentage: 60, charge_deadline: '09:00' }
      : { charge_percentage: 80, charge_deadline: '07:00' };
  const policy = Object.fromEntries(WEEKDAYS.map((name) => [name, day(name === 'sat' || name === 'sun')]));
  return { ...(policy as Omit<WeeklyPolicyRecord, 'timezone'>), timezone: 'UTC' };
}

const CAPACITIES_KWH = [52, 58, 64, 77, 82] as const;

export function newElectricVehicleRecord(core: SimCore, options: NewDeviceOptions): ElectricVehicleRecord {
  const base = newDeviceRecord(core, options);
  const draw = (name: string) => unitHash(core.seed, base.id, name);
  const capacity = CAPACITIES_KWH[Math.floor(draw('capacity') * CAPACITIES_KWH.length)] ?? 64;
  const record: ElectricVehicleRecord = {
    ...base,
    charge_target_min: 50,
    charge_target_max: 80 + 10 * Math.floor(draw('oem-cap') * 3),
    is_charge_policy_enabled: false,
    charge_deadline_at: '07:00',
    minimum_charge_limit: 75,
    charge_policy_last_updated_at: null,
    charge_rate_w: draw('rate') < 0.6 ? 7_400 : 11_000,
    battery_capacity_kwh: capacity,
    kwh_per_km: Math.round((0.15 + 0.05 * draw('consumption')) * 1000) / 1000,
    charge_policy: defaultChargePolicy(),
    charging: initialChargingState(core.seed, base.id, core.clock.nowMs()),
  };
  return record;
}

export function newWallboxRecord(core: SimCore, options: NewDeviceOptions): WallboxRecord {
  const base = newDeviceRecord(core, options);
  return {
    ...base,
    charge_target_min: 50,
    charge_target_max: 80,
    charge_power_max_w: 7_000,
    is_charge_policy_enabled: false,
    charge_policy_last_updated_at: null,
    minimum_charge_limit: 80,
    charge_deadline_at: '07:00',
    is_over_charge_allowed: false,
    is_ocpp_connected: options.authenticated,
    firmware_version: options.authenticated ? '2.4.1' : null,
    charging: initialChargingState(core.seed, base.id, core.clock.nowMs()),
  };
}

export function newInverterRecord(
  core: SimCore,
  options: NewDeviceOptions,
  withBattery = true,
): InverterRecord {
  const base = newDeviceRecord(core, options);
  const draw = (name: string) => unitHash(core.seed, base.id, name);
  return {
    ...base,
    solar_power_rating_kw: Math.round((6 + 8 * draw('rating')) * 10) / 10,
    is_battery_connected: withBattery,
    battery_capacity_kwh: withBattery ? 5 + 5 * Math.floor(draw('battery') * 3) : null,
    min_battery_charge: 20,
    max_battery_charge: 90,
    sun_override: null,
    battery_override: null,
  };
}

// ---------------------------------------------------------------- lookups

function requireOwned<T extends DeviceRecord>(
  record: T | undefined,
  user: UserRecord,
  includeDeleted: boolean,
): T {
  if (!record || record.owner_id !== user.id) throw notFound();
  if (record.deleted_at !== null && !includeDeleted) throw notFound();
  return record;
}

export function requireElectricVehicle(
  core: SimCore,
  user: UserRecord,
  id: string,
  includeDeleted = false,
): ElectricVehicleRecord {
  const record = requireOwned(core.store.electricVehicles.get(id), user, includeDeleted);
  advanceElectricVehicle(core, record);
  return record;
}

export function requireWallbox(
  core: SimCore,
  user: UserRecord,
  id: string,
  includeDeleted = false,
): WallboxRecord {
  const record = requireOwned(core.store.wallboxes.get(id), user, includeDeleted);
  advanceWallbox(core, record);
  return record;
}

export function requireInverter(
  core: SimCore,
  user: UserRecord,
  id: string,
  includeDeleted = false,
): InverterRecord {
  return requireOwned(core.store.inverters.get(id), user, includeDeleted);
}

export type AnyDevice =
  | { kind: 'heat_pump'; record: DeviceRecord }
  | { kind: 'electric_vehicle'; record: ElectricVehicleRecord }
  | { kind: 'wallbox'; record: WallboxRecord }
  | { kind: 'inverter'; record: InverterRecord };

/** A device of any kind by id (deleted ones included: callers decide). */
export function findDevice(core: SimCore, id: string): AnyDevice | null {
  const heatPump = core.store.heatPumps.get(id);
  if (heatPump) return { kind: 'heat_pump', record: heatPump };
  const vehicle = core.store.electricVehicles.get(id);
  if (vehicle) return { kind: 'electric_vehicle', record: vehicle };
  const wallbox = core.store.wallboxes.get(id);
  if (wallbox) return { kind: 'wallbox', record: wallbox };
  const inverter = core.store.inverters.get(id);
  if (inverter) return { kind: 'inverter', record: inverter };
  return null;
}

/** The user's live device of any kind, or 404. */
export function requireAnyDevice(core: SimCore, user: UserRecord, id: string): AnyDevice {
  const device = findDevice(core, id);
  if (!device || device.record.owner_id !== user.id || device.record.deleted_at !== null) throw notFound();
  if (device.kind === 'electric_vehicle') advanceElectricVehicle(core, device.record);
  if (device.kind === 'wallbox') advanceWallbox(core, device.record);
  return device;
}

// ---------------------------------------------------------------- living models

export function carOf(vehicle: ElectricVehicleRecord): CarProfile {
  return {
    capacityKwh: vehicle.battery_capacity_kwh,
    rateW: vehicle.charge_rate_w,
    kwhPerKm: vehicle.kwh_per_km,
  };
}

/** The owner's charging configuration (CC1; `none` until one is stored). */
export function chargingModeOf(core: SimCore, ownerId: string): ChargingConfigMode {
  return core.store.chargingConfigs.get(ownerId)?.mode ?? 'none';
}

/**
 * The inverter of the home a charger is in: the owner's first live, connected inverter in the same building
 * (or either without a building), as for a wallbox's EV.
 */
export function homeInverterOf(
  core: SimCore,
  ownerId: string,
  building: string | null,
): InverterRecord | null {
  for (const inverter of core.store.invertersOf(ownerId)) {
    if (inverter.deleted_at !== null || !inverter.is_authenticated) continue;
    if (inverter.building !== null && building !== null && inverter.building !== building) continue;
    return inverter;
  }
  return null;
}

/**
 * What a car at home may take from the sun: the home inverter's export once its battery took its share
 * (quarter-hour samples, so one model and its day cache serve a whole advance), or null without an inverter.
 */
function homeSurplus(core: SimCore, record: DeviceRecord): ((tMs: number) => number) | null {
  const inverter = homeInverterOf(core, record.owner_id, record.building);
  if (inverter === null) return null;
  const model = inverterModel(core, inverter);
  const quarterMs = 15 * 60_000;
  return (tMs) => Math.max(0, model.quarterSample(tMs - (tMs % quarterMs)).grid);
}

export function electricVehicleContext(core: SimCore, vehicle: ElectricVehicleRecord): ChargingContext {
  return {
    seed: core.seed,
    id: vehicle.id,
    car: carOf(vehicle),
    settings: vehicle,
    policy: vehicle.charge_policy,
    priceZone: vehicle.price_zone,
    mode: chargingModeOf(core, vehicle.owner_id),
    surplusW: homeSurplus(core, vehicle),
  };
}

/** A wallbox without a connected EV charges a virtual car of 60 kWh at its own maximum power. */
export function wallboxContext(core: SimCore, wallbox: WallboxRecord): ChargingContext {
  return {
    seed: core.seed,
    id: wallbox.id,
    car: { capacityKwh: 60, rateW: wallbox.charge_power_max_w, kwhPerKm: 0.18 },
    settings: wallbox,
    policy: null,
    priceZone: wallbox.price_zone,
    mode: chargingModeOf(core, wallbox.owner_id),
    surplusW: homeSurplus(core, wallbox),
  };
}

/** The physics keeps going whatever the connection does; reads decide what to show. */
export function advanceElectricVehicle(core: SimCore, vehicle: ElectricVehicleRecord): void {
  const before = vehicle.charging.at_ms;
  // A car that stopped reporting (a health fault) shows its last reported state; it catches up on resuming.
  advanceCharging(electricVehicleContext(core, vehicle), vehicle.charging, reportingNowMs(core, vehicle));
  if (vehicle.charging.at_ms !== before) core.changed();
}

/**
 * The EV a wallbox charges: the owner's first live, connected EV in the same building (or either without a
 * building). Without one, the wallbox runs its own virtual car.
 */
export function linkedElectricVehicle(core: SimCore, wallbox: WallboxRecord): ElectricVehicleRecord | null {
  for (const vehicle of core.store.electricVehiclesOf(wallbox.owner_id)) {
    if (vehicle.deleted_at !== null || !vehicle.is_authenticated) continue;
    if (vehicle.building !== null && wallbox.building !== null && vehicle.building !== wallbox.building)
      continue;
    return vehicle;
  }
  return null;
}

export function advanceWallbox(core: SimCore, wallbox: WallboxRecord): void {
  const vehicle = linkedElectricVehicle(core, wallbox);
  if (vehicle !== null) {
    advanceElectricVehicle(core, vehicle);
    return;
  }
  const before = wallbox.charging.at_ms;
  advanceCharging(wallboxContext(core, wallbox), wallbox.charging, reportingNowMs(core, wallbox));
  if (wallbox.charging.at_ms !== before) core.changed();
}

/** Podero's HEMS steers the inverter's battery: a `hems` mode of its owner, with smart optimisation on. */
export function isHemsSteered(core: SimCore, inverter: InverterRecord): boolean {
  const mode = chargingModeOf(core, inverter.owner_id);
  return inverter.is_smart_optimization_active && (mode === 'hems' || mode === 'hems_and_spot');
}

export function solarContext(core: SimCore, inverter: InverterRecord): SolarContext {
  return {
    seed: core.seed,
    id: inverter.id,
    settings: inverter,
    priceZone: inverter.price_zone,
    hems: isHemsSteered(core, inverter),
  };
}

export function inverterModel(core: SimCore, inverter: InverterRecord) {
  return solarModel(solarContext(core, inverter));
}
