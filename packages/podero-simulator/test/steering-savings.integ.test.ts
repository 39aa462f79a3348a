/**
 * The charging configuration (CC1–CC2) steers the living devices, and the savings the simulator reports for
 * EVs (E12), inverters (Appendix B) and the organisation (S1) follow from what they did.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index';
import { api, field, issueToken, startTestSimulator } from '../src/testing';

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

const DAY_S = 86_400;
const userPath = (userId: string) => `/org/${sim.orgId}/users/${userId}`;

function newHome(): { userId: string; vehicleId: string; inverterId: string } {
  const user = sim.control.seed({ users: 1, heatPumpsPerUser: 0 }).users[0];
  if (!user) throw new Error('seed failed');
  const { id: vehicleId } = sim.control.addDevice(user.id, { kind: 'electric_vehicle' });
  const { id: inverterId } = sim.control.addDevice(user.id, { kind: 'inverter' });
  return { userId: user.id, vehicleId, inverterId };
}

/** Moves the simulated clock on by whole days, with a fresh token (tokens last 10 simulated hours). */
async function advanceDays(days: number): Promise<void> {
  sim.control.advanceClock(days * DAY_S);
  token = await issueToken(sim);
}

async function setMode(userId: string, mode: string): Promise<void> {
  const answer = await api(sim, token, 'PUT', `${userPath(userId)}/charging-config`, { mode });
  expect(answer).toMatchObject({ status: 200, body: { mode } });
}

/** One bucket over the whole window (1YEAR, clipped to it): the device's savings for exactly that window. */
async function deviceSavings(path: string, from: string, to: string) {
  const answer = await api(sim, token, 'GET', `${path}/savings?from=${from}&to=${to}&resolution=1YEAR`);
  expect(answer.status).toBe(200);
  const buckets = field<Record<string, unknown>[]>(answer.body, 'data');
  expect(buckets).toHaveLength(1);
  return buckets[0] as {
    savings: { total: number; percentage: number };
    electric_vehicle?: { charge_session_count: number };
    inverter?: { solar_production_wh: number; grid_export_wh: number; self_consumption_wh: number };
  };
}

async function organisationSavings(from: string, to: string) {
  const answer = await api(
    sim,
    token,
    'GET',
    `/org/${sim.orgId}/devices/savings?start_datetime=${from}&end_datetime=${to}`,
  );
  expect(answer.status).toBe(200);
  return answer.body as Record<string, number>;
}

describe('the charging configuration steers the living devices', () => {
  it('none charges a plugged-in EV at once; spot waits out the evening peak for the cheap night hours', async () => {
    const { userId, vehicleId } = newHome();
    sim.control.setClock(new Date('2026-01-20T18:00:00Z'));
    token = await issueToken(sim);
    const path = `${userPath(userId)}/electric-vehicles/${vehicleId}`;
    // Above charge_target_min (50 %, charged at once in every mode), below the 75 % to reach by 07:00.
    sim.control.driveElectricVehicle(vehicleId, { plugged_in: false });
    sim.control.driveElectricVehicle(vehicleId, { battery_level: 55, plugged_in: true });
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({
      is_plugged_in: true,
      is_charging: true,
    });

    await setMode(userId, 'spot');
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({
      is_plugged_in: true,
      is_charging: false,
    });
    const session = field<{ desired_charging_start_time: string }>(
      (await api(sim, token, 'GET', `${path}/sessions/current`)).body,
      'session',
    );
    // Planned at plug-in under `none`: the plan of the session stays, the charging follows the new mode.
    expect(session.desired_charging_start_time).toBe('2026-01-20T18:00:00Z');

    await setMode(userId, 'none');
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({ is_charging: true });
  });

  it('moves the home battery only under a hems mode', async () => {
    const { userId, inverterId } = newHome();
    const path = `${userPath(userId)}/inverters/${inverterId}`;
    sim.control.driveInverter(inverterId, { sun: 0, battery_level: 60 });
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({
      battery_charge_discharge_power_w: 0,
      battery_charge_level_percent: 60,
    });
    await setMode(userId, 'hems');
    const steered = (await api(sim, token, 'GET', path)).body;
    expect(field<number>(steered, 'battery_charge_discharge_power_w')).toBeGreaterThan(0); // covering the home
  });
});

describe('savings of EVs and inverters (E12, Appendix B) and the organisation (S1)', () => {
  it('are zero under none, while production and self-consumption are still reported', async () => {
    const { userId, vehicleId, inverterId } = newHome();
    const from = sim.control.now().toISOString();
    await advanceDays(4);
    const to = sim.control.now().toISOString();
    const vehicle = await deviceSavings(`${userPath(userId)}/electric-vehicles/${vehicleId}`, from, to);
    expect(vehicle.electric_vehicle?.charge_session_count).toBeGreaterThan(0);
    expect(vehicle.savings).toEqual({ total: 0, percentage: 0 });
    const inverter = await deviceSavings(`${userPath(userId)}/inverters/${inverterId}`, from, to);
    expect(inverter.savings).toEqual({ total: 0, percentage: 0 });
    expect(inverter.inverter?.solar_production_wh).toBeGreaterThan(0);
    expect(inverter.inverter?.self_consumption_wh).toBe(
      (inverter.inverter?.solar_production_wh ?? 0) - (inverter.inverter?.grid_export_wh ?? 0),
    );
    expect(await organisationSavings(from, to)).toEqual({
      total_savings: 0,
      heat_pump_savings: 0,
      electric_vehicle_savings: 0,
      inverter_savings: 0,
    });
  });

  it('are positive under hems_and_spot, and S1 is the sum of the devices’ own figures for the window', async () => {
    const { userId, vehicleId, inverterId } = newHome();
    await setMode(userId, 'hems_and_spot');
    const from = sim.control.now().toISOString();
    await advanceDays(7);
    const to = sim.control.now().toISOString();
    const vehicle = await deviceSavings(`${userPath(userId)}/electric-vehicles/${vehicleId}`, from, to);
    const inverter = await deviceSavings(`${userPath(userId)}/inverters/${inverterId}`, from, to);
    expect(vehicle.savings.total).toBeGreaterThan(0);
    expect(vehicle.savings.percentage).toBeGreaterThan(0);
    expect(inverter.savings.total).toBeGreaterThan(0);
    const organisation = await organisationSavings(from, to);
    expect(organisation).toEqual({
      total_savings: Math.round((vehicle.savings.total + inverter.savings.total) * 100) / 100,
      heat_pump_savings: 0,
      electric_vehicle_savings: vehicle.savings.total,
      inverter_savings: inverter.savings.total,
    });
    // Deterministic: the same window answers the same.
    expect(await organisationSavings(from, to)).toEqual(organisation);
  });
});
