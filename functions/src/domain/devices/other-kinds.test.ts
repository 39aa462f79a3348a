import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../events/catalogue';
import { electricVehicleKind } from './electric-vehicle';
import { deviceHealthView } from './health';
import { inverterKind } from './inverter';
import { inverterSettingsIssues } from './inverter-controls';
import { readingValuesOf } from './kinds';
import { observedSnapshot } from './rules';
import type { DeviceSnapshot } from './state';
import { wallboxKind } from './wallbox';

/** The electric vehicle, wallbox and inverter kinds: views, controls, readings and events. */
const SECRET = 'cue-secret-xyz';
const CLAIM = 'claim-token-abc';
const common = {
  owner: { id: 'p-1', email: 'ada@example.com', first_name: 'Ada', external_id: 'ada' },
  device_model: {
    manufacturer: 'Easee',
    model: 'Home',
    cloud_service_signup_link: `https://signup.example/?token=${SECRET}`,
    cloud_service: 'svc-1',
  },
  actions: [
    {
      code: 'reauthenticate',
      resolution_link: { url: `https://podero.example/cues/1/resolve?secret=${SECRET}` },
    },
  ],
  comment: 'back-office note',
  external_device_id: 'EXT-1',
  is_authenticated: false,
  token: CLAIM,
  wss_url: `wss://podero.example/ocpp/${CLAIM}`,
  authentication_url: `https://podero.example/auth?session=${SECRET}`,
  unknown_future_field: 'x',
};

const AT = '2026-12-07T10:00:00.000Z';

describe('the allow-listed views of the other kinds', () => {
  it.each([
    ['electric vehicle', electricVehicleKind, { battery_level: 55, driving_range: 200, is_plugged_in: true }],
    ['wallbox', wallboxKind, { mode: 'CHARGING', current_power_w: 7000, connection: 'online' }],
    ['inverter', inverterKind, { current_solar_production_w: 3200, battery_charge_discharge_power_w: -500 }],
  ] as const)(
    'a %s never shows an owner, a secret, a claim token or an unknown field',
    (_noun, kind, own) => {
      const device = { id: 'd-1', ...common, ...own };
      const health = deviceHealthView({ device, health: null, fetchedAt: AT }, 'connected', Date.parse(AT), {
        staleAfterSyncIntervals: kind.health.staleAfterSyncIntervals,
        syncIntervalMs: 900_000,
      });
      const view = kind.view(device, null, health) as Record<string, unknown>;
      const text = JSON.stringify(view);
      for (const secret of [SECRET, CLAIM, 'ada@example.com', 'back-office note', 'EXT-1', 'wss://']) {
        expect(text).not.toContain(secret);
      }
      for (const field of [
        'owner',
        'comment',
        'token',
        'wss_url',
        'authentication_url',
        'unknown_future_field',
      ]) {
        expect(view).not.toHaveProperty(field);
      }
      expect(view).toMatchObject({
        id: 'd-1',
        actions: [{ code: 'reauthenticate' }],
        connection: { state: 'reauthentication_required', action_needed: true, since: null },
        device_model: { manufacturer: 'Easee', model: 'Home' },
      });
      for (const [field, value] of Object.entries(own)) {
        if (field !== 'connection') expect(view[field]).toBe(value);
      }
      // The answer the routes check it with accepts it.
      expect(kind.viewSchema.safeParse(view).success).toBe(true);
    },
  );

  it("shows the wallbox's own `connection` as charger_connection, apart from the bridge's summary", () => {
    const view = wallboxKind.view({ id: 'w', is_authenticated: true, connection: 'offline' }, null);
    expect(view).toMatchObject({ charger_connection: 'offline', connection: { state: 'connected' } });
  });

  it('drops a field of an unexpected type instead of failing the read', () => {
    const view = electricVehicleKind.view({ id: 'e', battery_level: 'full', driving_range: 12 }, null);
    expect(view).not.toHaveProperty('battery_level');
    expect(view).toMatchObject({ driving_range: 12 });
  });
});

