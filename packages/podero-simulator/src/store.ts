/**
 * In-memory state of the simulated Podero: users, buildings, onboarding sessions, devices of every kind and
 * tokens, each tagged with its organisation. Records are kept in (mostly) wire shape so views stay thin.
 * The same zod schemas validate a persisted state file when it is loaded back.
 */
import * as z from 'zod';
import { ENERGY_CONTRACT_TYPES, OPTIMIZATION_LEVELS, PRICE_ZONES, ROLES } from './wire';

const nullableString = z.string().nullable();
const nullableNumber = z.number().nullable();

export const userRecordSchema = z.object({
  id: z.string(),
  organization_id: z.string(),
  role: z.enum(ROLES),
  email: z.string(),
  external_user_id: nullableString,
  first_name: nullableString,
  last_name: nullableString,
  is_onboarded: z.boolean().nullable(),
  street_and_number: nullableString,
  street_add_info: nullableString,
  zip_code: nullableString,
  town: nullableString,
  country: nullableString,
  latitude: nullableNumber,
  longitude: nullableNumber,
  last_login: nullableString,
  joined_at: nullableString,
  deleted_at: nullableString,
});
export type UserRecord = z.infer<typeof userRecordSchema>;

export const buildingRecordSchema = z.object({
  id: z.string(),
  org_id: z.string(),
  user_id: z.string(),
  name: z.string(),
  property_type: nullableString,
  property_size_m2: nullableNumber,
  property_age: nullableNumber,
  num_occupants: nullableNumber,
  occupant_type: nullableString,
  space_heating: nullableString,
  water_heating: nullableString,
  photovoltaic: z.boolean().nullable(),
  street_and_number: nullableString,
  street_add_info: nullableString,
  zip_code: nullableString,
  town: nullableString,
  country: nullableString,
});
export type BuildingRecord = z.infer<typeof buildingRecordSchema>;

export const onboardingRecordSchema = z.object({
  id: z.string(),
  org_id: z.string(),
  user_id: z.string(),
  language: z.string(),
  price_zone_default: z.enum(PRICE_ZONES),
  is_smart_optimization_active_default: z.boolean(),
  success_url: z.string(),
  cancel_url: z.string(),
  building_id: nullableString,
  device_type: nullableString,
  created_at: z.string(),
  /** `YYYY-MM-DD`: the session is valid until the end of this day (UTC). */
  expiration_date: z.string(),
  object_id: nullableString,
  used_at: nullableString,
});
export type OnboardingRecord = z.infer<typeof onboardingRecordSchema>;

export const deviceModelRecordSchema = z.object({
  device_type: z.object({ short_name: z.string(), long_name: z.string() }),
  manufacturer: nullableString,
  model: nullableString,
  year: nullableNumber,
  cloud_service: nullableString,
  cloud_service_instructions: nullableString,
  cloud_service_signup_link: nullableString,
});
export type DeviceModelRecord = z.infer<typeof deviceModelRecordSchema>;

/** Fields every device kind's record carries (the contract's common device fields, §3.5). */
const deviceCommonRecordShape = {
  id: z.string(),
  org_id: z.string(),
  owner_id: z.string(),
  building: nullableString,
  created_at: z.string(),
  updated_at: z.string(),
  deleted_at: nullableString,
  /** When the manufacturer connection went live; the living model produces data from then on. */
  connected_at: nullableString,
  price_zone: z.enum(PRICE_ZONES),
  device_model: deviceModelRecordSchema,
  lifecycle_state: z.string(),
  lifecycle_error: nullableString,
  is_authenticated: z.boolean(),
  external_device_id: z.string(),
  optimization_score: z.number(),
  is_pause_power_active: z.boolean(),
  pause_power_until: nullableString,
  is_smart_optimization_active: z.boolean(),
  comment: nullableString,
  last_monitoring_executed_at: nullableString,
  is_inverter_forced_mode_enabled: z.boolean(),
  is_forecasting_enabled: z.boolean(),
  is_trading_enabled: z.boolean(),
  actual_steering_state: z.string(),
  /** Health faults (device-health-faults.ts): absent in files written before them, and on a healthy device. */
  reporting_stopped_at: nullableString.optional(),
  steering_fault: z.enum(['warning', 'error']).nullable().optional(),
};
const deviceCommonRecordSchema = z.object(deviceCommonRecordShape);
/** What the shared device code (connection, cues, D1, views) needs of any kind's record. */
export type DeviceRecord = z.infer<typeof deviceCommonRecordSchema>;

