/**
 * Wire types of the Podero Partner API v2.0, as zod schemas (the single source of the types).
 *
 * Two deliberately different strictness levels (see docs/podero-api.md):
 * - RESPONSE schemas are tolerant. Podero's documentation disagrees with itself in places and
 *   many fields are marked uncertain, so unknown fields are kept (`z.looseObject`), enum values we
 *   have not seen are accepted (`looseEnum`), and almost every field is optional. Only what a
 *   caller cannot do without (ids, the onboarding URL) is required.
 * - REQUEST schemas are strict (`z.strictObject`, exact enums, uuids, documented max lengths), so a
 *   typo or a bad value fails locally with a message naming the field, before anything is sent.
 */
import * as z from 'zod';
import {
  bool,
  deviceModelWriteSchema,
  deviceReadFields,
  deviceUpdateOnlyFields,
  deviceWritableFields,
  instantOrDateSchema,
  instantSchema,
  isoDateTime,
  jsonObject,
  looseEnum,
  num,
  oneOrMany,
  priceZoneSchema,
  text,
} from './schema-parts';
import { isDotSegment } from './urls';

// The enums every device kind carries live with the other shared parts; they were always exported here.
export {
  ACTION_CODES,
  DEVICE_STATUSES,
  deviceStatusSchema,
  LIFECYCLE_STATES,
  PRICE_ZONES,
  priceZoneSchema,
} from './schema-parts';

// ---------------------------------------------------------------------------------------------
// Enums (values exported so that other layers can reuse them for their own strict validation)
// ---------------------------------------------------------------------------------------------

export const LANGUAGES = ['sv', 'de', 'en', 'hu', 'it', 'et', 'pl', 'ro'] as const;
export const USER_ROLES = ['admin', 'staff', 'user', 'guest'] as const;
export const OPTIMIZATION_LEVELS = ['Low', 'Mid', 'Max'] as const;
export const HEAT_PUMP_MODES = ['min', 'low', 'mid', 'max'] as const;
export const PROPERTY_TYPES = [
  'Detached',
  'Semi-detached',
  'Bungalow',
  'Terraced',
  'End-terrace',
  'Flat',
] as const;
export const OCCUPANT_TYPES = [
  'Students',
  'Working adults',
  'At home adults',
  'Young family',
  'Older family',
  'Retirees',
] as const;
export const STATISTICS_RESOLUTIONS = ['1DAY', '1WEEK', '1MONTH', '1QUARTER', '1YEAR'] as const;
export const STATISTICS_KEYWORDS = ['savings', 'consumption'] as const;
export const DATA_RESOLUTIONS = ['15MIN', '1HOUR', '1DAY', '1WEEK', '1MONTH'] as const;
export const HEAT_PUMP_DATA_KEYWORDS = [
  'inlet_temp_act',
  'hot_water_temp',
  'estimated_consumption',
  'unoptimized_consumption',
  'price',
] as const;

export const languageSchema = z.enum(LANGUAGES);
export const userRoleSchema = z.enum(USER_ROLES);
export const optimizationLevelSchema = z.enum(OPTIMIZATION_LEVELS);
export const heatPumpModeSchema = z.enum(HEAT_PUMP_MODES);
export const propertyTypeSchema = z.enum(PROPERTY_TYPES);
export const occupantTypeSchema = z.enum(OCCUPANT_TYPES);
export const statisticsResolutionSchema = z.enum(STATISTICS_RESOLUTIONS);
export const statisticsKeywordSchema = z.enum(STATISTICS_KEYWORDS);
export const dataResolutionSchema = z.enum(DATA_RESOLUTIONS);
export const heatPumpDataKeywordSchema = z.enum(HEAT_PUMP_DATA_KEYWORDS);

export type PriceZone = z.infer<typeof priceZoneSchema>;
export type Language = z.infer<typeof languageSchema>;
export type UserRole = z.infer<typeof userRoleSchema>;
export type OptimizationLevel = z.infer<typeof optimizationLevelSchema>;
export type StatisticsResolution = z.infer<typeof statisticsResolutionSchema>;
export type StatisticsKeyword = z.infer<typeof statisticsKeywordSchema>;
export type DataResolution = z.infer<typeof dataResolutionSchema>;
export type HeatPumpDataKeyword = z.infer<typeof heatPumpDataKeywordSchema>;

