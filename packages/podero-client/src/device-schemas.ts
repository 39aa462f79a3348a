/**
 * Wire types every device kind shares beyond its own fields: the re-authentication session (§3.10), the
 * beta schedules (H9, I7), and the general device update (D1, §3.6). Strict requests, tolerant responses,
 * as in schemas.ts.
 */
import * as z from 'zod';
import { text } from './schema-parts';

const redirectUrl = z.url({ protocol: /^https?$/ }).max(8000);

/** `POST .../{kind}/{id}/auth_session` (E5, W3, I5): where the owner returns afterwards. */
export const authSessionRequestSchema = z.strictObject({
  success_url: redirectUrl.nullish(),
  cancel_url: redirectUrl.nullish(),
});
export type AuthSessionRequest = z.infer<typeof authSessionRequestSchema>;

/**
 * The answer: `authentication_url` is where the owner reconnects the manufacturer account. It is a secret
 * (it signs in whoever holds it): hand it to the owner, never log it.
 */
export const authSessionResponseSchema = z.looseObject({
  authentication_url: text,
  device_id: text,
  session_id: text,
});
export type AuthSessionResponse = z.infer<typeof authSessionResponseSchema>;

/**
 * The beta schedules (H9, I7): "schedules within a given time range"; neither the parameters nor the
 * response shape are published. Any JSON object or array is accepted and kept as it came.
 */
export const schedulesResponseSchema = z.union([z.looseObject({}), z.array(z.unknown())]);
export type SchedulesResponse = z.infer<typeof schedulesResponseSchema>;

/**
 * The schedules' query parameters, by name, as the caller has learnt them (not published): lower-case
 * names, text or number values; a Date is sent as ISO-8601.
 */
export const schedulesQuerySchema = z.record(
  z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lower-case parameter name'),
  z.union([z.string().max(200), z.number(), z.boolean(), z.date()]),
);
export type SchedulesQuery = z.input<typeof schedulesQuerySchema>;

/** D1 `PATCH .../devices/{device_id}`: general attributes of a device of any kind, each `boolean | null`. */
export const generalDeviceUpdateRequestSchema = z.strictObject({
  is_smart_optimization_active: z.boolean().nullish(),
  /** Writable here only (§5.5 step 6). */
  is_authenticated: z.boolean().nullish(),
  is_inverter_forced_mode_enabled: z.boolean().nullish(),
  is_forecasting_enabled: z.boolean().nullish(),
  comment: z.string().nullish(),
});
export type GeneralDeviceUpdateRequest = z.infer<typeof generalDeviceUpdateRequestSchema>;

/** D1's 200 has no published schema: whatever JSON came back (often the device), or undefined for none. */
export const generalDeviceUpdateResponseSchema = z.unknown();