export const heatPumpRecordSchema = z.object({
  ...deviceCommonRecordShape,
  indoor_target_temperature_offset: z.number(),
  dhw_standard_temperature: nullableNumber,
  is_hot_water_heating_enabled: z.boolean(),
  is_space_heating_enabled: z.boolean(),
  is_pool_heating_enabled: z.boolean(),
  is_space_cooling_enabled: z.boolean(),
  heating_policy_name: nullableString,
  maximum_temperature_limit: nullableNumber,
  minimum_temperature_limit: nullableNumber,
  minimum_dhw_temperature_limit: nullableNumber,
  is_heating_policy_enabled: z.boolean(),
  away_mode_start: nullableString,
  away_mode_end: nullableString,
  is_away_mode_enabled: z.boolean(),
  away_mode_minimum_temperature_limit: nullableNumber,
  optimization_level: z.enum(OPTIMIZATION_LEVELS),
});
export type HeatPumpRecord = z.infer<typeof heatPumpRecordSchema>;

/** A completed (or, while plugged in, the current) charging session in E10's `SessionItem` shape. */
export const chargingSessionRecordSchema = z.object({
  id: z.string(),
  plug_in_time: z.string(),
  unplug_time: nullableString,
  inferred_session_end: nullableString,
  desired_charging_start_time: nullableString,
  desired_charging_end_time: nullableString,
  charge_deadline: nullableString,
  target_soc_pct: z.number(),
  initial_soc_pct: z.number(),
  final_soc_pct: z.number(),
  energy_charged_kwh: z.number(),
  avg_charge_power_kw: z.number(),
  peak_charge_power_kw: z.number(),
  actual_cost_eur: z.number(),
  expected_savings_eur: z.number(),
  actual_savings_eur: z.number(),
  is_at_home: z.boolean(),
  session_outcome: z.string(),
});
export type ChargingSessionRecord = z.infer<typeof chargingSessionRecordSchema>;

/**
 * A car on a charger, stepped forward on the simulated clock by `model/charging.ts` (an EV's own car, or the
 * virtual car of a wallbox without a connected EV). `at_ms` is the instant the state describes.
 */
export const chargingStateSchema = z.object({
  at_ms: z.number(),
  battery_level: z.number(),
  plugged_in: z.boolean(),
  at_home: z.boolean(),
  /** Left home for the day's trip and not back yet (the trip's energy is taken at arrival). */
  driving: z.boolean(),
  charging_w: z.number(),
  boost: z.enum(['none', 'requested', 'ongoing']),
  boost_requested_at_ms: nullableNumber,
  boost_armed: z.boolean(),
  session: z
    .object({
      id: z.string(),
      plug_in_ms: z.number(),
      initial_soc: z.number(),
      energy_kwh: z.number(),
      charging_ms: z.number(),
      peak_w: z.number(),
      cost_eur: z.number(),
      desired_start_ms: nullableNumber,
      desired_end_ms: nullableNumber,
    })
    .nullable(),
  /** Completed sessions, oldest first (the newest few hundred are kept). */
  sessions: z.array(chargingSessionRecordSchema),
});
export type ChargingState = z.infer<typeof chargingStateSchema>;

const dayPolicyRecordSchema = z.object({ charge_percentage: z.number(), charge_deadline: z.string() });
export const weeklyPolicyRecordSchema = z.object({
  mon: dayPolicyRecordSchema,
  tue: dayPolicyRecordSchema,
  wed: dayPolicyRecordSchema,
  thu: dayPolicyRecordSchema,
  fri: dayPolicyRecordSchema,
  sat: dayPolicyRecordSchema,
  sun: dayPolicyRecordSchema,
  timezone: z.string(),
});
export type WeeklyPolicyRecord = z.infer<typeof weeklyPolicyRecordSchema>;

