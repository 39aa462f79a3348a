import { errorBodySchema } from '@podero-bridge/functions';
import { storedDeviceJsonOfItem } from '@podero-bridge/functions/testing';
import type { FaultRule } from '@podero-bridge/podero-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bridge, startBridge } from '../support/bridge';
import { rawRequest } from '../support/raw-http';
import { dumpTables, withoutAuditTrail } from '../support/tables';

/**
 * Podero misbehaving under the API (simulator fault injection, through the local gateway): every fault
 * maps to the documented answer (503 + Retry-After for rate limits, 502 for 5xx, timeouts and dropped
 * connections), retries stay within the client's budget, and a failed request leaves both tables exactly
 * as they were. Podero timeout 400 ms and 2 retries here; backoff waits are recorded, not slept.
 */
const MAX_RETRIES = 2;
const API = '/api/partners/v2.0';
const ROUTES = {
  listHeatPumps: `GET ${API}/org/{org_id}/users/{user_id}/heat-pumps`,
  updateHeatPump: `PUT ${API}/org/{org_id}/users/{user_id}/heat-pumps/{heat_pump_id}`,
  createUser: `POST ${API}/org/{org_id}/users`,
  userByExtId: `GET ${API}/org/{org_id}/users/by-ext-id/{external_id}`,
  updateUser: `PUT ${API}/org/{org_id}/users/{user_id}`,
  createBuilding: `POST ${API}/org/{org_id}/users/{user_id}/buildings`,
  createOnboarding: `POST ${API}/device-onboarding`,
} as const;

let bridge: Bridge;
let adminToken: string;
let ext: string;
let deviceId: string;

beforeAll(async () => {
  bridge = await startBridge({ poderoRetry: { maxRetries: MAX_RETRIES }, poderoTimeoutMs: 400 });
  const [user] = bridge.simulator.control.seed({
    users: 1,
    heatPumpsPerUser: 1,
    externalIdPrefix: 'faulty',
  }).users;
  if (!user?.heat_pump_ids[0]) throw new Error('seeding failed');
  await bridge.addOnboardedUsers([user]);
  ext = user.external_user_id;
  deviceId = user.heat_pump_ids[0];
  adminToken = await bridge.mintToken({ admin: true });
});
afterAll(async () => {
  await bridge?.close();
});

/**
 * Requests the bridge sent to one Podero route template (counted as they leave: the simulator counts a
 * slow response only once it is finally written, after the client gave up on it).
 */
function attempts(routeKey: string): number {
  const [method, template] = routeKey.split(' ') as [string, string];
  const pattern = new RegExp(`^${method} ${template.replace(/\{[a-z_]+\}/g, '[^/]+')}$`);
  return bridge.poderoRequests.filter((r) => pattern.test(r)).length;
}

