/**
 * Wire types of the user's charging configuration (CC1, CC2): the owner-level steering mode that EV charging
 * follows. Tolerant response, strict request (see schemas.ts).
 */
import * as z from 'zod';
import { looseEnum } from './schema-parts';

/**
 * The projection of Podero's DesiredSteering onto {none, spot, hems, hems_and_spot}; intraday and
 * curtailment steering are folded into it and not visible (Appendix E).
 */
export const CHARGING_MODES = ['none', 'spot', 'hems', 'hems_and_spot'] as const;
export type ChargingMode = (typeof CHARGING_MODES)[number];

/** Why a mode is unavailable or HEMS ineligible (§6; the list is open-ended). */
export const CHARGING_UNAVAILABILITY_REASONS = [
  'no_ev',
  'no_battery_capacity',
  'no_actuator',
  'wallbox_not_modulating',
  'no_inverter',
  'inverter_no_export_data',
] as const;

/**
 * CC1's answer. Only `mode` is named in what was read of the reference; the rest it describes (HEMS
 * eligibility, available modes with reason codes, thresholds, the live solar-charging status) is kept as
 * it comes, under Podero's names.
 */
export const chargingConfigSchema = z.looseObject({
  mode: looseEnum(CHARGING_MODES).nullish(),
});
export type ChargingConfig = z.infer<typeof chargingConfigSchema>;

/**
 * CC2's body: the mode. Podero answers 422 naming the field when the mode is not available to the user
 * (InvalidChargingConfigError). The thresholds are writable too, but their names are not published: the
 * client refuses them until they are confirmed.
 */
export const chargingConfigRequestSchema = z.strictObject({
  mode: z.enum(CHARGING_MODES),
});
export type ChargingConfigRequest = z.infer<typeof chargingConfigRequestSchema>;
