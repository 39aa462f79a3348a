/**
 * Strict request schemas for the device kinds beside heat pumps (contract §3.6–§3.10, CC1–CC2, Appendix B):
 * electric vehicles, wallboxes, solar inverters, the general device update, re-authentication sessions and
 * the charging configuration. Written from the contract like `wire.ts`, never imported from the client.
 *
 * Where the contract does not show a body (E4, E9, W6, W7), the simulator takes the documented fields of the
 * resource and nothing else, and says so (INFERRED) here and in the README.
 */
import * as z from 'zod';
import {
  DATA_RESOLUTIONS,
  dateTimeSchema,
  deviceModelInputSchema,
  HEAT_PUMP_READ_ONLY_FIELDS,
  PRICE_ZONES,
  STATISTICS_RESOLUTIONS,
  uuidSchema,
} from './wire';

export const BOOST_STATES = ['available', 'requested', 'ongoing', 'unavailable'] as const;
export type BoostState = (typeof BOOST_STATES)[number];
export const BOOST_REFUSAL_REASONS = [
  'already_charging',
  'fully_charged',
  'no_active_session',
  'internal_error',
] as const;
export type BoostRefusalReason = (typeof BOOST_REFUSAL_REASONS)[number];
export const WALLBOX_MODES = ['READY', 'PLUGGED_IN', 'CHARGING', 'UNAVAILABLE', 'UNKNOWN'] as const;
export const WALLBOX_CONNECTIONS = ['online', 'offline', 'never_connected'] as const;
export const CHARGING_CONFIG_MODES = ['none', 'spot', 'hems', 'hems_and_spot'] as const;
export type ChargingConfigMode = (typeof CHARGING_CONFIG_MODES)[number];
export const CHARGING_CONFIG_UNAVAILABILITY_REASONS = [
  'no_ev',
  'no_battery_capacity',
  'no_actuator',
  'wallbox_not_modulating',
  'no_inverter',
  'inverter_no_export_data',
] as const;
export type ChargingConfigUnavailabilityReason = (typeof CHARGING_CONFIG_UNAVAILABILITY_REASONS)[number];
export const INVERTER_DATA_KEYWORDS = [
  'export_power_to_grid_w',
  'battery_charge_level_percent',
  'battery_charge_discharge_power_w',
  'household_consumption_w',
  'solar_production_w',
] as const;
export type InverterDataKeyword = (typeof INVERTER_DATA_KEYWORDS)[number];
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const percent = z.number().int().min(0).max(100);
/** `HH:MM`, 24 hours ([REF] example `07:00`); seconds are accepted as Django's TimeField does. */
export const timeOfDaySchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'Input should be a valid time (HH:MM)');

/** Fields every device kind takes on create and update (the heat pump's common set, §3.5). */
const commonDeviceFields = {
  is_pause_power_active: z.boolean(),
  is_smart_optimization_active: z.boolean(),
  device_model: deviceModelInputSchema,
  price_zone: z.enum(PRICE_ZONES),
  building_id: uuidSchema.nullable(),
  pause_power_until: dateTimeSchema.nullable(),
  comment: z.string().max(300).nullable(), // INFERRED max, as for heat pumps
  last_monitoring_executed_at: dateTimeSchema.nullable(),
  is_inverter_forced_mode_enabled: z.boolean(),
  is_trading_enabled: z.boolean(),
  actual_steering_state: z.string().max(20), // INFERRED max
};
/** Only updates write the lifecycle fields (as H4 does); `deleted_at` is the documented soft delete. */
const lifecycleFields = {
  deleted_at: dateTimeSchema.nullable(),
  lifecycle_state: z.string().max(20),
  lifecycle_error: z.string().max(255).nullable(),
  optimization_score: z.number().min(0).max(100),
};

// ---------------------------------------------------------------- electric vehicles (E2, E4)

/** §3.7 marks these EV fields writable (W); the OEM cap `charge_target_max` is system-managed. */
const electricVehicleFields = {
  is_charge_policy_enabled: z.boolean(),
  charge_deadline_at: timeOfDaySchema,
  minimum_charge_limit: percent,
};

