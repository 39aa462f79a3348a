import { describe, expect, it } from 'vitest';
import { heatPumpView } from '../domain/devices/heat-pump-view';

describe('heatPumpView (one parse per heat pump)', () => {
  it('keeps allow-listed fields of the right type (null included), drops odd-typed, absent and unknown ones', () => {
    const view = heatPumpView(
      {
        id: 'hp-1',
        connection_status: 'ok',
        building: null,
        optimization_score: 'high', // a number field with a string: left out
        is_smart_optimization_active: true,
        outdoor_temperature: -1.5,
        owner: { email: 'someone@example.invalid' }, // not allow-listed
        secret_field: 'x',
        actions: [{ code: 'reauthenticate', resolution_link: { url: 'https://example.invalid/secret' } }],
      },
      null,
    ) as Record<string, unknown>;
    expect(view).toMatchObject({
      id: 'hp-1',
      connection_status: 'ok',
      building: null,
      is_smart_optimization_active: true,
      outdoor_temperature: -1.5,
      actions: [{ code: 'reauthenticate' }],
    });
    for (const left of ['optimization_score', 'owner', 'secret_field', 'monitoring_status'])
      expect(Object.hasOwn(view, left), left).toBe(false);
    expect(JSON.stringify(view)).not.toContain('secret');
  });

  it('shows only the descriptive fields of the device model, never its cloud links or ids', () => {
    const view = heatPumpView(
      {
        id: 'hp-1',
        device_model: {
          id: 'model-id',
          manufacturer: 'Nibe',
          model: 'S2125-8',
          year: 2022,
          signup_url: 'https://cloud.example.invalid/signup?token=secret',
          device_type: { short_name: 'hp_atw', long_name: 'Heat Pump (Air-to-Water)', id: 'type-id' },
        },
      },
      null,
    ) as Record<string, unknown>;
    expect(view.device_model).toEqual({
      manufacturer: 'Nibe',
      model: 'S2125-8',
      year: 2022,
      device_type: { short_name: 'hp_atw', long_name: 'Heat Pump (Air-to-Water)' },
    });
    expect(JSON.stringify(view)).not.toMatch(/secret|model-id|type-id/);
  });

  it('leaves out what the device model lacks, and the whole model when it is not an object', () => {
    const partial = heatPumpView(
      { id: 'hp-1', device_model: { manufacturer: 'Nibe', device_type: null } },
      null,
    ) as Record<string, unknown>;
    expect(partial.device_model).toEqual({ manufacturer: 'Nibe' });
    for (const left of ['model', 'year', 'device_type'])
      expect(Object.hasOwn(partial.device_model as object, left), left).toBe(false);

    const oddType = heatPumpView(
      { id: 'hp-1', device_model: { model: 'S2125-8', device_type: 'hp_atw' } },
      null,
    ) as Record<string, unknown>;
    // toStrictEqual: a key present with an undefined value fails it; toEqual would not notice.
    expect(oddType.device_model).toStrictEqual({ model: 'S2125-8' });

    for (const deviceModel of [null, 'Nibe', undefined]) {
      const view = heatPumpView({ id: 'hp-1', device_model: deviceModel }, null) as Record<string, unknown>;
      expect(Object.hasOwn(view, 'device_model'), String(deviceModel)).toBe(false);
    }
    const invalid = heatPumpView({ id: 'hp-1', device_model: { year: 'new' } }, null) as Record<
      string,
      unknown
    >;
    expect(Object.hasOwn(invalid, 'device_model')).toBe(false);
  });
});
