/**
 * Wire types of wallboxes (§3.8: W1–W7, and Appendix B's claim-token status). Tolerant responses, strict
 * requests (see schemas.ts).
 */
import * as z from 'zod';
import { BOOST_STATES } from './electric-vehicle-schemas';
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
import { isDotSegment } from './urls';

/** Derived by Podero from `is_authenticated`, `is_plugged_in` and `is_charging` (§3.8). */
export const WALLBOX_MODES = ['READY', 'PLUGGED_IN', 'CHARGING', 'UNAVAILABLE', 'UNKNOWN'] as const;
/** A presence dot derived from `is_authenticated` and `is_ocpp_connected` (§3.8, Appendix E). */
export const WALLBOX_CONNECTIONS = ['online', 'offline', 'never_connected'] as const;

/** A wallbox: the common device fields plus its own (§3.8); everything but `id` optional. */
export const poderoWallboxSchema = poderoDeviceSchema.extend({
  charge_target_min: num,
  charge_target_max: num,
  charge_power_max_w: num,
  is_charge_policy_enabled: bool,
  charge_policy_last_updated_at: text,
  minimum_charge_limit: num,
  charge_deadline_at: text,
  mode: looseEnum(WALLBOX_MODES).nullish(),
  connection: looseEnum(WALLBOX_CONNECTIONS).nullish(),
  is_plugged_in: bool,
  is_charging: bool,
  is_ocpp_connected: bool,
  boost_state: looseEnum(BOOST_STATES).nullish(),
  boost_for_next_session: bool,
});
export type PoderoWallbox = z.infer<typeof poderoWallboxSchema>;

/**
 * The wallbox's writable fields [INFERRED: the PUT body was not seen in full]: the common ones and the
 * charge policy the reference lists for it, as for an EV.
 */
const wallboxWritableFields = {
  ...deviceWritableFields,
  is_charge_policy_enabled: z.boolean().optional(),
  charge_deadline_at: timeOfDaySchema.nullish(),
  minimum_charge_limit: percentSchema.nullish(),
};

/** W7 `POST .../wallboxes` [INFERRED]: every field optional. */
export const createWallboxRequestSchema = z.strictObject({
  ...wallboxWritableFields,
  is_forecasting_enabled: z.boolean().optional(),
  device_model: deviceModelWriteSchema.optional(),
});
export type CreateWallboxRequest = z.infer<typeof createWallboxRequestSchema>;

/** W2 `PUT .../wallboxes/{id}`: a partial update. */
export const updateWallboxRequestSchema = z.strictObject({
  ...wallboxWritableFields,
  device_model: deviceModelWriteSchema.optional(),
  ...deviceUpdateOnlyFields,
});
export type UpdateWallboxRequest = z.infer<typeof updateWallboxRequestSchema>;

/**
 * W6's 201: a one-time token an installer's app uses to claim a wallbox over OCPP (`wss_url`). The token is
 * a secret until used: hand it to the installer once, never log it.
 */
export const wallboxClaimTokenSchema = z.looseObject({
  token: z.string().min(1),
  wss_url: text,
  expires_at: text,
});
export type WallboxClaimToken = z.infer<typeof wallboxClaimTokenSchema>;

/** Appendix B: whether a claim token was used, and by which wallbox. */
export const wallboxClaimTokenStatusSchema = z.looseObject({
  claimed: bool,
  wallbox_id: text,
  manufacturer: text,
  model: text,
  firmware_version: text,
});
export type WallboxClaimTokenStatus = z.infer<typeof wallboxClaimTokenStatusSchema>;

/** A claim token as a path segment: never a dot segment, which a URL would normalise away. */
export const claimTokenParamSchema = z
  .string()
  .min(1)
  .max(512)
  .refine((value) => !isDotSegment(value), 'must not be "." or ".."');