export const createElectricVehicleBodySchema = z.strictObject({
  ...optional(commonDeviceFields),
  is_forecasting_enabled: z.boolean().optional(),
  ...optional(electricVehicleFields),
});
export type CreateElectricVehicleBody = z.infer<typeof createElectricVehicleBodySchema>;

/** E4 ([INFERRED] "the device's PUT endpoint"): the E2 set minus `is_forecasting_enabled`, plus lifecycle. */
export const updateElectricVehicleBodySchema = z.strictObject({
  ...optional(commonDeviceFields),
  ...optional(electricVehicleFields),
  ...optional(lifecycleFields),
});
export type UpdateElectricVehicleBody = z.infer<typeof updateElectricVehicleBodySchema>;

/** E9 ([INFERRED] PUT): the E8 `data` shape, every weekday required, plus the policy's timezone. */
const dayPolicySchema = z.strictObject({
  charge_percentage: percent,
  charge_deadline: timeOfDaySchema,
});
export const chargePolicyBodySchema = z.strictObject({
  mon: dayPolicySchema,
  tue: dayPolicySchema,
  wed: dayPolicySchema,
  thu: dayPolicySchema,
  fri: dayPolicySchema,
  sat: dayPolicySchema,
  sun: dayPolicySchema,
  /** The simulator knows UTC only: other zones are refused rather than silently misread (INFERRED). */
  timezone: z.literal('UTC').optional(),
});
export type ChargePolicyBody = z.infer<typeof chargePolicyBodySchema>;

/** E10: `from`/`to` required plain dates (UTC, inclusive); `limit` 1–200 (default 50), `offset` ≥ 0. */
const plainDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Input should be a valid date (YYYY-MM-DD)')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'Input should be a valid date');
const integerString = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^-?\d+$/, 'Input should be a valid integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback);
export const sessionsQuerySchema = z.object({
  from: plainDate,
  to: plainDate,
  limit: integerString(1, 200, 50),
  offset: integerString(0, Number.MAX_SAFE_INTEGER, 0),
});

/** E6/E7/W4/W5 document no body: none, or an empty JSON object; anything else is refused. */
export const emptyBodySchema = z.strictObject({});

// ---------------------------------------------------------------- wallboxes (W2, W7)

/** §3.8; `is_over_charge_allowed` completes the cut-off `is_over_charg…` from the EV's older field (INFERRED). */
const wallboxFields = {
  charge_target_min: percent,
  charge_target_max: percent,
  charge_power_max_w: z.number().int().min(1_400).max(22_000), // INFERRED range: 6 A single-phase .. 32 A three-phase
  is_charge_policy_enabled: z.boolean(),
  minimum_charge_limit: percent,
  charge_deadline_at: timeOfDaySchema,
  is_over_charge_allowed: z.boolean(),
};

export const createWallboxBodySchema = z.strictObject({
  ...optional(commonDeviceFields),
  is_forecasting_enabled: z.boolean().optional(),
  ...optional(wallboxFields),
});
export type CreateWallboxBody = z.infer<typeof createWallboxBodySchema>;

export const updateWallboxBodySchema = z.strictObject({
  ...optional(commonDeviceFields),
  is_forecasting_enabled: z.boolean().optional(),
  ...optional(wallboxFields),
  ...optional(lifecycleFields),
});
export type UpdateWallboxBody = z.infer<typeof updateWallboxBodySchema>;

/** W6: the reference shows no request body; an optional onboarding session links the token (INFERRED). */
export const claimTokenBodySchema = z.strictObject({
  onboarding_session_id: uuidSchema.nullable().optional(),
});

// ---------------------------------------------------------------- solar inverters (I2, I4)

const inverterFields = {
  solar_power_rating_kw: z.number().gt(0).max(1_000), // INFERRED upper bound
  is_battery_connected: z.boolean(),
  battery_capacity_kwh: z.number().gt(0).max(1_000).nullable(), // INFERRED upper bound
  min_battery_charge: percent,
  max_battery_charge: percent,
};

