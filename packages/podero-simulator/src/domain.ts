/** State changes shared by the API handlers, the Connect UI and the control plane's seeding. */
import { iso, type SimCore } from './core';
import { notFound } from './errors';
import { unitHash } from './random';
import type { BuildingRecord, DeviceModelRecord, DeviceRecord, HeatPumpRecord, UserRecord } from './store';
import type { PriceZone } from './wire';

export const HEAT_PUMP_DEVICE_TYPE = { short_name: 'hp_atw', long_name: 'Heat Pump (Air-to-Water)' } as const;

/** The organisation's live (not soft-deleted) user, or 404: another org's ids do not exist here. */
export function requireUser(core: SimCore, orgId: string, userId: string): UserRecord {
  const user = core.store.users.get(userId);
  if (!user || user.organization_id !== orgId || user.deleted_at !== null) throw notFound();
  return user;
}

export function requireBuilding(core: SimCore, user: UserRecord, buildingId: string): BuildingRecord {
  const building = core.store.buildings.get(buildingId);
  if (!building || building.user_id !== user.id) throw notFound();
  return building;
}

export function requireHeatPump(
  core: SimCore,
  user: UserRecord,
  heatPumpId: string,
  includeDeleted = false,
): HeatPumpRecord {
  const heatPump = core.store.heatPumps.get(heatPumpId);
  if (!heatPump || heatPump.owner_id !== user.id) throw notFound();
  if (heatPump.deleted_at !== null && !includeDeleted) throw notFound();
  return heatPump;
}

/** Email is unique (case-insensitively) among the organisation's live users. */
export function emailTaken(core: SimCore, orgId: string, email: string, exceptUserId?: string): boolean {
  const wanted = email.toLowerCase();
  for (const user of core.store.users.values()) {
    if (
      user.organization_id === orgId &&
      user.deleted_at === null &&
      user.id !== exceptUserId &&
      user.email.toLowerCase() === wanted
    ) {
      return true;
    }
  }
  return false;
}

export function newUserRecord(
  core: SimCore,
  orgId: string,
  fields: Partial<UserRecord> & Pick<UserRecord, 'role' | 'email'>,
): UserRecord {
  return {
    id: core.newId(),
    organization_id: orgId,
    external_user_id: null,
    first_name: null,
    last_name: null,
    is_onboarded: false,
    street_and_number: null,
    street_add_info: null,
    zip_code: null,
    town: null,
    country: null,
    latitude: null,
    longitude: null,
    last_login: null,
    joined_at: iso(core.clock.nowMs()),
    deleted_at: null,
    ...fields,
  };
}

/** What a new device record of any kind starts from. */
export interface NewDeviceOptions {
  orgId: string;
  ownerId: string;
  buildingId: string | null;
  priceZone: PriceZone;
  deviceModel: DeviceModelRecord;
  authenticated: boolean;
  smartOptimizationActive: boolean;
}

/** The heat pump takes the common options. */
export type NewHeatPumpOptions = NewDeviceOptions;

/** The fields every device kind's record shares, as a new device of the user starts with them. */
export function newDeviceRecord(core: SimCore, options: NewDeviceOptions): DeviceRecord {
  const now = iso(core.clock.nowMs());
  const id = core.newId();
  return {
    id,
    org_id: options.orgId,
    owner_id: options.ownerId,
    building: options.buildingId,
    created_at: now,
    updated_at: now,
    deleted_at: null,
    connected_at: options.authenticated ? now : null,
    price_zone: options.priceZone,
    device_model: options.deviceModel,
    // Only `authenticated` and `error` are documented; `created` is INFERRED for a never-connected device.
    lifecycle_state: options.authenticated ? 'authenticated' : 'created',
    lifecycle_error: null,
    is_authenticated: options.authenticated,
    external_device_id: options.authenticated ? `SIM-${id.slice(0, 8).toUpperCase()}` : '',
    optimization_score: Math.round(55 + unitHash(core.seed, id, 'score') * 40),
    is_pause_power_active: false,
    pause_power_until: null,
    is_smart_optimization_active: options.smartOptimizationActive,
    comment: null,
    last_monitoring_executed_at: null,
    is_inverter_forced_mode_enabled: false,
    is_forecasting_enabled: false,
    is_trading_enabled: false,
    actual_steering_state: 'unknown',
  };
}

export function newHeatPumpRecord(core: SimCore, options: NewHeatPumpOptions): HeatPumpRecord {
  return {
    ...newDeviceRecord(core, options),
    indoor_target_temperature_offset: 0,
    dhw_standard_temperature: 50,
    is_hot_water_heating_enabled: true,
    is_space_heating_enabled: true,
    is_pool_heating_enabled: false,
    is_space_cooling_enabled: false,
    heating_policy_name: null,
    maximum_temperature_limit: null,
    minimum_temperature_limit: null,
    minimum_dhw_temperature_limit: null,
    is_heating_policy_enabled: false,
    away_mode_start: null,
    away_mode_end: null,
    is_away_mode_enabled: false,
    away_mode_minimum_temperature_limit: null,
    optimization_level: 'Mid',
  };
}

/** The manufacturers and models the Connect UI offers (and `seed` picks from). */
export const DEVICE_CATALOG: readonly { manufacturer: string; model: string; year: number }[] = [
  { manufacturer: 'Nibe', model: 'S2125-8', year: 2022 },
  { manufacturer: 'Nibe', model: 'S-Series', year: 2021 },
  { manufacturer: 'Vaillant', model: 'aroTHERM plus', year: 2021 },
  { manufacturer: 'Daikin', model: 'Altherma 3 H HT', year: 2020 },
  { manufacturer: 'Viessmann', model: 'Vitocal 250-A', year: 2023 },
  { manufacturer: 'Mitsubishi Electric', model: 'Ecodan PUZ-WM', year: 2022 },
];

export function catalogDeviceModel(entry: {
  manufacturer: string;
  model: string;
  year: number;
}): DeviceModelRecord {
  const cloudService = `${entry.manufacturer} cloud`;
  return {
    device_type: { ...HEAT_PUMP_DEVICE_TYPE },
    manufacturer: entry.manufacturer,
    model: entry.model,
    year: entry.year,
    cloud_service: uuidFromText(cloudService),
    cloud_service_instructions: `Sign in with your ${cloudService} account.`,
    cloud_service_signup_link: null,
  };
}

export function emptyDeviceModel(): DeviceModelRecord {
  return {
    device_type: { ...HEAT_PUMP_DEVICE_TYPE },
    manufacturer: null,
    model: null,
    year: null,
    cloud_service: null,
    cloud_service_instructions: null,
    cloud_service_signup_link: null,
  };
}

/** A stable UUID-shaped id derived from text (fake cloud-service ids). */
export function uuidFromText(text: string): string {
  const hex = [0, 1, 2, 3]
    .map((part) =>
      Math.floor(unitHash(text, part) * 4294967296)
        .toString(16)
        .padStart(8, '0'),
    )
    .join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Marks a user's onboarding state after a device connects. */
export function markOnboarded(user: UserRecord): void {
  user.is_onboarded = true;
}

export function now(core: SimCore): string {
  return iso(core.clock.nowMs());
}
