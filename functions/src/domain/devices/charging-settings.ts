/**
 * The settings an electric vehicle and a wallbox share (§3.7 and §3.8 mark them writable): smart
 * optimisation, the market, a pause, and the charge policy (a target by a deadline). Each kind's control
 * (electric-vehicle-controls.ts, wallbox-controls.ts) builds its body from this shape and checks it with
 * `chargingSettingsIssues`.
 */
import { PRICE_ZONES } from '@podero-bridge/podero-client';
import * as z from 'zod';
import { type FieldComparison, fieldEcho, pauseEnd } from './changes';
import type { ControlIssue } from './kind';

export const chargingSettingsShape = {
  is_smart_optimization_active: z.boolean().optional(),
  is_charge_policy_enabled: z.boolean().optional().meta({
    description: 'Charge to minimum_charge_limit by charge_deadline_at (the weekly policy, for a vehicle)',
  }),
  charge_deadline_at: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)')
    .nullable()
    .optional()
    .meta({ description: 'HH:MM (24 h)' }),
  minimum_charge_limit: z
    .number()
    .int()
    .min(0)
    .max(100)
    .nullable()
    .optional()
    .meta({ description: '%, 0..100, not above the charge_target_max Podero detected' }),
  pause_power_until: z.iso.datetime({ offset: true }).nullable().optional().meta({
    description: 'A future time pauses charging until then; null resumes it now.',
  }),
  price_zone: z
    .enum(PRICE_ZONES)
    .optional()
    .meta({ description: 'The day-ahead market Podero optimises against' }),
};

export type ChargingSettings = {
  [K in keyof typeof chargingSettingsShape]?: z.output<(typeof chargingSettingsShape)[K]>;
};

/**
 * Checked on the device as it is: a target above the cap Podero detected (`charge_target_max`) could never
 * be reached, and a pause that ended already would be a no-op Podero may read as "pause now".
 */
export function chargingSettingsIssues(
  body: ChargingSettings,
  current: Readonly<Record<string, unknown>>,
  nowMs: number,
  noun: string,
): ControlIssue[] {
  const issues: ControlIssue[] = [];
  const cap = current.charge_target_max;
  const limit = body.minimum_charge_limit;
  if (typeof limit === 'number' && typeof cap === 'number' && limit > cap) {
    issues.push({
      path: ['minimum_charge_limit'],
      message: `must not exceed the ${noun}'s charge_target_max (${cap})`,
    });
  }
  if (typeof body.pause_power_until === 'string' && Date.parse(body.pause_power_until) <= nowMs) {
    issues.push({
      path: ['pause_power_until'],
      message: `must be in the future (send null to resume the ${noun} now)`,
    });
  }
  return issues;
}

/** At least one setting: an empty body is a caller's mistake, not a no-op to send to Podero. */
export const atLeastOneSetting = (body: object) => Object.keys(body).length > 0;

/** `HH:MM` against Podero's time of day, which may carry seconds (`07:30:00`). */
export const sameTimeOfDay: FieldComparison = (requested, observed) =>
  requested === null
    ? observed === null || observed === undefined
    : typeof requested === 'string' && typeof observed === 'string' && observed.slice(0, 5) === requested;

/** The settings are echoed in the vehicle's and the box's JSON (§3.7, §3.8): the pause and deadline by meaning. */
export const chargingSettingsApplied = fieldEcho({
  pause_power_until: pauseEnd,
  charge_deadline_at: sameTimeOfDay,
});