export const electricVehicleRecordSchema = z.object({
  ...deviceCommonRecordShape,
  charge_target_min: z.number(),
  charge_target_max: nullableNumber,
  is_charge_policy_enabled: z.boolean(),
  charge_deadline_at: z.string(),
  minimum_charge_limit: z.number(),
  charge_policy_last_updated_at: nullableString,
  charge_rate_w: z.number(),
  battery_capacity_kwh: z.number(),
  kwh_per_km: z.number(),
  charge_policy: weeklyPolicyRecordSchema,
  charging: chargingStateSchema,
});
export type ElectricVehicleRecord = z.infer<typeof electricVehicleRecordSchema>;

export const wallboxRecordSchema = z.object({
  ...deviceCommonRecordShape,
  charge_target_min: z.number(),
  charge_target_max: z.number(),
  charge_power_max_w: z.number(),
  is_charge_policy_enabled: z.boolean(),
  charge_policy_last_updated_at: nullableString,
  minimum_charge_limit: z.number(),
  charge_deadline_at: z.string(),
  is_over_charge_allowed: z.boolean(),
  is_ocpp_connected: z.boolean(),
  firmware_version: nullableString,
  /** The virtual car on the box while no EV of the owner is connected. */
  charging: chargingStateSchema,
});
export type WallboxRecord = z.infer<typeof wallboxRecordSchema>;

export const inverterRecordSchema = z.object({
  ...deviceCommonRecordShape,
  solar_power_rating_kw: z.number(),
  is_battery_connected: z.boolean(),
  battery_capacity_kwh: nullableNumber,
  min_battery_charge: z.number(),
  max_battery_charge: z.number(),
  /** Control plane: a fixed share of clear-sky production (0..1) instead of the weather; null: weather. */
  sun_override: nullableNumber,
  /** Control plane: the battery level set at an instant (holds until the end of that UTC day). */
  battery_override: z.object({ at_ms: z.number(), level: z.number() }).nullable(),
});
export type InverterRecord = z.infer<typeof inverterRecordSchema>;

export const chargingConfigRecordSchema = z.object({
  user_id: z.string(),
  mode: z.enum(['none', 'spot', 'hems', 'hems_and_spot']),
  updated_at: nullableString,
});
export type ChargingConfigRecord = z.infer<typeof chargingConfigRecordSchema>;

/** W6: a one-time wallbox claim token; `claimed_at` is set when a box used it (then it is spent). */
export const claimTokenRecordSchema = z.object({
  token: z.string(),
  org_id: z.string(),
  user_id: z.string(),
  onboarding_session_id: nullableString,
  created_at: z.string(),
  expires_at: z.string(),
  claimed_at: nullableString,
  wallbox_id: nullableString,
});
export type ClaimTokenRecord = z.infer<typeof claimTokenRecordSchema>;

/** §3.10: a re-authentication session; `page_token` keys its single-use page in the Connect UI. */
export const authSessionRecordSchema = z.object({
  id: z.string(),
  org_id: z.string(),
  device_id: z.string(),
  success_url: nullableString,
  cancel_url: nullableString,
  page_token: nullableString,
  created_at: z.string(),
});
export type AuthSessionRecord = z.infer<typeof authSessionRecordSchema>;

/**
 * A pending action ("cue") on a device (contract §3.12). `secrets` are the signed values handed out in
 * `actions[].resolution_link.url`, each valid for an hour of simulated time; `page_token` is the single-use
 * key of the re-authentication page a `resolve` opened.
 */
export const cueRecordSchema = z.preprocess(
  // Files written before other device kinds existed name the device `heat_pump_id`.
  (raw) =>
    raw !== null && typeof raw === 'object' && 'heat_pump_id' in raw && !('device_id' in raw)
      ? (({ heat_pump_id, ...rest }: Record<string, unknown>) => ({ ...rest, device_id: heat_pump_id }))(
          raw as Record<string, unknown>,
        )
      : raw,
  z.object({
    id: z.string(),
    action_id: z.string(),
    org_id: z.string(),
    /** The device (of any kind) whose action this is. */
    device_id: z.string(),
    code: z.enum(['reauthenticate', 'information']),
    message: nullableString,
    /** pending: nothing started; in_progress: `resolve` was called; done: reported or read (no longer active). */
    state: z.enum(['pending', 'in_progress', 'done']),
    created_at: z.string(),
    secrets: z.array(z.object({ value: z.string(), issued_at_ms: z.number() })),
    success_url: nullableString,
    cancel_url: nullableString,
    page_token: nullableString,
  }),
);
export type CueRecord = z.infer<typeof cueRecordSchema>;

