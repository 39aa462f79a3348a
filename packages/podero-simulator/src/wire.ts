/**
 * The simulator's own, strict reading of the Podero Partner API v2.0 contract (docs/podero-api.md).
 *
 * Deliberately independent of @podero-bridge/podero-client: the client is tolerant, the simulator is
 * strict, and two separate readings of the contract make the client's tests against the simulator a
 * real check rather than a mirror. Request schemas reject unknown keys (422 `extra_forbidden`), so a
 * client that sends a read-only or misspelt field finds out here and not in production.
 *
 * Max lengths marked INFERRED are not in the contract; they are plausible Django defaults.
 */
import * as z from 'zod';

export const API_PREFIX = '/api/partners/v2.0';

export const PRICE_ZONES = [
  'AT',
  'AT_HOURLY',
  'BE',
  'CH',
  'EE',
  'DE_LU',
  'HU',
  'IT_CNOR',
  'IT_CSUD',
  'IT_NORD',
  'IT_PUN',
  'IT_SARD',
  'IT_SICI',
  'IT_SUD',
  'PT',
  'RO',
  'SE_1',
  'SE_2',
  'SE_3',
  'SE_4',
  'UK',
] as const;
export const LANGUAGES = ['sv', 'de', 'en', 'hu', 'it', 'et', 'pl', 'ro'] as const;
export const ROLES = ['admin', 'staff', 'user', 'guest'] as const;
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
export const ONBOARDING_DEVICE_TYPES = ['ev', 'iv', 'wb', 'hp'] as const;
export const OPTIMIZATION_LEVELS = ['Low', 'Mid', 'Max'] as const;
export const HEAT_PUMP_MODES = ['min', 'low', 'mid', 'max'] as const;
export const DEVICE_STATUSES = ['ok', 'warning', 'error', 'unknown'] as const;
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

export type PriceZone = (typeof PRICE_ZONES)[number];

export const ENERGY_CONTRACT_TYPES = ['spot_hourly', 'monthly', 'yearly'] as const;
export type OptimizationLevel = (typeof OPTIMIZATION_LEVELS)[number];
export type HeatPumpMode = (typeof HEAT_PUMP_MODES)[number];
export type StatisticsResolution = (typeof STATISTICS_RESOLUTIONS)[number];
export type DataResolution = (typeof DATA_RESOLUTIONS)[number];
export type HeatPumpDataKeyword = (typeof HEAT_PUMP_DATA_KEYWORDS)[number];

/** pydantic's UUID accepts any 8-4-4-4-12 hex string, so the simulator does too (zod's `guid`). */
export const uuidSchema = z.guid();

/** ISO-8601 date-time (offset optional; a naive value is read as UTC, like the Django setting USE_TZ). */
export const dateTimeSchema = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/,
    'Input should be a valid datetime',
  )
  .refine((value) => !Number.isNaN(parseDateTime(value)), 'Input should be a valid datetime');

/** A date (`YYYY-MM-DD`) or a date-time: the savings endpoint documents `to` as a plain string. */
export const dateOrDateTimeSchema = z
  .string()
  .refine(
    (value) => /^\d{4}-\d{2}-\d{2}$/.test(value) || dateTimeSchema.safeParse(value).success,
    'Input should be a valid date or datetime',
  )
  .refine((value) => !Number.isNaN(parseDateTime(value)), 'Input should be a valid date or datetime');

/** Milliseconds since the epoch; values without an offset are UTC. */
export function parseDateTime(value: string): number {
  const normalised = value.replace(' ', 'T');
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(normalised);
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(normalised);
  return Date.parse(hasOffset || dateOnly ? normalised : `${normalised}Z`);
}

const nullableString = (max: number) => z.string().max(max).nullable();

// ---------------------------------------------------------------- users (U1..U6)

const userWritableFields = {
  external_user_id: nullableString(255), // INFERRED max
  first_name: nullableString(150), // INFERRED max (Django's default)
  last_name: nullableString(150), // INFERRED max
  street_and_number: nullableString(100),
  street_add_info: nullableString(100),
  zip_code: nullableString(20),
  town: nullableString(100),
  country: nullableString(100), // INFERRED max
  /** The guide writes `country_iso2`; responses say `country`. Both are accepted and stored as `country`. */
  country_iso2: nullableString(100),
  latitude: z.number().min(-90).max(90).nullable(),
  longitude: z.number().min(-180).max(180).nullable(),
};

export const createUserBodySchema = z.strictObject({
  role: z.enum(ROLES),
  email: z.email().max(254),
  ...partial(userWritableFields),
});
export type CreateUserBody = z.infer<typeof createUserBodySchema>;

export const updateUserBodySchema = z.strictObject({
  role: z.enum(ROLES).optional(),
  email: z.email().max(254).optional(),
  ...partial(userWritableFields),
});
export type UpdateUserBody = z.infer<typeof updateUserBodySchema>;

