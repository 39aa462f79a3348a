/**
 * The user's charging configuration as a tracked change (issue 35): a CC2 write (`PUT
 * .../charging-config`) records a change of the subject `charging_config`, which belongs to the user, not
 * to a device. It reuses the change model (changes.ts) and its stores as they are: the subject stands in
 * the place of a device kind (its own open-changes item `OPENCHANGES#charging_config`, its own history
 * prefix `CHANGE#charging_config#user#`), the user's one configuration in the place of a device
 * (`CHARGING_CONFIG_TARGET`), and CC1's answer in the place of the device's JSON.
 *
 * Confirmed when CC1 shows the requested `mode`, the one documented field of the configuration (the
 * reference's enum `none`, `spot`, `hems`, `hems_and_spot`); nothing rests on the inferred ones
 * (`available_modes`, `unavailability_reasons`, `updated_at`). Failed when no read shows it within
 * CHARGING_CONFIG_CHANGE_TIMEOUT_SECONDS: the sync reads CC1 only for users whose profile says a change is
 * pending (storage/users.ts), so the first pass after the deadline fails it.
 */
import { type DeviceChange, fieldEcho, newChange, newChangeId } from './changes';

/** The subject: the changes' `kind`, the open-changes item's and the events' prefix. */
export const CHARGING_CONFIG_SUBJECT = 'charging_config';
/** The change's `control` (the route's one write). */
export const CHARGING_CONFIG_CONTROL = 'charging_config';
/** The change's `deviceId`: the user has one configuration. */
export const CHARGING_CONFIG_TARGET = 'user';

/**
 * A mode Podero took is seen in CC1 at once by every test of the simulator; Podero's own projection of the
 * steering it stores (Appendix E) is not documented to lag. An hour leaves room for a slow write and two
 * sync passes at the default interval.
 */
export const CHARGING_CONFIG_CHANGE_TIMEOUT_SECONDS = 60 * 60;

/** Applied when CC1's `mode` is the requested one (the change's only field). */
export const chargingConfigApplied = fieldEcho();

/**
 * The subject as the change tracker takes a kind (devices/change-tracker.ts TrackedSubject): no device
 * controls, one check by the change's control, no device id in its events.
 */
export const chargingConfigSubject = {
  name: CHARGING_CONFIG_SUBJECT,
  controls: {},
  changeChecks: { [CHARGING_CONFIG_CONTROL]: chargingConfigApplied },
  api: { idParam: null },
} as const;

export function newChargingConfigChange(input: {
  externalUserId: string;
  mode: string;
  requestedAtMs: number;
  by: string;
  random?: () => number;
}): DeviceChange {
  return newChange({
    id: newChangeId(input.requestedAtMs, input.random),
    kind: CHARGING_CONFIG_SUBJECT,
    externalUserId: input.externalUserId,
    deviceId: CHARGING_CONFIG_TARGET,
    control: CHARGING_CONFIG_CONTROL,
    fields: { mode: input.mode },
    requestedAtMs: input.requestedAtMs,
    timeoutSeconds: CHARGING_CONFIG_CHANGE_TIMEOUT_SECONDS,
    by: input.by,
    manufacturer: null,
  });
}

/** One read of CC1 as the observation its changes are settled by (keyed as the tracker wants). */
export function chargingConfigObservation(
  config: Readonly<Record<string, unknown>>,
  observedAt: string,
): ReadonlyMap<string, { device: Readonly<Record<string, unknown>>; observedAt: string }> {
  return new Map([[CHARGING_CONFIG_TARGET, { device: config, observedAt }]]);
}
