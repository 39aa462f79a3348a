/**
 * The solar inverter's generic update (I4): smart optimisation, the market, the rating and the home battery
 * (§3.9 marks them writable), checked on the inverter as it will be after the change: the battery's limits
 * in order within 0..100, and a connected battery with its capacity (Podero requires it).
 */
import { PRICE_ZONES, type UpdateInverterRequest } from '@podero-bridge/podero-client';
import * as z from 'zod';
import { fieldEcho } from './changes';
import type { ControlIssue, DeviceControl } from './kind';
import type { DeviceJson } from './state';

const batteryPercent = z.number().int().min(0).max(100).nullable().optional();

export const updateInverterSettingsSchema = z
  .strictObject({
    is_smart_optimization_active: z.boolean().optional(),
    price_zone: z
      .enum(PRICE_ZONES)
      .optional()
      .meta({ description: 'The day-ahead market Podero optimises against' }),
    solar_power_rating_kw: z.number().positive().max(1000).optional().meta({ description: 'kWp, >0' }),
    is_battery_connected: z.boolean().optional(),
    battery_capacity_kwh: z
      .number()
      .positive()
      .max(1000)
      .nullable()
      .optional()
      .meta({ description: 'kWh; required while a battery is connected' }),
    min_battery_charge: batteryPercent.meta({ description: '%, 0..100, not above max_battery_charge' }),
    max_battery_charge: batteryPercent.meta({ description: '%, 0..100, not below min_battery_charge' }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one setting' })
  .meta({ id: 'UpdateInverterSettingsRequest', minProperties: 1 });
export type UpdateInverterSettings = z.output<typeof updateInverterSettingsSchema>;

/**
 * Cross-field rules on the merged state, reported on a field the body changed; a rule whose fields the body
 * does not touch is not checked (as for the heat pump's limits).
 */
export function inverterSettingsIssues(
  body: UpdateInverterSettings,
  current: Readonly<Record<string, unknown>>,
): ControlIssue[] {
  const merged: Record<string, unknown> = { ...current, ...body };
  const touched = (...keys: (keyof UpdateInverterSettings)[]) => keys.find((key) => key in body);
  const issues: ControlIssue[] = [];
  const limitField = touched('min_battery_charge', 'max_battery_charge');
  const min = merged.min_battery_charge;
  const max = merged.max_battery_charge;
  if (limitField && typeof min === 'number' && typeof max === 'number' && min > max) {
    issues.push({
      path: [limitField],
      message: `min_battery_charge (${min}) must not exceed max_battery_charge (${max})`,
    });
  }
  const batteryField = touched('is_battery_connected', 'battery_capacity_kwh');
  const capacity = merged.battery_capacity_kwh;
  if (
    batteryField &&
    merged.is_battery_connected === true &&
    (typeof capacity !== 'number' || capacity <= 0)
  ) {
    issues.push({
      path: [batteryField],
      message: 'a connected battery needs its battery_capacity_kwh',
    });
  }
  return issues;
}

/** The Podero call the settings control needs (podero-client's `inverters.update`). */
export interface InverterUpdateUpstream {
  inverters: { update(userId: string, deviceId: string, body: UpdateInverterRequest): Promise<DeviceJson> };
}

export const inverterSettingsControl = {
  body: updateInverterSettingsSchema,
  refusal: 'the settings do not fit the solar inverter',
  issues: (body, current) => inverterSettingsIssues(body, current),
  apply: (podero, poderoUserId, deviceId, body) => podero.inverters.update(poderoUserId, deviceId, body),
  // Every writable inverter field is echoed in its JSON (§3.9).
  applied: fieldEcho(),
} satisfies DeviceControl<InverterUpdateUpstream, UpdateInverterSettings>;