// ---------------------------------------------------------------------------------------------
// Token
// ---------------------------------------------------------------------------------------------

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().default('Bearer'),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

export const poderoUserSchema = z.looseObject({
  id: z.string().min(1),
  email: z.string(),
  role: looseEnum(USER_ROLES),
  organization_id: text,
  num_inverters: num,
  num_heat_pumps: num,
  num_electric_vehicles: num,
  num_wallboxes: num,
  external_user_id: text,
  first_name: text,
  last_name: text,
  is_onboarded: bool,
  street_and_number: text,
  street_add_info: text,
  // The getting-started guide shows zip_code as an integer, the reference as a string.
  zip_code: z.union([z.string(), z.number()]).nullish(),
  town: text,
  country: text,
  latitude: num,
  longitude: num,
  last_login: text,
  joined_at: text,
  deleted_at: text,
  location_last_updated: text, // older getting-started shape
});
export type PoderoUser = z.infer<typeof poderoUserSchema>;

const userWritableFields = {
  external_user_id: z.string().min(1).nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  street_and_number: z.string().nullish(),
  street_add_info: z.string().nullish(),
  zip_code: z.string().nullish(),
  town: z.string().nullish(),
  // Responses use `country`; the guide's create examples write `country_iso2`. Both are accepted.
  country: z.string().nullish(),
  country_iso2: z.string().nullish(),
  latitude: z.number().min(-90).max(90).nullish(),
  longitude: z.number().min(-180).max(180).nullish(),
};

export const createUserRequestSchema = z.strictObject({
  role: userRoleSchema,
  email: z.email(),
  ...userWritableFields,
});
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;

export const updateUserRequestSchema = z.strictObject({
  role: userRoleSchema.optional(),
  email: z.email().optional(),
  ...userWritableFields,
});
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Buildings
// ---------------------------------------------------------------------------------------------

export const poderoBuildingSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  property_type: text,
  property_size_m2: num,
  property_age: num,
  num_occupants: num,
  occupant_type: text,
  space_heating: text,
  water_heating: text,
  photovoltaic: bool,
  street_and_number: text,
  street_add_info: text,
  zip_code: text,
  town: text,
  country: text,
});
export type PoderoBuilding = z.infer<typeof poderoBuildingSchema>;

export const createBuildingRequestSchema = z.strictObject({
  name: z.string().min(1).max(100),
  property_type: propertyTypeSchema.nullish(),
  property_size_m2: z.number().int().nonnegative().nullish(),
  property_age: z.number().int().nonnegative().nullish(),
  num_occupants: z.number().int().nonnegative().nullish(),
  occupant_type: occupantTypeSchema.nullish(),
  // The space/water heating enums are cut off in the documentation: only the length is known.
  space_heating: z.string().max(50).nullish(),
  water_heating: z.string().max(50).nullish(),
  photovoltaic: z.boolean().nullish(),
  street_and_number: z.string().max(100).nullish(),
  street_add_info: z.string().max(100).nullish(),
  zip_code: z.string().max(20).nullish(),
  town: z.string().max(100).nullish(),
  country: z.string().nullish(),
});
export type CreateBuildingRequest = z.infer<typeof createBuildingRequestSchema>;

/** The reference marks `name` as required on update too; every other field is a partial update. */
export const updateBuildingRequestSchema = createBuildingRequestSchema;
export type UpdateBuildingRequest = z.infer<typeof updateBuildingRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Device onboarding sessions (Connect UI)
// ---------------------------------------------------------------------------------------------

export const poderoOnboardingSessionSchema = z.looseObject({
  id: z.string().min(1),
  /** Tolerated as null or absent on a read after completion (a used link has nowhere to go). */
  authentication_url: text,
  user: text,
  success_url: text,
  cancel_url: text,
  expiration_date: text,
  /** Filled with the created device's id once the end user completed the Connect UI. */
  object_id: text,
  external_metadata: z.record(z.string(), z.unknown()).nullish(),
  price_zone_default: text,
  language: text,
  building_id: text,
  is_smart_optimization_active_default: bool,
});
export type PoderoOnboardingSession = z.infer<typeof poderoOnboardingSessionSchema>;

