/** One test per fault type, showing what the client package sees when the simulator misbehaves. */
import { PoderoNetworkError, PoderoRateLimitError, PoderoServerError } from '@podero-bridge/podero-client';
import type { Simulator } from '@podero-bridge/podero-simulator';
import { startTestSimulator } from '@podero-bridge/podero-simulator/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clientFor } from './client-for';

const USERS_ROUTE = 'GET /api/partners/v2.0/org/{org_id}/users';
const HEAT_PUMPS_ROUTE = 'GET /api/partners/v2.0/org/{org_id}/users/{user_id}/heat-pumps';

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

/** A client whose backoff waits are recorded instead of slept, so tests stay fast. */
function recordingClient(maxRetries: number, timeoutMs?: number) {
  const waits: number[] = [];
  const client = clientFor(sim, {
    retry: { maxRetries },
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return { client, waits };
}

describe('fault injection as the client sees it', () => {
  it('latency (fixed): the answer arrives, late', async () => {
    const { client } = recordingClient(0);
    await client.users.list(); // token fetched and connection warm
    sim.control.setFaults([{ route: USERS_ROUTE, latency_ms: 150 }]);
    const started = performance.now();
    expect(await client.users.list()).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('latency (distributed): each request waits between min and max', async () => {
    const { client } = recordingClient(0);
    await client.users.list();
    sim.control.setFaults([{ latency_ms: { min: 40, max: 80 } }]);
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = performance.now();
      await client.users.list();
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(35);
      expect(elapsed).toBeLessThan(1000);
    }
  });

  it('429 with Retry-After: the client waits as told and then succeeds', async () => {
    const { client, waits } = recordingClient(3);
    await client.users.list();
    sim.control.setFaults([{ route: USERS_ROUTE, status: 429, retry_after_seconds: 7, count: 1 }]);
    expect(await client.users.list()).toEqual([]);
    expect(waits).toEqual([7000]);
    expect(sim.control.counters().requests[USERS_ROUTE]).toEqual({ '200': 2, '429': 1 });
  });

  it('429 that persists: PoderoRateLimitError carrying retryAfterMs', async () => {
    const { client } = recordingClient(0);
    await client.users.list();
    sim.control.setFaults([{ route: USERS_ROUTE, status: 429, retry_after_seconds: 30 }]);
    const error = await client.users.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoderoRateLimitError);
    expect((error as PoderoRateLimitError).retryAfterMs).toBe(30_000);
  });

  it('500: PoderoServerError with the status', async () => {
    const { client } = recordingClient(0);
    sim.control.setFaults([{ route: USERS_ROUTE, status: 500 }]);
    const error = await client.users.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoderoServerError);
    expect((error as PoderoServerError).status).toBe(500);
  });

  it('502 with an HTML body: PoderoServerError, not a parse error', async () => {
    const { client } = recordingClient(0);
    sim.control.setFaults([{ route: USERS_ROUTE, status: 502 }]);
    const error = await client.users.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoderoServerError);
    expect((error as PoderoServerError).status).toBe(502);
  });

  it('503 for the next two requests: the client retries a GET and recovers', async () => {
    const { client, waits } = recordingClient(3);
    await client.users.list();
    sim.control.setFaults([{ route: USERS_ROUTE, status: 503, count: 2 }]);
    expect(await client.users.list()).toEqual([]);
    expect(waits).toHaveLength(2);
    expect(sim.control.counters().requests[USERS_ROUTE]).toEqual({ '200': 2, '503': 2 });
    expect(sim.control.getFaults()).toEqual([]);
  });

  it('timeout: the simulator never answers and the client gives up with timedOut', async () => {
    const { client } = recordingClient(0, 200);
    await client.users.list();
    sim.control.setFaults([{ route: USERS_ROUTE, timeout: true }]);
    const error = await client.users.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoderoNetworkError);
    expect((error as PoderoNetworkError).timedOut).toBe(true);
    expect(sim.control.counters().requests[USERS_ROUTE]?.timeout).toBeGreaterThanOrEqual(1);
  });

  it('dropped connection: PoderoNetworkError without a timeout', async () => {
    const { client } = recordingClient(0);
    await client.users.list();
    sim.control.setFaults([{ route: USERS_ROUTE, drop_connection: true }]);
    const error = await client.users.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoderoNetworkError);
    expect((error as PoderoNetworkError).timedOut).toBe(false);
    expect(sim.control.counters().requests[USERS_ROUTE]?.dropped).toBeGreaterThanOrEqual(1);
  });

  it('faults on the token endpoint reach the token provider', async () => {
    const { client } = recordingClient(0);
    sim.control.setFaults([{ route: 'POST /oauth2/token/', status: 503 }]);
    const error = await client.users.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoderoServerError);
    expect(sim.control.counters().token_issuances).toBe(0);
  });

  it('user_ids: only that user’s requests fail', async () => {
    const { client } = recordingClient(0);
    const [unlucky, lucky] = sim.control.seed({ users: 2, heatPumpsPerUser: 1 }).users;
    if (!unlucky || !lucky) throw new Error('seed failed');
    sim.control.setFaults([{ route: HEAT_PUMPS_ROUTE, status: 500, user_ids: [unlucky.id] }]);
    await expect(client.heatPumps.list(unlucky.id)).rejects.toBeInstanceOf(PoderoServerError);
    expect(await client.heatPumps.list(lucky.id)).toHaveLength(1);
  });
});

