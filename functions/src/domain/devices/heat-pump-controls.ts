/**
 * The heat pump's controls: what an app or the partner's back office may change (Podero's H4), the bridge's
 * own bounds where Podero documents none, and the cross-field check against the device as it is. Lifecycle,
 * trading, steering state and monitoring fields are Podero's own bookkeeping, not a control.
 */
import { OPTIMIZATION_LEVELS, PRICE_ZONES, type UpdateHeatPumpRequest } from '@podero-bridge/podero-client';
import * as z from 'zod';
import { fieldEcho, pauseEnd, sameInstant } from './changes';
import type { ControlIssue, DeviceControl } from './kind';
import type { DeviceJson } from './state';

const temperatureLimit = z.number().min(5).max(35).meta({ description: '°C, 5..35' });
const awayInstant = z.iso.datetime({ offset: true }).nullable();

/** The bridge's own bounds where Podero documents none (a typo of 15 instead of 1.5 must not reach a home). */
export const TARGET_OFFSET_MAX_CELSIUS = 5;
export const HOT_WATER_MIN_CELSIUS = 30;
export const HOT_WATER_MAX_CELSIUS = 65;

export const updateHeatPumpSettingsSchema = z
  .strictObject({
    is_smart_optimization_active: z.boolean().optional(),
    optimization_level: z.enum(OPTIMIZATION_LEVELS).optional(),
    minimum_temperature_limit: temperatureLimit.optional(),
    maximum_temperature_limit: temperatureLimit.optional(),
    is_away_mode_enabled: z.boolean().optional(),
    away_mode_start: awayInstant.optional(),
    away_mode_end: awayInstant.optional(),
    away_mode_minimum_temperature_limit: temperatureLimit.optional(),
    pause_power_until: z.iso.datetime({ offset: true }).nullable().optional().meta({
      description: 'A future time pauses the heat pump’s consumption until then; null resumes it now.',
    }),
    indoor_target_temperature_offset: z
      .number()
      .min(-TARGET_OFFSET_MAX_CELSIUS)
      .max(TARGET_OFFSET_MAX_CELSIUS)
      .optional()
      .meta({
        description: `°C added to the indoor target, -${TARGET_OFFSET_MAX_CELSIUS}..${TARGET_OFFSET_MAX_CELSIUS}`,
      }),
    dhw_standard_temperature: z
      .number()
      .min(HOT_WATER_MIN_CELSIUS)
      .max(HOT_WATER_MAX_CELSIUS)
      .nullable()
      .optional()
      .meta({
        description: `Hot-water default setpoint, °C, ${HOT_WATER_MIN_CELSIUS}..${HOT_WATER_MAX_CELSIUS}, not below the device's minimum_dhw_temperature_limit`,
      }),
    is_space_heating_enabled: z.boolean().optional(),
    is_hot_water_heating_enabled: z.boolean().optional(),
    is_pool_heating_enabled: z.boolean().optional(),
    is_space_cooling_enabled: z.boolean().optional(),
    price_zone: z
      .enum(PRICE_ZONES)
      .optional()
      .meta({ description: 'The day-ahead market Podero optimises against' }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one setting' })
  .meta({ id: 'UpdateHeatPumpSettingsRequest', minProperties: 1 });
export type UpdateHeatPumpSettings = z.output<typeof updateHeatPumpSettingsSchema>;

type SettingsView = Partial<Record<keyof UpdateHeatPumpSettings, unknown>>;

/**
 * Cross-field rules, checked on the heat pump as it will be after the change (current values merged
 * with the body), and reported on the field the body changed. A rule whose fields the body does not
 * touch is not checked: a caller must be able to change the optimisation level of a heat pump whose
 * limits were set inconsistently elsewhere.
 */
export function settingsIssues(
  body: UpdateHeatPumpSettings,
  current: Readonly<Record<string, unknown>>,
  nowMs: number,
): ControlIssue[] {
  const merged: SettingsView & Record<string, unknown> = { ...current, ...body };
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const time = (v: unknown) =>
    typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : undefined;
  const touched = (...keys: (keyof UpdateHeatPumpSettings)[]) => keys.find((k) => k in body);
  const issues: ControlIssue[] = [];

  const limitField = touched('minimum_temperature_limit', 'maximum_temperature_limit');
  const min = num(merged.minimum_temperature_limit);
  const max = num(merged.maximum_temperature_limit);
  if (limitField && min !== undefined && max !== undefined && min > max) {
    issues.push({
      path: [limitField],
      message: `minimum_temperature_limit (${min}) must not exceed maximum_temperature_limit (${max})`,
    });
  }

  const awayField = touched('away_mode_start', 'away_mode_end', 'is_away_mode_enabled');
  const start = time(merged.away_mode_start);
  const end = time(merged.away_mode_end);
  if (awayField && start !== undefined && end !== undefined && start >= end) {
    issues.push({ path: [awayField], message: 'away_mode_start must be earlier than away_mode_end' });
  }
  if (merged.is_away_mode_enabled === true && awayField && (start === undefined || end === undefined)) {
    issues.push({
      path: [awayField],
      message: 'away mode needs both away_mode_start and away_mode_end when it is enabled',
    });
  }

  // A pause that ended already would be a no-op Podero may read as "pause now"; null is the way to resume.
  const pauseUntil = time(body.pause_power_until);
  if (pauseUntil !== undefined && pauseUntil <= nowMs) {
    issues.push({
      path: ['pause_power_until'],
      message: 'must be in the future (send null to resume the heat pump now)',
    });
  }

  const hotWater = num(body.dhw_standard_temperature);
  const hotWaterMinimum = num(merged.minimum_dhw_temperature_limit);
  if (hotWater !== undefined && hotWaterMinimum !== undefined && hotWater < hotWaterMinimum) {
    issues.push({
      path: ['dhw_standard_temperature'],
      message: `must not be below the device's minimum_dhw_temperature_limit (${hotWaterMinimum})`,
    });
  }
  return issues;
}

/** The Podero call the settings control needs (podero-client's `heatPumps.update`). */
export interface HeatPumpUpdateUpstream {
  heatPumps: { update(userId: string, deviceId: string, body: UpdateHeatPumpRequest): Promise<DeviceJson> };
}

/** PATCH the heat pump's settings: checked against its live state, sent to Podero as they are. */
export const heatPumpSettingsControl = {
  body: updateHeatPumpSettingsSchema,
  refusal: 'the settings are inconsistent',
  issues: settingsIssues,
  apply: (
    podero: HeatPumpUpdateUpstream,
    poderoUserId: string,
    deviceId: string,
    body: UpdateHeatPumpSettings,
  ) => podero.heatPumps.update(poderoUserId, deviceId, body),
  // Podero's heat pump JSON echoes each setting (§3.5); the pause and away instants compare as instants.
  applied: fieldEcho({
    pause_power_until: pauseEnd,
    away_mode_start: sameInstant,
    away_mode_end: sameInstant,
  }),
} satisfies DeviceControl<HeatPumpUpdateUpstream, UpdateHeatPumpSettings>;
