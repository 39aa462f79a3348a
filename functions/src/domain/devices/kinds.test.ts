import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../events/catalogue';
import { heatPumpKind } from './heat-pump';
import { type DeviceKind, deviceFiguresOf, deviceKinds, readingValuesOf } from './kinds';

/** The registry of device kinds: every kind declares everything, and the heat pump is what the code used. */
const FIELDS: readonly (keyof DeviceKind)[] = [
  'name',
  'noun',
  'poderoPaths',
  'list',
  'visible',
  'storage',
  'readingFields',
  'figure',
  'metric',
  'eventTypes',
  'changeEvents',
  'deletedEvents',
];

describe('device kinds', () => {
  it('every kind declares every field, and no two kinds share a name, a key, a figure or a metric', () => {
    for (const kind of deviceKinds as readonly DeviceKind<never>[]) {
      for (const field of FIELDS) expect(kind[field], `${kind.name}.${field}`).toBeDefined();
      for (const value of Object.values(kind.storage)) expect(value).not.toBe('');
      expect(kind.readingFields.length).toBeGreaterThan(0);
      for (const type of kind.eventTypes) expect(EVENT_TYPES).toContain(type);
    }
    for (const pick of [
      (k: DeviceKind<never>) => k.name,
      (k: DeviceKind<never>) => k.storage.skPrefix,
      (k: DeviceKind<never>) => k.storage.listMarkerSk,
      (k: DeviceKind<never>) => k.figure,
      (k: DeviceKind<never>) => k.metric,
    ]) {
      const values = (deviceKinds as readonly DeviceKind<never>[]).map(pick);
      expect(new Set(values).size).toBe(values.length);
    }
  });

  it('the heat pump keeps the keys, attributes, figures and events the stored data and the API have', () => {
    expect(heatPumpKind.storage).toEqual({
      skPrefix: 'HEATPUMP#',
      listMarkerSk: 'HEATPUMPS',
      idAttribute: 'heat_pump_id',
      jsonAttribute: 'heat_pump_json',
      idsAttribute: 'heat_pump_ids',
      snapshotEntity: 'heat_pump_snapshot',
      markerEntity: 'heat_pump_list_marker',
    });
    expect(heatPumpKind.figure).toBe('heat_pumps');
    expect(heatPumpKind.metric).toBe('SyncHeatPumps');
    expect(heatPumpKind.poderoPaths).toEqual({
      list: '/org/{org_id}/users/{user_id}/heat-pumps',
      one: '/org/{org_id}/users/{user_id}/heat-pumps/{heat_pump_id}',
    });
    expect(EVENT_TYPES.filter((type) => type.startsWith('heat_pump.'))).toEqual([...heatPumpKind.eventTypes]);
    expect(heatPumpKind.readingFields).toEqual([
      'current_power_consumption_w',
      'outdoor_temperature',
      'indoor_actual_temperature',
      'indoor_target_temperature',
      'inlet_temperature',
      'outlet_temperature',
      'dhw_temperature',
      'current_mode',
      'is_smart_optimization_active',
      'optimization_level',
      'connection_status',
    ]);
    expect(deviceFiguresOf()).toEqual({ heat_pumps: 0 });
  });

  it("lists through the client's heat-pump resource", async () => {
    const calls: string[] = [];
    const listed = await heatPumpKind.list(
      {
        heatPumps: {
          list: async (userId) => {
            calls.push(userId);
            return [{ id: 'a' }];
          },
        },
      },
      'u-1',
    );
    expect(listed).toEqual([{ id: 'a' }]);
    expect(calls).toEqual(['u-1']);
  });

  it("a reading keeps the kind's fields of scalar type and nothing else", () => {
    expect(
      readingValuesOf(heatPumpKind, {
        id: 'a',
        outdoor_temperature: 3.5,
        current_mode: 'heating',
        is_smart_optimization_active: true,
        connection_status: null,
        inlet_temperature: Number.NaN,
        dhw_temperature: { nested: 1 },
        serial_number: 'x',
      }),
    ).toEqual({
      outdoor_temperature: 3.5,
      current_mode: 'heating',
      is_smart_optimization_active: true,
      connection_status: null,
    });
  });
});
