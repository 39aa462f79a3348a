import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClaims, apiEvent, bodyOf, userClaims } from '../../../../test-support/api-event';
import {
  type HeatPumpWorld,
  HP_LIST_ROUTE,
  type OnboardedTestUser,
  startHeatPumpWorld,
} from '../../../../test-support/device-world';

let world: HeatPumpWorld;
let users: OnboardedTestUser[];
let lost: OnboardedTestUser;
let failing: OnboardedTestUser;

interface ListItem {
  external_user_id: string;
  heat_pumps: number;
  connection: Record<string, number>;
  optimization: Record<string, number>;
  sync_failure: { attempts: number; error_code: string } | null;
}
interface ListPage {
  items: ListItem[];
  next_cursor: string | null;
  scanned: number;
}

const list = async (query: Record<string, string> = {}) => {
  const res = await world.api(apiEvent('listUsers', { query, claims: adminClaims() }));
  expect(res.statusCode, JSON.stringify(bodyOf(res))).toBe(200);
  return bodyOf<ListPage>(res);
};

beforeAll(async () => {
  world = await startHeatPumpWorld();
  users = await world.onboard(6, 1, 'operator');
  lost = users[1] as OnboardedTestUser;
  failing = users[4] as OnboardedTestUser;
  world.sim.control.setConnection(lost.deviceIds[0] ?? '', { authenticated: false });
  world.sim.control.setFaults([{ route: HP_LIST_ROUTE, status: 500, user_ids: [failing.poderoUserId] }]);
  await world.sync({ source: 'schedule' }, world.syncContext());
  world.sim.control.clearFaults();
});
afterAll(async () => {
  await world?.close();
});

describe('GET /users (operator)', () => {
  it('pages through every onboarded user in order, each with devices by connection state and sync failure', async () => {
    const seen: ListItem[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const body: ListPage = await list({ limit: '4', ...(cursor ? { cursor } : {}) });
      expect(body.items.length).toBeLessThanOrEqual(4);
      seen.push(...body.items);
      cursor = body.next_cursor;
      if (!cursor) break;
    }
    expect(seen.map((u) => u.external_user_id)).toEqual(users.map((u) => u.externalUserId).sort());
    const byId = new Map(seen.map((u) => [u.external_user_id, u]));
    expect(byId.get(lost.externalUserId)?.connection).toEqual({
      connected: 0,
      reauthentication_required: 1,
      disconnected: 0,
    });
    expect(byId.get(users[0]?.externalUserId ?? '')).toMatchObject({ heat_pumps: 1, sync_failure: null });
    expect(byId.get(users[0]?.externalUserId ?? '')?.optimization).toEqual({ on: 1, off: 0, unknown: 0 });
    expect(byId.get(failing.externalUserId)?.sync_failure).toMatchObject({ attempts: 1 });
  });

  it('filters by connection state and by sync failure', async () => {
    const reauth = await list({ connection_state: 'reauthentication_required' });
    expect(reauth.items.map((u) => u.external_user_id)).toEqual([lost.externalUserId]);
    expect(reauth.next_cursor).toBeNull();
    const failed = await list({ sync_failed: 'true' });
    expect(failed.items.map((u) => u.external_user_id)).toEqual([failing.externalUserId]);
    const healthy = await list({ sync_failed: 'false' });
    expect(healthy.items.map((u) => u.external_user_id)).not.toContain(failing.externalUserId);
    expect(healthy.items).toHaveLength(users.length - 1);
  });

  it('finds a user by e-mail, case-insensitively, and counts optimisation off after a settings change', async () => {
    const target = users[2] as OnboardedTestUser;
    const found = await list({ email: `  ${target.externalUserId.toUpperCase()}@EXAMPLE.com ` });
    expect(found.items.map((u) => u.external_user_id)).toEqual([target.externalUserId]);
    expect(found.next_cursor).toBeNull();
    const none = await list({ email: 'nobody@example.com' });
    expect(none.items).toEqual([]);
    const patched = await world.api(
      apiEvent('updateHeatPump', {
        params: { external_user_id: target.externalUserId, heat_pump_id: target.deviceIds[0] ?? '' },
        body: { is_smart_optimization_active: false },
        claims: adminClaims(),
      }),
    );
    expect(patched.statusCode, JSON.stringify(bodyOf(patched))).toBe(200);
    const after = await list({ email: `${target.externalUserId}@example.com` });
    expect(after.items[0]?.optimization).toEqual({ on: 0, off: 1, unknown: 0 });
    const off = await list({ optimization: 'off' });
    expect(off.items.map((u) => u.external_user_id)).toEqual([target.externalUserId]);
    const on = await list({ optimization: 'on' });
    expect(on.items.map((u) => u.external_user_id)).not.toContain(target.externalUserId);
    expect(on.items.map((u) => u.external_user_id)).toContain(users[0]?.externalUserId);
    expect(on.items.every((u) => (u.optimization.on ?? 0) > 0)).toBe(true);
  });

  it('keeps a cursor bound to its e-mail filter, and cursors issued before the filter existed valid', async () => {
    const first = await list({ limit: '1' });
    const legacy = Buffer.from(
      JSON.stringify({ v: 1, after: first.items[0]?.external_user_id, f: '|' }),
      'utf8',
    ).toString('base64url');
    const resumed = await list({ limit: '1', cursor: legacy });
    expect(resumed.items[0]?.external_user_id).not.toBe(first.items[0]?.external_user_id);
    const withEmail = await world.api(
      apiEvent('listUsers', { query: { cursor: legacy, email: 'a@example.com' }, claims: adminClaims() }),
    );
    expect(withEmail.statusCode).toBe(400);
    for (const email of ['not-an-address', 'a b@example.com', '@']) {
      const res = await world.api(apiEvent('listUsers', { query: { email }, claims: adminClaims() }));
      expect(res.statusCode, email).toBe(400);
      expect(JSON.stringify(bodyOf(res))).toContain('query.email');
    }
  });

  it('refuses a cursor issued for other filters, a bad limit, and a user token', async () => {
    const first = await list({ limit: '1' });
    const cursor = first.next_cursor ?? '';
    const mixed = await world.api(
      apiEvent('listUsers', { query: { cursor, connection_state: 'connected' }, claims: adminClaims() }),
    );
    expect(mixed.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(mixed))).toContain('query.cursor');
    const bad: Record<string, string>[] = [
      { limit: '0' },
      { limit: '201' },
      { connection_state: 'offline' },
      { sync_failed: 'yes' },
      { optimization: 'maybe' },
    ];
    for (const query of bad) {
      const res = await world.api(apiEvent('listUsers', { query, claims: adminClaims() }));
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
    }
    const asUser = await world.api(apiEvent('listUsers', { claims: userClaims(lost.externalUserId) }));
    expect(asUser.statusCode).toBe(403);
  });
});

