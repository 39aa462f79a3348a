/** Records -> response bodies in the contract's [REF] shapes. */
import { iso, type SimCore } from './core';
import { actionsView } from './cues';
import { reportingNowMs, steeringFaultOf } from './model/device-health';
import { connectionHiccupAt, isPaused, profileFor, readingAt } from './model/living';
import type { BuildingRecord, HeatPumpRecord, OnboardingRecord, UserRecord } from './store';

export function userView(core: SimCore, user: UserRecord) {
  const live = (devices: { deleted_at: string | null }[]) =>
    devices.filter((device) => device.deleted_at === null).length;
  const numHeatPumps = live(core.store.heatPumpsOf(user.id));
  return {
    id: user.id,
    organization_id: user.organization_id,
    role: user.role,
    email: user.email,
    num_inverters: live(core.store.invertersOf(user.id)),
    num_heat_pumps: numHeatPumps,
    num_electric_vehicles: live(core.store.electricVehiclesOf(user.id)),
    num_wallboxes: live(core.store.wallboxesOf(user.id)),
    external_user_id: user.external_user_id,
    first_name: user.first_name,
    last_name: user.last_name,
    is_onboarded: user.is_onboarded,
    street_and_number: user.street_and_number,
    street_add_info: user.street_add_info,
    zip_code: user.zip_code,
    town: user.town,
    country: user.country,
    latitude: user.latitude,
    longitude: user.longitude,
    last_login: user.last_login,
    joined_at: user.joined_at,
    // Not in the reference shape: shown only on a soft-deleted user (include_deleted reads), [INFERRED].
    ...(user.deleted_at === null ? {} : { deleted_at: user.deleted_at }),
  };
}

export function buildingView(building: BuildingRecord) {
  const { org_id: _org, user_id: _user, ...wire } = building;
  return wire;
}

export function onboardingView(core: SimCore, session: OnboardingRecord) {
  return {
    id: session.id,
    authentication_url: `${core.baseUrl()}/connect?onboarding_session_id=${session.id}`,
    user: session.user_id,
    success_url: session.success_url,
    cancel_url: session.cancel_url,
    expiration_date: session.expiration_date,
    object_id: session.object_id,
    external_metadata: {},
    price_zone_default: session.price_zone_default,
    language: session.language,
    is_smart_optimization_active_default: session.is_smart_optimization_active_default,
    building_id: session.building_id,
    device_type: session.device_type,
  };
}

/**
 * The instant a heat pump last reported: now rounded down to the state interval (never before it
 * connected). Two reads within one interval see the same timestamp and the same values.
 */
export function stateInstant(core: SimCore, heatPump: HeatPumpRecord): number | null {
  if (!heatPump.is_authenticated || heatPump.connected_at === null) return null;
  const intervalMs = core.stateIntervalSeconds * 1000;
  // A device that stopped reporting (a health fault) keeps the state of its last report.
  const now = reportingNowMs(core, heatPump);
  const stepped = now - (now % intervalMs);
  return Math.max(stepped, Date.parse(heatPump.connected_at));
}

export function heatPumpView(core: SimCore, heatPump: HeatPumpRecord) {
  const owner = core.store.users.get(heatPump.owner_id);
  const stateAt = stateInstant(core, heatPump);
  const reading =
    stateAt === null
      ? null
      : readingAt(core.seed, heatPump.id, profileFor(core.seed, heatPump.id), heatPump, stateAt);
  const live = stateAt !== null;
  const hiccup = stateAt !== null && connectionHiccupAt(core.seed, heatPump.id, stateAt);
  return {
    id: heatPump.id,
    connection_status: !live ? 'unknown' : hiccup ? 'warning' : 'ok',
    monitoring_status: live ? 'ok' : 'unknown',
    // Paused consumption means Podero cannot steer right now.
    steering_status:
      steeringFaultOf(heatPump) ??
      (!live || !heatPump.is_smart_optimization_active
        ? 'unknown'
        : isPaused(heatPump, stateAt)
          ? 'warning'
          : 'ok'),
    device_model: heatPump.device_model,
    owner: {
      id: heatPump.owner_id,
      email: owner?.email ?? null,
      first_name: owner?.first_name ?? null,
      last_name: owner?.last_name ?? null,
      external_id: owner?.external_user_id ?? null,
    },
    created_at: heatPump.created_at,
    updated_at: heatPump.updated_at,
    price_zone: heatPump.price_zone,
    deleted_at: heatPump.deleted_at,
    lifecycle_state: heatPump.lifecycle_state,
    lifecycle_error: heatPump.lifecycle_error,
    building: heatPump.building,
    pause_power_until: heatPump.pause_power_until,
    is_pause_power_active: heatPump.is_pause_power_active,
    external_device_id: heatPump.external_device_id,
    is_authenticated: heatPump.is_authenticated,
    is_smart_optimization_active: heatPump.is_smart_optimization_active,
    optimization_score: heatPump.optimization_score,
    current_mode: reading?.current_mode ?? null,
    comment: heatPump.comment,
    current_state_last_updated_at: stateAt === null ? null : iso(stateAt),
    last_monitoring_executed_at:
      heatPump.last_monitoring_executed_at ?? (stateAt === null ? null : iso(stateAt)),
    is_inverter_forced_mode_enabled: heatPump.is_inverter_forced_mode_enabled,
    is_inverter_forced_mode_active: false,
    inverter_forced_mode_since: '0001-01-01T00:00:00Z',
    is_forecasting_enabled: heatPump.is_forecasting_enabled,
    is_trading_enabled: heatPump.is_trading_enabled,
    actual_steering_state: heatPump.actual_steering_state,
    ...actionsView(core, heatPump),
    optimization_level: heatPump.optimization_level,
    indoor_target_temperature_offset: heatPump.indoor_target_temperature_offset,
    dhw_standard_temperature: heatPump.dhw_standard_temperature,
    is_hot_water_heating_enabled: heatPump.is_hot_water_heating_enabled,
    is_space_heating_enabled: heatPump.is_space_heating_enabled,
    is_pool_heating_enabled: heatPump.is_pool_heating_enabled,
    is_space_cooling_enabled: heatPump.is_space_cooling_enabled,
    heating_policy_name: heatPump.heating_policy_name,
    maximum_temperature_limit: heatPump.maximum_temperature_limit,
    minimum_temperature_limit: heatPump.minimum_temperature_limit,
    minimum_dhw_temperature_limit: heatPump.minimum_dhw_temperature_limit,
    is_heating_policy_enabled: heatPump.is_heating_policy_enabled,
    away_mode_start: heatPump.away_mode_start,
    away_mode_end: heatPump.away_mode_end,
    is_away_mode_enabled: heatPump.is_away_mode_enabled,
    away_mode_minimum_temperature_limit: heatPump.away_mode_minimum_temperature_limit,
    current_power_consumption_w: reading?.current_power_consumption_w ?? null,
    outdoor_temperature: reading?.outdoor_temperature ?? null,
    indoor_actual_temperature: reading?.indoor_actual_temperature ?? null,
    indoor_target_temperature: reading?.indoor_target_temperature ?? null,
    inlet_temperature: reading?.inlet_temperature ?? null,
    outlet_temperature: reading?.outlet_temperature ?? null,
    dhw_temperature: reading?.dhw_temperature ?? null,
    dhw_target_temperature: reading?.dhw_target_temperature ?? null,
  };
}
