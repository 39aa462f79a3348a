import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, bodyOf, userClaims } from '../../test-support/api-event';
import {
  type HeatPumpWorld,
  HP_LIST_ROUTE,
  type OnboardedTestUser,
  STATE_INTERVAL_SECONDS,
  startHeatPumpWorld,
} from '../../test-support/device-world';
import type { OperationId } from '../declarations';
import { electricVehicleKind } from '../domain/devices/electric-vehicle';
import { inverterKind } from '../domain/devices/inverter';
import { wallboxKind } from '../domain/devices/wallbox';
import { USER_PROFILE_SK, UserStore, userPk } from '../storage/users';

/**
 * The electric vehicle, wallbox and inverter end to end: devices added at the simulator's control plane,
 * the kind recorded on the user as a completed onboarding session records it, the sync (with the
 * simulator's request counts per pass), cached and live reads, the settings control, readings and
 * offboarding, each through the API handler.
 */
const PREFIX = '/api/partners/v2.0/org/{org_id}/users/{user_id}';
const LIST_ROUTE = {
  electric_vehicle: `GET ${PREFIX}/electric-vehicles`,
  wallbox: `GET ${PREFIX}/wallboxes`,
  inverter: `GET ${PREFIX}/inverters`,
} as const;
const DAY_SECONDS = 86_400;

let world: HeatPumpWorld;
let heatPumpUsers: OnboardedTestUser[];
const owners: Record<'electric_vehicle' | 'wallbox' | 'inverter', { user: OnboardedTestUser; id: string }> =
  {} as never;

/** Answered list requests (a 401 of an expired token is retried: not a request of the plan's). */
const answered = (route: string) => world.sim.control.counters().requests[route]?.['200'] ?? 0;
const countsOf = () => ({
  heat_pump: answered(HP_LIST_ROUTE),
  electric_vehicle: answered(LIST_ROUTE.electric_vehicle),
  wallbox: answered(LIST_ROUTE.wallbox),
  inverter: answered(LIST_ROUTE.inverter),
});
/** The simulator's list requests of one sync pass, per kind. */
async function passRequests() {
  const before = countsOf();
  const summary = await world.sync({ source: 'schedule' }, world.syncContext());
  expect(summary.failures).toBe(0);
  const after = countsOf();
  return {
    summary,
    requests: {
      heat_pump: after.heat_pump - before.heat_pump,
      electric_vehicle: after.electric_vehicle - before.electric_vehicle,
      wallbox: after.wallbox - before.wallbox,
      inverter: after.inverter - before.inverter,
    },
  };
}

beforeAll(async () => {
  world = await startHeatPumpWorld({ syncConcurrency: 2 });
  heatPumpUsers = await world.onboard(2, 1, 'kinds-hp');
  const others = await world.onboard(3, 0, 'kinds-other');
  const store = new UserStore(world.aws.db, world.aws.tableNames.main);
  const at = new Date(world.clock.now).toISOString();
  for (const [index, kind] of (['electric_vehicle', 'wallbox', 'inverter'] as const).entries()) {
    const user = others[index] as OnboardedTestUser;
    const { id } = world.sim.control.addDevice(user.poderoUserId, { kind });
    // What a completed onboarding session records (users/onboarding-sessions.ts).
    await store.addDeviceKind(user.externalUserId, kind, at);
    owners[kind] = { user, id };
  }
});
afterAll(async () => {
  await world?.close();
});

