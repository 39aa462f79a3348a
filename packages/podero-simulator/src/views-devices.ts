/** Records of the kinds beside heat pumps -> response bodies: the common device fields plus each kind's own. */
import { iso, type SimCore } from './core';
import { actionsView } from './cues';
import { electricVehicleContext, inverterModel, linkedElectricVehicle, wallboxContext } from './device-kinds';
import {
  boostStateOf,
  type ChargingContext,
  chargingPowerW,
  isFullyCharged,
  sessionItem,
} from './model/charging';
import { reportingNowMs, steeringFaultOf } from './model/device-health';
import { connectionHiccupAt } from './model/living';
import type {
  ChargingState,
  DeviceRecord,
  ElectricVehicleRecord,
  InverterRecord,
  WallboxRecord,
} from './store';

/** Now rounded down to the state interval (never before the connection), or null while unauthenticated. */
function stateInstant(core: SimCore, device: DeviceRecord): number | null {
  if (!device.is_authenticated || device.connected_at === null) return null;
  const intervalMs = core.stateIntervalSeconds * 1000;
  // A device that stopped reporting (a health fault) keeps the state of its last report.
  const now = reportingNowMs(core, device);
  return Math.max(now - (now % intervalMs), Date.parse(device.connected_at));
}

function isPausedAt(device: DeviceRecord, tMs: number): boolean {
  if (device.pause_power_until !== null && Date.parse(device.pause_power_until) > tMs) return true;
  return device.is_pause_power_active && device.pause_power_until === null;
}

/** The contract's common device fields (§3.5), as heat pumps show them. */
export function commonDeviceView(core: SimCore, device: DeviceRecord) {
  const owner = core.store.users.get(device.owner_id);
  const stateAt = stateInstant(core, device);
  const live = stateAt !== null;
  const hiccup = live && connectionHiccupAt(core.seed, device.id, stateAt);
  return {
    id: device.id,
    connection_status: !live ? 'unknown' : hiccup ? 'warning' : 'ok',
    monitoring_status: live ? 'ok' : 'unknown',
    steering_status:
      steeringFaultOf(device) ??
      (!live || !device.is_smart_optimization_active
        ? 'unknown'
        : isPausedAt(device, stateAt)
          ? 'warning'
          : 'ok'),
    device_model: device.device_model,
    owner: {
      id: device.owner_id,
      email: owner?.email ?? null,
      first_name: owner?.first_name ?? null,
      last_name: owner?.last_name ?? null,
      external_id: owner?.external_user_id ?? null,
    },
    created_at: device.created_at,
    updated_at: device.updated_at,
    price_zone: device.price_zone,
    deleted_at: device.deleted_at,
    lifecycle_state: device.lifecycle_state,
    lifecycle_error: device.lifecycle_error,
    building: device.building,
    pause_power_until: device.pause_power_until,
    is_pause_power_active: device.is_pause_power_active,
    external_device_id: device.external_device_id,
    is_authenticated: device.is_authenticated,
    is_smart_optimization_active: device.is_smart_optimization_active,
    optimization_score: device.optimization_score,
    comment: device.comment,
    current_state_last_updated_at: stateAt === null ? null : iso(stateAt),
    last_monitoring_executed_at:
      device.last_monitoring_executed_at ?? (stateAt === null ? null : iso(stateAt)),
    is_inverter_forced_mode_enabled: device.is_inverter_forced_mode_enabled,
    is_inverter_forced_mode_active: false,
    inverter_forced_mode_since: '0001-01-01T00:00:00Z',
    is_forecasting_enabled: device.is_forecasting_enabled,
    is_trading_enabled: device.is_trading_enabled,
    actual_steering_state: device.actual_steering_state,
    ...actionsView(core, device),
  };
}

function chargingReadings(context: ChargingContext, state: ChargingState, live: boolean) {
  const power = live ? chargingPowerW(context, state) : null;
  return {
    is_plugged_in: live ? state.plugged_in : null,
    is_charging: power === null ? null : power > 0,
    is_fully_charged: live ? isFullyCharged(context, state) : null,
    boost_state: live ? boostStateOf(state) : 'unavailable',
    power,
  };
}

