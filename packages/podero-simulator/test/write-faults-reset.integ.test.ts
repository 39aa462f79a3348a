import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index';
import { api, issueToken, startTestSimulator } from '../src/testing';

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());

function seededHeatPump() {
  const user = sim.control.seed({ users: 1, heatPumpsPerUser: 1 }).users[0];
  const id = user?.heat_pump_ids[0];
  if (!user || id === undefined) throw new Error('seed failed');
  return { id, path: `/org/${sim.orgId}/users/${user.id}/heat-pumps/${id}` };
}

describe('write faults and the in-process reset', () => {
  it('sim.control.reset() clears them, as POST /__sim/reset does: a device seeded again applies its writes', async () => {
    // Prepare: a device whose writes are ignored, then a reset, then the same seed (the same ids again).
    sim.control.reset();
    const first = seededHeatPump();
    const set = await fetch(`${sim.baseUrl}/__sim/devices/${first.id}/write-fault`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'ignore' }),
    });
    expect(set.status).toBeLessThan(300);
    sim.control.reset();
    const again = seededHeatPump();
    expect(again.id).toBe(first.id); // the fault would apply to it if the reset had kept it
    const token = await issueToken(sim);
    // Act
    const written = await api(sim, token, 'PUT', again.path, { is_smart_optimization_active: false });
    expect(written.status).toBe(200);
    const read = await api(sim, token, 'GET', again.path);
    // Assess
    expect((read.body as { is_smart_optimization_active: boolean }).is_smart_optimization_active).toBe(false);
  });
});
