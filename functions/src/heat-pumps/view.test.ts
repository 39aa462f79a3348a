import { describe, expect, it } from 'vitest';
import { heatPumpView } from './view';

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
});
