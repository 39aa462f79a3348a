/**
 * What a caller sees of a solar inverter and the home battery behind it: the common fields and the
 * inverter's own (§3.9), allow-listed as the heat pump's are. Signs as Podero documents them.
 */
import * as z from 'zod';
import {
  actionsViewSchema,
  commonDeviceFieldSchemas,
  connectionSchema,
  deviceEnvelopesOf,
  deviceHealthSchema,
  deviceModelViewSchema,
  deviceViewOf,
  optionalFields,
} from './view';

const num = z.number().nullish();
const flag = z.boolean().nullish();

/** The fields of Podero's inverter object a caller may see: an allow-list. */
export const inverterFieldSchemas = {
  ...commonDeviceFieldSchemas,
  solar_power_rating_kw: num,
  is_battery_connected: flag,
  battery_capacity_kwh: num,
  min_battery_charge: num.meta({ description: '%: the battery is not discharged below it' }),
  max_battery_charge: num.meta({ description: '%: the battery is not charged above it' }),
  current_power_to_grid_w: num.meta({ description: 'W: positive exporting, negative importing' }),
  current_solar_production_w: num.meta({ description: 'W: 0 at night' }),
  household_consumption_w: num,
  solar_surplus_w: num.meta({ description: 'W: production minus household consumption' }),
  battery_charge_level_percent: num.meta({ description: '%: null (or 0) without a battery' }),
  battery_charge_discharge_power_w: num.meta({
    description: 'W: positive while the battery discharges, negative while it charges',
  }),
};

export const inverterSchema = z
  .strictObject({
    ...optionalFields(inverterFieldSchemas),
    id: z.string(),
    device_model: deviceModelViewSchema.optional(),
    actions: actionsViewSchema,
    connection: connectionSchema,
    health: deviceHealthSchema,
  })
  .meta({
    id: 'Inverter',
    description:
      "A solar inverter (with its home battery, if any): an allow-listed view of Podero's object, with the bridge's connection summary.",
  });
export type InverterView = z.infer<typeof inverterSchema>;

export const inverterView = deviceViewOf<InverterView>(inverterFieldSchemas);

const envelopes = deviceEnvelopesOf(
  { name: 'inverter', singular: 'Inverter', noun: 'solar inverter' },
  inverterSchema,
);
export const inverterListResponseSchema = envelopes.list;
export const inverterResponseSchema = envelopes.one;
