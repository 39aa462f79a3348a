/**
 * The wallbox's generic update (W2): smart optimisation and the charge policy, checked against the box as it
 * is. Boost and the claim token are controls of their own.
 */
import type { UpdateWallboxRequest } from '@podero-bridge/podero-client';
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

export const updateWallboxSettingsSchema = z
  .strictObject(chargingSettingsShape)
  .refine(atLeastOneSetting, { message: 'must change at least one setting' })
  .meta({ id: 'UpdateWallboxSettingsRequest', minProperties: 1 });
export type UpdateWallboxSettings = ChargingSettings;

/** The Podero call the settings control needs (podero-client's `wallboxes.update`). */
export interface WallboxUpdateUpstream {
  wallboxes: { update(userId: string, deviceId: string, body: UpdateWallboxRequest): Promise<DeviceJson> };
}

export const wallboxSettingsControl = {
  body: updateWallboxSettingsSchema,
  refusal: 'the settings do not fit the wallbox',
  issues: (body, current, nowMs) => chargingSettingsIssues(body, current, nowMs, 'wallbox'),
  apply: (podero, poderoUserId, deviceId, body) => podero.wallboxes.update(poderoUserId, deviceId, body),
  applied: chargingSettingsApplied,
} satisfies DeviceControl<WallboxUpdateUpstream, UpdateWallboxSettings>;