describe('control plane over HTTP', () => {
  const control = (method: string, path: string, body?: unknown) =>
    fetch(`${sim.baseUrl}/__sim${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as unknown }));

  it('sets, lists and clears faults, and refuses unknown routes naming the rule', async () => {
    expect(
      await control('PUT', '/faults', { rules: [{ route: USERS_ROUTE, status: 503, count: 3 }] }),
    ).toEqual({
      status: 200,
      body: { rules: [{ route: USERS_ROUTE, status: 503, count: 3, remaining: 3 }] },
    });
    const unknown = await control('PUT', '/faults', { rules: [{ route: 'GET /users' }] });
    expect(unknown).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ['body', 'rules', 0, 'route'] }] },
    });
    const badStatus = await control('PUT', '/faults', { rules: [{ status: 418 }] });
    expect(badStatus.status).toBe(422);
    expect(await control('DELETE', '/faults')).toEqual({ status: 200, body: { rules: [] } });
  });

  it('reads and moves the clock', async () => {
    expect(await control('GET', '/clock')).toEqual({
      status: 200,
      body: { now: '2026-01-15T10:00:00.000Z' },
    });
    expect(await control('POST', '/clock', { advance_seconds: 3600 })).toEqual({
      status: 200,
      body: { now: '2026-01-15T11:00:00.000Z' },
    });
    expect(await control('POST', '/clock', { set: '2026-02-01T00:00:00Z' })).toEqual({
      status: 200,
      body: { now: '2026-02-01T00:00:00.000Z' },
    });
    expect((await control('POST', '/clock', { advance_seconds: -5 })).status).toBe(422);
  });

  it('seeds users with living heat pumps and counts requests per route template', async () => {
    const seeded = await control('POST', '/seed', {
      users: 3,
      heat_pumps_per_user: 2,
      external_id_prefix: 'bench',
    });
    expect(seeded.status).toBe(200);
    const users = (
      seeded.body as { users: { id: string; external_user_id: string; heat_pump_ids: string[] }[] }
    ).users;
    expect(users.map((user) => user.external_user_id)).toEqual(['bench-00001', 'bench-00002', 'bench-00003']);
    expect(users.every((user) => user.heat_pump_ids.length === 2)).toBe(true);
    const { client } = recordingClient(0);
    for (const user of users) await client.heatPumps.list(user.id);
    const counters = await control('GET', '/counters');
    expect(counters.body).toMatchObject({
      token_issuances: 1,
      requests: { [HEAT_PUMPS_ROUTE]: { '200': 3 }, 'POST /oauth2/token/': { '200': 1 } },
    });
    // Arrivals per wall-clock second (the control plane's own requests are not counted): 4 in all.
    const perSecond = (
      counters.body as { requests_per_second: { peak: number; seconds: Record<string, number> } }
    ).requests_per_second;
    expect(Object.values(perSecond.seconds).reduce((a, b) => a + b, 0)).toBe(4);
    expect(perSecond.peak).toBe(Math.max(...Object.values(perSecond.seconds)));
    expect(await control('POST', '/counters/reset')).toEqual({
      status: 200,
      body: { token_issuances: 0, requests: {}, requests_per_second: { peak: 0, seconds: {} } },
    });
  });

  it('resets everything', async () => {
    sim.control.seed({ users: 2, heatPumpsPerUser: 1 });
    sim.control.advanceClock(999);
    expect((await control('POST', '/reset')).status).toBe(200);
    const { client } = recordingClient(0);
    expect(await client.users.list()).toEqual([]);
    expect(sim.control.now().toISOString()).toBe('2026-01-15T10:00:00.000Z');
  });
});