/** A session as created (O1): it always has its link. */
export const poderoOnboardingSessionCreatedSchema = poderoOnboardingSessionSchema.extend({
  authentication_url: z.string().min(1),
});
export type PoderoOnboardingSessionCreated = z.infer<typeof poderoOnboardingSessionCreatedSchema>;

export const createOnboardingSessionRequestSchema = z.strictObject({
  user_id: z.guid('must be a UUID'),
  language: languageSchema,
  price_zone_default: priceZoneSchema,
  is_smart_optimization_active_default: z.boolean().optional(),
  success_url: z.url().max(8000),
  cancel_url: z.url().max(8000),
  building_id: z.guid('must be a UUID').nullish(),
});
export type CreateOnboardingSessionRequest = z.infer<typeof createOnboardingSessionRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Devices of every kind, and heat pumps
// ---------------------------------------------------------------------------------------------

/**
 * What every device kind returns (§3.5 "Common device fields"), read tolerantly: a device of a kind the
 * caller does not know, or the kinds' shared part. Each kind's schema extends it.
 */
export const poderoDeviceSchema = z.looseObject(deviceReadFields);
export type PoderoDevice = z.infer<typeof poderoDeviceSchema>;

/**
 * A heat pump. Podero's documentation is uncertain about which fields exist (the guide's older
 * shape in Appendix A and the generated reference differ), so everything but `id` is optional.
 */
export const poderoHeatPumpSchema = poderoDeviceSchema.extend({
  current_mode: looseEnum(HEAT_PUMP_MODES).nullish(),
  // heat-pump specific, writable
  optimization_level: looseEnum(OPTIMIZATION_LEVELS).nullish(),
  indoor_target_temperature_offset: num,
  dhw_standard_temperature: num,
  is_hot_water_heating_enabled: bool,
  is_space_heating_enabled: bool,
  is_pool_heating_enabled: bool,
  is_space_cooling_enabled: bool,
  heating_policy_name: text,
  maximum_temperature_limit: num,
  minimum_temperature_limit: num,
  minimum_dhw_temperature_limit: num,
  is_heating_policy_enabled: bool,
  away_mode_start: text,
  away_mode_end: text,
  is_away_mode_enabled: bool,
  away_mode_minimum_temperature_limit: num,
  // heat-pump specific, read-only state
  current_power_consumption_w: num,
  outdoor_temperature: num,
  indoor_actual_temperature: num,
  indoor_target_temperature: num,
  inlet_temperature: num,
  outlet_temperature: num,
  dhw_temperature: num,
  dhw_target_temperature: num,
  // older guide fields (Appendix A); may no longer exist
  operational_mode: text,
  dhw_actual_temperature: num,
  consumption_last_day_kwh: num,
  consumption_last_week_kwh: num,
  consumption_last_month_kwh: num,
  consumption_last_updated_at: text,
  authorization_url: text,
});
export type PoderoHeatPump = z.infer<typeof poderoHeatPumpSchema>;

/** The heat pump's writable fields: the common ones (schema-parts.ts) and its own. */
const heatPumpWritableFields = {
  ...deviceWritableFields,
  indoor_target_temperature_offset: z.number().optional(),
  dhw_standard_temperature: z.number().nullish(),
  is_hot_water_heating_enabled: z.boolean().optional(),
  is_space_heating_enabled: z.boolean().optional(),
  is_pool_heating_enabled: z.boolean().optional(),
  is_space_cooling_enabled: z.boolean().optional(),
  heating_policy_name: z.string().nullish(),
  maximum_temperature_limit: z.number().nullish(),
  minimum_temperature_limit: z.number().nullish(),
  minimum_dhw_temperature_limit: z.number().nullish(),
  is_heating_policy_enabled: z.boolean().optional(),
  away_mode_start: isoDateTime.nullish(),
  away_mode_end: isoDateTime.nullish(),
  is_away_mode_enabled: z.boolean().optional(),
  away_mode_minimum_temperature_limit: z.number().nullish(),
  optimization_level: optimizationLevelSchema.optional(),
};

