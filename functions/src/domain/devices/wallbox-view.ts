/**
 * What a caller sees of a wallbox: the common fields and the box's own (§3.8), allow-listed as the heat
 * pump's are. Never in it: a claim token or its `wss_url` (W6 hands a token to the installer once; they are
 * not fields of the box, and an allow-list keeps it so should Podero ever add them). Podero's own
 * `connection` (a presence dot) is shown as `charger_connection`: `connection` is the bridge's summary.
 */
import * as z from 'zod';
import type { DeviceHealthView } from './health';
import type { DeviceJson, StoredConnection } from './state';
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

/** The fields of Podero's wallbox object a caller may see, under Podero's names: an allow-list. */
export const wallboxFieldSchemas = {
  ...commonDeviceFieldSchemas,
  charge_target_min: num,
  charge_target_max: num,
  charge_power_max_w: num.meta({ description: "W: the box's maximum charging power" }),
  is_charge_policy_enabled: flag,
  charge_policy_last_updated_at: text,
  minimum_charge_limit: num,
  charge_deadline_at: text.meta({ description: 'HH:MM (24 h)' }),
  mode: text.meta({ description: "Podero's READY | PLUGGED_IN | CHARGING | UNAVAILABLE | UNKNOWN" }),
  is_plugged_in: flag,
  is_charging: flag,
  is_ocpp_connected: flag,
  current_power_w: num.meta({ description: 'W: charging now (not in every shape)' }),
  boost_state: text.meta({ description: "Podero's available | requested | ongoing | unavailable" }),
  boost_for_next_session: flag,
  electric_vehicle_id: text.meta({
    description: 'The electric vehicle the box charges, if Podero links one',
  }),
  firmware_version: text,
};

const chargerConnectionSchema = z
  .string()
  .nullish()
  .meta({ description: "Podero's wallbox `connection`: online | offline | never_connected" });

export const wallboxSchema = z
  .strictObject({
    ...optionalFields(wallboxFieldSchemas),
    id: z.string(),
    charger_connection: chargerConnectionSchema.optional(),
    device_model: deviceModelViewSchema.optional(),
    actions: actionsViewSchema,
    connection: connectionSchema,
    health: deviceHealthSchema,
  })
  .meta({
    id: 'Wallbox',
    description: "A wallbox: an allow-listed view of Podero's object, with the bridge's connection summary.",
  });
export type WallboxView = z.infer<typeof wallboxSchema>;

const wallboxFieldsView = deviceViewOf<WallboxView>(wallboxFieldSchemas);

export function wallboxView(
  device: DeviceJson,
  observed: StoredConnection | null,
  health?: DeviceHealthView,
): WallboxView {
  const view = wallboxFieldsView(device, observed, health);
  const presence = chargerConnectionSchema.safeParse(device.connection);
  return presence.success && presence.data !== undefined
    ? { ...view, charger_connection: presence.data }
    : view;
}

const envelopes = deviceEnvelopesOf({ name: 'wallbox', singular: 'Wallbox', noun: 'wallbox' }, wallboxSchema);
export const wallboxListResponseSchema = envelopes.list;
export const wallboxResponseSchema = envelopes.one;
