/**
 * The client and the CLI against the Podero simulator over real HTTP on 127.0.0.1.
 * The simulator reads the contract independently (its own strict schemas), so these tests check
 * the client's reading of paths, bodies and shapes rather than mirroring it.
 */

import { runCli } from '@podero-bridge/podero-cli';
import {
  createClientCredentialsTokenProvider,
  createPoderoClient,
  PoderoAuthError,
  type PoderoClient,
  type PoderoClientOptions,
  PoderoNetworkError,
  PoderoNotFoundError,
  PoderoServerError,
  PoderoValidationError,
  requestClientCredentialsToken,
  staticTokenProvider,
} from '@podero-bridge/podero-client';
import { type Simulator, startSimulator } from '@podero-bridge/podero-simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 42 });
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(() => {
  sim.control.reset();
  sim.control.resetCounters();
  sim.control.clearFaults();
});

function makeClient(overrides: Partial<PoderoClientOptions> = {}) {
  const sleeps: number[] = [];
  const tokenProvider = createClientCredentialsTokenProvider({
    baseUrl: sim.baseUrl,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
  });
  const client = createPoderoClient({
    baseUrl: `${sim.baseUrl}/`,
    orgId: sim.orgId,
    tokenProvider,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { client, tokenProvider, sleeps };
}

function requestCount(route: string, status: number): number {
  return sim.control.counters().requests[route]?.[String(status)] ?? 0;
}

/** Completes the Connect UI like a browser would, returning the redirect location. */
async function completeConnectUi(
  sessionId: string,
  action: 'connect' | 'cancel' = 'connect',
): Promise<string> {
  const response = await fetch(`${sim.baseUrl}/connect`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      onboarding_session_id: sessionId,
      manufacturer: 'Nibe',
      model: 'S2125-8',
      username: 'owner@example.com',
      password: 'correct horse',
      action,
    }).toString(),
  });
  expect(response.status).toBe(303);
  return response.headers.get('location') ?? '';
}

async function onboardUserWithHeatPump(client: PoderoClient, externalId: string) {
  const user = await client.users.create({
    role: 'user',
    email: `${externalId}@example.com`,
    external_user_id: externalId,
  });
  const session = await client.onboarding.create({
    user_id: user.id,
    language: 'de',
    price_zone_default: 'DE_LU',
    is_smart_optimization_active_default: true,
    success_url: 'https://partner.example/ok',
    cancel_url: 'https://partner.example/cancel',
  });
  await completeConnectUi(session.id);
  const [device] = await client.heatPumps.list(user.id);
  if (!device) throw new Error('onboarding created no heat pump');
  return { user, session, device };
}

