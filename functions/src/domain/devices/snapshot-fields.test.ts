import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { heatPumpKind } from './heat-pump';
import { deviceKinds } from './kinds';
import { BRIDGE_FIELDS, projectDevice, snapshotFieldsOf } from './snapshot-fields';

/** Podero's heat pump as the contract shows it, with what a snapshot must not keep. */
const heatPump = {
  id: 'hp-1',
  connection_status: 'ok',
  steering_status: 'warning',
  device_model: {
    device_type: { short_name: 'hp_atw', long_name: 'Heat Pump', icon: 'x' },
    manufacturer: 'Nibe',
    model: 'S',
    year: 2021,
    signup_url: 'https://vendor.example/signup?token=t',
  },
  owner: { id: 'u-1', email: 'ada@example.com', first_name: 'Ada' },
  deleted_at: null,
  external_device_id: 'crm-7',
  comment: 'called twice',
  is_authenticated: false,
  is_smart_optimization_active: true,
  current_state_last_updated_at: '2026-06-01T12:00:00Z',
  actual_steering_state: 'normal',
  action_needed: true,
  actions: [
    { code: 'reauthenticate', resolution_link: { url: 'https://p/cues/c1/resolve?secret=s3cret' } },
    { code: 'information', message: 'hello' },
  ],
  is_inverter_forced_mode_enabled: false,
  minimum_temperature_limit: 19,
  maximum_temperature_limit: null,
  current_power_consumption_w: 812.5,
  dhw_temperature: 47,
};

describe('the projection a snapshot stores', () => {
  it('shows the same view as the object Podero sent, without secrets or personal data', () => {
    const projected = projectDevice(heatPump, heatPumpKind.storage.snapshotFields);
    const connection = { state: 'reauthentication_required', since: null };
    expect(heatPumpKind.view(projected, connection)).toEqual(heatPumpKind.view(heatPump, connection));
    const stored = JSON.stringify(projected);
    for (const gone of [
      's3cret',
      'resolution_link',
      'ada@example.com',
      'crm-7',
      'called twice',
      'signup_url',
    ])
      expect(stored).not.toContain(gone);
    expect(projected.owner).toEqual({ id: 'u-1' });
    expect(projected.actions).toEqual([{ code: 'reauthenticate' }, { code: 'information' }]);
  });

  it('keeps every kind view, reading and shared-rule field, and what a control may change', () => {
    for (const kind of deviceKinds) {
      const fields = new Set(kind.storage.snapshotFields);
      for (const field of [...BRIDGE_FIELDS, ...kind.readingFields])
        expect(fields, kind.name).toContain(field);
      for (const control of Object.values(kind.controls)) {
        const shape = (control.body as { shape?: Record<string, unknown> }).shape ?? {};
        for (const field of Object.keys(shape)) expect(fields, `${kind.name}.${field}`).toContain(field);
      }
    }
    const declared = snapshotFieldsOf({
      viewFields: { shown: true },
      readingFields: ['read'],
      controls: { limit: { body: z.object({ charge_limit: z.number() }) } },
      alsoKept: ['judged'],
    });
    expect(declared).toEqual(expect.arrayContaining(['shown', 'read', 'charge_limit', 'judged', 'owner']));
    expect(declared).toEqual([...declared].sort());
  });

  it('projects the same answer to the same JSON (the sync compares them to skip a rewrite)', () => {
    const reordered = Object.fromEntries(Object.entries(heatPump)) as typeof heatPump;
    const fields = heatPumpKind.storage.snapshotFields;
    expect(JSON.stringify(projectDevice(reordered, fields))).toBe(
      JSON.stringify(projectDevice(heatPump, fields)),
    );
    expect(projectDevice({ id: 'x', unknown_field: 1 }, fields)).toEqual({ id: 'x' });
  });
});
