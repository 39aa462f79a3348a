import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index';
import { api, field, issueToken, START, startTestSimulator } from '../src/testing';

let sim: Simulator;
let token: string;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());
beforeEach(async () => {
  sim.control.reset();
  token = await issueToken(sim);
});

const HOUR_S = 3600;

function newUser(): string {
  const user = sim.control.seed({ users: 1, heatPumpsPerUser: 0 }).users[0];
  if (!user) throw new Error('seed failed');
  return user.id;
}

const userPath = (userId: string) => `/org/${sim.orgId}/users/${userId}`;

async function form(path: string, fields: Record<string, string>) {
  return fetch(`${sim.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

describe('electric vehicles (E1–E12)', () => {
  function newVehicle() {
    const userId = newUser();
    const { id } = sim.control.addDevice(userId, { kind: 'electric_vehicle' });
    return { userId, id, path: `${userPath(userId)}/electric-vehicles/${id}` };
  }

  it('lists, shows and updates an EV with its state, and counts it on the user', async () => {
    const { userId, id, path } = newVehicle();
    const list = await api(sim, token, 'GET', `${userPath(userId)}/electric-vehicles`);
    expect(list.status).toBe(200);
    expect((list.body as { id: string }[]).map((vehicle) => vehicle.id)).toEqual([id]);
    const detail = await api(sim, token, 'GET', path);
    expect(detail.body).toMatchObject({
      id,
      is_authenticated: true,
      device_model: {
        device_type: { short_name: 'ev', long_name: 'Electric Vehicle' },
        manufacturer: 'Tesla',
      },
      boost_state: expect.stringMatching(/^(available|requested|ongoing|unavailable)$/),
      battery_level: expect.any(Number),
      driving_range: expect.any(Number),
      is_plugged_in: expect.any(Boolean),
      charge_deadline_at: '07:00',
    });
    const updated = await api(sim, token, 'PUT', path, {
      minimum_charge_limit: 60,
      charge_deadline_at: '06:30',
    });
    expect(updated.body).toMatchObject({ minimum_charge_limit: 60, charge_deadline_at: '06:30' });
    expect(field(updated.body, 'charge_policy_last_updated_at')).toBe(
      START.toISOString().replace('.000Z', 'Z'),
    );
    const user = await api(sim, token, 'GET', userPath(userId));
    expect(user.body).toMatchObject({ num_electric_vehicles: 1, num_wallboxes: 0, num_inverters: 0 });
  });

  it('refuses read-only, unknown and out-of-range fields on the update (E4 strict)', async () => {
    const { path } = newVehicle();
    const refused = await api(sim, token, 'PUT', path, {
      battery_level: 10,
      colour: 'red',
      minimum_charge_limit: 120,
    });
    expect(refused.status).toBe(422);
    expect(field<{ loc: string[] }[]>(refused.body, 'detail').map((entry) => entry.loc.join('.'))).toEqual(
      expect.arrayContaining(['body.battery_level', 'body.colour', 'body.minimum_charge_limit']),
    );
    expect((await api(sim, token, 'PUT', path, { charge_deadline_at: '7am' })).status).toBe(422);
  });

  it('registers an empty EV that stays unauthenticated and stateless (E2)', async () => {
    const userId = newUser();
    const created = await api(sim, token, 'POST', `${userPath(userId)}/electric-vehicles`);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      is_authenticated: false,
      battery_level: null,
      boost_state: 'unavailable',
      device_model: { device_type: { short_name: 'ev' }, manufacturer: null },
    });
  });

  it('boosts a plugged-in EV: 204, requested, then ongoing; a second boost is 409 already_charging', async () => {
    const { id, path } = newVehicle();
    sim.control.driveElectricVehicle(id, { plugged_in: true, battery_level: 40 });
    expect((await api(sim, token, 'POST', `${path}/boost`)).status).toBe(204);
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({ boost_state: 'requested' });
    sim.control.advanceClock(61);
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({
      boost_state: 'ongoing',
      is_charging: true,
    });
    const again = await api(sim, token, 'POST', `${path}/boost`);
    expect(again).toMatchObject({ status: 409, body: { state: 'ongoing', reason: 'already_charging' } });
  });

  it('refuses a boost when fully charged (409 fully_charged) and away from home (409 no_active_session)', async () => {
    const { id, path } = newVehicle();
    sim.control.driveElectricVehicle(id, { plugged_in: true, battery_level: 100 });
    expect(await api(sim, token, 'POST', `${path}/boost`)).toMatchObject({
      status: 409,
      body: { state: 'available', reason: 'fully_charged' },
    });
    sim.control.driveElectricVehicle(id, { plugged_in: true, at_home: false, battery_level: 30 });
    expect(await api(sim, token, 'POST', `${path}/boost`)).toMatchObject({
      status: 409,
      body: { reason: 'no_active_session' },
    });
    sim.control.setDeviceConnection(id, { authenticated: false });
    expect(await api(sim, token, 'POST', `${path}/boost`)).toMatchObject({
      status: 409,
      body: { state: 'unavailable', reason: 'internal_error' },
    });
  });

  it('arms a boost while unplugged, disarms it (E7), and an armed boost fires at the next plug-in', async () => {
    const { id, path } = newVehicle();
    sim.control.driveElectricVehicle(id, { plugged_in: false, battery_level: 40 });
    expect((await api(sim, token, 'POST', `${path}/boost`)).status).toBe(204);
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({
      boost_state: 'unavailable',
      boost_for_next_session: true,
    });
    expect((await api(sim, token, 'DELETE', `${path}/boost`)).status).toBe(204);
    expect((await api(sim, token, 'DELETE', `${path}/boost`)).status).toBe(204);
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({ boost_for_next_session: false });
    expect((await api(sim, token, 'POST', `${path}/boost`)).status).toBe(204);
    sim.control.driveElectricVehicle(id, { plugged_in: true });
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({
      boost_state: 'requested',
      boost_for_next_session: false,
    });
  });

  it('reads and writes the weekly charge policy (E8/E9), strictly', async () => {
    const { userId, id, path } = newVehicle();
    const policy = await api(sim, token, 'GET', `${path}/charge-policy`);
    expect(policy.body).toMatchObject({
      metadata: { electric_vehicle_id: id, user_id: userId },
      data: { mon: { charge_percentage: 80, charge_deadline: '07:00' }, timezone: 'UTC' },
    });
    const week = Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [
        day,
        { charge_percentage: 70, charge_deadline: '06:00' },
      ]),
    );
    const written = await api(sim, token, 'PUT', `${path}/charge-policy`, week);
    expect(written.status).toBe(200);
    expect(written.body).toMatchObject({
      data: { sun: { charge_percentage: 70, charge_deadline: '06:00' } },
    });
    const { mon: _mon, ...partial } = week;
    const refused = await api(sim, token, 'PUT', `${path}/charge-policy`, partial);
    expect(refused).toMatchObject({
      status: 422,
      body: { detail: [{ type: 'missing', loc: ['body', 'mon'] }] },
    });
  });

  it('pages completed sessions within a required date range (E10) and shows the current one (E11)', async () => {
    const { id, path } = newVehicle();
    const missing = await api(sim, token, 'GET', `${path}/sessions?to=2026-01-15`);
    expect(missing).toMatchObject({
      status: 422,
      body: { detail: [{ type: 'missing', loc: ['query', 'from'] }] },
    });
    const all = await api(sim, token, 'GET', `${path}/sessions?from=2025-12-01&to=2026-01-15`);
    const total = field<number>(all.body, 'total');
    expect(total).toBeGreaterThan(15);
    const page = await api(
      sim,
      token,
      'GET',
      `${path}/sessions?from=2025-12-01&to=2026-01-15&limit=2&offset=1`,
    );
    const items = field<{ id: string; plug_in_time: string; unplug_time: string }[]>(page.body, 'items');
    expect(field(page.body, 'total')).toBe(total);
    expect(items).toHaveLength(2);
    expect(items[0]?.id).toBe(field<{ id: string }[]>(all.body, 'items')[1]?.id);
    expect(Date.parse(items[0]?.plug_in_time ?? '')).toBeGreaterThan(
      Date.parse(items[1]?.plug_in_time ?? ''),
    );
    expect(items[0]).toMatchObject({
      energy_charged_kwh: expect.any(Number),
      session_outcome: expect.any(String),
      is_at_home: true,
    });
    expect((await api(sim, token, 'GET', `${path}/sessions?from=2026-01-10&to=2026-01-01`)).status).toBe(422);

    sim.control.driveElectricVehicle(id, { plugged_in: true, battery_level: 30 });
    const current = await api(sim, token, 'GET', `${path}/sessions/current`);
    expect(current.body).toMatchObject({ session: { unplug_time: null, initial_soc_pct: 30 } });
    sim.control.driveElectricVehicle(id, { plugged_in: false });
    expect((await api(sim, token, 'GET', `${path}/sessions/current`)).body).toEqual({ session: null });
    const after = await api(sim, token, 'GET', `${path}/sessions?from=2026-01-15&to=2026-01-15`);
    expect(field<{ initial_soc_pct: number }[]>(after.body, 'items')[0]).toMatchObject({
      initial_soc_pct: 30,
    });
  });

  it('lives through a day on the simulated clock: unplugs, comes back, charges, records the session', async () => {
    const { path } = newVehicle();
    const before = field<number>(
      (await api(sim, token, 'GET', `${path}/sessions?from=2026-01-01&to=2026-01-31`)).body,
      'total',
    );
    const seen = new Set<string>();
    for (let quarter = 0; quarter < 4 * 36; quarter++) {
      sim.control.advanceClock(HOUR_S / 4);
      if (quarter % 32 === 0) token = await issueToken(sim); // tokens last 10 simulated hours
      const detail = (await api(sim, token, 'GET', path)).body;
      seen.add(`${String(field(detail, 'is_plugged_in'))}/${String(field(detail, 'is_charging'))}`);
    }
    expect(seen).toContain('false/false'); // away
    expect(seen).toContain('true/true'); // charging at home
    const after = field<number>(
      (await api(sim, token, 'GET', `${path}/sessions?from=2026-01-01&to=2026-01-31`)).body,
      'total',
    );
    expect(after).toBeGreaterThan(before);
  });

  it('reports savings in the H7 shape with the EV figures (E12)', async () => {
    const { path } = newVehicle();
    const savings = await api(
      sim,
      token,
      'GET',
      `${path}/savings?from=2025-12-16T00:00:00Z&to=2026-01-15&resolution=1WEEK`,
    );
    expect(savings.status).toBe(200);
    const data = field<{ electric_vehicle: { charge_session_count: number } }[]>(savings.body, 'data');
    expect(data.length).toBeGreaterThan(3);
    expect(data.reduce((sum, entry) => sum + entry.electric_vehicle.charge_session_count, 0)).toBeGreaterThan(
      10,
    );
    expect((await api(sim, token, 'GET', `${path}/savings?from=2025-12-16T00:00:00Z`)).status).toBe(422);
  });

  it('re-authenticates through auth_session (E5): the page restores a broken connection', async () => {
    const { id, path } = newVehicle();
    sim.control.setDeviceConnection(id, { authenticated: false });
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({
      is_authenticated: false,
      action_needed: true,
      actions: [{ code: 'reauthenticate' }],
      battery_level: null,
    });
    expect((await api(sim, token, 'POST', `${path}/auth_session`, { nope: 1 })).status).toBe(422);
    const session = await api(sim, token, 'POST', `${path}/auth_session`, {
      success_url: 'https://partner.example/ok',
      cancel_url: 'https://partner.example/cancel',
    });
    expect(session.body).toMatchObject({ device_id: id, session_id: expect.any(String) });
    const url = new URL(field<string>(session.body, 'authentication_url'));
    expect((await fetch(url)).status).toBe(200);
    const signedIn = await form('/connect/reauthenticate', {
      token: url.searchParams.get('token') ?? '',
      username: 'owner',
      password: 'secret',
      action: 'connect',
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('https://partner.example/ok');
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({ is_authenticated: true, actions: [] });
    expect((await fetch(url)).status).toBe(410); // the page works once
  });
});

describe('wallboxes (W1–W7) and claim tokens', () => {
  it('hands out a one-time claim token (201) whose status shows the box once it claimed it', async () => {
    const userId = newUser();
    const onboarding = await api(sim, token, 'POST', '/device-onboarding', {
      user_id: userId,
      language: 'en',
      price_zone_default: 'AT',
      success_url: 'https://partner.example/ok',
      cancel_url: 'https://partner.example/cancel',
      device_type: 'wb',
    });
    const sessionId = field<string>(onboarding.body, 'id');
    const created = await api(sim, token, 'POST', `${userPath(userId)}/wallboxes/claim-tokens`, {
      onboarding_session_id: sessionId,
    });
    expect(created.status).toBe(201);
    const claimToken = field<string>(created.body, 'token');
    expect(created.body).toMatchObject({
      wss_url: expect.stringMatching(/^ws:\/\//),
      expires_at: expect.any(String),
    });
    const statusPath = `/device-onboarding/${sessionId}/wallbox-claim-tokens/${claimToken}/status`;
    expect((await api(sim, null, 'GET', statusPath)).body).toEqual({
      claimed: false,
      wallbox_id: null,
      manufacturer: null,
      model: null,
      firmware_version: null,
    });

    const claim = await fetch(`${sim.baseUrl}/__sim/wallboxes/claims`, {
      method: 'POST',
      body: JSON.stringify({ token: claimToken, manufacturer: 'Easee', firmware_version: '3.1.0' }),
    });
    expect(claim.status).toBe(200);
    const wallboxId = field<string>(await claim.json(), 'wallbox_id');
    expect((await api(sim, null, 'GET', statusPath)).body).toEqual({
      claimed: true,
      wallbox_id: wallboxId,
      manufacturer: 'Easee',
      model: 'Home',
      firmware_version: '3.1.0',
    });
    const spent = await fetch(`${sim.baseUrl}/__sim/wallboxes/claims`, {
      method: 'POST',
      body: JSON.stringify({ token: claimToken }),
    });
    expect(spent.status).toBe(409);
    expect((await api(sim, token, 'GET', `/device-onboarding/${sessionId}`)).body).toMatchObject({
      object_id: wallboxId,
    });
    expect(
      (await api(sim, null, 'GET', `/device-onboarding/${sessionId}/wallbox-claim-tokens/not-a-token/status`))
        .status,
    ).toBe(404);
  });

  it('shows mode and connection, boosts and cancels, and goes offline when its connection breaks', async () => {
    const userId = newUser();
    const { id } = sim.control.addDevice(userId, { kind: 'wallbox' });
    const path = `${userPath(userId)}/wallboxes/${id}`;
    expect((await api(sim, token, 'GET', `${userPath(userId)}/wallboxes`)).body).toMatchObject([{ id }]);
    // Under `none` (no charging configuration) the virtual car charged at once to its target: start it low.
    sim.control.driveWallbox(id, { plugged_in: false, battery_level: 30 });
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({ mode: 'READY', connection: 'online' });
    expect((await api(sim, token, 'POST', `${path}/boost`)).status).toBe(204); // armed
    sim.control.driveWallbox(id, { plugged_in: true });
    sim.control.advanceClock(61);
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({
      mode: 'CHARGING',
      boost_state: 'ongoing',
      current_power_w: 7000,
    });
    expect(await api(sim, token, 'POST', `${path}/boost`)).toMatchObject({
      status: 409,
      body: { reason: 'already_charging' },
    });
    expect((await api(sim, token, 'DELETE', `${path}/boost`)).status).toBe(204);
    expect((await api(sim, token, 'GET', path)).body).not.toMatchObject({ boost_state: 'ongoing' });
    expect((await api(sim, token, 'PUT', path, { charge_power_max_w: 11000, mode: 'READY' })).status).toBe(
      422,
    );
    expect((await api(sim, token, 'PUT', path, { charge_power_max_w: 11000 })).body).toMatchObject({
      charge_power_max_w: 11000,
    });
    sim.control.setDeviceConnection(id, { authenticated: false });
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({
      mode: 'UNAVAILABLE',
      connection: 'offline',
      is_authenticated: false,
    });
    const registered = await api(sim, token, 'POST', `${userPath(userId)}/wallboxes`, {});
    expect(registered.body).toMatchObject({ connection: 'never_connected', mode: 'UNAVAILABLE' });
  });

  it('follows a connected EV: the box charges what the car charges', async () => {
    const userId = newUser();
    const { id: vehicleId } = sim.control.addDevice(userId, { kind: 'electric_vehicle' });
    const { id } = sim.control.addDevice(userId, { kind: 'wallbox' });
    sim.control.driveElectricVehicle(vehicleId, { plugged_in: true, battery_level: 10 });
    expect((await api(sim, token, 'GET', `${userPath(userId)}/wallboxes/${id}`)).body).toMatchObject({
      electric_vehicle_id: vehicleId,
      mode: 'CHARGING',
      is_plugged_in: true,
    });
  });
});

describe('solar inverters (I1–I7)', () => {
  function newInverter() {
    const userId = newUser();
    const { id } = sim.control.addDevice(userId, { kind: 'inverter' });
    return { userId, id, path: `${userPath(userId)}/inverters/${id}` };
  }

  it('reports production, household, grid and battery with the documented signs, and follows the sun control', async () => {
    const { userId, id, path } = newInverter();
    // The battery moves when Podero's HEMS steers it: the home needs a car for the mode.
    sim.control.addDevice(userId, { kind: 'electric_vehicle' });
    expect(
      (await api(sim, token, 'PUT', `${userPath(userId)}/charging-config`, { mode: 'hems' })).status,
    ).toBe(200);
    sim.control.setClock(new Date('2026-01-16T11:00:00Z'));
    token = await issueToken(sim); // the first token expired on the way (10 h)
    sim.control.driveInverter(id, { sun: 1 });
    const noon = (await api(sim, token, 'GET', path)).body;
    expect(field<number>(noon, 'current_solar_production_w')).toBeGreaterThan(500);
    expect(field(noon, 'solar_surplus_w')).toBe(
      field<number>(noon, 'current_solar_production_w') - field<number>(noon, 'household_consumption_w'),
    );
    sim.control.driveInverter(id, { sun: 0 });
    const dark = (await api(sim, token, 'GET', path)).body;
    expect(field(dark, 'current_solar_production_w')).toBe(0);
    // No sun: the battery discharges (positive) while it is above its minimum.
    sim.control.driveInverter(id, { battery_level: 60 });
    const discharging = (await api(sim, token, 'GET', path)).body;
    expect(field<number>(discharging, 'battery_charge_discharge_power_w')).toBeGreaterThan(0);
    expect(field<number>(discharging, 'battery_charge_level_percent')).toBe(60);
  });

  it('writes the battery limits and refuses inconsistent ones, naming the field', async () => {
    const { path } = newInverter();
    expect(
      (await api(sim, token, 'PUT', path, { min_battery_charge: 10, max_battery_charge: 95 })).body,
    ).toMatchObject({
      min_battery_charge: 10,
      max_battery_charge: 95,
    });
    expect(await api(sim, token, 'PUT', path, { min_battery_charge: 96 })).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ['body', 'min_battery_charge'] }] },
    });
    expect(await api(sim, token, 'PUT', path, { battery_capacity_kwh: null })).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ['body', 'battery_capacity_kwh'] }] },
    });
    expect((await api(sim, token, 'PUT', path, { current_solar_production_w: 5 })).status).toBe(422);
  });

  it('serves 15-minute data (I6), schedules (I7) and savings', async () => {
    const { path } = newInverter();
    const data = await api(
      sim,
      token,
      'GET',
      `${path}/data?from_datetime=2026-01-14T00:00:00Z&to_datetime=2026-01-15T00:00:00Z`,
    );
    const points = field<Record<string, number>[]>(data.body, 'data');
    expect(points).toHaveLength(96);
    expect(points[0]).toMatchObject({ solar_production_w: 0, time: '2026-01-14T00:00:00Z' });
    expect(Math.max(...points.map((point) => point.solar_production_w ?? 0))).toBeGreaterThan(0);
    const keyword = await api(
      sim,
      token,
      'GET',
      `${path}/data?keywords=battery_charge_level_percent&resolution=1HOUR`,
    );
    expect(Object.keys(field<object[]>(keyword.body, 'data')[0] ?? {}).sort()).toEqual([
      'battery_charge_level_percent',
      'time',
    ]);
    expect((await api(sim, token, 'GET', `${path}/data?keywords=solar_production_w,%20price`)).status).toBe(
      422,
    );
    const schedules = await api(sim, token, 'GET', `${path}/schedules`);
    expect(field<unknown[]>(schedules.body, 'data')).toHaveLength(24);
    const savings = await api(
      sim,
      token,
      'GET',
      `${path}/savings?from=2026-01-01T00:00:00Z&to=2026-01-15&resolution=1WEEK`,
    );
    expect(
      field<{ inverter: { solar_production_wh: number } }[]>(savings.body, 'data')[0]?.inverter
        .solar_production_wh,
    ).toBeGreaterThan(0);
  });
});

describe('any device (D1), the charging configuration (CC1–CC2), the Connect UI and faults', () => {
  it('updates general attributes of any kind (D1) and drops the connection when is_authenticated is false', async () => {
    const userId = newUser();
    const { id } = sim.control.addDevice(userId, { kind: 'inverter' });
    const patch = await api(sim, token, 'PATCH', `${userPath(userId)}/devices/${id}`, {
      comment: 'roof south',
      is_smart_optimization_active: null,
      is_authenticated: false,
    });
    expect(patch.body).toMatchObject({
      id,
      comment: 'roof south',
      is_smart_optimization_active: true,
      is_authenticated: false,
      actions: [{ code: 'reauthenticate' }],
    });
    expect((await api(sim, token, 'PATCH', `${userPath(userId)}/devices/${id}`, { name: 'x' })).status).toBe(
      422,
    );
    const other = newUser();
    expect(
      (await api(sim, token, 'PATCH', `${userPath(other)}/devices/${id}`, { comment: 'x' })).status,
    ).toBe(404);
  });

  it('offers the charging modes the home supports, and refuses the others with 422 on mode', async () => {
    const userId = newUser();
    const path = `${userPath(userId)}/charging-config`;
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({
      mode: 'none',
      available_modes: ['none'],
      unavailability_reasons: { spot: ['no_ev'], hems: ['no_ev', 'no_inverter'] },
    });
    sim.control.addDevice(userId, { kind: 'electric_vehicle' });
    expect((await api(sim, token, 'PUT', path, { mode: 'spot' })).body).toMatchObject({ mode: 'spot' });
    expect(await api(sim, token, 'PUT', path, { mode: 'hems' })).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ['body', 'mode'], msg: expect.stringContaining('no_inverter') }] },
    });
    expect(await api(sim, token, 'PUT', path, { mode: 'eco' })).toMatchObject({
      status: 422,
      body: { detail: [{ type: 'enum', loc: ['body', 'mode'] }] },
    });
    sim.control.addDevice(userId, { kind: 'inverter' });
    expect((await api(sim, token, 'PUT', path, { mode: 'hems_and_spot' })).body).toMatchObject({
      mode: 'hems_and_spot',
      available_modes: ['none', 'spot', 'hems', 'hems_and_spot'],
    });
  });

  it('connects an EV through the Connect UI when the session asks for one', async () => {
    const userId = newUser();
    const onboarding = await api(sim, token, 'POST', '/device-onboarding', {
      user_id: userId,
      language: 'de',
      price_zone_default: 'DE_LU',
      success_url: 'https://partner.example/ok',
      cancel_url: 'https://partner.example/cancel',
      device_type: 'ev',
    });
    const sessionId = field<string>(onboarding.body, 'id');
    const page = await (await fetch(`${sim.baseUrl}/connect?onboarding_session_id=${sessionId}`)).text();
    expect(page).toContain('name="device_type" value="ev"');
    expect(page).toContain('Hyundai');
    expect(page).not.toContain('Nibe');
    const done = await form('/connect', {
      onboarding_session_id: sessionId,
      manufacturer: 'Hyundai',
      model: 'Ioniq 5',
      username: 'owner',
      password: 'secret',
      action: 'connect',
    });
    expect(done.status).toBe(303);
    const objectId = field<string>(
      (await api(sim, token, 'GET', `/device-onboarding/${sessionId}`)).body,
      'object_id',
    );
    expect((await api(sim, token, 'GET', `${userPath(userId)}/electric-vehicles`)).body).toMatchObject([
      { id: objectId, price_zone: 'DE_LU', device_model: { manufacturer: 'Hyundai', model: 'Ioniq 5' } },
    ]);
  });

  it('applies fault rules to the new routes', async () => {
    const route = `POST /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}/boost`;
    expect(sim.routeKeys).toContain(route);
    const userId = newUser();
    const { id } = sim.control.addDevice(userId, { kind: 'electric_vehicle' });
    sim.control.setFaults([{ route, status: 503, count: 1 }]);
    const path = `${userPath(userId)}/electric-vehicles/${id}/boost`;
    const faulted = await fetch(`${sim.baseUrl}/api/partners/v2.0${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(faulted.status).toBe(503);
    expect((await api(sim, token, 'POST', path)).status).not.toBe(503);
    expect(sim.control.counters().requests[route]).toMatchObject({ 503: 1 });
  });
});
