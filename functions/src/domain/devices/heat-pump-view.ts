/**
 * What a caller sees of a heat pump: the allow-listed fields of Podero's object, its pending actions by code
 * only, and the connection summary (view.ts builds it; the envelopes are view.ts's too). Podero's object is
 * never passed through, because parts of it are not for end users: `actions[].resolution_link.url` carries a
 * cue's secret (enough on its own to report an outcome), `owner` Podero's ids and the owner's e-mail,
 * `device_model` the manufacturer cloud's sign-up links. A field Podero omits, or sends with another type, is
 * left out (the contract is unsure of several).
 */
import * as z from 'zod';
import {
  actionsViewSchema,
  connectionSchema,
  deviceEnvelopesOf,
  deviceHealthSchema,
  deviceModelViewSchema,
  deviceViewOf,
  optionalFields,
} from './view';

const text = z.string().nullish();
const num = z.number().nullish();
const flag = z.boolean().nullish();

/** The fields of Podero's heat-pump object a caller may see: an allow-list. */
export const heatPumpFieldSchemas = {
  id: z.string(),
  connection_status: text.meta({ description: "Podero's ok | warning | error | unknown" }),
  monitoring_status: text,
  steering_status: text,
  created_at: text,
  updated_at: text,
  price_zone: text,
  building: text.meta({ description: 'Podero building id, if linked' }),
  lifecycle_state: text,
  lifecycle_error: text,
  is_authenticated: flag.meta({ description: 'The manufacturer connection is live (see `connection`)' }),
  is_smart_optimization_active: flag,
  optimization_level: text,
  optimization_score: num,
  current_mode: text,
  current_state_last_updated_at: text,
  last_monitoring_executed_at: text,
  is_pause_power_active: flag,
  pause_power_until: text,
  is_forecasting_enabled: flag,
  is_trading_enabled: flag,
  actual_steering_state: text,
  indoor_target_temperature_offset: num,
  dhw_standard_temperature: num,
  is_hot_water_heating_enabled: flag,
  is_space_heating_enabled: flag,
  is_pool_heating_enabled: flag,
  is_space_cooling_enabled: flag,
  heating_policy_name: text,
  is_heating_policy_enabled: flag,
  minimum_temperature_limit: num,
  maximum_temperature_limit: num,
  minimum_dhw_temperature_limit: num,
  is_away_mode_enabled: flag,
  away_mode_start: text,
  away_mode_end: text,
  away_mode_minimum_temperature_limit: num,
  current_power_consumption_w: num,
  outdoor_temperature: num,
  indoor_actual_temperature: num,
  indoor_target_temperature: num,
  inlet_temperature: num,
  outlet_temperature: num,
  dhw_temperature: num,
  dhw_target_temperature: num,
  consumption_last_day_kwh: num.meta({ description: 'Older shape only' }),
};

export const heatPumpSchema = z
  .strictObject({
    ...optionalFields(heatPumpFieldSchemas),
    id: z.string(),
    device_model: deviceModelViewSchema.optional(),
    actions: actionsViewSchema,
    connection: connectionSchema,
    health: deviceHealthSchema,
  })
  .meta({
    id: 'HeatPump',
    description:
      "A heat pump: an allow-listed view of Podero's object, with the bridge's connection summary.",
  });
export type HeatPumpView = z.infer<typeof heatPumpSchema>;

export const heatPumpView = deviceViewOf<HeatPumpView>(heatPumpFieldSchemas);

const envelopes = deviceEnvelopesOf(
  { name: 'heat_pump', singular: 'HeatPump', noun: 'heat pump' },
  heatPumpSchema,
);
export const heatPumpListResponseSchema = envelopes.list;
export const heatPumpResponseSchema = envelopes.one;
