import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index';
import { api, issueToken, startTestSimulator } from '../src/testing';

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

const KINDS = [
  ['heat_pump', 'heat-pumps'],
  ['electric_vehicle', 'electric-vehicles'],
  ['wallbox', 'wallboxes'],
  ['inverter', 'inverters'],
] as const;

function deviceOf(kind: (typeof KINDS)[number][0], segment: string) {
  const user = sim.control.seed({ users: 1, heatPumpsPerUser: 0 }).users[0];
  if (!user) throw new Error('seed failed');
  const { id } = sim.control.addDevice(user.id, { kind });
  return { id, path: `/org/${sim.orgId}/users/${user.id}/${segment}/${id}` };
}

const read = async (path: string) => (await api(sim, token, 'GET', path)).body as Record<string, unknown>;

describe('device health faults (/__sim/devices/{id}/health)', () => {
  it.each(KINDS)(
    'a %s that stops reporting stays authenticated with its state frozen, until it reports again',
    async (kind, segment) => {
      // Prepare: a living device, read once.
      const { id, path } = deviceOf(kind, segment);
      sim.control.advanceClock(600);
      const before = await read(path);
      // Act: it stops reporting, and time passes.
      sim.control.setDeviceHealth(id, { reporting: 'stopped' });
      sim.control.advanceClock(3 * 3600);
      const frozen = await read(path);
      // Assess: the same state time and the same state, still authenticated.
      expect(frozen.is_authenticated).toBe(true);
      expect(frozen.current_state_last_updated_at).toBe(before.current_state_last_updated_at);
      const { updated_at: _a, ...frozenState } = frozen;
      const { updated_at: _b, ...stateBefore } = before;
      expect(frozenState).toEqual(stateBefore);
      // Resumed: the state moves on from now.
      sim.control.setDeviceHealth(id, { reporting: 'live' });
      const resumed = await read(path);
      expect(Date.parse(String(resumed.current_state_last_updated_at))).toBeGreaterThan(
        Date.parse(String(before.current_state_last_updated_at)) + 2 * 3600 * 1000,
      );
    },
  );

  it('reports a steering error (or warning) until cleared, over HTTP, for any kind', async () => {
    const { id, path } = deviceOf('inverter', 'inverters');
    expect((await read(path)).steering_status).toBe('ok');
    const set = await fetch(`${sim.baseUrl}/__sim/devices/${id}/health`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ steering_status: 'error' }),
    });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({
      device_id: id,
      reporting: 'live',
      reporting_stopped_at: null,
      steering_status: 'error',
    });
    expect((await read(path)).steering_status).toBe('error');
    sim.control.setDeviceHealth(id, { steeringStatus: null });
    expect((await read(path)).steering_status).toBe('ok');
  });

  it('refuses an unknown device (404) and an empty or unknown fault (422)', async () => {
    const post = (id: string, body: unknown) =>
      fetch(`${sim.baseUrl}/__sim/devices/${id}/health`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('nope', { reporting: 'stopped' })).status).toBe(404);
    const { id } = deviceOf('heat_pump', 'heat-pumps');
    expect((await post(id, {})).status).toBe(422);
    expect((await post(id, { steering_status: 'ok' })).status).toBe(422);
  });
});
