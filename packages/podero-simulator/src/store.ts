/**
 * In-memory state of the simulated Podero: users, buildings, onboarding sessions, heat pumps and
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

export const heatPumpRecordSchema = z.object({
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

/**
 * A pending action ("cue") on a heat pump (contract §3.12). `secrets` are the signed values handed out in
 * `actions[].resolution_link.url`, each valid for an hour of simulated time; `page_token` is the single-use
 * key of the re-authentication page a `resolve` opened.
 */
export const cueRecordSchema = z.object({
  id: z.string(),
  action_id: z.string(),
  org_id: z.string(),
  heat_pump_id: z.string(),
  code: z.enum(['reauthenticate', 'information']),
  message: nullableString,
  /** pending: nothing started; in_progress: `resolve` was called; done: reported or read (no longer active). */
  state: z.enum(['pending', 'in_progress', 'done']),
  created_at: z.string(),
  secrets: z.array(z.object({ value: z.string(), issued_at_ms: z.number() })),
  success_url: nullableString,
  cancel_url: nullableString,
  page_token: nullableString,
});
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

  /** The heat pump's cues that are still active (pending or in progress), oldest first. */
  activeCuesOf(heatPumpId: string): CueRecord[] {
    return [...this.cues.values()].filter((cue) => cue.heat_pump_id === heatPumpId && cue.state !== 'done');
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