function call(method: string, path: string, body?: unknown) {
  return rawRequest(bridge.apiUrl, {
    method,
    path,
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

interface FaultCase {
  name: string;
  faults: FaultRule[];
  /** The route whose attempts are counted (the rule's route). */
  upstream: string;
  request: () => [method: string, path: string, body?: unknown];
  status: number;
  code: string;
  /** Exact number of Podero attempts, or [min, max]. */
  attempts: number | [number, number];
  retryAfter?: string;
  /**
   * The route reads the heat pump before changing it and may cache that (true, unchanged) reading:
   * snapshots may be refreshed, but none may show the change that failed.
   */
  snapshotRefreshAllowed?: { field: string; refusedValue: unknown };
}

const isSnapshot = (item: Record<string, unknown>) => /^HEATPUMPS?(#|$)/.test(String(item.sk));

const liveList = (): [string, string] => ['GET', `/users/${ext}/heat-pumps?max_age_seconds=0`];

const failures: FaultCase[] = [
  {
    name: '429 with a Retry-After longer than the client waits -> 503 with that Retry-After, no retry',
    faults: [{ route: ROUTES.listHeatPumps, status: 429, retry_after_seconds: 30 }],
    upstream: ROUTES.listHeatPumps,
    request: liveList,
    status: 503,
    code: 'upstream_rate_limited',
    attempts: 1,
    retryAfter: '30',
  },
  {
    name: 'persistent 429 with a short Retry-After -> waits as told, then 503 after the retry budget',
    faults: [{ route: ROUTES.listHeatPumps, status: 429, retry_after_seconds: 1 }],
    upstream: ROUTES.listHeatPumps,
    request: liveList,
    status: 503,
    code: 'upstream_rate_limited',
    attempts: 1 + MAX_RETRIES,
    retryAfter: '1',
  },
  {
    name: '500 -> 502 without a retry (not a transient status)',
    faults: [{ route: ROUTES.listHeatPumps, status: 500 }],
    upstream: ROUTES.listHeatPumps,
    request: liveList,
    status: 502,
    code: 'upstream_error',
    attempts: 1,
  },
  {
    name: 'persistent 502 -> 502 after the retry budget',
    faults: [{ route: ROUTES.listHeatPumps, status: 502 }],
    upstream: ROUTES.listHeatPumps,
    request: liveList,
    status: 502,
    code: 'upstream_error',
    attempts: 1 + MAX_RETRIES,
  },
  {
    name: 'persistent 503 -> 502 after the retry budget',
    faults: [{ route: ROUTES.listHeatPumps, status: 503 }],
    upstream: ROUTES.listHeatPumps,
    request: liveList,
    status: 502,
    code: 'upstream_error',
    attempts: 1 + MAX_RETRIES,
  },
  {
    name: 'responses slower than the timeout -> 502 upstream_timeout after the retry budget',
    faults: [{ route: ROUTES.listHeatPumps, latency_ms: 700 }],
    upstream: ROUTES.listHeatPumps,
    request: liveList,
    status: 502,
    code: 'upstream_timeout',
    attempts: 1 + MAX_RETRIES,
  },
  {
    name: 'no answer at all -> 502 upstream_timeout after the retry budget',
    faults: [{ route: ROUTES.listHeatPumps, timeout: true }],
    upstream: ROUTES.listHeatPumps,
    request: liveList,
    status: 502,
    code: 'upstream_timeout',
    attempts: 1 + MAX_RETRIES,
  },
  {
    name: 'dropped connections -> 502 upstream_unavailable (one stale-socket retry plus the budget at most)',
    faults: [{ route: ROUTES.listHeatPumps, drop_connection: true }],
    upstream: ROUTES.listHeatPumps,
    request: liveList,
    status: 502,
    code: 'upstream_unavailable',
    attempts: [1, 2 + MAX_RETRIES],
  },
  {
    name: 'POST /users when Podero answers 500 on create -> 502, no user recorded',
    faults: [{ route: ROUTES.createUser, status: 500 }],
    upstream: ROUTES.createUser,
    request: () => ['POST', '/users', { external_user_id: 'fault-create-500', email: 'fc500@example.com' }],
    status: 502,
    code: 'upstream_error',
    attempts: 1,
  },
  {
    name: 'POST /users when the create times out -> 502, a POST is never replayed',
    faults: [{ route: ROUTES.createUser, timeout: true }],
    upstream: ROUTES.createUser,
    request: () => ['POST', '/users', { external_user_id: 'fault-create-to', email: 'fcto@example.com' }],
    status: 502,
    code: 'upstream_timeout',
    attempts: 1,
  },
  {
    name: 'POST /users when the lookup by external id is rate-limited -> 503, nothing created',
    faults: [{ route: ROUTES.userByExtId, status: 429, retry_after_seconds: 120 }],
    upstream: ROUTES.userByExtId,
    request: () => ['POST', '/users', { external_user_id: 'fault-lookup-429', email: 'fl429@example.com' }],
    status: 503,
    code: 'upstream_rate_limited',
    attempts: 1,
    retryAfter: '120',
  },
  {
    name: 'PATCH /users/{id} when Podero answers 503 -> 502, the record unchanged',
    faults: [{ route: ROUTES.updateUser, status: 503 }],
    upstream: ROUTES.updateUser,
    request: () => ['PATCH', `/users/${ext}`, { first_name: 'Changed' }],
    status: 502,
    code: 'upstream_error',
    attempts: 1 + MAX_RETRIES,
  },
  {
    name: 'POST buildings when Podero answers 502 -> 502, no building recorded',
    faults: [{ route: ROUTES.createBuilding, status: 502 }],
    upstream: ROUTES.createBuilding,
    request: () => ['POST', `/users/${ext}/buildings`, { name: 'Main House' }],
    status: 502,
    code: 'upstream_error',
    attempts: 1,
  },
  {
    name: 'POST onboarding-sessions when the connection drops -> 502, no session recorded',
    faults: [{ route: ROUTES.createOnboarding, drop_connection: true }],
    upstream: ROUTES.createOnboarding,
    request: () => [
      'POST',
      `/users/${ext}/onboarding-sessions`,
      {
        language: 'en',
        price_zone_default: 'AT',
        success_url: 'https://partner.example/done',
        cancel_url: 'https://partner.example/cancel',
      },
    ],
    status: 502,
    code: 'upstream_unavailable',
    attempts: [1, 2],
  },
  {
    name: 'PATCH heat pump when Podero rate-limits -> 503 + Retry-After, settings unchanged',
    faults: [{ route: ROUTES.updateHeatPump, status: 429, retry_after_seconds: 45 }],
    upstream: ROUTES.updateHeatPump,
    request: () => ['PATCH', `/users/${ext}/heat-pumps/${deviceId}`, { optimization_level: 'Max' }],
    status: 503,
    code: 'upstream_rate_limited',
    attempts: 1,
    retryAfter: '45',
    snapshotRefreshAllowed: { field: 'optimization_level', refusedValue: 'Max' },
  },
];

describe('API under Podero faults', () => {
  it.each(failures)('$name', async (fault) => {
    const usersBefore = bridge.simulator.control.counters();
    const before = withoutAuditTrail(await dumpTables(bridge.aws.db, bridge.tableNames));
    const attemptsBefore = attempts(fault.upstream);
    const [method, path, body] = fault.request();
    bridge.simulator.control.setFaults(fault.faults);
    let res: Awaited<ReturnType<typeof call>>;
    try {
      res = await call(method, path, body);
    } finally {
      bridge.simulator.control.clearFaults();
    }

    expect(res.status).toBe(fault.status);
    const parsed = errorBodySchema.parse(res.json);
    expect(parsed.error.code).toBe(fault.code);
    // A 5xx carries a request id for support, never upstream internals.
    expect(parsed.error.request_id).toEqual(expect.any(String));
    expect(res.text).not.toContain(bridge.simulator.baseUrl);
    expect(res.text).not.toMatch(/detail|stack|Error:/);
    if (fault.retryAfter !== undefined) expect(res.headers['retry-after']).toBe(fault.retryAfter);

    const made = attempts(fault.upstream) - attemptsBefore;
    if (typeof fault.attempts === 'number') expect(made).toBe(fault.attempts);
    else {
      expect(made).toBeGreaterThanOrEqual(fault.attempts[0]);
      expect(made).toBeLessThanOrEqual(fault.attempts[1]);
    }
    const after = withoutAuditTrail(await dumpTables(bridge.aws.db, bridge.tableNames));
    const refresh = fault.snapshotRefreshAllowed;
    if (refresh) {
      const withoutSnapshots = (items: Record<string, unknown>[] = []) => items.filter((i) => !isSnapshot(i));
      expect(withoutSnapshots(after.main)).toEqual(withoutSnapshots(before.main));
      expect(after.readings).toEqual(before.readings);
      for (const item of (after.main ?? []).filter(isSnapshot)) {
        const device = storedDeviceJsonOfItem(item.heat_pump_json) as Record<string, unknown>;
        expect(device[refresh.field]).not.toEqual(refresh.refusedValue);
      }
    } else {
      expect(after).toEqual(before);
    }
    // No Podero user was created behind our back either.
    const created = (c: typeof usersBefore) => c.requests[ROUTES.createUser]?.['200'] ?? 0;
    expect(created(bridge.simulator.control.counters())).toBe(created(usersBefore));
  });

  it('waits the Retry-After Podero sends and then succeeds within the budget', async () => {
    bridge.retryWaitsMs.length = 0;
    const before = attempts(ROUTES.listHeatPumps);
    bridge.simulator.control.setFaults([
      { route: ROUTES.listHeatPumps, status: 429, retry_after_seconds: 2, count: 1 },
    ]);
    const res = await call(...liveList());
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ source: 'live', items: [{ id: deviceId }] });
    expect(bridge.retryWaitsMs).toEqual([2000]);
    expect(attempts(ROUTES.listHeatPumps) - before).toBe(2);
  });

  it('rides out transient 503s within the retry budget', async () => {
    const before = attempts(ROUTES.listHeatPumps);
    bridge.simulator.control.setFaults([{ route: ROUTES.listHeatPumps, status: 503, count: MAX_RETRIES }]);
    const res = await call(...liveList());
    expect(res.status).toBe(200);
    expect(attempts(ROUTES.listHeatPumps) - before).toBe(1 + MAX_RETRIES);
  });

  it('leaves no creation lease behind: POST /users succeeds once Podero recovers', async () => {
    const body = { external_user_id: 'fault-recover', email: 'recover@example.com' };
    bridge.simulator.control.setFaults([{ route: ROUTES.createUser, status: 503 }]);
    const failed = await call('POST', '/users', body);
    bridge.simulator.control.clearFaults();
    expect(failed.status).toBe(502);
    const ok = await call('POST', '/users', body);
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ external_user_id: 'fault-recover', email: 'recover@example.com' });
    const again = await call('POST', '/users', body);
    expect(again.status).toBe(200);
  });
});
