/**
 * The electric vehicle's generic update (E4 [INFERRED]: the PUT the guides call "the device's PUT"): smart
 * optimisation and the charge policy, checked against the vehicle as it is. Boost, the weekly policy and
 * sessions are controls of their own.
 */
import type { UpdateElectricVehicleRequest } from '@podero-bridge/podero-client';
import * as z from 'zod';
import {
  atLeastOneSetting,
  type ChargingSettings,
  chargingSettingsApplied,
  chargingSettingsIssues,
  chargingSettingsShape,
} from './charging-settings';
import type { DeviceControl } from './kind';
import type { DeviceJson } from './state';

export const updateElectricVehicleSettingsSchema = z
  .strictObject(chargingSettingsShape)
  .refine(atLeastOneSetting, { message: 'must change at least one setting' })
  .meta({ id: 'UpdateElectricVehicleSettingsRequest', minProperties: 1 });
export type UpdateElectricVehicleSettings = ChargingSettings;

/** The Podero call the settings control needs (podero-client's `electricVehicles.update`). */
export interface ElectricVehicleUpdateUpstream {
  electricVehicles: {
    update(userId: string, deviceId: string, body: UpdateElectricVehicleRequest): Promise<DeviceJson>;
  };
}

export const electricVehicleSettingsControl = {
  body: updateElectricVehicleSettingsSchema,
  refusal: 'the settings do not fit the electric vehicle',
  issues: (body, current, nowMs) => chargingSettingsIssues(body, current, nowMs, 'electric vehicle'),
  apply: (podero, poderoUserId, deviceId, body) =>
    podero.electricVehicles.update(poderoUserId, deviceId, body),
  applied: chargingSettingsApplied,
} satisfies DeviceControl<ElectricVehicleUpdateUpstream, UpdateElectricVehicleSettings>;
