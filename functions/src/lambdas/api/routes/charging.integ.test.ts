/**
 * The charging controls through the API handler against the simulator: an EV boosted, refused when already
 * charging, armed when unplugged and disarmed; its weekly charge policy round trip; its sessions paged with
 * the bridge's cursor; a wallbox boosted and a claim token shown once; the charging configuration changed
 * and refused with the field named; every kind in one list.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiEvent, bodyOf, userClaims } from '../../../../test-support/api-event';
import {
  type HeatPumpWorld,
  type OnboardedTestUser,
  startHeatPumpWorld,
} from '../../../../test-support/device-world';

let world: HeatPumpWorld;
let alice: OnboardedTestUser;
let bob: OnboardedTestUser;
let vehicle: string;
let wallbox: string;

beforeAll(async () => {
  world = await startHeatPumpWorld();
  [alice, bob] = (await world.onboard(2, 1, 'charging')) as [OnboardedTestUser, OnboardedTestUser];
  vehicle = world.sim.control.addDevice(alice.poderoUserId, { kind: 'electric_vehicle' }).id;
  wallbox = world.sim.control.addDevice(alice.poderoUserId, { kind: 'wallbox' }).id;
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => {
  world.sim.control.clearFaults();
});

const ev = (user = alice, id = vehicle) => ({
  external_user_id: user.externalUserId,
  electric_vehicle_id: id,
});
const box = (user = alice, id = wallbox) => ({ external_user_id: user.externalUserId, wallbox_id: id });
const claimsOf = (user: OnboardedTestUser) => ({ claims: userClaims(user.externalUserId) });

interface ErrorBody {
  error: { code: string; message: string; reason?: string; state?: string; details?: { field: string }[] };
}

describe('EV boost', () => {
  it('boosts a plugged-in vehicle now, refuses a second boost with 409 already_charging, arms an unplugged one and disarms it', async () => {
    world.sim.control.driveElectricVehicle(vehicle, { plugged_in: true, at_home: true, battery_level: 40 });
    const started = await world.api(apiEvent('boostElectricVehicle', { params: ev(), ...claimsOf(alice) }));
    expect(started.statusCode).toBe(200);
    const body = bodyOf<{ outcome: string; electric_vehicle: Record<string, unknown> | null }>(started);
    expect(body.outcome).toBe('started');
    expect(body.electric_vehicle?.id).toBe(vehicle);
    expect(['requested', 'ongoing']).toContain(body.electric_vehicle?.boost_state);

    const again = await world.api(apiEvent('boostElectricVehicle', { params: ev() }));
    expect(again.statusCode).toBe(409);
    const refusal = bodyOf<ErrorBody>(again).error;
    expect(refusal).toMatchObject({ code: 'boost_refused', reason: 'already_charging' });
    expect(['requested', 'ongoing']).toContain(refusal.state);

    world.sim.control.driveElectricVehicle(vehicle, { plugged_in: false });
    const armed = await world.api(apiEvent('boostElectricVehicle', { params: ev() }));
    expect(armed.statusCode).toBe(200);
    expect(bodyOf<{ outcome: string }>(armed).outcome).toBe('armed');
    const read = async () => world.sim.control.driveElectricVehicle(vehicle, {}).boost_armed;
    expect(await read()).toBe(true);

    const disarmed = await world.api(apiEvent('disarmElectricVehicleBoost', { params: ev() }));
    expect(disarmed.statusCode).toBe(204);
    expect(await read()).toBe(false);
    // Idempotent.
    expect((await world.api(apiEvent('disarmElectricVehicleBoost', { params: ev() }))).statusCode).toBe(204);
  });

  it('answers 404 for a vehicle that is not the user’s, and 403 for another user’s token, without calling boost', async () => {
    const boosts = () =>
      world.requests(
        'POST /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}/boost',
      );
    const before = boosts();
    const foreign = await world.api(apiEvent('boostElectricVehicle', { params: ev(bob) }));
    expect(foreign.statusCode).toBe(404);
    expect(bodyOf<ErrorBody>(foreign).error.message).toBe('electric vehicle not found');
    const forbidden = await world.api(apiEvent('boostElectricVehicle', { params: ev(), ...claimsOf(bob) }));
    expect(forbidden.statusCode).toBe(403);
    expect(boosts()).toBe(before);
  });

  it('replays a boost repeated with its Idempotency-Key without boosting again', async () => {
    world.sim.control.driveElectricVehicle(vehicle, { plugged_in: false });
    const boosts = () =>
      world.requests(
        'POST /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}/boost',
      );
    const before = boosts();
    const headers = { 'idempotency-key': `boost-${Date.now()}` };
    const first = await world.api(apiEvent('boostElectricVehicle', { params: ev(), headers }));
    const again = await world.api(apiEvent('boostElectricVehicle', { params: ev(), headers }));
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.headers?.['idempotent-replayed']).toBe('true');
    expect(bodyOf(again)).toEqual(bodyOf(first));
    expect(boosts()).toBe(before + 1);
    await world.api(apiEvent('disarmElectricVehicleBoost', { params: ev() }));
  });

  it('maps Podero failing the boost to 502, and its rate limit to 503 with Retry-After', async () => {
    const route =
      'POST /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}/boost';
    world.sim.control.setFaults([{ route, status: 500, count: 10 }]);
    const failed = await world.api(apiEvent('boostElectricVehicle', { params: ev() }));
    expect(failed.statusCode).toBe(502);
    expect(bodyOf<ErrorBody>(failed).error.code).toBe('upstream_error');
    world.sim.control.setFaults([{ route, status: 429, count: 10, retry_after_seconds: 30 }]);
    const limited = await world.api(apiEvent('boostElectricVehicle', { params: ev() }));
    expect(limited.statusCode).toBe(503);
    expect(limited.headers?.['retry-after']).toBe('30');
  });
});

describe('EV charge policy', () => {
  const day = (charge_percentage: number, charge_deadline = '07:30') => ({
    charge_percentage,
    charge_deadline,
  });
  const week = {
    mon: day(60),
    tue: day(65),
    wed: day(70),
    thu: day(75),
    fri: day(80, '06:45'),
    sat: day(50, '10:00'),
    sun: day(55, '10:00'),
    timezone: 'UTC',
  };

  it('writes the week and reads it back', async () => {
    const put = await world.api(apiEvent('updateElectricVehicleChargePolicy', { params: ev(), body: week }));
    expect(put.statusCode).toBe(200);
    expect(bodyOf(put)).toEqual({
      electric_vehicle_id: vehicle,
      ...week,
      // The write as a tracked change (on the frozen test clock, the read-back is not after the request).
      change: expect.objectContaining({ control: 'charge_policy', fields: week, status: 'pending' }),
    });
    const get = await world.api(apiEvent('getElectricVehicleChargePolicy', { params: ev() }));
    expect(bodyOf(get)).toEqual({ electric_vehicle_id: vehicle, ...week });
  });

  it('refuses a week with a day missing or a percentage above 100 before reaching Podero, naming the field', async () => {
    const puts = () =>
      world.requests(
        'PUT /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}/charge-policy',
      );
    const before = puts();
    const { sun: _sun, ...sixDays } = week;
    const missing = await world.api(
      apiEvent('updateElectricVehicleChargePolicy', { params: ev(), body: sixDays }),
    );
    expect(missing.statusCode).toBe(400);
    expect(bodyOf<ErrorBody>(missing).error.details?.map((d) => d.field)).toContain('body.sun');
    const over = await world.api(
      apiEvent('updateElectricVehicleChargePolicy', { params: ev(), body: { ...week, mon: day(101) } }),
    );
    expect(bodyOf<ErrorBody>(over).error.details?.map((d) => d.field)).toContain(
      'body.mon.charge_percentage',
    );
    expect(puts()).toBe(before);
  });
});

describe('EV sessions', () => {
  it('pages through every session of a range with the cursor, and refuses a cursor of another range', async () => {
    const query = { from: '2026-05-01', to: '2026-06-01', limit: '4' };
    const seen: string[] = [];
    let cursor: string | null = null;
    let total = -1;
    let pages = 0;
    do {
      const page = await world.api(
        apiEvent('listElectricVehicleSessions', {
          params: ev(),
          query: cursor === null ? query : { ...query, cursor },
        }),
      );
      expect(page.statusCode).toBe(200);
      const body = bodyOf<{ items: { id: string }[]; total: number; next_cursor: string | null }>(page);
      seen.push(...body.items.map((s) => s.id));
      total = body.total;
      cursor = body.next_cursor;
      pages++;
    } while (cursor !== null && pages < 50);
    expect(total).toBeGreaterThan(4);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);

    const first = bodyOf<{ next_cursor: string }>(
      await world.api(apiEvent('listElectricVehicleSessions', { params: ev(), query })),
    );
    const other = await world.api(
      apiEvent('listElectricVehicleSessions', {
        params: ev(),
        query: { ...query, to: '2026-05-31', cursor: first.next_cursor },
      }),
    );
    expect(other.statusCode).toBe(400);
    expect(bodyOf<ErrorBody>(other).error.details?.[0]?.field).toBe('query.cursor');
    const noRange = await world.api(apiEvent('listElectricVehicleSessions', { params: ev() }));
    expect(noRange.statusCode).toBe(400);
  });

  it('answers the session under way while plugged in, and null otherwise', async () => {
    world.sim.control.driveElectricVehicle(vehicle, { plugged_in: true, at_home: true });
    const current = bodyOf<{ session: { id: string; unplug_time: null } | null }>(
      await world.api(apiEvent('getElectricVehicleCurrentSession', { params: ev() })),
    );
    expect(current.session?.unplug_time).toBeNull();
    world.sim.control.driveElectricVehicle(vehicle, { plugged_in: false });
    const none = bodyOf<{ session: unknown }>(
      await world.api(apiEvent('getElectricVehicleCurrentSession', { params: ev() })),
    );
    expect(none.session).toBeNull();
  });
});

describe('wallbox', () => {
  it('boosts a wallbox, or arms it, and cancels the boost', async () => {
    const boosted = await world.api(apiEvent('boostWallbox', { params: box() }));
    expect(boosted.statusCode).toBe(200);
    expect(['started', 'armed']).toContain(bodyOf<{ outcome: string }>(boosted).outcome);
    expect(bodyOf<{ wallbox: { id: string } }>(boosted).wallbox.id).toBe(wallbox);
    expect((await world.api(apiEvent('cancelWallboxBoost', { params: box() }))).statusCode).toBe(204);
    expect((await world.api(apiEvent('cancelWallboxBoost', { params: box(bob) }))).statusCode).toBe(404);
  });

  it('shows a claim token once: a replay with the same Idempotency-Key answers it as null, and nothing stores it', async () => {
    const headers = { 'idempotency-key': `claim-${Date.now()}` };
    const params = { external_user_id: alice.externalUserId };
    const first = await world.api(apiEvent('createWallboxClaimToken', { params, headers }));
    expect(first.statusCode).toBe(201);
    const claim = bodyOf<{ token: string; wss_url: string; expires_at: string }>(first);
    expect(claim.token.length).toBeGreaterThan(8);
    expect(claim.wss_url).toMatch(/^wss?:\/\//);

    const replay = await world.api(apiEvent('createWallboxClaimToken', { params, headers }));
    expect(replay.statusCode).toBe(201);
    expect(bodyOf(replay)).toEqual({ token: null, wss_url: null, expires_at: claim.expires_at });

    const items = await world.apiDeps.db.send(
      new ScanCommand({ TableName: world.apiDeps.config.mainTableName }),
    );
    expect(JSON.stringify(items.Items)).not.toContain(claim.token);
    // The token works once, at Podero.
    world.sim.control.claimWallbox({ token: claim.token });
    expect(() => world.sim.control.claimWallbox({ token: claim.token })).toThrow();
  });
});

describe('re-authentication through auth_session', () => {
  it("shows Podero's sign-in URL once: a replay with the same Idempotency-Key answers it as null, and nothing stores it", async () => {
    world.sim.control.setDeviceConnection(vehicle, { authenticated: false, reauthentication: true });
    const headers = { 'idempotency-key': `reauth-${Date.now()}` };
    const body = { success_url: 'http://127.0.0.1:3000/ok', cancel_url: 'http://127.0.0.1:3000/cancel' };
    const first = await world.api(
      apiEvent('startElectricVehicleReauthentication', { params: ev(), headers, body }),
    );
    expect(first.statusCode).toBe(201);
    const started = bodyOf<{ redirect_url: string; expires_at: string }>(first);
    expect(started.redirect_url).toMatch(/token=/);

    const replay = await world.api(
      apiEvent('startElectricVehicleReauthentication', { params: ev(), headers, body }),
    );
    expect(replay.statusCode).toBe(201);
    expect(bodyOf(replay)).toEqual({ redirect_url: null, expires_at: started.expires_at });

    const items = await world.apiDeps.db.send(
      new ScanCommand({ TableName: world.apiDeps.config.mainTableName }),
    );
    expect(JSON.stringify(items.Items)).not.toContain(started.redirect_url);
    world.sim.control.setDeviceConnection(vehicle, { authenticated: true });
  });
});

describe('charging configuration', () => {
  it('reads the mode, refuses one the devices cannot support naming body.mode, and changes it', async () => {
    const params = { external_user_id: alice.externalUserId };
    const read = bodyOf<{ mode: string; available_modes: string[] }>(
      await world.api(apiEvent('getChargingConfig', { params })),
    );
    expect(read.mode).toBe('none');
    // Alice has an EV but no inverter: hems is not available.
    const refused = await world.api(apiEvent('updateChargingConfig', { params, body: { mode: 'hems' } }));
    expect(refused.statusCode).toBe(400);
    expect(bodyOf<ErrorBody>(refused).error.details?.map((d) => d.field)).toEqual(['body.mode']);

    const changed = await world.api(apiEvent('updateChargingConfig', { params, body: { mode: 'spot' } }));
    expect(changed.statusCode).toBe(200);
    expect(bodyOf<{ mode: string }>(changed).mode).toBe('spot');
    expect(bodyOf<{ mode: string }>(await world.api(apiEvent('getChargingConfig', { params }))).mode).toBe(
      'spot',
    );

    const unknown = await world.api(apiEvent('updateChargingConfig', { params, body: { mode: 'turbo' } }));
    expect(unknown.statusCode).toBe(400);
  });
});

describe('GET /users/{external_user_id}/devices', () => {
  it('lists every kind with its type, then serves the cache', async () => {
    const params = { external_user_id: alice.externalUserId };
    const live = bodyOf<{ items: { type: string; id: string }[]; source: string }>(
      await world.api(apiEvent('listDevices', { params, query: { max_age_seconds: '0' } })),
    );
    expect(live.source, JSON.stringify(live)).toBe('live');
    const byType = Object.fromEntries(live.items.map((d) => [d.id, d.type]));
    expect(byType).toMatchObject({
      [alice.deviceIds[0] ?? '']: 'heat_pump',
      [vehicle]: 'electric_vehicle',
      [wallbox]: 'wallbox',
    });
    const cached = bodyOf<{ source: string; items: unknown[] }>(
      await world.api(apiEvent('listDevices', { params })),
    );
    expect(cached.source).toBe('cache');
    expect(cached.items).toHaveLength(live.items.length);
  });
});
