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

function seededHeatPump() {
  const user = sim.control.seed({ users: 1, heatPumpsPerUser: 1 }).users[0];
  if (!user?.heat_pump_ids[0]) throw new Error('seed failed');
  return { userId: user.id, heatPumpId: user.heat_pump_ids[0] };
}

describe('heat-pump settings and links', () => {
  it('turning smart optimisation off hands control back to the heat pump (mode mid, steering unknown)', async () => {
    const { userId, heatPumpId } = seededHeatPump();
    sim.control.setClock(new Date('2026-01-15T18:30:00Z')); // evening peak: optimised pumps throttle
    const path = `/org/${sim.orgId}/users/${userId}/heat-pumps/${heatPumpId}`;
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({
      current_mode: 'min',
      steering_status: 'ok',
    });
    const off = await api(sim, token, 'PUT', path, { is_smart_optimization_active: false });
    expect(off.body).toMatchObject({
      is_smart_optimization_active: false,
      current_mode: 'mid',
      steering_status: 'unknown',
    });
  });

  it('links a heat pump to a building, unlinks it when the building is deleted, and refuses foreign buildings', async () => {
    const { userId, heatPumpId } = seededHeatPump();
    const building = await api(sim, token, 'POST', `/org/${sim.orgId}/users/${userId}/buildings`, {
      name: 'Home',
    });
    const buildingId = field<string>(building.body, 'id');
    const path = `/org/${sim.orgId}/users/${userId}/heat-pumps/${heatPumpId}`;
    expect((await api(sim, token, 'PUT', path, { building_id: buildingId })).body).toMatchObject({
      building: buildingId,
    });
    expect(
      (await api(sim, token, 'DELETE', `/org/${sim.orgId}/users/${userId}/buildings/${buildingId}`)).status,
    ).toBe(204);
    expect((await api(sim, token, 'GET', path)).body).toMatchObject({ building: null });

    const other = sim.control.seed({ users: 1, heatPumpsPerUser: 0 }).users[0];
    const foreign = await api(sim, token, 'POST', `/org/${sim.orgId}/users/${other?.id}/buildings`, {
      name: 'Theirs',
    });
    const refused = await api(sim, token, 'PUT', path, { building_id: field<string>(foreign.body, 'id') });
    expect(refused).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
  });

  it('has no state and no data for an unauthenticated device', async () => {
    const user = sim.control.seed({ users: 1, heatPumpsPerUser: 0 }).users[0];
    const created = await api(sim, token, 'POST', `/org/${sim.orgId}/users/${user?.id}/heat-pumps`);
    const base = `/org/${sim.orgId}/users/${user?.id}/heat-pumps/${field<string>(created.body, 'id')}`;
    expect(created.body).toMatchObject({
      connection_status: 'unknown',
      current_mode: null,
      outdoor_temperature: null,
    });
    expect((await api(sim, token, 'GET', `${base}/data`)).status).toBe(400);
    const statistics = await api(sim, token, 'GET', `${base}/statistics`);
    expect(field<unknown[]>(statistics.body, 'data')[0]).toMatchObject({ consumption: { total: 0 } });
  });
});

describe('request hygiene', () => {
  it('answers 413 for a body over 1 MB and writes nothing', async () => {
    const result = await api(sim, token, 'POST', `/org/${sim.orgId}/users`, {
      role: 'user',
      email: 'big@example.com',
      first_name: 'x'.repeat(1_100_000),
    });
    expect(result).toMatchObject({ status: 413, body: { detail: 'Request body too large' } });
    expect((await api(sim, token, 'GET', `/org/${sim.orgId}/users`)).body).toEqual([]);
  });

  it('rejects savings without the required range and data with an inverted range', async () => {
    const { userId, heatPumpId } = seededHeatPump();
    const base = `/org/${sim.orgId}/users/${userId}/heat-pumps/${heatPumpId}`;
    const savings = await api(sim, token, 'GET', `${base}/savings`);
    expect(savings).toMatchObject({
      status: 422,
      body: {
        detail: [
          { type: 'missing', loc: ['query', 'from'] },
          { type: 'missing', loc: ['query', 'to'] },
        ],
      },
    });
    const inverted = await api(
      sim,
      token,
      'GET',
      `${base}/data?from_datetime=2026-01-15T00:00:00Z&to_datetime=2026-01-14T00:00:00Z`,
    );
    expect(inverted).toMatchObject({ status: 422, body: { detail: [{ loc: ['query', 'to_datetime'] }] } });
    const header = await api(sim, token, 'GET', `${base}/data`, undefined, { 'fill-missing': 'maybe' });
    expect(header).toMatchObject({ status: 422, body: { detail: [{ loc: ['header', 'fill-missing'] }] } });
  });

  it('counts unmatched requests under UNMATCHED', async () => {
    await api(sim, token, 'GET', '/not/a/route');
    expect(sim.control.counters().requests.UNMATCHED).toEqual({ '404': 1 });
  });
});