export const createHeatPumpRequestSchema = z.strictObject({
  ...heatPumpWritableFields,
  is_forecasting_enabled: z.boolean().optional(),
  device_model: deviceModelWriteSchema.optional(),
});
export type CreateHeatPumpRequest = z.infer<typeof createHeatPumpRequestSchema>;

export const updateHeatPumpRequestSchema = z.strictObject({
  ...heatPumpWritableFields,
  device_model: deviceModelWriteSchema.optional(),
  ...deviceUpdateOnlyFields,
});
export type UpdateHeatPumpRequest = z.infer<typeof updateHeatPumpRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Energy contracts (§3.11)

export const ENERGY_CONTRACT_TYPES = ['spot_hourly', 'monthly', 'yearly'] as const;

/** C2 and C3 take the same fields, each optional and nullable as the reference shows them. */
export const energyContractRequestSchema = z.strictObject({
  energy_contract_type: z.enum(ENERGY_CONTRACT_TYPES).nullish(),
  /** One entry for a constant price, several for variable prices (currency per kWh). */
  energy_prices: z.array(z.strictObject({ price: z.number(), timestamp: isoDateTime })).optional(),
  /** Omit (or null) to apply the contract to all of the user's buildings. */
  building_id: z.guid('must be a UUID').nullish(),
  meter_id: z.string().max(19).nullish(),
  supplier: z.string().max(100).nullish(),
  /** ISO 4217, e.g. EUR; needed for hourly prices. */
  currency_energy_price: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
    .nullish(),
  /** false: the price is the wholesale spot price. */
  energy_price_includes_external_components: z.boolean().nullish(),
});
export type EnergyContractRequest = z.infer<typeof energyContractRequestSchema>;

/** The response replaces `building_id` with `building` and adds `id`; read tolerantly. */
export const poderoEnergyContractSchema = z.looseObject({
  id: z.string().nullish(),
  energy_contract_type: looseEnum(ENERGY_CONTRACT_TYPES).nullish(),
  energy_prices: z.array(z.looseObject({ price: num, timestamp: text })).nullish(),
  building: text,
  meter_id: text,
  supplier: text,
  currency_energy_price: text,
  energy_price_includes_external_components: bool,
});
export type PoderoEnergyContract = z.infer<typeof poderoEnergyContractSchema>;

// ---------------------------------------------------------------------------------------------
// Cues (pending actions, §3.12)

/** Q1 for `code=reauthenticate`. camelCase, as the reference spells it (the rest of the API is snake_case). */
export const resolveCueRequestSchema = z.strictObject({
  successUrl: z.url({ protocol: /^https?$/ }),
  cancelUrl: z.url({ protocol: /^https?$/ }),
  language: z.string().max(35).nullish(),
  location: jsonObject.optional(),
  clientInfo: jsonObject.optional(),
});
export type ResolveCueRequest = z.infer<typeof resolveCueRequestSchema>;

export const CUE_OUTCOMES = ['success', 'fail'] as const;

/** Q2: the outcome of an action started with Q1 (snake_case again). */
export const cueStateRequestSchema = z.strictObject({
  state: z.enum(CUE_OUTCOMES),
  payload: jsonObject.optional(),
  location: jsonObject.optional(),
  client_info: jsonObject.optional(),
});
export type CueStateRequest = z.infer<typeof cueStateRequestSchema>;

export const resolveInformationRequestSchema = z.strictObject({
  location: jsonObject.optional(),
  client_info: jsonObject.optional(),
});
export type ResolveInformationRequest = z.infer<typeof resolveInformationRequestSchema>;

export const resolveCueResponseSchema = z.looseObject({ redirect_url: z.string().min(1) });
export type ResolveCueResponse = z.infer<typeof resolveCueResponseSchema>;

export const cueActionResponseSchema = z.looseObject({ action_id: z.string().min(1) });
export type CueActionResponse = z.infer<typeof cueActionResponseSchema>;

/** A cue's id and secret, as `actions[].resolution_link.url` carries them. */
export const cueSecretSchema = z.string().min(1).max(512);

// ---------------------------------------------------------------------------------------------
// Statistics, savings, data
// ---------------------------------------------------------------------------------------------