describe('every device kind through the simulator', () => {
  it('a pass asks Podero only about the kinds each user has, and stores every kind', async () => {
    const first = await passRequests();
    // Heat-pump users: one list each, as before there were other kinds. The other users were recorded
    // before kinds (counted as heat-pump users) and then gained their kind: two lists each until a recheck.
    expect(first.requests).toEqual({ heat_pump: 5, electric_vehicle: 1, wallbox: 1, inverter: 1 });
    expect(first.summary).toMatchObject({
      users: 5,
      heat_pumps: 2,
      electric_vehicles: 1,
      wallboxes: 1,
      inverters: 1,
    });
    const profile = await world.aws.db.send(
      new QueryCommand({
        TableName: world.aws.tableNames.main,
        KeyConditionExpression: 'pk = :pk AND sk = :sk',
        ExpressionAttributeValues: {
          ':pk': userPk(heatPumpUsers[0]?.externalUserId ?? ''),
          ':sk': USER_PROFILE_SK,
        },
      }),
    );
    // The heat-pump user's first recheck is staggered into the next day.
    const checkedAt = Date.parse(String(profile.Items?.[0]?.device_kinds_checked_at));
    expect(profile.Items?.[0]?.device_kinds).toEqual(['heat_pump']);
    expect(checkedAt + DAY_SECONDS * 1000).toBeGreaterThan(world.clock.now);

    const again = await passRequests();
    expect(again.requests).toEqual({ heat_pump: 5, electric_vehicle: 1, wallbox: 1, inverter: 1 });
  });

  it('a recheck a day later asks about every kind once, and the passes after it only about what it found', async () => {
    world.advance(DAY_SECONDS + STATE_INTERVAL_SECONDS);
    // The day's advance expires the token: its one 401 and retry are not a kind's cost (200s are counted).
    const recheck = await passRequests();
    expect(recheck.requests).toEqual({ heat_pump: 5, electric_vehicle: 5, wallbox: 5, inverter: 5 });
    world.advance(STATE_INTERVAL_SECONDS);
    const after = await passRequests();
    expect(after.requests).toEqual({ heat_pump: 2, electric_vehicle: 1, wallbox: 1, inverter: 1 });
    expect(after.summary.readings_written).toBeGreaterThan(0);
  });

  it.each([
    ['electric_vehicle', electricVehicleKind, 'battery_level'],
    ['wallbox', wallboxKind, 'mode'],
    ['inverter', inverterKind, 'current_solar_production_w'],
  ] as const)('%s: cached and live reads, its readings, allow-listed', async (name, kind, field) => {
    const { user, id } = owners[name];
    const ops = {
      list: `list${kind.api.plural}` as OperationId,
      get: `get${kind.api.singular}` as OperationId,
      readings: `list${kind.api.singular}Readings` as OperationId,
    };
    const params = { external_user_id: user.externalUserId, [kind.api.idParam]: id };
    const claims = userClaims(user.externalUserId);
    const listRes = await world.api(
      apiEvent(ops.list, { params: { external_user_id: user.externalUserId }, claims }),
    );
    const cached = bodyOf<{ source: string; items: Record<string, unknown>[] }>(listRes);
    expect(cached.source).toBe('cache');
    expect(cached.items.map((item) => item.id)).toEqual([id]);
    const live = bodyOf<Record<string, Record<string, unknown>> & { source: string }>(
      await world.api(apiEvent(ops.get, { params, query: { max_age_seconds: '0' }, claims })),
    );
    expect(live.source).toBe('live');
    const device = live[kind.name] ?? {};
    expect(device).toMatchObject({ id, connection: { state: 'connected' } });
    expect(device).toHaveProperty(field);
    for (const secret of ['owner', 'deleted_at', 'comment']) expect(device).not.toHaveProperty(secret);
    expect(JSON.stringify(device)).not.toMatch(/secret=|cloud_service_signup_link|@example\.com/);

    const readings = bodyOf<{ items: { values: Record<string, unknown> }[] }>(
      await world.api(apiEvent(ops.readings, { params, claims })),
    );
    expect(readings.items.length).toBeGreaterThan(0);
    expect(readings.items.at(-1)?.values).toHaveProperty(field);
  });

  it('the settings controls check against the device and reach Podero', async () => {
    const inverter = owners.inverter;
    const params = { external_user_id: inverter.user.externalUserId, inverter_id: inverter.id };
    // The simulator's inverter keeps its battery between 20 and 90 %.
    const refused = await world.api(apiEvent('updateInverter', { params, body: { min_battery_charge: 95 } }));
    expect(refused.statusCode).toBe(400);
    expect(String(refused.body)).toContain('min_battery_charge');
    const changed = await world.api(apiEvent('updateInverter', { params, body: { min_battery_charge: 30 } }));
    expect(changed.statusCode).toBe(200);
    expect(bodyOf<{ inverter: Record<string, unknown> }>(changed).inverter.min_battery_charge).toBe(30);

    const vehicle = owners.electric_vehicle;
    const evParams = { external_user_id: vehicle.user.externalUserId, electric_vehicle_id: vehicle.id };
    const updated = await world.api(
      apiEvent('updateElectricVehicle', {
        params: evParams,
        body: { minimum_charge_limit: 60, charge_deadline_at: '06:30' },
      }),
    );
    expect(updated.statusCode).toBe(200);
    expect(bodyOf<{ electric_vehicle: Record<string, unknown> }>(updated).electric_vehicle).toMatchObject({
      minimum_charge_limit: 60,
      charge_deadline_at: '06:30',
    });
    const box = owners.wallbox;
    const boxUpdate = await world.api(
      apiEvent('updateWallbox', {
        params: { external_user_id: box.user.externalUserId, wallbox_id: box.id },
        body: { is_smart_optimization_active: false },
      }),
    );
    expect(boxUpdate.statusCode).toBe(200);
  });

  it('offboards a device of each kind, idempotently', async () => {
    for (const [name, kind] of [
      ['electric_vehicle', electricVehicleKind],
      ['wallbox', wallboxKind],
      ['inverter', inverterKind],
    ] as const) {
      const { user, id } = owners[name];
      const params = { external_user_id: user.externalUserId, [kind.api.idParam]: id };
      const op = `delete${kind.api.singular}` as OperationId;
      expect((await world.api(apiEvent(op, { params }))).statusCode).toBe(204);
      expect((await world.api(apiEvent(op, { params }))).statusCode).toBe(204);
      const listRes = await world.api(
        apiEvent(`list${kind.api.plural}` as OperationId, {
          params: { external_user_id: user.externalUserId },
          query: { max_age_seconds: '0' },
        }),
      );
      const list = bodyOf<{ items: unknown[] }>(listRes);
      expect(list.items).toEqual([]);
    }
  });
});