// ---------------------------------------------------------------- buildings (B1..B5)

const buildingFields = {
  name: z.string().min(1).max(100),
  property_type: z.enum(PROPERTY_TYPES).nullable(),
  property_size_m2: z.number().int().min(0).nullable(),
  property_age: z.number().int().min(0).nullable(),
  num_occupants: z.number().int().min(0).nullable(),
  occupant_type: z.enum(OCCUPANT_TYPES).nullable(),
  // The full heating enums were cut off in the source: any string within the documented max length.
  space_heating: nullableString(50),
  water_heating: nullableString(50),
  photovoltaic: z.boolean().nullable(),
  street_and_number: nullableString(100),
  street_add_info: nullableString(100),
  zip_code: nullableString(20),
  town: nullableString(100),
  country: nullableString(100), // INFERRED max (cut off in the source)
};
const { name: buildingName, ...buildingOptionalFields } = buildingFields;

/** B1 and B3 share one body: `name` is required ([REF]), every other field is optional (partial update on B3). */
export const buildingBodySchema = z.strictObject({ name: buildingName, ...partial(buildingOptionalFields) });
export type BuildingBody = z.infer<typeof buildingBodySchema>;

// ---------------------------------------------------------------- energy contracts (C1..C3)

/** §3.11: every field optional and nullable as the reference shows them; unknown fields are refused. */
export const energyContractBodySchema = z.strictObject({
  energy_contract_type: z.enum(ENERGY_CONTRACT_TYPES).nullable().optional(),
  energy_prices: z.array(z.strictObject({ price: z.number(), timestamp: dateTimeSchema })).optional(),
  building_id: uuidSchema.nullable().optional(),
  meter_id: z.string().max(19).nullable().optional(),
  supplier: z.string().max(100).nullable().optional(),
  currency_energy_price: z
    .string()
    .regex(/^[A-Z]{3}$/, 'ISO 4217 code')
    .nullable()
    .optional(),
  energy_price_includes_external_components: z.boolean().nullable().optional(),
});
export type EnergyContractBody = z.infer<typeof energyContractBodySchema>;

// ---------------------------------------------------------------- onboarding sessions (O1, O2)

export const createOnboardingBodySchema = z.strictObject({
  user_id: uuidSchema,
  language: z.enum(LANGUAGES),
  price_zone_default: z.enum(PRICE_ZONES),
  is_smart_optimization_active_default: z.boolean().optional(),
  success_url: z.string().min(1).max(8000),
  cancel_url: z.string().min(1).max(8000),
  building_id: uuidSchema.nullable().optional(),
  /** INFERRED name for the contract's unnamed `ev`/`iv`/`wb`/`hp` field. */
  device_type: z.enum(ONBOARDING_DEVICE_TYPES).nullable().optional(),
});
export type CreateOnboardingBody = z.infer<typeof createOnboardingBodySchema>;

// ---------------------------------------------------------------- heat pumps (H2, H4)

export const deviceModelInputSchema = z.strictObject({
  device_type: z.strictObject({ short_name: z.string().max(20), long_name: z.string().max(100) }).optional(),
  manufacturer: nullableString(100).optional(),
  model: nullableString(100).optional(),
  year: z.number().int().min(1900).max(2100).nullable().optional(),
  cloud_service_id: uuidSchema.nullable().optional(),
});
export type DeviceModelInput = z.infer<typeof deviceModelInputSchema>;

/** Writable by both H2 (create) and H4 (update). */
const heatPumpWritableFields = {
  is_pause_power_active: z.boolean(),
  is_smart_optimization_active: z.boolean(),
  device_model: deviceModelInputSchema,
  price_zone: z.enum(PRICE_ZONES),
  building_id: uuidSchema.nullable(),
  pause_power_until: dateTimeSchema.nullable(),
  comment: nullableString(300), // INFERRED max
  last_monitoring_executed_at: dateTimeSchema.nullable(),
  is_inverter_forced_mode_enabled: z.boolean(),
  is_trading_enabled: z.boolean(),
  actual_steering_state: z.string().max(20), // INFERRED max
  indoor_target_temperature_offset: z.number().min(-10).max(10),
  dhw_standard_temperature: z.number().min(20).max(80).nullable(),
  is_hot_water_heating_enabled: z.boolean(),
  is_space_heating_enabled: z.boolean(),
  is_pool_heating_enabled: z.boolean(),
  is_space_cooling_enabled: z.boolean(),
  heating_policy_name: nullableString(100), // INFERRED max
  maximum_temperature_limit: z.number().min(5).max(35).nullable(),
  minimum_temperature_limit: z.number().min(5).max(35).nullable(),
  minimum_dhw_temperature_limit: z.number().min(20).max(80).nullable(),
  is_heating_policy_enabled: z.boolean(),
  away_mode_start: dateTimeSchema.nullable(),
  away_mode_end: dateTimeSchema.nullable(),
  is_away_mode_enabled: z.boolean(),
  away_mode_minimum_temperature_limit: z.number().min(5).max(35).nullable(),
  optimization_level: z.enum(OPTIMIZATION_LEVELS),
};

