/**
 * How a snapshot stores Podero's JSON: the kind's projection (domain/devices/snapshot-fields.ts), compressed.
 *
 * A write unit is 1 KB. The projection of a heat pump is about 1.6 KB of JSON, most of it field names; the item's
 * own attributes take 400–500 bytes more. Raw DEFLATE with a preset dictionary of the field names brings the
 * JSON to 350–450 bytes, so the whole item is one write unit (`pnpm bench capacity`; snapshot-json.test.ts
 * bounds every kind). The attribute is binary: a format byte, then the DEFLATE stream.
 *
 * The dictionary is part of the stored format: it never changes. A new field compresses less well without it,
 * and is stored all the same; a better dictionary is a new format byte, with this one still read.
 * Items written before the projection hold Podero's whole object as a JSON string: read as they are.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { projectDevice } from '../domain/devices/snapshot-fields';
import type { DeviceJson } from '../domain/devices/state';

/** Format 1: raw DEFLATE with DICTIONARY_V1. */
const FORMAT_DEFLATE_V1 = 1;

/**
 * The field names of every kind's projection as of format 1, and values every device repeats. Frozen: the
 * bytes of stored items depend on it (snapshot-json.test.ts pins its hash).
 */
const DICTIONARY_V1 = Buffer.from(
  [
    'null,true,false,"unknown","warning","error","ok",.000000Z",T00:00:00',
    ...[
      'action_needed',
      'actions',
      'actual_steering_state',
      'away_mode_end',
      'away_mode_minimum_temperature_limit',
      'away_mode_start',
      'battery_capacity_kwh',
      'battery_charge_discharge_power_w',
      'battery_charge_level_percent',
      'battery_level',
      'boost_for_next_session',
      'boost_state',
      'building',
      'building_id',
      'charge_deadline_at',
      'charge_policy_last_updated_at',
      'charge_power_max_w',
      'charge_rate_w',
      'charge_target_max',
      'charge_target_min',
      'connection_status',
      'consumption_last_day_kwh',
      'created_at',
      'current_charging_power_w',
      'current_mode',
      'current_power_consumption_w',
      'current_power_to_grid_w',
      'current_power_w',
      'current_solar_production_w',
      'deleted_at',
      'device_model',
      'device_type',
      'short_name',
      'long_name',
      'manufacturer',
      'model',
      'year',
      'code',
      'dhw_standard_temperature',
      'dhw_target_temperature',
      'dhw_temperature',
      'driving_range',
      'electric_vehicle_id',
      'firmware_version',
      'heating_policy_name',
      'household_consumption_w',
      'indoor_actual_temperature',
      'indoor_target_temperature',
      'indoor_target_temperature_offset',
      'inlet_temperature',
      'is_authenticated',
      'is_away_mode_enabled',
      'is_battery_connected',
      'is_charge_policy_enabled',
      'is_charging',
      'is_forecasting_enabled',
      'is_fully_charged',
      'is_heating_policy_enabled',
      'is_hot_water_heating_enabled',
      'is_ocpp_connected',
      'is_pause_power_active',
      'is_plugged_in',
      'is_pool_heating_enabled',
      'is_smart_optimization_active',
      'is_space_cooling_enabled',
      'is_space_heating_enabled',
      'is_trading_enabled',
      'last_monitoring_executed_at',
      'lifecycle_error',
      'lifecycle_state',
      'max_battery_charge',
      'maximum_temperature_limit',
      'min_battery_charge',
      'minimum_charge_limit',
      'minimum_dhw_temperature_limit',
      'minimum_temperature_limit',
      'mode',
      'monitoring_status',
      'optimization_level',
      'optimization_score',
      'outdoor_temperature',
      'outlet_temperature',
      'owner',
      'pause_power_until',
      'price_zone',
      'solar_power_rating_kw',
      'solar_surplus_w',
      'steering_status',
      'updated_at',
      'current_state_last_updated_at',
      'id',
    ].map((field) => `"${field}":`),
  ].join(''),
);

/** The JSON a snapshot stores of `device`: the kind's projection (the sync compares it to skip a rewrite). */
export function storedDeviceJsonOf(
  device: DeviceJson,
  kind: { readonly snapshotFields: readonly string[] },
): string {
  return JSON.stringify(projectDevice(device, kind.snapshotFields));
}

export function encodeDeviceJson(json: string): Uint8Array {
  const packed = deflateRawSync(Buffer.from(json), { dictionary: DICTIONARY_V1, level: 9 });
  const out = new Uint8Array(packed.length + 1);
  out[0] = FORMAT_DEFLATE_V1;
  out.set(packed, 1);
  return out;
}

/** The stored JSON, parsed: the binary projection, or an older item's string (Podero's whole object). */
export function decodeDeviceJson(stored: unknown): unknown {
  if (typeof stored === 'string') return JSON.parse(stored);
  if (!(stored instanceof Uint8Array))
    throw new TypeError('a snapshot JSON attribute is neither string nor binary');
  if (stored[0] !== FORMAT_DEFLATE_V1) throw new TypeError(`unknown snapshot JSON format ${stored[0]}`);
  const json = inflateRawSync(stored.subarray(1), { dictionary: DICTIONARY_V1 }).toString('utf8');
  return JSON.parse(json);
}

/** Dictionary's identity for the test that pins it. */
export const DICTIONARY_V1_BYTES: Uint8Array = DICTIONARY_V1;

/**
 * A short fingerprint of a list of device ids, whatever their order (32-bit FNV-1a over the sorted ids, hex).
 * Two different lists share one with a chance of 1 in 4 billion; a shared one would date a changed list by the
 * snapshot's fetch for one pass at most (the sync writes the marker on any change).
 */
export function listFingerprintOf(ids: readonly string[]): string {
  let hash = 0x811c9dc5;
  for (const char of Buffer.from([...ids].sort().join('\n'))) {
    hash ^= char;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
