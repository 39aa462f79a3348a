/**
 * An electric vehicle's weekly charge policy as a tracked change (issue 35): the control `charge_policy`
 * (E9 `PUT .../charge-policy` [INFERRED]), its fields the week as sent (`mon`..`sun`, each
 * `{charge_percentage, charge_deadline}`, and `timezone` when sent). The vehicle's JSON does not hold the
 * policy (§3.7 lists only `is_charge_policy_enabled`, `charge_deadline_at`, `minimum_charge_limit` and
 * `charge_policy_last_updated_at`, none of them per day), so the change is observed through E8
 * (`GET .../charge-policy`, REF), whose `data` has the same shape as the body: that read is its read-back.
 */
import { WEEKDAYS } from '@podero-bridge/podero-client';
import { type AppliedAt, sameValue } from './changes';
import { sameTimeOfDay } from './charging-settings';
import type { ChangeReadBack } from './kind';

/** The change's `control`, and the key of its read-back and check in the kind (electric-vehicle.ts). */
export const CHARGE_POLICY_CONTROL = 'charge_policy';

/** A read's JSON document (E8's `data`), as the checks take it. */
type Document = Readonly<Record<string, unknown>>;

const objectAt = (document: Document, field: string): Readonly<Record<string, unknown>> | null => {
  const value = document[field];
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
};

/**
 * Applied when E8's `data` shows every requested day's target (the same whole percentage) and deadline
 * (the same `HH:MM`: Podero may add seconds), and the requested timezone when one was sent (left out,
 * Podero keeps its own: nothing to compare). A day E8 leaves out is not applied.
 */
export const chargePolicyApplied: AppliedAt = (requested, policy, observedAtMs) => {
  for (const day of WEEKDAYS) {
    const asked = objectAt(requested, day);
    if (asked === null) continue;
    const seen = objectAt(policy, day);
    if (seen === null) return false;
    if (!sameValue(asked.charge_percentage, seen.charge_percentage, observedAtMs)) return false;
    if (!sameTimeOfDay(asked.charge_deadline, seen.charge_deadline, observedAtMs)) return false;
  }
  return typeof requested.timezone !== 'string' || requested.timezone === policy.timezone;
};

/** The Podero call of the read-back (podero-client's `electricVehicles.chargePolicy.get`, E8). */
export interface ChargePolicyReadUpstream {
  electricVehicles: {
    chargePolicy: {
      get(userId: string, deviceId: string): Promise<{ data?: Readonly<Record<string, unknown>> | null }>;
    };
  };
}

/** E8's `data` (an answer without it reads as an empty policy: nothing requested shows in it). */
export const chargePolicyReadBack: ChangeReadBack<ChargePolicyReadUpstream> = {
  read: async (podero, poderoUserId, deviceId) =>
    (await podero.electricVehicles.chargePolicy.get(poderoUserId, deviceId)).data ?? {},
};