export const energyContractRecordSchema = z.object({
  id: z.string(),
  org_id: z.string(),
  user_id: z.string(),
  energy_contract_type: z.enum(ENERGY_CONTRACT_TYPES).nullable(),
  energy_prices: z.array(z.object({ price: z.number(), timestamp: z.string() })),
  building_id: nullableString,
  meter_id: nullableString,
  supplier: nullableString,
  currency_energy_price: nullableString,
  energy_price_includes_external_components: z.boolean().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type EnergyContractRecord = z.infer<typeof energyContractRecordSchema>;

export const tokenRecordSchema = z.object({
  token: z.string(),
  org_id: z.string(),
  expires_at_ms: z.number(),
});
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

export const persistedStateSchema = z.object({
  version: z.literal(1),
  clock_ms: z.number(),
  users: z.array(userRecordSchema),
  buildings: z.array(buildingRecordSchema),
  onboarding_sessions: z.array(onboardingRecordSchema),
  heat_pumps: z.array(heatPumpRecordSchema),
  tokens: z.array(tokenRecordSchema),
  /** Absent in files written before cues existed. */
  cues: z.array(cueRecordSchema).default([]),
  /** Absent in files written before energy contracts existed. */
  energy_contracts: z.array(energyContractRecordSchema).default([]),
  /** Absent in files written before the other device kinds existed. */
  electric_vehicles: z.array(electricVehicleRecordSchema).default([]),
  wallboxes: z.array(wallboxRecordSchema).default([]),
  inverters: z.array(inverterRecordSchema).default([]),
  charging_configs: z.array(chargingConfigRecordSchema).default([]),
  claim_tokens: z.array(claimTokenRecordSchema).default([]),
  auth_sessions: z.array(authSessionRecordSchema).default([]),
});
export type PersistedState = z.infer<typeof persistedStateSchema>;

/** Maps keep insertion order, which is the order lists are returned in (oldest first). */
export class Store {
  readonly users = new Map<string, UserRecord>();
  readonly buildings = new Map<string, BuildingRecord>();
  readonly onboardingSessions = new Map<string, OnboardingRecord>();
  readonly heatPumps = new Map<string, HeatPumpRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly cues = new Map<string, CueRecord>();
  readonly energyContracts = new Map<string, EnergyContractRecord>();
  readonly electricVehicles = new Map<string, ElectricVehicleRecord>();
  readonly wallboxes = new Map<string, WallboxRecord>();
  readonly inverters = new Map<string, InverterRecord>();
  /** user id -> the user's charging configuration (absent: the default). */
  readonly chargingConfigs = new Map<string, ChargingConfigRecord>();
  readonly claimTokens = new Map<string, ClaimTokenRecord>();
  readonly authSessions = new Map<string, AuthSessionRecord>();
  /** user id -> ids of the user's heat pumps and buildings, so per-user lists do not scan everything. */
  private readonly heatPumpIdsByOwner = new Map<string, string[]>();
  private readonly buildingIdsByUser = new Map<string, string[]>();

  clear(): void {
    this.users.clear();
    this.buildings.clear();
    this.onboardingSessions.clear();
    this.heatPumps.clear();
    this.tokens.clear();
    this.cues.clear();
    this.energyContracts.clear();
    this.electricVehicles.clear();
    this.wallboxes.clear();
    this.inverters.clear();
    this.chargingConfigs.clear();
    this.claimTokens.clear();
    this.authSessions.clear();
    this.heatPumpIdsByOwner.clear();
    this.buildingIdsByUser.clear();
  }

  addUser(user: UserRecord): void {
    this.users.set(user.id, user);
  }

  addBuilding(building: BuildingRecord): void {
    this.buildings.set(building.id, building);
    pushTo(this.buildingIdsByUser, building.user_id, building.id);
  }

  removeBuilding(building: BuildingRecord): void {
    this.buildings.delete(building.id);
    const ids = this.buildingIdsByUser.get(building.user_id);
    if (ids)
      this.buildingIdsByUser.set(
        building.user_id,
        ids.filter((id) => id !== building.id),
      );
  }

  addHeatPump(heatPump: HeatPumpRecord): void {
    this.heatPumps.set(heatPump.id, heatPump);
    pushTo(this.heatPumpIdsByOwner, heatPump.owner_id, heatPump.id);
  }

  heatPumpsOf(userId: string): HeatPumpRecord[] {
    return (this.heatPumpIdsByOwner.get(userId) ?? []).flatMap((id) => {
      const heatPump = this.heatPumps.get(id);
      return heatPump ? [heatPump] : [];
    });
  }

  /** The device's cues that are still active (pending or in progress), oldest first. */
  activeCuesOf(deviceId: string): CueRecord[] {
    return [...this.cues.values()].filter((cue) => cue.device_id === deviceId && cue.state !== 'done');
  }

  /** The user's devices of one kind, oldest first, deleted ones included (callers filter). */
  electricVehiclesOf(userId: string): ElectricVehicleRecord[] {
    return [...this.electricVehicles.values()].filter((device) => device.owner_id === userId);
  }

  wallboxesOf(userId: string): WallboxRecord[] {
    return [...this.wallboxes.values()].filter((device) => device.owner_id === userId);
  }

  invertersOf(userId: string): InverterRecord[] {
    return [...this.inverters.values()].filter((device) => device.owner_id === userId);
  }

  buildingsOf(userId: string): BuildingRecord[] {
    return (this.buildingIdsByUser.get(userId) ?? []).flatMap((id) => {
      const building = this.buildings.get(id);
      return building ? [building] : [];
    });
  }

  snapshot(clockMs: number): PersistedState {
    return {
      version: 1,
      clock_ms: clockMs,
      users: [...this.users.values()],
      buildings: [...this.buildings.values()],
      onboarding_sessions: [...this.onboardingSessions.values()],
      heat_pumps: [...this.heatPumps.values()],
      tokens: [...this.tokens.values()],
      cues: [...this.cues.values()],
      energy_contracts: [...this.energyContracts.values()],
      electric_vehicles: [...this.electricVehicles.values()],
      wallboxes: [...this.wallboxes.values()],
      inverters: [...this.inverters.values()],
      charging_configs: [...this.chargingConfigs.values()],
      claim_tokens: [...this.claimTokens.values()],
      auth_sessions: [...this.authSessions.values()],
    };
  }

  restore(state: PersistedState): void {
    this.clear();
    for (const user of state.users) this.addUser(user);
    for (const building of state.buildings) this.addBuilding(building);
    for (const session of state.onboarding_sessions) this.onboardingSessions.set(session.id, session);
    for (const heatPump of state.heat_pumps) this.addHeatPump(heatPump);
    for (const token of state.tokens) this.tokens.set(token.token, token);
    for (const cue of state.cues) this.cues.set(cue.id, cue);
    for (const contract of state.energy_contracts) this.energyContracts.set(contract.id, contract);
    for (const device of state.electric_vehicles) this.electricVehicles.set(device.id, device);
    for (const device of state.wallboxes) this.wallboxes.set(device.id, device);
    for (const device of state.inverters) this.inverters.set(device.id, device);
    for (const config of state.charging_configs) this.chargingConfigs.set(config.user_id, config);
    for (const claim of state.claim_tokens) this.claimTokens.set(claim.token, claim);
    for (const session of state.auth_sessions) this.authSessions.set(session.id, session);
  }

  /** The user's energy contracts, oldest first. */
  energyContractsOf(userId: string): EnergyContractRecord[] {
    return [...this.energyContracts.values()].filter((contract) => contract.user_id === userId);
  }
}

function pushTo(index: Map<string, string[]>, key: string, value: string): void {
  const list = index.get(key);
  if (list) list.push(value);
  else index.set(key, [value]);
}
