/**
 * Wire types of electric vehicles (§3.7: E1–E12): the vehicle, its boost, its weekly charge policy and its
 * charging sessions. Tolerant responses, strict requests (see schemas.ts).
 */
import * as z from 'zod';
import {
  bool,
  deviceModelWriteSchema,
  deviceUpdateOnlyFields,
  deviceWritableFields,
  looseEnum,
  num,
  percentSchema,
  text,
  timeOfDaySchema,
} from './schema-parts';
import { poderoDeviceSchema } from './schemas';

/** EV and wallbox `boost_state` (§6). */
export const BOOST_STATES = ['available', 'requested', 'ongoing', 'unavailable'] as const;
export type BoostState = (typeof BOOST_STATES)[number];

/** An EV: the common device fields plus its own (§3.7); everything but `id` optional. */
export const poderoElectricVehicleSchema = poderoDeviceSchema.extend({
  charge_target_min: num,
  /** OEM-detected hard cap in %, system-managed; null until detected. */
  charge_target_max: num,
  is_charge_policy_enabled: bool,
  /** `HH:MM`, 24 h. */
  charge_deadline_at: text,
  minimum_charge_limit: num,
  charge_policy_last_updated_at: text,
  is_plugged_in: bool,
  is_charging: bool,
  is_fully_charged: bool,
  charge_rate_w: num,
  battery_level: num,
  battery_capacity_kwh: num,
  driving_range: num,
  boost_state: looseEnum(BOOST_STATES).nullish(),
  /** Set by a boost while unplugged; the next plug-in fires it and clears it (E6). */
  boost_for_next_session: bool,
  // older guide fields; may no longer exist
  charge_limit_min: num,
  charge_limit_max: num,
  is_over_charge_allowed: bool,
  charge_time_remaining: num,
  charge_state_last_updated_at: text,
  consumption_last_day_kwh: num,
  consumption_last_week_kwh: num,
  consumption_last_month_kwh: num,
  pause_power_until_utc: text,
});
export type PoderoElectricVehicle = z.infer<typeof poderoElectricVehicleSchema>;

/**
 * The EV's writable fields (the attributes guide: smart optimisation and the charge policy), on top of the
 * common ones. The HEMS start/stop thresholds are writable too, but their names are not published: the
 * client refuses them until they are confirmed.
 */
const electricVehicleWritableFields = {
  ...deviceWritableFields,
  is_charge_policy_enabled: z.boolean().optional(),
  charge_deadline_at: timeOfDaySchema.nullish(),
  minimum_charge_limit: percentSchema.nullish(),
};

/** E2 `POST .../electric-vehicles`: every field optional (an empty vehicle the owner then connects). */
export const createElectricVehicleRequestSchema = z.strictObject({
  ...electricVehicleWritableFields,
  is_forecasting_enabled: z.boolean().optional(),
  device_model: deviceModelWriteSchema.optional(),
});
export type CreateElectricVehicleRequest = z.infer<typeof createElectricVehicleRequestSchema>;

/** E4 `PUT .../electric-vehicles/{id}` [INFERRED]: a partial update, shaped like the heat pump's. */
export const updateElectricVehicleRequestSchema = z.strictObject({
  ...electricVehicleWritableFields,
  device_model: deviceModelWriteSchema.optional(),
  ...deviceUpdateOnlyFields,
});
export type UpdateElectricVehicleRequest = z.infer<typeof updateElectricVehicleRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Weekly charge policy (E8, E9)

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const chargePolicyDaySchema = z.looseObject({ charge_percentage: num, charge_deadline: text });

/** E8's answer: `data` holds one target per weekday and the policy's timezone. */
export const chargePolicyResponseSchema = z.looseObject({
  metadata: z.looseObject({ electric_vehicle_id: text, user_id: text, error: text }).nullish(),
  data: z
    .looseObject({
      mon: chargePolicyDaySchema.nullish(),
      tue: chargePolicyDaySchema.nullish(),
      wed: chargePolicyDaySchema.nullish(),
      thu: chargePolicyDaySchema.nullish(),
      fri: chargePolicyDaySchema.nullish(),
      sat: chargePolicyDaySchema.nullish(),
      sun: chargePolicyDaySchema.nullish(),
      timezone: text,
    })
    .nullish(),
});
export type ChargePolicyResponse = z.infer<typeof chargePolicyResponseSchema>;

const chargePolicyDayWriteSchema = z.strictObject({
  charge_percentage: percentSchema,
  charge_deadline: timeOfDaySchema,
});

/**
 * E9 `PUT .../charge-policy` [INFERRED: the guide names the endpoint for writes, not its method or body]:
 * the body is E8's `data`, days left out stay as they are. Applies while `is_charge_policy_enabled`.
 */
export const chargePolicyRequestSchema = z.strictObject({
  mon: chargePolicyDayWriteSchema.optional(),
  tue: chargePolicyDayWriteSchema.optional(),
  wed: chargePolicyDayWriteSchema.optional(),
  thu: chargePolicyDayWriteSchema.optional(),
  fri: chargePolicyDayWriteSchema.optional(),
  sat: chargePolicyDayWriteSchema.optional(),
  sun: chargePolicyDayWriteSchema.optional(),
  /** IANA timezone of the deadlines, e.g. `Europe/Vienna`. */
  timezone: z.string().min(1).max(64).optional(),
});
export type ChargePolicyRequest = z.infer<typeof chargePolicyRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Charging sessions (E10, E11): the API's one paginated list (§4)

/** EV session `session_outcome` (§6): only `not_at_home` has been seen. */
export const SESSION_OUTCOMES = ['not_at_home'] as const;

export const chargingSessionSchema = z.looseObject({
  id: z.string().min(1),
  plug_in_time: text,
  unplug_time: text,
  inferred_session_end: text,
  desired_charging_start_time: text,
  desired_charging_end_time: text,
  charge_deadline: text,
  target_soc_pct: num,
  initial_soc_pct: num,
  final_soc_pct: num,
  energy_charged_kwh: num,
  avg_charge_power_kw: num,
  peak_charge_power_kw: num,
  actual_cost_eur: num,
  expected_savings_eur: num,
  actual_savings_eur: num,
  is_at_home: bool,
  session_outcome: looseEnum(SESSION_OUTCOMES).nullish(),
});
export type ChargingSession = z.infer<typeof chargingSessionSchema>;

/** E10's envelope `{total, items}`. */
export const chargingSessionPageSchema = z.looseObject({
  total: z.number().int().nonnegative(),
  items: z.array(chargingSessionSchema),
});
export type ChargingSessionPage = z.infer<typeof chargingSessionPageSchema>;

/** E11: the active session; tolerated as null or absent when the vehicle has none. */
export const currentChargingSessionSchema = z.looseObject({ session: chargingSessionSchema.nullish() });
export type CurrentChargingSession = z.infer<typeof currentChargingSessionSchema>;

/** A calendar day in UTC, `YYYY-MM-DD`; a Date is taken as its UTC day. */
const utcDaySchema = z.union([z.iso.date(), z.date().transform((date) => date.toISOString().slice(0, 10))]);

export const SESSIONS_PAGE_MAX = 200;

/** E10's query: `from` and `to` required, inclusive UTC days; `limit` 1–200 (default 50), `offset` ≥ 0. */
export const chargingSessionsQuerySchema = z.strictObject({
  from: utcDaySchema,
  to: utcDaySchema,
  limit: z.number().int().min(1).max(SESSIONS_PAGE_MAX).optional(),
  offset: z.number().int().min(0).optional(),
});
export type ChargingSessionsQuery = z.input<typeof chargingSessionsQuerySchema>;