describe('the settings controls', () => {
  const ev = electricVehicleKind.controls.settings;
  const NOW = Date.parse('2026-12-07T12:00:00Z');

  it('refuses an empty body, an unknown or read-only field, and values out of range', () => {
    expect(ev.body.safeParse({}).success).toBe(false);
    expect(ev.body.safeParse({ battery_level: 50 }).success).toBe(false);
    expect(ev.body.safeParse({ minimum_charge_limit: 101 }).success).toBe(false);
    expect(ev.body.safeParse({ charge_deadline_at: '7:00' }).success).toBe(false);
    expect(ev.body.safeParse({ minimum_charge_limit: 80, charge_deadline_at: '07:00' }).success).toBe(true);
    const inverter = inverterKind.controls.settings;
    expect(inverter.body.safeParse({ max_battery_charge: -1 }).success).toBe(false);
    expect(inverter.body.safeParse({ boost: true }).success).toBe(false);
  });

  it('refuses a charge limit above the cap Podero detected, and a pause that has ended', () => {
    expect(ev.issues({ minimum_charge_limit: 90 }, { charge_target_max: 80 }, NOW)).toEqual([
      {
        path: ['minimum_charge_limit'],
        message: "must not exceed the electric vehicle's charge_target_max (80)",
      },
    ]);
    expect(ev.issues({ minimum_charge_limit: 80 }, { charge_target_max: 80 }, NOW)).toEqual([]);
    expect(ev.issues({ minimum_charge_limit: 90 }, { charge_target_max: null }, NOW)).toEqual([]);
    expect(ev.issues({ pause_power_until: '2026-12-07T11:00:00Z' }, {}, NOW)).toHaveLength(1);
    expect(
      wallboxKind.controls.settings.issues({ minimum_charge_limit: 95 }, { charge_target_max: 80 }, NOW),
    ).toHaveLength(1);
  });

  it("checks the inverter's battery limits on the merged state, on the field the body changed", () => {
    const current = {
      min_battery_charge: 20,
      max_battery_charge: 90,
      is_battery_connected: true,
      battery_capacity_kwh: 10,
    };
    expect(inverterSettingsIssues({ min_battery_charge: 95 }, current)).toEqual([
      {
        path: ['min_battery_charge'],
        message: 'min_battery_charge (95) must not exceed max_battery_charge (90)',
      },
    ]);
    expect(inverterSettingsIssues({ max_battery_charge: 10 }, current)[0]?.path).toEqual([
      'max_battery_charge',
    ]);
    expect(inverterSettingsIssues({ min_battery_charge: 90 }, current)).toEqual([]);
    // Limits set inconsistently elsewhere do not block another setting.
    expect(
      inverterSettingsIssues(
        { is_smart_optimization_active: true },
        { min_battery_charge: 95, max_battery_charge: 10 },
      ),
    ).toEqual([]);
    expect(inverterSettingsIssues({ is_battery_connected: true }, { battery_capacity_kwh: null })).toEqual([
      { path: ['is_battery_connected'], message: 'a connected battery needs its battery_capacity_kwh' },
    ]);
  });

  it('maps each control to its kind’s client update, with the body as it is', async () => {
    const calls: unknown[] = [];
    const update = async (...args: unknown[]) => {
      calls.push(args);
      return { id: 'd' };
    };
    await ev.apply({ electricVehicles: { update } }, 'p', 'e', { minimum_charge_limit: 70 });
    await wallboxKind.controls.settings.apply({ wallboxes: { update } }, 'p', 'w', {
      is_charge_policy_enabled: true,
    });
    await inverterKind.controls.settings.apply({ inverters: { update } }, 'p', 'i', {
      max_battery_charge: 80,
    });
    expect(calls).toEqual([
      ['p', 'e', { minimum_charge_limit: 70 }],
      ['p', 'w', { is_charge_policy_enabled: true }],
      ['p', 'i', { max_battery_charge: 80 }],
    ]);
  });
});

describe('the reading fields', () => {
  it('keep each kind’s figures and nothing else', () => {
    expect(
      readingValuesOf(electricVehicleKind, {
        id: 'e',
        battery_level: 64,
        current_charging_power_w: 7400,
        is_plugged_in: true,
        driving_range: 310,
        owner: { id: 'x' },
      }),
    ).toEqual({ battery_level: 64, current_charging_power_w: 7400, is_plugged_in: true, driving_range: 310 });
    expect(
      readingValuesOf(wallboxKind, { id: 'w', mode: 'CHARGING', current_power_w: 11000, token: CLAIM }),
    ).toEqual({
      mode: 'CHARGING',
      current_power_w: 11000,
    });
    expect(
      readingValuesOf(inverterKind, {
        id: 'i',
        current_solar_production_w: 4000,
        household_consumption_w: 900,
        current_power_to_grid_w: 2100,
        battery_charge_level_percent: 70,
        battery_charge_discharge_power_w: -1000,
      }),
    ).toEqual({
      current_solar_production_w: 4000,
      household_consumption_w: 900,
      current_power_to_grid_w: 2100,
      battery_charge_level_percent: 70,
      battery_charge_discharge_power_w: -1000,
    });
  });
});

