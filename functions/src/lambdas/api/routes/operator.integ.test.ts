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
/** A mixed home: its heat pump, and an electric vehicle (its connection lost), a wallbox and an inverter. */
let mixed: OnboardedTestUser;
let mixedDevices: { id: string; kind: string }[];

interface ListItem {
  external_user_id: string;
  heat_pumps: number;
  connection: Record<string, number>;
  optimization: Record<string, number>;
  sync_failure: { attempts: number; error_code: string } | null;
  devices: Record<string, { count: number; connection: Record<string, number> }>;
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
  mixed = users[2] as OnboardedTestUser;
  mixedDevices = (['electric_vehicle', 'wallbox', 'inverter'] as const).map((kind) =>
    world.sim.control.addDevice(mixed.poderoUserId, { kind }),
  );
  // As an onboarding session of each kind would: the user's recorded kinds, which the sync lists.
  for (const { kind } of mixedDevices) {
    await world.apiDeps.users.addDeviceKind(
      mixed.externalUserId,
      kind,
      new Date(world.clock.now).toISOString(),
    );
  }
  world.sim.control.setDeviceConnection(mixedDevices[0]?.id ?? '', {
    authenticated: false,
    reauthentication: true,
  });
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
    const count = (connected: number, reauthentication_required: number, disconnected = 0) => ({
      count: connected + reauthentication_required + disconnected,
      connection: { connected, reauthentication_required, disconnected },
    });
    expect(byId.get(mixed.externalUserId)?.devices).toEqual({
      heat_pump: count(1, 0),
      electric_vehicle: count(0, 1),
      wallbox: count(1, 0),
      inverter: count(1, 0),
    });
    // The heat-pump fields keep their meaning: the mixed home's lost vehicle is not a lost heat pump.
    expect(byId.get(mixed.externalUserId)).toMatchObject({
      heat_pumps: 1,
      connection: { connected: 1, reauthentication_required: 0, disconnected: 0 },
    });
    expect(byId.get(lost.externalUserId)?.devices).toMatchObject({
      heat_pump: count(0, 1),
      electric_vehicle: count(0, 0),
    });
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

  it('searches by part of a name (q), accent- and case-insensitively, with the other filters and a cursor', async () => {
    const [quiet, loud] = [users[3], failing] as [OnboardedTestUser, OnboardedTestUser];
    for (const [user, last_name] of [
      [quiet, 'Ødegård'],
      [loud, 'Odegaard-Lund'],
    ] as const) {
      const res = await world.api(
        apiEvent('updateUser', {
          params: { external_user_id: user.externalUserId },
          body: { first_name: 'Søren', last_name },
          claims: adminClaims(),
        }),
      );
      expect(res.statusCode, JSON.stringify(bodyOf(res))).toBe(200);
    }
    const both = [quiet.externalUserId, loud.externalUserId].sort();

    expect((await list({ q: 'ODEG' })).items.map((u) => u.external_user_id).sort()).toEqual(both);
    expect((await list({ q: 'soren lu' })).items.map((u) => u.external_user_id)).toEqual([
      loud.externalUserId,
    ]);
    const failingOnly = await list({ q: 'søren', sync_failed: 'true' });
    expect(failingOnly.items.map((u) => u.external_user_id)).toEqual([loud.externalUserId]);
    expect(failingOnly.items[0]?.sync_failure?.attempts).toBeGreaterThan(0);

    const first = await list({ q: 'odeg', limit: '1' });
    expect(first.items).toHaveLength(1);
    expect(first.scanned).toBe(1);
    const second = await list({ q: 'odeg', limit: '1', cursor: first.next_cursor ?? '' });
    expect([...first.items, ...second.items].map((u) => u.external_user_id).sort()).toEqual(both);
    const otherQuery = await world.api(
      apiEvent('listUsers', {
        query: { q: 'soren', cursor: first.next_cursor ?? '' },
        claims: adminClaims(),
      }),
    );
    expect(otherQuery.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(otherQuery))).toContain('query.cursor');
    for (const q of ['a', '  ', '!?']) {
      const res = await world.api(apiEvent('listUsers', { query: { q }, claims: adminClaims() }));
      expect(res.statusCode, q).toBe(400);
      expect(JSON.stringify(bodyOf(res))).toContain('query.q');
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

  it("lists a mixed home's every device with its kind, connection and its kind's last reading, heat_pumps as before", async () => {
    const podero = world.requests(HP_LIST_ROUTE);
    const res = await world.api(
      apiEvent('getUserSummary', {
        params: { external_user_id: mixed.externalUserId },
        claims: adminClaims(),
      }),
    );
    expect(res.statusCode).toBe(200);
    const summary = bodyOf<{
      heat_pumps: { id: string; optimization_level: string | null }[];
      devices: {
        type: string;
        id: string;
        manufacturer: string | null;
        connection: { state: string };
        last_reading: { state_at: string; values: Record<string, unknown> } | null;
      }[];
    }>(res);
    expect(summary.heat_pumps.map((hp) => hp.id)).toEqual(mixed.deviceIds);
    expect(Object.keys(summary.heat_pumps[0] ?? {})).toEqual([
      'id',
      'manufacturer',
      'model',
      'connection',
      'is_smart_optimization_active',
      'optimization_level',
      'fetched_at',
      'last_reading',
    ]);
    expect(summary.devices.map((d) => [d.type, d.id])).toEqual([
      ['heat_pump', mixed.deviceIds[0]],
      ...mixedDevices.map((d) => [d.kind, d.id]),
    ]);
    const byType = new Map(summary.devices.map((d) => [d.type, d]));
    expect(byType.get('electric_vehicle')?.connection.state).toBe('reauthentication_required');
    expect(byType.get('wallbox')?.connection.state).toBe('connected');
    expect(byType.get('inverter')?.manufacturer).toEqual(expect.any(String));
    // Each kind's reading carries its own values.
    expect(byType.get('heat_pump')?.last_reading?.values).toHaveProperty('current_power_consumption_w');
    // The vehicle lost its connection before the bridge first read it: Podero reports no state to record.
    expect(byType.get('electric_vehicle')?.last_reading).toBeNull();
    expect(byType.get('wallbox')?.last_reading?.values).toHaveProperty('current_power_w');
    expect(byType.get('inverter')?.last_reading?.values).toHaveProperty('current_solar_production_w');
    expect(world.requests(HP_LIST_ROUTE)).toBe(podero);
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