describe('client against the simulator', () => {
  it('walks the getting-started journey end to end', async () => {
    const { client } = makeClient();

    const user = await client.users.create({
      role: 'user',
      email: 'ada@example.com',
      external_user_id: 'crm-1',
    });
    expect(user.email).toBe('ada@example.com');
    expect(await client.users.getByExternalId('crm-1')).toMatchObject({ id: user.id });
    expect(await client.users.get(user.id)).toMatchObject({ external_user_id: 'crm-1' });
    const renamed = await client.users.update(user.id, { external_user_id: '12345abc' });
    expect(renamed.external_user_id).toBe('12345abc');
    expect((await client.users.list()).map((u) => u.id)).toContain(user.id);

    const building = await client.buildings.create(user.id, { name: 'Main House' });
    expect(building.name).toBe('Main House');
    expect(await client.buildings.get(user.id, building.id)).toMatchObject({ name: 'Main House' });
    const updated = await client.buildings.update(user.id, building.id, {
      name: 'Main House',
      property_type: 'Flat',
    });
    expect(updated.property_type).toBe('Flat');
    expect((await client.buildings.list(user.id)).map((b) => b.id)).toEqual([building.id]);

    const session = await client.onboarding.create({
      user_id: user.id,
      language: 'en',
      price_zone_default: 'AT',
      is_smart_optimization_active_default: true,
      success_url: 'https://partner.example/ok',
      cancel_url: 'https://partner.example/cancel',
      building_id: building.id,
    });
    expect(session.authentication_url).toContain(session.id);
    expect(session.object_id).toBeNull();
    const location = await completeConnectUi(session.id);
    expect(location.startsWith('https://partner.example/ok')).toBe(true);

    const completed = await client.onboarding.get(session.id);
    expect(completed.object_id).toEqual(expect.any(String));
    const heatPumps = await client.heatPumps.list(user.id);
    expect(heatPumps.map((hp) => hp.id)).toEqual([completed.object_id]);
    const deviceId = completed.object_id as string;
    const device = await client.heatPumps.get(user.id, deviceId);
    expect(device.is_authenticated).toBe(true);
    expect(device.price_zone).toBe('AT');

    const tuned = await client.heatPumps.update(user.id, deviceId, { optimization_level: 'Max' });
    expect(tuned.optimization_level).toBe('Max');

    const from = new Date(sim.control.now().getTime() - 7 * 86_400_000);
    const statistics = await client.heatPumps.statistics(user.id, deviceId, {
      resolution: '1DAY',
      keywords: ['savings', 'consumption'],
    });
    expect(Array.isArray(statistics.data)).toBe(true);
    const savings = await client.heatPumps.savings(user.id, deviceId, { from, to: sim.control.now() });
    expect(Array.isArray(savings.data)).toBe(true);
    const data = await client.heatPumps.data(user.id, deviceId, {
      from_datetime: from,
      to_datetime: sim.control.now(),
      resolution: '1HOUR',
      keywords: ['inlet_temp_act', 'price'],
      fillMissing: true,
    });
    expect(data.data.length).toBeGreaterThan(0);

    await client.heatPumps.delete(user.id, deviceId);
    await expect(client.heatPumps.get(user.id, deviceId)).rejects.toBeInstanceOf(PoderoNotFoundError);
    expect(await client.heatPumps.get(user.id, deviceId, { includeDeleted: true })).toMatchObject({
      id: deviceId,
      deleted_at: expect.any(String),
    });

    await client.buildings.delete(user.id, building.id);
    await client.users.delete(user.id);
    await expect(client.users.getByExternalId('12345abc')).rejects.toBeInstanceOf(PoderoNotFoundError);
  });

  it("reads the organisation's savings: the sum over its heat pumps in the range, and refuses a reversed range", async () => {
    const { client } = makeClient();
    const first = await onboardUserWithHeatPump(client, 'org-savings-1');
    const second = await onboardUserWithHeatPump(client, 'org-savings-2');
    sim.control.advanceClock(3 * 86_400);
    const to = sim.control.now();
    const from = new Date(to.getTime() - 2 * 86_400_000);
    const perDevice = await Promise.all(
      [first, second].map(async ({ user, device }) => {
        const answer = await client.heatPumps.savings(user.id, device.id, {
          from,
          to,
          resolution: '1YEAR',
        });
        return answer.data.reduce((a, bucket) => a + (bucket.savings?.total ?? 0), 0);
      }),
    );
    const organisation = await client.devices.savings({ from, to });
    expect(organisation.heat_pump_savings).toBeCloseTo((perDevice[0] ?? 0) + (perDevice[1] ?? 0), 1);
    expect(organisation.total_savings).toBe(organisation.heat_pump_savings);
    expect(organisation.electric_vehicle_savings).toBe(0);
    await expect(client.devices.savings({ from: to, to: from })).rejects.toBeInstanceOf(
      PoderoValidationError,
    );
  });

  it('creates, lists and updates energy contracts, each only under its user', async () => {
    const { client } = makeClient();
    const { user } = await onboardUserWithHeatPump(client, 'contracts-1');
    const { user: other } = await onboardUserWithHeatPump(client, 'contracts-2');
    const created = await client.energyContracts.create(user.id, {
      energy_contract_type: 'yearly',
      energy_prices: [{ price: 0.25, timestamp: '2026-01-01T00:00:00+00:00' }],
      currency_energy_price: 'EUR',
    });
    expect(created).toMatchObject({
      energy_contract_type: 'yearly',
      building: null,
      currency_energy_price: 'EUR',
    });
    expect(typeof created.id).toBe('string');
    expect((await client.energyContracts.list(user.id)).map((c) => c.id)).toEqual([created.id]);
    expect(await client.energyContracts.list(other.id)).toEqual([]);
    const updated = await client.energyContracts.update(user.id, created.id as string, { supplier: 'EVN' });
    expect(updated).toMatchObject({ id: created.id, supplier: 'EVN', energy_contract_type: 'yearly' });
    await expect(
      client.energyContracts.update(other.id, created.id as string, { supplier: 'x' }),
    ).rejects.toBeInstanceOf(PoderoNotFoundError);
    // The simulator is strict where the client would not even send: an unknown field is a 422.
    const token = await makeClient().tokenProvider.getToken();
    const raw = await fetch(
      `${sim.baseUrl}/api/partners/v2.0/org/${sim.orgId}/users/${user.id}/energy-contracts`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ energy_contract_type: 'yearly', tariff: 'x' }),
      },
    );
    expect(raw.status).toBe(422);
  });

  it('creates an empty heat pump with no body (older journey)', async () => {
    const { client } = makeClient();
    const user = await client.users.create({ role: 'user', email: 'empty@example.com' });
    const device = await client.heatPumps.create(user.id);
    expect(device.is_authenticated).toBe(false);
  });

  it('maps an unknown user to PoderoNotFoundError', async () => {
    const { client } = makeClient();
    const error = await client.users.get('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoderoNotFoundError);
    expect((error as PoderoNotFoundError).status).toBe(404);
  });

  it('fetches one token for 100 concurrent callers and reuses it', async () => {
    const { client, tokenProvider } = makeClient();
    await Promise.all(Array.from({ length: 100 }, () => tokenProvider.getToken()));
    await client.users.list();
    expect(sim.control.counters().token_issuances).toBe(1);
  });

  it('refreshes a revoked token once and retries the request', async () => {
    const { client } = makeClient();
    await client.users.list();
    sim.control.revokeTokens();
    await expect(client.users.list()).resolves.toEqual(expect.any(Array));
    expect(sim.control.counters().token_issuances).toBe(2);
  });

  it('gives up with PoderoAuthError when a fixed token is rejected', async () => {
    const { client } = makeClient({ tokenProvider: staticTokenProvider('not-a-real-token') });
    await expect(client.users.list()).rejects.toBeInstanceOf(PoderoAuthError);
  });

  it('rejects wrong client credentials with invalid_client', async () => {
    const error = await requestClientCredentialsToken({
      baseUrl: sim.baseUrl,
      clientId: sim.clientId,
      clientSecret: 'wrong-secret',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoderoAuthError);
    expect((error as PoderoAuthError).detail).toContain('invalid_client');
    expect(String((error as Error).message)).not.toContain('wrong-secret');
  });
});

