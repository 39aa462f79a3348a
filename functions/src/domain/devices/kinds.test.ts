import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../events/catalogue';
import { heatPumpKind } from './heat-pump';
import { deviceKindApis } from './kind-apis';
import { type DeviceKind, deviceFiguresOf, deviceKinds, readingValuesOf } from './kinds';
import { FIRST_KIND } from './state';

/** The user's profile item's sort key (storage/users.ts: tests may import across floors). */
const USER_PROFILE_SK = 'PROFILE';

/** The registry of device kinds: every kind declares everything, and the heat pump is what the code used. */
const FIELDS: readonly (keyof DeviceKind)[] = [
  'name',
  'noun',
  'poderoPaths',
  'list',
  'visible',
  'storage',
  'readingFields',
  'history',
  'figure',
  'metric',
  'eventTypes',
  'changeEvents',
  'deletedEvents',
  'get',
  'softDelete',
  'api',
  'viewSchema',
  'listResponseSchema',
  'responseSchema',
  'view',
  'controls',
];

describe('device kinds', () => {
  it('every kind declares every field, and no two kinds share a name, a key, a figure or a metric', () => {
    for (const kind of deviceKinds as readonly DeviceKind<never>[]) {
      for (const field of FIELDS) expect(kind[field], `${kind.name}.${field}`).toBeDefined();
      for (const value of Object.values(kind.storage)) expect(value).not.toBe('');
      expect(kind.readingFields.length).toBeGreaterThan(0);
      // The statement integrates a field the sync stores in every reading.
      expect(kind.readingFields, `${kind.name}.statement.powerField`).toContain(kind.statement.powerField);
      for (const type of kind.eventTypes) expect(EVENT_TYPES).toContain(type);
      // The store fills a snapshot's kind from the storage it read with; the API's names are the kind's.
      expect(kind.storage.kind).toBe(kind.name);
      expect(kind.api.name).toBe(kind.name);
      for (const route of kind.api.controls) expect(kind.controls[route.name], route.name).toBeDefined();
      // The snapshot store reads a kind's marker and snapshots with the profile in one range ending there.
      expect(kind.storage.skPrefix < USER_PROFILE_SK && kind.storage.listMarkerSk < USER_PROFILE_SK).toBe(
        true,
      );
    }
    // declarations.ts reads the API names from their own registry (no zod in the CDK app): the same kinds.
    expect(deviceKindApis).toEqual(deviceKinds.map((kind) => kind.api));
    for (const pick of [
      (k: DeviceKind<never>) => k.name,
      (k: DeviceKind<never>) => k.storage.skPrefix,
      (k: DeviceKind<never>) => k.storage.listMarkerSk,
      (k: DeviceKind<never>) => k.figure,
      (k: DeviceKind<never>) => k.metric,
      (k: DeviceKind<never>) => k.api.resource,
      (k: DeviceKind<never>) => k.api.idParam,
      (k: DeviceKind<never>) => k.api.singular,
    ]) {
      const values = (deviceKinds as readonly DeviceKind<never>[]).map(pick);
      expect(new Set(values).size).toBe(values.length);
    }
  });

  it('the heat pump keeps the keys, attributes, figures and events the stored data and the API have', () => {
    expect(heatPumpKind.storage).toEqual({
      snapshotFields: expect.arrayContaining(['id', 'current_state_last_updated_at', 'owner']),
      kind: 'heat_pump',
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
    expect(deviceFiguresOf()).toEqual({ heat_pumps: 0, electric_vehicles: 0, wallboxes: 0, inverters: 0 });
    expect(FIRST_KIND).toBe(heatPumpKind.name);
    expect(heatPumpKind.api).toMatchObject({
      resource: 'heat-pumps',
      idParam: 'heat_pump_id',
      singular: 'HeatPump',
    });
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

describe("each kind's history (the backfill)", () => {
  it.each(deviceKinds.map((kind) => [kind.name, kind] as const))(
    '%s fills only its own reading fields from /data, or says why it has no series',
    (_name, kind) => {
      const history: DeviceKind['history'] = kind.history;
      if (history.available) {
        expect(Object.keys(history.fields).length).toBeGreaterThan(0);
        for (const readingField of Object.values(history.fields))
          expect(kind.readingFields).toContain(readingField);
      } else expect(history.reason.length).toBeGreaterThan(10);
    },
  );

  it('offers a series for the heat pump (H8) and the inverter (I6), not for EVs and wallboxes', () => {
    expect(deviceKinds.filter((kind) => kind.history.available).map((kind) => kind.name)).toEqual([
      'heat_pump',
      'inverter',
    ]);
  });
});