describe('GET /users/{external_user_id}/summary (operator)', () => {
  it('shows the devices with their connection and last reading, open sessions and the sync, without calling Podero', async () => {
    const [someone] = users as [OnboardedTestUser];
    const session = await world.api(
      apiEvent('createOnboardingSession', {
        params: { external_user_id: someone.externalUserId },
        body: {
          language: 'de',
          price_zone_default: 'AT',
          success_url: 'https://partner.example/ok',
          cancel_url: 'https://partner.example/cancel',
        },
        claims: adminClaims(),
      }),
    );
    expect(session.statusCode).toBe(201);
    const podero = world.requests(HP_LIST_ROUTE);
    const res = await world.api(
      apiEvent('getUserSummary', {
        params: { external_user_id: someone.externalUserId },
        claims: adminClaims(),
      }),
    );
    expect(res.statusCode).toBe(200);
    const summary = bodyOf<{
      heat_pumps: { id: string; connection: { state: string }; last_reading: { state_at: string } | null }[];
      onboarding_sessions: { id: string; state: string }[];
      sync: { last_pass_completed_at: string | null; failure: unknown };
    }>(res);
    expect(summary.heat_pumps.map((hp) => hp.id)).toEqual(someone.deviceIds);
    expect(summary.heat_pumps[0]?.connection.state).toBe('connected');
    expect(summary.heat_pumps[0]?.last_reading?.state_at).toEqual(expect.any(String));
    expect(summary.onboarding_sessions).toEqual([
      expect.objectContaining({ id: bodyOf<{ id: string }>(session).id, state: 'pending' }),
    ]);
    expect(summary.sync).toMatchObject({ last_pass_completed_at: expect.any(String), failure: null });
    expect(world.requests(HP_LIST_ROUTE)).toBe(podero);

    const failed = bodyOf<{ sync: { failure: { attempts: number } | null } }>(
      await world.api(
        apiEvent('getUserSummary', {
          params: { external_user_id: failing.externalUserId },
          claims: adminClaims(),
        }),
      ),
    );
    expect(failed.sync.failure).toMatchObject({ attempts: 1 });
    const unknown = await world.api(
      apiEvent('getUserSummary', { params: { external_user_id: 'nobody' }, claims: adminClaims() }),
    );
    expect(unknown.statusCode).toBe(404);
    const asSelf = await world.api(
      apiEvent('getUserSummary', {
        params: { external_user_id: someone.externalUserId },
        claims: userClaims(someone.externalUserId),
      }),
    );
    expect(asSelf.statusCode).toBe(403);
  });
});

describe('GET /sync/status (operator)', () => {
  it('lists the latest runs newest first with their counts, and the failing users', async () => {
    world.advance(900);
    const second = await world.sync({ source: 'schedule' }, world.syncContext());
    expect(second.failures).toBe(0);
    const res = await world.api(apiEvent('getSyncStatus', { claims: adminClaims() }));
    expect(res.statusCode).toBe(200);
    const status = bodyOf<{
      passes_completed: number;
      runs: {
        run_id: string;
        users: number;
        failures: number;
        completed_pass: boolean;
        duration_ms: number;
      }[];
      failing_users: { external_user_id: string }[];
      current_pass: unknown;
    }>(res);
    expect(status.passes_completed).toBe(2);
    expect(status.current_pass).toBeNull();
    expect(status.runs.map((r) => r.run_id)).toEqual([second.run_id, expect.any(String)]);
    expect(status.runs[0]).toMatchObject({ users: users.length, failures: 0, completed_pass: true });
    expect(status.runs[1]).toMatchObject({ failures: 1, completed_pass: true });
    // The second pass synced the failing user again: its failure record is gone.
    expect(status.failing_users).toEqual([]);
    const asUser = await world.api(apiEvent('getSyncStatus', { claims: userClaims(failing.externalUserId) }));
    expect(asUser.statusCode).toBe(403);
  });
});
