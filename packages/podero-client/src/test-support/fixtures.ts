/** Example payloads copied from the Podero contract (docs/podero-api.md). */
import {
  BUILDING_ID,
  ELECTRIC_VEHICLE_ID,
  HEAT_PUMP_ID,
  INVERTER_ID,
  ORG_ID,
  SESSION_ID,
  USER_ID,
  WALLBOX_ID,
} from './fake-fetch';

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

/** An electric vehicle in the reference's shape (§3.7), with its examples. */
export const referenceElectricVehicle = {
  id: ELECTRIC_VEHICLE_ID,
  connection_status: 'ok',
  monitoring_status: 'ok',
  steering_status: 'ok',
  device_model: {
    device_type: { short_name: 'ev', long_name: 'Electric Vehicle' },
    manufacturer: 'Tesla',
    model: 'Model 3',
    year: 2023,
  },
  owner: { id: USER_ID, email: 'user@example.com' },
  price_zone: 'AT',
  deleted_at: null,
  is_authenticated: true,
  is_smart_optimization_active: true,
  actions: [],
  charge_target_min: 50,
  charge_target_max: 80,
  is_charge_policy_enabled: true,
  charge_deadline_at: '07:00',
  minimum_charge_limit: 75,
  charge_policy_last_updated_at: '2023-03-22T13:54:34.000Z',
  is_plugged_in: true,
  is_charging: false,
  is_fully_charged: false,
  charge_rate_w: 7400,
  battery_level: 90,
  battery_capacity_kwh: 79.5,
  driving_range: 280,
  boost_state: 'available',
};

/** E8's answer. */
export const chargePolicyExample = {
  metadata: { electric_vehicle_id: ELECTRIC_VEHICLE_ID, user_id: USER_ID, error: '' },
  data: {
    mon: { charge_percentage: 80, charge_deadline: '07:00' },
    tue: { charge_percentage: 80, charge_deadline: '07:00' },
    wed: { charge_percentage: 80, charge_deadline: '07:00' },
    thu: { charge_percentage: 80, charge_deadline: '07:00' },
    fri: { charge_percentage: 80, charge_deadline: '07:00' },
    sat: { charge_percentage: 60, charge_deadline: '10:00' },
    sun: { charge_percentage: 60, charge_deadline: '10:00' },
    timezone: 'Europe/Vienna',
  },
};

/** One E10 session item with every documented field. */
export const chargingSessionExample = {
  id: '5d6e7f80-91a2-4b3c-8d4e-5f60718293a4',
  plug_in_time: '2024-01-14T18:02:00Z',
  unplug_time: '2024-01-15T07:10:00Z',
  inferred_session_end: '2024-01-15T04:30:00Z',
  desired_charging_start_time: '2024-01-15T01:00:00Z',
  desired_charging_end_time: '2024-01-15T04:30:00Z',
  charge_deadline: '2024-01-15T06:00:00Z',
  target_soc_pct: 80,
  initial_soc_pct: 35,
  final_soc_pct: 80,
  energy_charged_kwh: 35.8,
  avg_charge_power_kw: 7.1,
  peak_charge_power_kw: 7.4,
  actual_cost_eur: 4.2,
  expected_savings_eur: 1.1,
  actual_savings_eur: 1.3,
  is_at_home: true,
  session_outcome: 'not_at_home',
};

/** A wallbox in the reference's shape (§3.8). */
export const referenceWallbox = {
  id: WALLBOX_ID,
  connection_status: 'ok',
  device_model: { manufacturer: 'Zaptec', model: 'Go', device_type: null },
  is_authenticated: true,
  is_smart_optimization_active: true,
  is_forecasting_enabled: true,
  charge_target_min: 50,
  charge_target_max: 80,
  charge_power_max_w: 7000,
  is_charge_policy_enabled: false,
  minimum_charge_limit: 80,
  charge_deadline_at: '07:00',
  mode: 'PLUGGED_IN',
  connection: 'online',
};

/** W6's 201. */
export const claimTokenExample = {
  token: 'wb-claim-9f8e7d6c5b4a',
  wss_url: 'wss://ocpp.podero.test/claim',
  expires_at: '2024-01-15T11:30:00Z',
};

/** A solar inverter with a battery in the reference's shape (§3.9): discharging, exporting. */
export const referenceInverter = {
  id: INVERTER_ID,
  connection_status: 'ok',
  device_model: {
    device_type: { short_name: 'inverter', long_name: 'Solar Inverter' },
    manufacturer: 'Fronius',
    model: 'Symo GEN24 10.0 Plus',
  },
  is_authenticated: true,
  solar_power_rating_kw: 10.2,
  is_battery_connected: true,
  battery_capacity_kwh: 10.0,
  min_battery_charge: 20,
  max_battery_charge: 90,
  current_power_to_grid_w: 1200,
  current_solar_production_w: 4100,
  household_consumption_w: 3400,
  solar_surplus_w: 700,
  battery_charge_level_percent: 64,
  battery_charge_discharge_power_w: 500,
  current_state_last_updated_at: '2024-01-15T10:30:00Z',
};

/** I6's example answer. */
export const inverterDataExample = {
  metadata: {},
  data: [
    {
      time: '2021-01-01T00:00:00Z',
      price: 52.1,
      solar_production_w: 1000,
      export_power_to_grid_w: 100,
      household_consumption_w: 900,
      battery_charge_level_percent: 50,
      battery_charge_discharge_power_w: 900,
      estimated_consumption: 900,
      unoptimized_consumption: 900,
    },
  ],
};