const statisticsBucketSchema = z.looseObject({
  resolution: text,
  period: z.looseObject({ start_period: text, end_period: text }).nullish(),
  savings: z.looseObject({ total: num, percentage: num }).nullish(),
  consumption: z.looseObject({ total: num }).nullish(),
  heat_pump: z.looseObject({ estimated_consumption_wh: num }).nullish(),
  electric_vehicle: z
    .looseObject({ estimated_consumption_wh: num, charge_session_count: num, average_charge_power_w: num })
    .nullish(),
  // `self_consumption_wh` (production not exported) is INFERRED: not in the contract, read when present.
  inverter: z
    .looseObject({ solar_production_wh: num, grid_export_wh: num, self_consumption_wh: num })
    .nullish(),
});

export const statisticsResponseSchema = z.looseObject({
  metadata: z
    .looseObject({
      requested_at: text,
      query: z.unknown().optional(),
      units: z.unknown().optional(),
      error: text,
    })
    .nullish(),
  data: z.array(statisticsBucketSchema),
});
export type StatisticsResponse = z.infer<typeof statisticsResponseSchema>;
export type StatisticsBucket = z.infer<typeof statisticsBucketSchema>;
/** Savings responses have the same shape as statistics. */
export const savingsResponseSchema = statisticsResponseSchema;
export type SavingsResponse = StatisticsResponse;

const heatPumpDataPointSchema = z.looseObject({
  time: z.string(),
  price: num,
  inlet_temp_act: num,
  hot_water_temp: num,
  estimated_consumption: num,
  simulated_consumption: num,
  unoptimized_consumption: num,
  estimated_consumption_filtered: num,
});
export const heatPumpDataResponseSchema = z.looseObject({
  metadata: z.looseObject({}).nullish(),
  data: z.array(heatPumpDataPointSchema),
});
export type HeatPumpDataResponse = z.infer<typeof heatPumpDataResponseSchema>;
export type HeatPumpDataPoint = z.infer<typeof heatPumpDataPointSchema>;

export const statisticsQuerySchema = z.strictObject({
  resolution: oneOrMany(statisticsResolutionSchema).optional(),
  keywords: oneOrMany(statisticsKeywordSchema).optional(),
});
export type StatisticsQuery = z.input<typeof statisticsQuerySchema>;

export const savingsQuerySchema = z.strictObject({
  from: instantSchema,
  to: instantOrDateSchema,
  resolution: statisticsResolutionSchema.optional(),
});
export type SavingsQuery = z.input<typeof savingsQuerySchema>;

/** S1: the organisation's savings between two instants (sent as `start_datetime` / `end_datetime`). */
export const organisationSavingsQuerySchema = z.strictObject({
  from: instantSchema,
  to: instantSchema,
});
export type OrganisationSavingsQuery = z.input<typeof organisationSavingsQuerySchema>;

/** S1's answer: documented as four required numbers; read tolerantly (a missing total is null). */
export const organisationSavingsResponseSchema = z.looseObject({
  total_savings: num,
  heat_pump_savings: num,
  electric_vehicle_savings: num,
  inverter_savings: num,
});
export type OrganisationSavingsResponse = z.infer<typeof organisationSavingsResponseSchema>;

export const heatPumpDataQuerySchema = z.strictObject({
  from_datetime: instantSchema.optional(),
  to_datetime: instantSchema.optional(),
  resolution: dataResolutionSchema.optional(),
  keywords: oneOrMany(heatPumpDataKeywordSchema).optional(),
  /** Sent as the `fill-missing` header: the whole range comes back, with null where data is missing. */
  fillMissing: z.boolean().optional(),
});
export type HeatPumpDataQuery = z.input<typeof heatPumpDataQuerySchema>;

// Path parameters. Ids are checked for the 8-4-4-4-12 hex form (z.guid) rather than an RFC 9562
// version: Podero issues them, and refusing an id Podero itself returned would be a bug.
export const idParamSchema = z.guid('must be a UUID');
/**
 * A URL path segment: `.` and `..` (and their percent-encoded forms, which URL parsers decode first) would
 * be normalised away, turning `/users/by-ext-id/..` into the organisation's user list.
 */
export const externalIdParamSchema = z
  .string()
  .min(1)
  .max(255)
  .refine((value) => !isDotSegment(value), 'must not be "." or "..": a URL would normalise it away');
