/**
 * CC1, CC2: the user's charging configuration. The contract documents the `mode` (`none`, `spot`, `hems`,
 * `hems_and_spot`, the projection of Podero's DesiredSteering) and the reasons a mode is unavailable; the rest
 * of the shape is INFERRED: `{mode, available_modes, unavailability_reasons: {<mode>: [reason]}, updated_at}`.
 *
 * The mode steers the user's living cars and the inverter's battery (model/charging.ts, model/solar.ts); a PUT
 * first steps the cars to now, so the time before it stays charged under the old mode.
 *
 * Availability: `spot` needs something that charges (an EV or a wallbox: `no_ev`); `hems` needs that and a
 * connected inverter (`no_inverter`); `hems_and_spot` needs both. A PUT of an unavailable mode is a 422 on
 * `["body","mode"]` naming the reasons.
 */

import { type Handler, iso, jsonBody, type SimCore } from '../core';
import { advanceWallbox } from '../device-kinds';
import { requireUser } from '../domain';
import { parseOr422, validationError } from '../errors';
import type { ChargingConfigRecord } from '../store';
import {
  CHARGING_CONFIG_MODES,
  type ChargingConfigMode,
  type ChargingConfigUnavailabilityReason,
  chargingConfigBodySchema,
} from '../wire-devices';
import { userWriteFaultKey } from '../write-faults';
import { liveDevicesOf } from './devices';

function reasonsByMode(
  core: SimCore,
  userId: string,
): Record<ChargingConfigMode, ChargingConfigUnavailabilityReason[]> {
  const devices = liveDevicesOf(core, userId);
  const charges = devices.electricVehicles.length > 0 || devices.wallboxes.length > 0;
  const inverter = devices.inverters.some((candidate) => candidate.is_authenticated);
  const spot: ChargingConfigUnavailabilityReason[] = charges ? [] : ['no_ev'];
  const hems: ChargingConfigUnavailabilityReason[] = [
    ...spot,
    ...(inverter ? [] : (['no_inverter'] as const)),
  ];
  return { none: [], spot, hems, hems_and_spot: hems };
}

function configView(core: SimCore, userId: string) {
  const stored = core.store.chargingConfigs.get(userId);
  const reasons = reasonsByMode(core, userId);
  return {
    mode: stored?.mode ?? 'none',
    available_modes: CHARGING_CONFIG_MODES.filter((mode) => reasons[mode].length === 0),
    unavailability_reasons: Object.fromEntries(
      CHARGING_CONFIG_MODES.filter((mode) => reasons[mode].length > 0).map((mode) => [mode, reasons[mode]]),
    ),
    updated_at: stored?.updated_at ?? null,
  };
}

export const getChargingConfig: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  return { status: 200, json: configView(core, user.id) };
};

export const updateChargingConfig: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const body = parseOr422(chargingConfigBodySchema, jsonBody(request), ['body']);
  const reasons = reasonsByMode(core, user.id)[body.mode];
  if (reasons.length > 0) {
    throw validationError([
      {
        type: 'value_error',
        loc: ['body', 'mode'],
        msg: `Mode '${body.mode}' is not available for this user: ${reasons.join(', ')}`,
      },
    ]);
  }
  // The user's write fault (write-faults.ts) may keep the mode from landing, or land it late: the answer
  // is then the configuration as it stands, as for a device.
  core.writeFaults.write(userWriteFaultKey(user.id), core.clock.nowMs(), () => {
    // The cars charged under the old mode until now: step them there before the new mode steers them.
    for (const wallbox of core.store.wallboxesOf(user.id)) advanceWallbox(core, wallbox);
    const record: ChargingConfigRecord = {
      user_id: user.id,
      mode: body.mode,
      updated_at: iso(core.clock.nowMs()),
    };
    core.store.chargingConfigs.set(user.id, record);
  });
  core.changed();
  return { status: 200, json: configView(core, user.id) };
};