describe("the electric vehicle's events", () => {
  const T = (minute: number) => new Date(Date.UTC(2026, 11, 7, 10, minute)).toISOString();
  const observe = (previous: DeviceSnapshot | undefined, minute: number, fields: Record<string, unknown>) =>
    observedSnapshot(
      'ann',
      { id: 'ev-1', is_authenticated: true, ...fields },
      T(minute),
      previous,
      null,
      'electric_vehicle',
    );
  const types = (previous: DeviceSnapshot | undefined, next: DeviceSnapshot) =>
    electricVehicleKind.changeEvents(previous, next).map((e) => e.type);
  const idle = { is_plugged_in: false, is_charging: false, boost_state: 'unavailable', battery_level: 40 };

  it('none for a vehicle first seen, whatever its state (but connected, as every kind)', () => {
    const first = observe(undefined, 0, {
      ...idle,
      is_plugged_in: true,
      is_charging: true,
      boost_state: 'ongoing',
    });
    expect(types(undefined, first)).toEqual(['electric_vehicle.connected']);
  });

  it.each([
    ['plugged_in', idle, { is_plugged_in: true }],
    ['unplugged', { ...idle, is_plugged_in: true }, { is_plugged_in: false }],
    ['charging_started', { ...idle, is_plugged_in: true }, { is_plugged_in: true, is_charging: true }],
    [
      'charging_completed',
      { ...idle, is_plugged_in: true, is_charging: true },
      { is_plugged_in: true, is_charging: false, is_fully_charged: true },
    ],
    [
      'boost_started',
      { ...idle, is_plugged_in: true, is_charging: true, boost_state: 'requested' },
      { is_plugged_in: true, is_charging: true, boost_state: 'ongoing' },
    ],
    [
      'boost_ended',
      { ...idle, is_plugged_in: true, is_charging: true, boost_state: 'ongoing' },
      { is_plugged_in: true, is_charging: true, boost_state: 'available' },
    ],
  ] as const)('electric_vehicle.%s from the change between two states', (change, before, after) => {
    const first = observe(undefined, 0, before);
    const next = observe(first, 15, { ...before, ...after });
    const events = electricVehicleKind.changeEvents(first, next);
    expect(events.map((e) => e.type)).toEqual([`electric_vehicle.${change}`]);
    expect(events[0]?.data).toMatchObject({ external_user_id: 'ann', electric_vehicle_id: 'ev-1' });
    // The same transition seen twice (a live read racing the sync) has one id.
    expect(electricVehicleKind.changeEvents(first, observe(first, 16, { ...before, ...after }))[0]?.id).toBe(
      events[0]?.id,
    );
  });

  it('charging completed says whether the vehicle is full; boost ended says the state after it', () => {
    const charging = observe(undefined, 0, {
      ...idle,
      is_plugged_in: true,
      is_charging: true,
      boost_state: 'ongoing',
      battery_level: 79,
    });
    const done = observe(charging, 15, {
      ...idle,
      is_plugged_in: true,
      is_charging: false,
      boost_state: 'available',
      battery_level: 80,
      is_fully_charged: false,
    });
    expect(electricVehicleKind.changeEvents(charging, done).map((e) => e.data)).toEqual([
      { external_user_id: 'ann', electric_vehicle_id: 'ev-1', battery_level: 80, is_fully_charged: false },
      { external_user_id: 'ann', electric_vehicle_id: 'ev-1', battery_level: 80, boost_state: 'available' },
    ]);
  });

  it('no event while a field is unknown on either side, or unchanged', () => {
    const unknown = observe(undefined, 0, { id: 'ev-1' });
    expect(types(unknown, observe(unknown, 15, idle))).toEqual([]);
    const same = observe(undefined, 0, idle);
    expect(types(same, observe(same, 15, idle))).toEqual([]);
  });

  it('every kind emits only its declared, catalogued types; the other kinds have the standard five, the four health events and the two of changes', () => {
    for (const kind of [electricVehicleKind, wallboxKind, inverterKind]) {
      for (const type of kind.eventTypes) expect(EVENT_TYPES).toContain(type);
      expect(EVENT_TYPES.filter((type) => type.startsWith(`${kind.name}.`)).sort()).toEqual(
        [...kind.eventTypes].sort(),
      );
    }
    expect(wallboxKind.eventTypes).toHaveLength(11);
    expect(inverterKind.eventTypes).toHaveLength(11);
    const gone = wallboxKind.deletedEvents('ann', ['w-1', 'w-2'], new Set(['w-2']), T(0));
    expect(gone.map((e) => [e.type, e.data])).toEqual([
      ['wallbox.deleted', { external_user_id: 'ann', wallbox_id: 'w-1' }],
    ]);
  });
});