export const createInverterBodySchema = z.strictObject({
  ...optional(commonDeviceFields),
  is_forecasting_enabled: z.boolean().optional(),
  ...optional(inverterFields),
});
export type CreateInverterBody = z.infer<typeof createInverterBodySchema>;

export const updateInverterBodySchema = z.strictObject({
  ...optional(commonDeviceFields),
  ...optional(inverterFields),
  ...optional(lifecycleFields),
});
export type UpdateInverterBody = z.infer<typeof updateInverterBodySchema>;

/** I6: like H8, but the keyword list is documented "no spaces", so a space is refused. */
export const inverterDataQuerySchema = z.object({
  from_datetime: dateTimeSchema.optional(),
  to_datetime: dateTimeSchema.optional(),
  resolution: z.enum(DATA_RESOLUTIONS).default('15MIN'),
  keywords: z
    .string()
    .regex(/^[a-z_]+(,[a-z_]+)*$/, 'Comma-separated keywords without spaces')
    .transform((raw) => raw.split(','))
    .pipe(z.array(z.enum(INVERTER_DATA_KEYWORDS)).min(1))
    .optional(),
});

/** I7 (beta, parameters not seen): an optional range, at most 7 days (INFERRED). */
export const schedulesQuerySchema = z.object({
  from_datetime: dateTimeSchema.optional(),
  to_datetime: dateTimeSchema.optional(),
});

/** E12, Appendix B inverter savings: as H7. */
export const deviceSavingsQuerySchema = z.object({
  from: dateTimeSchema,
  to: z
    .string()
    .refine(
      (value) => /^\d{4}-\d{2}-\d{2}$/.test(value) || dateTimeSchema.safeParse(value).success,
      'Input should be a valid date or datetime',
    ),
  resolution: z.enum(STATISTICS_RESOLUTIONS).default('1MONTH'),
});

// ---------------------------------------------------------------- any device (D1, §3.10)

/** D1: every field `boolean | null` (null: leave as it is), `comment` `string | null`. */
export const generalDeviceUpdateBodySchema = z.strictObject({
  is_smart_optimization_active: z.boolean().nullable().optional(),
  is_authenticated: z.boolean().nullable().optional(),
  is_inverter_forced_mode_enabled: z.boolean().nullable().optional(),
  is_forecasting_enabled: z.boolean().nullable().optional(),
  comment: z.string().max(300).nullable().optional(),
});
export type GeneralDeviceUpdateBody = z.infer<typeof generalDeviceUpdateBodySchema>;

/** §3.10: both URLs nullable; the simulator requires the body (an empty `{}` is fine). */
export const authSessionBodySchema = z.strictObject({
  success_url: z.string().min(1).max(8000).nullable().optional(),
  cancel_url: z.string().min(1).max(8000).nullable().optional(),
});

// ---------------------------------------------------------------- charging configuration (CC2)

/** CC2: the mode is the only documented writable field; an unavailable mode is a 422 on `mode`. */
export const chargingConfigBodySchema = z.strictObject({
  mode: z.enum(CHARGING_CONFIG_MODES),
});

// ---------------------------------------------------------------- read-only fields

/** Read-only fields of every kind, named in 422s so a client that writes one sees why. */
export const DEVICE_READ_ONLY_FIELDS: ReadonlySet<string> = new Set([
  ...HEAT_PUMP_READ_ONLY_FIELDS,
  'monitoring_status',
  'charge_policy_last_updated_at',
  'is_plugged_in',
  'is_charging',
  'is_fully_charged',
  'charge_rate_w',
  'battery_level',
  'driving_range',
  'boost_state',
  'boost_for_next_session',
  'mode',
  'connection',
  'is_ocpp_connected',
  'current_power_w',
  'current_power_to_grid_w',
  'current_solar_production_w',
  'household_consumption_w',
  'solar_surplus_w',
  'battery_charge_level_percent',
  'battery_charge_discharge_power_w',
]);

function optional<T extends Record<string, z.ZodType>>(shape: T): { [K in keyof T]: z.ZodOptional<T[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof T]: z.ZodOptional<T[K]>;
  };
}
