/**
 * What a caller sees of an electric vehicle: the common fields and the vehicle's own (§3.7), allow-listed as
 * the heat pump's are (heat-pump-view.ts says why Podero's object is never passed through).
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

const text = z.string().nullish();
const num = z.number().nullish();
const flag = z.boolean().nullish();

/** The fields of Podero's electric-vehicle object a caller may see: an allow-list. */
export const electricVehicleFieldSchemas = {
  ...commonDeviceFieldSchemas,
  charge_target_min: num.meta({ description: '%: charged at once to this level on plug-in' }),
  charge_target_max: num.meta({ description: '%: the OEM-detected hard cap (system-managed)' }),
  is_charge_policy_enabled: flag,
  charge_deadline_at: text.meta({ description: 'HH:MM (24 h): when minimum_charge_limit must be reached' }),
  minimum_charge_limit: num.meta({ description: '%: to reach by charge_deadline_at' }),
  charge_policy_last_updated_at: text,
  is_plugged_in: flag,
  is_charging: flag,
  is_fully_charged: flag,
  charge_rate_w: num.meta({ description: "W: the vehicle's charging rate" }),
  current_charging_power_w: num.meta({ description: 'W: charging now (not in every shape)' }),
  battery_level: num.meta({ description: '%: state of charge' }),
  battery_capacity_kwh: num,
  driving_range: num.meta({ description: 'km' }),
  boost_state: text.meta({ description: "Podero's available | requested | ongoing | unavailable" }),
  boost_for_next_session: flag.meta({ description: 'A boost is armed for the next plug-in' }),
};

export const electricVehicleSchema = z
  .strictObject({
    ...optionalFields(electricVehicleFieldSchemas),
    id: z.string(),
    device_model: deviceModelViewSchema.optional(),
    actions: actionsViewSchema,
    connection: connectionSchema,
    health: deviceHealthSchema,
  })
  .meta({
    id: 'ElectricVehicle',
    description:
      "An electric vehicle: an allow-listed view of Podero's object, with the bridge's connection summary.",
  });
export type ElectricVehicleView = z.infer<typeof electricVehicleSchema>;

export const electricVehicleView = deviceViewOf<ElectricVehicleView>(electricVehicleFieldSchemas);

const envelopes = deviceEnvelopesOf(
  { name: 'electric_vehicle', singular: 'ElectricVehicle', noun: 'electric vehicle' },
  electricVehicleSchema,
);
export const electricVehicleListResponseSchema = envelopes.list;
export const electricVehicleResponseSchema = envelopes.one;
