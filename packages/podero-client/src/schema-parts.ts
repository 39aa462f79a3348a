/**
 * Building blocks the wire schemas of every resource share (schemas.ts and each device kind's schemas):
 * the tolerant response helpers, the enums every device carries, and the fields every device kind returns
 * and accepts (docs/podero-api.md §3.5 "Common device fields"). Not part of the package face: schemas.ts
 * re-exports the enums that always were.
 */
import * as z from 'zod';

/** A response enum: the known values, or any other string Podero may add later. */
export function looseEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.union([z.enum(values), z.string()]);
}

/** A query list: one value or several (sent comma-separated). */
export const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

// Response building blocks. Datetimes stay strings in responses: Podero's sentinel values such as
// "0001-01-01T00:00:00Z" and date-only fields must not fail a read.
export const text = z.string().nullish();
export const num = z.number().nullish();
export const bool = z.boolean().nullish();

export const isoDateTime = z.iso.datetime({ offset: true });
/** A point in time: an ISO-8601 datetime with offset, or a Date. */
export const instantSchema = z.union([z.date(), isoDateTime]);
/** `to` of the savings endpoints is documented as a plain string: a date is accepted as well. */
export const instantOrDateSchema = z.union([z.date(), isoDateTime, z.iso.date()]);
export const jsonObject = z.record(z.string(), z.unknown());
/** A local time of day, `HH:MM` (24 h), as the charge deadlines are written. */
export const timeOfDaySchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');
/** A percentage of a battery, 0–100. */
export const percentSchema = z.number().int().min(0).max(100);

// ---------------------------------------------------------------------------------------------
// What every device kind has (heat pump, electric vehicle, wallbox, solar inverter)
// ---------------------------------------------------------------------------------------------

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
export const DEVICE_STATUSES = ['ok', 'warning', 'error', 'unknown'] as const;
export const LIFECYCLE_STATES = ['authenticated', 'error'] as const;
export const ACTION_CODES = ['reauthenticate', 'information'] as const;

export const priceZoneSchema = z.enum(PRICE_ZONES);
export const deviceStatusSchema = z.enum(DEVICE_STATUSES);

export const deviceModelSchema = z.looseObject({
  manufacturer: text,
  model: text,
  device_type: z.looseObject({ short_name: text, long_name: text }).nullish(),
  year: num,
  cloud_service_instructions: text,
  cloud_service_signup_link: text,
  cloud_service: text,
});

export const deviceOwnerSchema = z.looseObject({
  id: z.string(),
  email: text,
  first_name: text,
  last_name: text,
  external_id: text,
});

export const deviceActionSchema = z.looseObject({
  code: looseEnum(ACTION_CODES).optional(),
  resolution_link: z.looseObject({ url: text, required_parameters: z.unknown().optional() }).nullish(),
});

/** The fields every device kind returns (§3.5): all optional but `id`, as the documentation is unsure. */
export const deviceReadFields = {
  id: z.string().min(1),
  created_at: text,
  updated_at: text,
  deleted_at: text,
  owner: deviceOwnerSchema.nullish(),
  building: text,
  device_model: deviceModelSchema.nullish(),
  connection_status: looseEnum(DEVICE_STATUSES).nullish(),
  monitoring_status: looseEnum(DEVICE_STATUSES).nullish(),
  steering_status: looseEnum(DEVICE_STATUSES).nullish(),
  price_zone: looseEnum(PRICE_ZONES).nullish(),
  lifecycle_state: looseEnum(LIFECYCLE_STATES).nullish(),
  lifecycle_error: text,
  pause_power_until: text,
  is_pause_power_active: bool,
  external_device_id: text,
  is_authenticated: bool,
  is_smart_optimization_active: bool,
  optimization_score: num,
  current_mode: text,
  comment: text,
  current_state_last_updated_at: text,
  last_monitoring_executed_at: text,
  is_inverter_forced_mode_enabled: bool,
  is_inverter_forced_mode_active: bool,
  inverter_forced_mode_since: text,
  is_forecasting_enabled: bool,
  is_trading_enabled: bool,
  actual_steering_state: text,
  action_needed: bool,
  actions: z.array(deviceActionSchema).nullish(),
};

/**
 * The writable fields every device kind shares (the heat pump's documented PUT body, §3.5 H2/H4).
 * Nullability, the same on the client and the simulator: a value the device may lack (a time, a link, a
 * comment) is nullable, and `null` clears it; a switch or an enum is not: `null` would mean nothing Podero
 * documents, so the client refuses it before sending.
 */
export const deviceWritableFields = {
  is_pause_power_active: z.boolean().optional(),
  is_smart_optimization_active: z.boolean().optional(),
  price_zone: priceZoneSchema.optional(),
  building_id: z.guid('must be a UUID').nullish(),
  /** A future time pauses consumption; null resumes. */
  pause_power_until: isoDateTime.nullish(),
  comment: z.string().nullish(),
  last_monitoring_executed_at: isoDateTime.nullish(),
  is_inverter_forced_mode_enabled: z.boolean().optional(),
  is_trading_enabled: z.boolean().optional(),
  actual_steering_state: z.string().optional(),
};

/** Fields an update takes beyond the create body (H4 [REF]; the other kinds' PUT bodies are assumed alike). */
export const deviceUpdateOnlyFields = {
  deleted_at: isoDateTime.nullish(),
  lifecycle_state: z.string().min(1).optional(),
  lifecycle_error: z.string().nullish(),
  optimization_score: z.number().optional(),
};

/** The writable part of `device_model` (H2 and H4 [REF]: the update reference page documents it too). */
export const deviceModelWriteSchema = z.strictObject({
  device_type: z.strictObject({ short_name: z.string(), long_name: z.string() }).optional(),
  manufacturer: z.string().nullish(),
  model: z.string().nullish(),
  year: z.number().int().nullish(),
  cloud_service_id: z.guid('must be a UUID').nullish(),
});
