/** Example payloads copied from the Podero contract (docs/podero-api.md). */
import { BUILDING_ID, HEAT_PUMP_ID, ORG_ID, SESSION_ID, USER_ID } from './fake-fetch';

export const tokenExample = {
  access_token: 'PaZDOD5UwzbGOFsQr34LQ7JUYOj3yK',
  expires_in: 36000,
  token_type: 'Bearer',
  scope: 'read write',
};

/** Reference shape of the user object (U1/U6). */
export const referenceUser = {
  id: USER_ID,
  organization_id: ORG_ID,
  role: 'user',
  email: 'user@example.com',
  num_inverters: 0,
  num_heat_pumps: 1,
  num_electric_vehicles: 0,
  num_wallboxes: 0,
  external_user_id: 'crm-42',
  first_name: null,
  last_name: null,
  is_onboarded: null,
  street_and_number: null,
  street_add_info: null,
  zip_code: '1010',
  town: null,
  country: null,
  latitude: null,
  longitude: null,
  last_login: null,
  joined_at: '2024-01-15T10:30:00Z',
};

/** The getting-started guide's older create-user response (location_last_updated, no counters). */
export const gettingStartedUser = {
  id: USER_ID,
  external_user_id: null,
  role: 'user',
  email: 'user@example.com',
  first_name: null,
  last_name: null,
  street_and_number: null,
  street_add_info: null,
  zip_code: null,
  town: null,
  country: null,
  latitude: null,
  longitude: null,
  location_last_updated: null,
};

export const buildingExample = {
  id: BUILDING_ID,
  name: 'Main House',
  property_type: 'Detached',
  property_size_m2: 140,
  property_age: null,
  num_occupants: 4,
  occupant_type: 'Students',
  space_heating: 'Gas boiler',
  water_heating: null,
  photovoltaic: false,
  street_and_number: null,
  street_add_info: null,
  zip_code: null,
  town: null,
  country: null,
};

export const onboardingSessionExample = {
  authentication_url: `https://connect.podero.com?onboarding_session_id=${SESSION_ID}`,
  id: SESSION_ID,
  user: USER_ID,
  success_url: 'https://www.success.com',
  cancel_url: 'https://www.error.com',
  expiration_date: '2024-08-24',
  object_id: null,
  external_metadata: {},
};

/** Appendix A: the getting-started guide's heat-pump list (older shape). */
export const appendixAHeatPumps = [
  {
    id: HEAT_PUMP_ID,
    created_at: '2024-01-15T10:30:00Z',
    updated_at: '2024-01-15T14:25:00Z',
    owner: { id: USER_ID, email: 'user@example.com' },
    building: BUILDING_ID,
    is_authenticated: true,
    is_smart_optimization_active: true,
    device_model: {
      manufacturer: 'Nibe',
      model: 'S-Series',
      device_type: { short_name: 'hp_atw', long_name: 'Heat Pump (Air-to-Water)' },
      year: null,
    },
    operational_mode: 'heating',
    current_power_consumption_w: 2500,
    indoor_actual_temperature: 21.5,
    outdoor_temperature: 5.3,
    consumption_last_day_kwh: 45.3,
    consumption_last_week_kwh: 287.6,
    consumption_last_month_kwh: 1204.8,
    authorization_url: null,
  },
];

/** A heat pump in the generated reference's shape, with values from the reference pages. */
export const referenceHeatPump = {
  id: HEAT_PUMP_ID,
  connection_status: 'ok',
  monitoring_status: 'ok',
  steering_status: 'unknown',
  device_model: {
    device_type: { short_name: 'hp_atw', long_name: 'Heat Pump (Air-to-Water)' },
    manufacturer: 'Nibe',
    model: 'S2125-8',
    cloud_service_instructions: '',
    cloud_service_signup_link: '',
    year: 2022,
    cloud_service: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  },
  owner: { id: USER_ID, email: 'user@example.com', first_name: 'Ada', last_name: 'L', external_id: 'crm-42' },
  created_at: '2023-11-07T05:31:56Z',
  updated_at: '2023-11-07T05:31:56Z',
  price_zone: 'AT',
  deleted_at: null,
  lifecycle_state: 'authenticated',
  lifecycle_error: null,
  building: null,
  pause_power_until: null,
  is_pause_power_active: false,
  external_device_id: '',
  is_authenticated: true,
  is_smart_optimization_active: true,
  optimization_score: 0.8,
  current_mode: 'mid',
  comment: null,
  current_state_last_updated_at: '2023-11-07T05:31:56Z',
  last_monitoring_executed_at: '2023-11-07T05:31:56Z',
  is_inverter_forced_mode_enabled: false,
  is_inverter_forced_mode_active: false,
  inverter_forced_mode_since: '0001-01-01T00:00:00Z',
  is_forecasting_enabled: true,
  is_trading_enabled: false,
  actual_steering_state: 'unknown',
  actions: [
    {
      code: 'reauthenticate',
      resolution_link: { url: 'https://app.podero.com/cues/1/resolve?secret=s', required_parameters: [] },
    },
  ],
  optimization_level: 'Mid',
  indoor_target_temperature_offset: 1.5,
  maximum_temperature_limit: 23.5,
  minimum_temperature_limit: 19.5,
  is_away_mode_enabled: true,
  current_power_consumption_w: 2341,
  outdoor_temperature: 9.3,
  indoor_actual_temperature: null,
  indoor_target_temperature: 22.0,
  inlet_temperature: 35.4,
  outlet_temperature: 42.1,
  dhw_temperature: 51.1,
};

export const statisticsExample = {
  metadata: { requested_at: '2024-01-15T10:30:00Z', query: {}, units: {}, error: '' },
  data: [
    {
      resolution: '1DAY',
      period: { start_period: '2024-01-14T00:00:00Z', end_period: '2024-01-15T00:00:00Z' },
      savings: { total: 1.25, percentage: 12.5 },
      consumption: { total: 45.3 },
      heat_pump: { estimated_consumption_wh: 45300 },
      electric_vehicle: { estimated_consumption_wh: 0, charge_session_count: 0, average_charge_power_w: 0 },
      inverter: { solar_production_wh: 0, grid_export_wh: 0 },
    },
  ],
};

export const heatPumpDataExample = {
  metadata: {},
  data: [
    {
      time: '2021-01-01T00:00:00Z',
      price: 52.1,
      inlet_temp_act: 35.2,
      hot_water_temp: 48.9,
      estimated_consumption: 900,
      simulated_consumption: 950,
      unoptimized_consumption: 1000,
      estimated_consumption_filtered: 910,
    },
    {
      time: '2021-01-01T00:15:00Z',
      price: null,
      inlet_temp_act: null,
      hot_water_temp: null,
      estimated_consumption: null,
      simulated_consumption: null,
      unoptimized_consumption: null,
      estimated_consumption_filtered: null,
    },
  ],
};
