import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { heatPumpKind } from '../domain/devices/heat-pump';
import {
  DICTIONARY_V1_BYTES,
  decodeDeviceJson,
  encodeDeviceJson,
  listFingerprintOf,
  storedDeviceJsonOf,
} from './snapshot-json';

const device = {
  id: 'hp-1',
  owner: { id: 'u-1', email: 'ada@example.com' },
  actions: [{ code: 'reauthenticate', resolution_link: { url: 'https://p/cues/c1/resolve?secret=s3cret' } }],
  current_state_last_updated_at: '2026-06-01T12:00:00Z',
  current_power_consumption_w: 1200,
  comment: 'back-office note',
  indoor_target_temperature: null,
};

describe('the stored JSON of a snapshot', () => {
  it('round-trips the projection through its binary form', () => {
    const json = storedDeviceJsonOf(device, heatPumpKind.storage);
    const encoded = encodeDeviceJson(json);
    expect(encoded).toBeInstanceOf(Uint8Array);
    expect(encoded[0]).toBe(1);
    expect(decodeDeviceJson(encoded)).toEqual(JSON.parse(json));
    expect(JSON.parse(json)).toEqual({
      id: 'hp-1',
      owner: { id: 'u-1' },
      actions: [{ code: 'reauthenticate' }],
      current_state_last_updated_at: '2026-06-01T12:00:00Z',
      current_power_consumption_w: 1200,
      indoor_target_temperature: null,
    });
  });

  it('reads an item stored before projections (a JSON string) as it was', () => {
    expect(decodeDeviceJson(JSON.stringify(device))).toEqual(device);
  });

  it('refuses a format it does not know rather than guessing', () => {
    expect(() => decodeDeviceJson(new Uint8Array([9, 1, 2]))).toThrow(/format 9/);
    expect(() => decodeDeviceJson(42)).toThrow(TypeError);
  });

  it('keeps the dictionary of format 1 byte for byte (stored items depend on it)', () => {
    expect(createHash('sha256').update(DICTIONARY_V1_BYTES).digest('hex').slice(0, 16)).toBe(
      'cb6c8b69b28cd271',
    );
  });

  it('fingerprints a list whatever its order, and tells different lists apart', () => {
    expect(listFingerprintOf(['a', 'b'])).toBe(listFingerprintOf(['b', 'a']));
    expect(listFingerprintOf(['a', 'b'])).not.toBe(listFingerprintOf(['a']));
    expect(listFingerprintOf(['ab'])).not.toBe(listFingerprintOf(['a', 'b']));
    expect(listFingerprintOf([])).toMatch(/^[0-9a-f]{8}$/);
  });
});