/** H2: every field optional; an empty body (or none) registers an empty, unauthenticated device. */
export const createHeatPumpBodySchema = z.strictObject({
  ...partial(heatPumpWritableFields),
  is_forecasting_enabled: z.boolean().optional(),
});
export type CreateHeatPumpBody = z.infer<typeof createHeatPumpBodySchema>;

/** H4: the H2 set minus `is_forecasting_enabled`, plus the lifecycle fields. Read-only state is rejected. */
export const updateHeatPumpBodySchema = z.strictObject({
  ...partial(heatPumpWritableFields),
  deleted_at: dateTimeSchema.nullable().optional(),
  lifecycle_state: z.string().max(20).optional(), // INFERRED max
  lifecycle_error: nullableString(255).optional(), // INFERRED max
  optimization_score: z.number().min(0).max(100).optional(),
});
export type UpdateHeatPumpBody = z.infer<typeof updateHeatPumpBodySchema>;

/** Fields a client may read but never write; named in 422s so the mistake is obvious. */
export const HEAT_PUMP_READ_ONLY_FIELDS = new Set([
  'id',
  'connection_status',
  'monitoring_status',
  'steering_status',
  'owner',
  'created_at',
  'updated_at',
  'building',
  'is_authenticated',
  'current_mode',
  'current_state_last_updated_at',
  'current_power_consumption_w',
  'outdoor_temperature',
  'indoor_actual_temperature',
  'indoor_target_temperature',
  'inlet_temperature',
  'outlet_temperature',
  'dhw_temperature',
  'dhw_target_temperature',
  'external_device_id',
  'is_inverter_forced_mode_active',
  'inverter_forced_mode_since',
  'actions',
  'action_needed',
]);

// ---------------------------------------------------------------- queries

const commaList = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((raw) => raw.split(',').map((part) => part.trim()))
    .pipe(z.array(z.enum(values)).min(1));

export const includeDeletedQuerySchema = z.object({
  include_deleted: z
    .enum(['true', 'false', '1', '0', 'True', 'False'])
    .optional()
    .transform((raw) => raw === 'true' || raw === '1' || raw === 'True'),
});

export const statisticsQuerySchema = z.object({
  resolution: commaList(STATISTICS_RESOLUTIONS).default(['1DAY']),
  keywords: commaList(STATISTICS_KEYWORDS).default(['savings', 'consumption']),
});

export const savingsQuerySchema = z.object({
  from: dateTimeSchema,
  to: dateOrDateTimeSchema,
  resolution: z.enum(STATISTICS_RESOLUTIONS).default('1MONTH'),
});

/** S1: both bounds required date-times. */
export const organisationSavingsQuerySchema = z.object({
  start_datetime: dateTimeSchema,
  end_datetime: dateTimeSchema,
});

export const dataQuerySchema = z.object({
  from_datetime: dateTimeSchema.optional(),
  to_datetime: dateTimeSchema.optional(),
  resolution: z.enum(DATA_RESOLUTIONS).default('15MIN'),
  keywords: commaList(HEAT_PUMP_DATA_KEYWORDS).optional(),
});

export const fillMissingHeaderSchema = z
  .enum(['true', 'false', '1', '0', 'True', 'False'])
  .optional()
  .transform((raw) => raw === 'true' || raw === '1' || raw === 'True');

// ---------------------------------------------------------------- token endpoint

export const tokenRequestSchema = z.object({ grant_type: z.string() });

function partial<T extends Record<string, z.ZodType>>(shape: T): { [K in keyof T]: z.ZodOptional<T[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof T]: z.ZodOptional<T[K]>;
  };
}

// ---------------------------------------------------------------- cues (Q1..Q3)

const jsonObject = z.record(z.string(), z.unknown());

/** Every cue call carries the signed secret from `resolution_link.url` in the query. */
export const cueSecretQuerySchema = z.object({ secret: z.string().min(1).max(512) });

/** Q1 for `code=reauthenticate`: camelCase, unlike the rest of the API ([REF]). */
export const resolveCueBodySchema = z.strictObject({
  successUrl: z.string().min(1).max(8000),
  cancelUrl: z.string().min(1).max(8000),
  language: z.string().max(35).nullable().optional(),
  location: jsonObject.optional(),
  clientInfo: jsonObject.optional(),
});

/** Q2: snake_case again. */
export const cueStateBodySchema = z.strictObject({
  state: z.enum(['success', 'fail']),
  payload: jsonObject.optional(),
  location: jsonObject.optional(),
  client_info: jsonObject.optional(),
});

/** Q3: an optional body. */
export const informationResolveBodySchema = z.strictObject({
  location: jsonObject.optional(),
  client_info: jsonObject.optional(),
});