describe('client retries against simulator faults', () => {
  const usersRoute = 'GET /api/partners/v2.0/org/{org_id}/users';
  const createRoute = 'POST /api/partners/v2.0/org/{org_id}/users';

  it('retries a GET through two 503s', async () => {
    const { client, sleeps } = makeClient();
    sim.control.setFaults([{ route: usersRoute, status: 503, count: 2 }]);
    await expect(client.users.list()).resolves.toEqual(expect.any(Array));
    expect(requestCount(usersRoute, 503)).toBe(2);
    expect(requestCount(usersRoute, 200)).toBe(1);
    expect(sleeps).toHaveLength(2);
  });

  it('does not replay a POST after a 500', async () => {
    const { client } = makeClient();
    sim.control.setFaults([{ route: createRoute, status: 500, count: 1 }]);
    const error = await client.users
      .create({ role: 'user', email: 'once@example.com' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoderoServerError);
    expect(requestCount(createRoute, 500)).toBe(1);
    expect(requestCount(createRoute, 200)).toBe(0);
  });

  it('retries a POST after a 429, waiting the Retry-After', async () => {
    const { client, sleeps } = makeClient();
    sim.control.setFaults([{ route: createRoute, status: 429, retry_after_seconds: 2, count: 1 }]);
    await expect(client.users.create({ role: 'user', email: 'later@example.com' })).resolves.toMatchObject({
      email: 'later@example.com',
    });
    expect(sleeps).toEqual([2000]);
    expect((await client.users.list()).filter((u) => u.email === 'later@example.com')).toHaveLength(1);
  });

  it('times out a GET the server never answers and succeeds on the retry', async () => {
    const { client } = makeClient({ timeoutMs: 300 });
    sim.control.setFaults([{ route: usersRoute, timeout: true, count: 1 }]);
    await expect(client.users.list()).resolves.toEqual(expect.any(Array));
  });

  it('reports timedOut when every attempt times out', async () => {
    const { client } = makeClient({ timeoutMs: 150, retry: { maxRetries: 1 } });
    sim.control.setFaults([{ route: usersRoute, timeout: true }]);
    const error = await client.users.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoderoNetworkError);
    expect((error as PoderoNetworkError).timedOut).toBe(true);
  });

  it('survives a dropped connection on a GET', async () => {
    const { client } = makeClient();
    sim.control.setFaults([{ route: usersRoute, drop_connection: true, count: 1 }]);
    await expect(client.users.list()).resolves.toEqual(expect.any(Array));
  });

  it('never replays a POST on a dropped connection: it reports the network error', async () => {
    const { client } = makeClient();
    sim.control.setFaults([{ route: createRoute, drop_connection: true, count: 2 }]);
    const error = await client.users
      .create({ role: 'user', email: 'dropped@example.com' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoderoNetworkError);
    expect((error as PoderoNetworkError).timedOut).toBe(false);
    expect(sim.control.counters().requests[createRoute]).toEqual({ dropped: 1 });
    expect(await client.users.list()).toEqual([]);
  });

  it('isolates a failing user: the others still answer', async () => {
    const { client } = makeClient();
    const a = await onboardUserWithHeatPump(client, 'iso-a');
    const b = await onboardUserWithHeatPump(client, 'iso-b');
    sim.control.setFaults([{ status: 500, user_ids: [a.user.id] }]);
    await expect(client.heatPumps.list(a.user.id)).rejects.toBeInstanceOf(PoderoServerError);
    await expect(client.heatPumps.list(b.user.id)).resolves.toHaveLength(1);
  });
});

describe('podero CLI against the simulator', () => {
  async function cli(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      env: {
        PODERO_BASE_URL: sim.baseUrl,
        PODERO_CLIENT_ID: sim.clientId,
        PODERO_CLIENT_SECRET: sim.clientSecret,
        PODERO_ORG_ID: sim.orgId,
      },
      stdout: {
        write: (chunk: string) => {
          stdout += chunk;
        },
      },
      stderr: {
        write: (chunk: string) => {
          stderr += chunk;
        },
      },
    });
    return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> };
  }

  it('prints a token', async () => {
    const result = await cli(['token']);
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ token_type: 'Bearer', expires_in: 36000 });
  });

  it('creates, finds and updates a user, onboards a heat pump and reads it', async () => {
    const created = await cli([
      'users',
      'create',
      '--email',
      'cli@example.com',
      '--external-user-id',
      'cli-1',
    ]);
    expect(created.code).toBe(0);
    const userId = created.json().id as string;

    const found = await cli(['users', 'get-by-external-id', 'cli-1']);
    expect(found.json().id).toBe(userId);

    const updated = await cli(['users', 'update', userId, '--first-name', 'Ada']);
    expect(updated.json().first_name).toBe('Ada');

    const building = await cli(['buildings', 'create', userId, '--name', 'Main House']);
    expect(building.code).toBe(0);
    const buildings = await cli(['buildings', 'list', userId]);
    expect(JSON.parse(buildings.stdout)).toHaveLength(1);

    const session = await cli([
      'onboarding',
      'create',
      '--user-id',
      userId,
      '--language',
      'de',
      '--price-zone',
      'DE_LU',
      '--success-url',
      'https://partner.example/ok',
      '--cancel-url',
      'https://partner.example/cancel',
    ]);
    expect(session.code).toBe(0);
    const sessionId = session.json().id as string;
    await completeConnectUi(sessionId);
    const completed = await cli(['onboarding', 'get', sessionId]);
    const deviceId = completed.json().object_id as string;
    expect(deviceId).toEqual(expect.any(String));

    const list = await cli(['heat-pumps', 'list', userId]);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((hp) => hp.id)).toEqual([deviceId]);
    const got = await cli(['heat-pumps', 'get', userId, deviceId]);
    expect(got.json().is_authenticated).toBe(true);
    const set = await cli(['heat-pumps', 'update', userId, deviceId, '--no-smart-optimization']);
    expect(set.json().is_smart_optimization_active).toBe(false);
    const stats = await cli(['heat-pumps', 'statistics', userId, deviceId, '--resolution', '1DAY']);
    expect(stats.code).toBe(0);
    const savings = await cli([
      'heat-pumps',
      'savings',
      userId,
      deviceId,
      '--from',
      new Date(sim.control.now().getTime() - 86_400_000 * 30).toISOString(),
      '--to',
      sim.control.now().toISOString(),
    ]);
    expect(savings.code).toBe(0);

    const deleted = await cli(['users', 'delete', userId]);
    expect(deleted.code).toBe(0);
  });

  it('exits 1 with the HTTP status on stderr for an unknown user', async () => {
    const result = await cli(['users', 'get', '00000000-0000-4000-8000-000000000000']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^podero: HTTP 404 /);
  });
});