export function electricVehicleView(core: SimCore, vehicle: ElectricVehicleRecord) {
  const common = commonDeviceView(core, vehicle);
  const live = common.current_state_last_updated_at !== null;
  const context = electricVehicleContext(core, vehicle);
  const readings = chargingReadings(context, vehicle.charging, live);
  const level = vehicle.charging.battery_level;
  return {
    ...common,
    // EV state comes from the car's own reports (Smartcar webhooks), so `current_mode` has no meaning here.
    current_mode: readings.is_charging === null ? null : readings.is_charging ? 'charging' : 'idle',
    charge_target_min: vehicle.charge_target_min,
    charge_target_max: vehicle.charge_target_max,
    is_charge_policy_enabled: vehicle.is_charge_policy_enabled,
    charge_deadline_at: vehicle.charge_deadline_at,
    minimum_charge_limit: vehicle.minimum_charge_limit,
    charge_policy_last_updated_at: vehicle.charge_policy_last_updated_at,
    is_plugged_in: readings.is_plugged_in,
    is_charging: readings.is_charging,
    is_fully_charged: readings.is_fully_charged,
    charge_rate_w: live ? vehicle.charge_rate_w : null,
    battery_level: live ? Math.round(level) : null,
    battery_capacity_kwh: vehicle.battery_capacity_kwh,
    driving_range: live
      ? Math.round(((level / 100) * vehicle.battery_capacity_kwh) / vehicle.kwh_per_km)
      : null,
    boost_state: readings.boost_state,
    // Not in the reference shape: the arm of E6/E7 (INFERRED name, from the guide's wording).
    boost_for_next_session: vehicle.charging.boost_armed,
    current_charging_power_w: readings.power,
  };
}

/** `mode` and `connection` derived as §3.8 says (from `is_authenticated`, plug and charge, OCPP presence). */
export function wallboxView(core: SimCore, wallbox: WallboxRecord) {
  const common = commonDeviceView(core, wallbox);
  const live = common.current_state_last_updated_at !== null;
  const vehicle = linkedElectricVehicle(core, wallbox);
  const readings =
    vehicle === null
      ? chargingReadings(wallboxContext(core, wallbox), wallbox.charging, live)
      : chargingReadings(electricVehicleContext(core, vehicle), vehicle.charging, live);
  const powerW = readings.power === null ? null : Math.min(readings.power, wallbox.charge_power_max_w);
  const mode = !wallbox.is_authenticated
    ? 'UNAVAILABLE'
    : !live
      ? 'UNKNOWN'
      : readings.is_charging
        ? 'CHARGING'
        : readings.is_plugged_in
          ? 'PLUGGED_IN'
          : 'READY';
  const connection =
    wallbox.is_authenticated && wallbox.is_ocpp_connected
      ? 'online'
      : wallbox.connected_at === null
        ? 'never_connected'
        : 'offline';
  return {
    ...common,
    current_mode: mode.toLowerCase(),
    charge_target_min: wallbox.charge_target_min,
    charge_target_max: wallbox.charge_target_max,
    charge_power_max_w: wallbox.charge_power_max_w,
    is_charge_policy_enabled: wallbox.is_charge_policy_enabled,
    charge_policy_last_updated_at: wallbox.charge_policy_last_updated_at,
    minimum_charge_limit: wallbox.minimum_charge_limit,
    charge_deadline_at: wallbox.charge_deadline_at,
    is_over_charge_allowed: wallbox.is_over_charge_allowed,
    mode,
    connection,
    is_ocpp_connected: wallbox.is_ocpp_connected,
    is_plugged_in: readings.is_plugged_in,
    is_charging: readings.is_charging,
    boost_state: readings.boost_state,
    // Not in the reference shape (INFERRED): the box's power, what the bridge's readings need.
    current_power_w: powerW,
    electric_vehicle_id: vehicle?.id ?? null,
  };
}

export function inverterView(core: SimCore, inverter: InverterRecord) {
  const common = commonDeviceView(core, inverter);
  const stateAt =
    common.current_state_last_updated_at === null ? null : Date.parse(common.current_state_last_updated_at);
  const reading = stateAt === null ? null : inverterModel(core, inverter).readingAt(stateAt);
  return {
    ...common,
    current_mode: null,
    solar_power_rating_kw: inverter.solar_power_rating_kw,
    is_battery_connected: inverter.is_battery_connected,
    battery_capacity_kwh: inverter.battery_capacity_kwh,
    min_battery_charge: inverter.min_battery_charge,
    max_battery_charge: inverter.max_battery_charge,
    current_power_to_grid_w: reading?.current_power_to_grid_w ?? null,
    current_solar_production_w: reading?.solar_production_w ?? null,
    household_consumption_w: reading?.household_consumption_w ?? null,
    solar_surplus_w: reading?.solar_surplus_w ?? null,
    battery_charge_level_percent: reading?.battery_charge_level_percent ?? null,
    battery_charge_discharge_power_w: reading?.battery_charge_discharge_power_w ?? null,
  };
}

/** E11's session: the current one while plugged in. */
export function currentSessionView(core: SimCore, vehicle: ElectricVehicleRecord) {
  const state = vehicle.charging;
  if (!vehicle.is_authenticated || state.session === null) return null;
  return sessionItem(electricVehicleContext(core, vehicle), state, state.session, null);
}
