/**
 * The connected-device lifecycle through the whole local stack, over HTTP as a partner and a browser would:
 * a lost connection seen by the sync, re-authentication through the bridge (the partner never holds a cue
 * secret), each `connection` state, no secret in any response, a device's and a user's offboarding, and
 * onboarding that completes when Podero leaves `object_id` null.
 */
import { parseCueLink } from '@podero-bridge/podero-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, connectHeatPump, onboardUser } from './support/flows';
import { startTestStack, type TestStack } from './support/local-stack';
import { rawRequest } from './support/raw-http';
import { scanTable } from './support/tables';

let t: TestStack;
let admin: string;
beforeAll(async () => {
  t = await startTestStack();
  admin = await t.stack.mintToken({ admin: true });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const REAUTH_BODY = {
  success_url: 'https://partner.example/app/reconnected',
  cancel_url: 'https://partner.example/app/not-reconnected',
  language: 'de',
};

/** POST .../reauthentication for the user's heat pump (admin token unless another is given). */
function startReauthentication(user: string, deviceId: string, token = admin) {
  return apiCall(
    t.stack.apiUrl,
    token,
    'POST',
    `/users/${user}/heat-pumps/${deviceId}/reauthentication`,
    REAUTH_BODY,
  );
}

/** A user with one heat pump connected through the Connect UI, as every test here starts. */
async function userWithHeatPump(user: string): Promise<string> {
  await onboardUser(t.stack.apiUrl, admin, user);
  return (await connectHeatPump(t.stack.apiUrl, admin, user)).deviceId;
}

interface HeatPumpRead {
  heat_pump: Record<string, unknown> & {
    connection: { state: string; action_needed: boolean; since: string | null };
    actions: { code: string }[];
  };
  source: string;
}

async function readLive(user: string, deviceId: string, token = admin): Promise<HeatPumpRead> {
  const res = await apiCall(
    t.stack.apiUrl,
    token,
    'GET',
    `/users/${user}/heat-pumps/${deviceId}?max_age_seconds=0`,
  );
  expect(res.status, res.text).toBe(200);
  return res.json as HeatPumpRead;
}

/** The cue secrets Podero shows for a device right now, read straight from the simulator's API. */
async function cueSecretsOf(user: string, deviceId: string): Promise<string[]> {
  const res = await apiCall(t.stack.apiUrl, admin, 'GET', `/users/${user}`);
  const poderoUserId = (res.json as { podero_user_id: string }).podero_user_id;
  const sim = t.stack.simulator;
  const token = await fetch(`${sim.baseUrl}/oauth2/token/`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ grant_type: 'client_credentials' }),
  }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
  const device = await fetch(
    `${sim.baseUrl}/api/partners/v2.0/org/${sim.orgId}/users/${poderoUserId}/heat-pumps/${deviceId}`,
    { headers: { authorization: `Bearer ${token}` } },
  ).then(async (r) => (await r.json()) as { actions: { resolution_link: { url: string } }[] });
  return device.actions.flatMap((a) => {
    const link = parseCueLink(a.resolution_link.url);
    return link ? [link.secret] : [];
  });
}

async function submitReauthenticationPage(redirectUrl: string, password = 'pw') {
  const token = new URL(redirectUrl).searchParams.get('token') ?? '';
  const page = await fetch(redirectUrl);
  expect(page.status).toBe(200);
  return fetch(new URL('/connect/reauthenticate', redirectUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, username: 'owner@example.com', password }),
  });
}

/** Follows the Connect UI's redirect back to the bridge's callback (same gateway), without following further. */
async function followCallback(location: string) {
  const url = new URL(location);
  expect(`${url.protocol}//${url.host}`).toBe(t.stack.apiUrl);
  return rawRequest(t.stack.apiUrl, { method: 'GET', path: `${url.pathname}${url.search}` });
}

describe('a lost connection and its re-authentication', () => {
  it('is seen by the sync, repaired through the bridge, and read connected again', async () => {
    const user = 'lifecycle-1';
    const deviceId = await userWithHeatPump(user);
    const first = await readLive(user, deviceId);
    expect(first.heat_pump.connection).toEqual({ state: 'connected', action_needed: false, since: null });

    // A reauthentication request for a connected device is refused.
    const early = await startReauthentication(user, deviceId);
    expect(early.status).toBe(409);
    expect((early.json as { error: { code: string } }).error.code).toBe('reauthentication_not_needed');

    t.stack.simulator.control.setConnection(deviceId, { authenticated: false });
    const run = await t.stack.runSchedule('heat-pump-sync');
    expect(run.ok, JSON.stringify(run)).toBe(true);
    // The sync recorded it: the cached read (no live call) already says so, with the time it was seen.
    const cached = await apiCall(
      t.stack.apiUrl,
      admin,
      'GET',
      `/users/${user}/heat-pumps/${deviceId}?max_age_seconds=86400`,
    );
    const cachedRead = cached.json as HeatPumpRead;
    expect(cachedRead.source).toBe('cache');
    expect(cachedRead.heat_pump.connection.state).toBe('reauthentication_required');
    expect(cachedRead.heat_pump.connection.since).not.toBeNull();

    const lost = await readLive(user, deviceId);
    expect(lost.heat_pump.connection).toMatchObject({
      state: 'reauthentication_required',
      action_needed: true,
    });
    expect(lost.heat_pump.connection.since).toBe(cachedRead.heat_pump.connection.since);
    expect(lost.heat_pump.actions).toEqual([{ code: 'reauthenticate' }]);

    // The end user's own token may start it (self-or-admin).
    const userToken = await t.stack.mintToken({ sub: user });
    const started = await startReauthentication(user, deviceId, userToken);
    expect(started.status, started.text).toBe(201);
    const { redirect_url: redirectUrl, expires_at: expiresAt } = started.json as {
      redirect_url: string;
      expires_at: string;
    };
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const secrets = await cueSecretsOf(user, deviceId);
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(started.text).not.toContain(secret);

    const page = await submitReauthenticationPage(redirectUrl);
    expect(page.status).toBe(303);
    const back = await followCallback(page.headers.get('location') ?? '');
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(REAUTH_BODY.success_url);

    const after = await readLive(user, deviceId);
    expect(after.heat_pump.connection.state).toBe('connected');
    // The outcome reached Podero: the action is gone, not merely in progress.
    expect(after.heat_pump.connection.action_needed).toBe(false);
    expect(after.heat_pump.actions).toEqual([]);
    expect(after.heat_pump.connection.since).not.toBeNull();

    // The callback link is single-use: used again (a reload, the back button) it reports nothing and sends
    // the end customer on to the partner's page, never to an error body.
    const again = await followCallback(page.headers.get('location') ?? '');
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(REAUTH_BODY.success_url);
  });

  it('a cancelled sign-in reports fail, lands on cancel_url, and leaves the device re-authenticable', async () => {
    const user = 'lifecycle-2';
    const deviceId = await userWithHeatPump(user);
    t.stack.simulator.control.setConnection(deviceId, { authenticated: false });
    const started = await startReauthentication(user, deviceId);
    expect(started.status).toBe(201);
    const page = await submitReauthenticationPage(
      (started.json as { redirect_url: string }).redirect_url,
      'fail',
    );
    const back = await followCallback(page.headers.get('location') ?? '');
    expect(back.headers.location).toBe(REAUTH_BODY.cancel_url);
    const after = await readLive(user, deviceId);
    expect(after.heat_pump.connection.state).toBe('reauthentication_required');
    // Podero kept the action (fail), so a new attempt can start.
    const retry = await startReauthentication(user, deviceId);
    expect(retry.status).toBe(201);
  });

  it('a cancel link edited to say success is refused: Podero keeps the action, and the real cancel still works', async () => {
    const user = 'lifecycle-2c';
    const deviceId = await userWithHeatPump(user);
    t.stack.simulator.control.setConnection(deviceId, { authenticated: false });
    const started = await startReauthentication(user, deviceId);
    expect(started.status).toBe(201);
    const page = await submitReauthenticationPage(
      (started.json as { redirect_url: string }).redirect_url,
      'fail',
    );
    const cancelLink = page.headers.get('location') ?? '';
    const edited = new URL(cancelLink);
    expect(edited.searchParams.get('outcome')).toBe('fail');
    edited.searchParams.set('outcome', 'success');
    const forged = await followCallback(edited.toString());
    expect(forged.status).toBe(404);
    expect(forged.headers.location).toBeUndefined();
    // Nothing reached Podero: the action is still pending, the device still repairable.
    const after = await readLive(user, deviceId);
    expect(after.heat_pump.connection).toMatchObject({
      state: 'reauthentication_required',
      action_needed: true,
    });
    expect(after.heat_pump.actions).toEqual([{ code: 'reauthenticate' }]);

    const back = await followCallback(cancelLink);
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(REAUTH_BODY.cancel_url);
    expect((await startReauthentication(user, deviceId)).status).toBe(201);
  });

  it("refuses an end user's success_url or cancel_url outside the stage's return origins, naming it", async () => {
    const user = 'lifecycle-2d';
    const deviceId = await userWithHeatPump(user);
    t.stack.simulator.control.setConnection(deviceId, { authenticated: false });
    const userToken = await t.stack.mintToken({ sub: user });
    const cases = [
      { success_url: 'https://evil.example/phish' },
      { success_url: 'https://partner.example@evil.example/phish' },
      { cancel_url: 'http://169.254.169.254/latest/meta-data/' },
    ];
    for (const patch of cases) {
      const refused = await apiCall(
        t.stack.apiUrl,
        userToken,
        'POST',
        `/users/${user}/heat-pumps/${deviceId}/reauthentication`,
        { ...REAUTH_BODY, ...patch },
      );
      expect(refused.status, refused.text).toBe(400);
      const field = `body.${Object.keys(patch)[0]}`;
      expect(refused.json).toMatchObject({ error: { details: [{ field }] } });
    }
  });

  it('keeps no attempt (and no secret) when Podero refuses to start the re-authentication', async () => {
    const user = 'lifecycle-2b';
    const deviceId = await userWithHeatPump(user);
    t.stack.simulator.control.setConnection(deviceId, { authenticated: false });
    const attempts = async () =>
      (await scanTable(t.db, t.stack.tableNames.main)).filter((item) => String(item.pk).startsWith('REAUTH#'))
        .length;
    const before = await attempts();
    t.stack.simulator.control.setFaults([
      { route: 'POST /api/partners/v2.0/cues/{cue_id}/resolve', status: 500 },
    ]);
    try {
      const refused = await startReauthentication(user, deviceId);
      expect(refused.status).toBe(502);
    } finally {
      t.stack.simulator.control.clearFaults();
    }
    expect(await attempts()).toBe(before);
    const started = await startReauthentication(user, deviceId);
    expect(started.status).toBe(201);
    expect(await attempts()).toBe(before + 1);
  });

  it('a device without a re-authentication action is disconnected: 409, onboard it again', async () => {
    const user = 'lifecycle-3';
    const deviceId = await userWithHeatPump(user);
    t.stack.simulator.control.setConnection(deviceId, { authenticated: false, reauthentication: false });
    const read = await readLive(user, deviceId);
    expect(read.heat_pump.connection).toMatchObject({ state: 'disconnected', action_needed: false });
    const refused = await startReauthentication(user, deviceId);
    expect(refused.status).toBe(409);
    expect((refused.json as { error: { code: string } }).error.code).toBe('reauthentication_unavailable');
    const unknown = await startReauthentication(user, crypto.randomUUID());
    expect(unknown.status).toBe(404);
  });
});

describe('no caller ever receives a cue secret or a resolution URL', () => {
  it('scans every read route, end user and admin, cached and live', async () => {
    const user = 'lifecycle-4';
    const deviceId = await userWithHeatPump(user);
    t.stack.simulator.control.setConnection(deviceId, { authenticated: false });
    t.stack.simulator.control.raiseInformation(deviceId, 'Firmware updated');
    await t.stack.runSchedule('heat-pump-sync');
    const userToken = await t.stack.mintToken({ sub: user });
    const paths = [
      `/users/${user}/heat-pumps?max_age_seconds=0`,
      `/users/${user}/heat-pumps?max_age_seconds=86400`,
      `/users/${user}/heat-pumps/${deviceId}?max_age_seconds=0`,
      `/users/${user}/heat-pumps/${deviceId}?max_age_seconds=86400`,
      `/users/${user}/heat-pumps/${deviceId}/readings`,
      `/users/${user}`,
    ];
    const bodies: string[] = [];
    for (const token of [userToken, admin]) {
      for (const path of paths) {
        const res = await apiCall(t.stack.apiUrl, token, 'GET', path);
        expect(res.status, path).toBe(200);
        bodies.push(res.text);
      }
      const patched = await apiCall(t.stack.apiUrl, token, 'PATCH', `/users/${user}/heat-pumps/${deviceId}`, {
        optimization_level: 'Max',
      });
      expect(patched.status).toBe(200);
      bodies.push(patched.text);
    }
    const secrets = await cueSecretsOf(user, deviceId);
    expect(secrets.length).toBe(2);
    for (const body of bodies) {
      for (const secret of secrets) expect(body).not.toContain(secret);
      expect(body).not.toContain('resolution_link');
      expect(body).not.toContain('/cues/');
      expect(body).not.toContain('secret=');
    }
    // The actions are still visible by code.
    const read = await readLive(user, deviceId);
    expect(read.heat_pump.actions.map((a) => a.code).sort()).toEqual(['information', 'reauthenticate']);
    // Nor do the allow-listed fields include Podero's owner block.
    expect(read.heat_pump).not.toHaveProperty('owner');
  });
});

describe('offboarding', () => {
  it('DELETE a heat pump: soft delete at Podero, snapshot gone, readings erased, idempotent', async () => {
    const user = 'lifecycle-5';
    const deviceId = await userWithHeatPump(user);
    await t.stack.runSchedule('heat-pump-sync');
    const readingsBefore = await t.queryPartition('readings', `HEATPUMP#${deviceId}`);
    expect(readingsBefore.length).toBeGreaterThan(0);

    const removed = await apiCall(t.stack.apiUrl, admin, 'DELETE', `/users/${user}/heat-pumps/${deviceId}`);
    expect(removed.status).toBe(204);
    const items = await t.queryPartition('main', `USER#${user}`);
    expect(items.map((i) => i.sk)).not.toContain(`HEATPUMP#${deviceId}`);
    const list = await apiCall(t.stack.apiUrl, admin, 'GET', `/users/${user}/heat-pumps`);
    expect((list.json as { items: unknown[]; source: string }).items).toEqual([]);
    expect(
      (await apiCall(t.stack.apiUrl, admin, 'GET', `/users/${user}/heat-pumps/${deviceId}?max_age_seconds=0`))
        .status,
    ).toBe(404);
    // The history goes too: the stack's erasure worker sweeps the queued job within a poll or two.
    const deadline = Date.now() + 10_000;
    while ((await t.queryPartition('readings', `HEATPUMP#${deviceId}`)).length > 0) {
      if (Date.now() > deadline) throw new Error('the readings were not erased within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The job records its count once its whole sweep is done (readings, then each kind's change history and
    // backfill record), a moment after the readings are gone: wait for it, bounded.
    const erased = async () => apiCall(t.stack.apiUrl, admin, 'GET', `/users/${user}/erasure`);
    const counted = (json: unknown) =>
      (json as { items?: { readings_deleted?: number }[] }).items?.[0]?.readings_deleted ===
      readingsBefore.length;
    let erasure = await erased();
    const countDeadline = Date.now() + 10_000;
    while (!counted(erasure.json) && Date.now() < countDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      erasure = await erased();
    }
    expect(erasure.status).toBe(200);
    expect(erasure.json).toMatchObject({
      items: [{ scope: 'heat_pump', heat_pump_id: deviceId, readings_deleted: readingsBefore.length }],
    });
    const history = await apiCall(
      t.stack.apiUrl,
      admin,
      'GET',
      `/users/${user}/heat-pumps/${deviceId}/readings`,
    );
    expect(history.status).toBe(200);
    expect((history.json as { items: unknown[] }).items).toEqual([]);

    const again = await apiCall(t.stack.apiUrl, admin, 'DELETE', `/users/${user}/heat-pumps/${deviceId}`);
    expect(again.status).toBe(204);
    const unknown = await apiCall(
      t.stack.apiUrl,
      admin,
      'DELETE',
      `/users/${user}/heat-pumps/${crypto.randomUUID()}`,
    );
    expect(unknown.status).toBe(404);
    // Another user's device cannot be deleted through this user's path.
    const other = 'lifecycle-5b';
    await onboardUser(t.stack.apiUrl, admin, other);
    const theirs = await connectHeatPump(t.stack.apiUrl, admin, other);
    const crossed = await apiCall(
      t.stack.apiUrl,
      admin,
      'DELETE',
      `/users/${user}/heat-pumps/${theirs.deviceId}`,
    );
    expect(crossed.status).toBe(404);
    expect((await readLive(other, theirs.deviceId)).heat_pump.id).toBe(theirs.deviceId);
  });

  it('DELETE a user offboards its devices at Podero first', async () => {
    const user = 'lifecycle-6';
    const deviceId = await userWithHeatPump(user);
    const poderoUserId = (
      (await apiCall(t.stack.apiUrl, admin, 'GET', `/users/${user}`)).json as { podero_user_id: string }
    ).podero_user_id;
    const puts = () =>
      t.stack.simulator.control.counters().requests[
        'PUT /api/partners/v2.0/org/{org_id}/users/{user_id}/heat-pumps/{heat_pump_id}'
      ]?.['200'] ?? 0;
    const before = puts();
    const removed = await apiCall(t.stack.apiUrl, admin, 'DELETE', `/users/${user}`);
    expect(removed.status).toBeLessThan(300);
    expect(puts()).toBe(before + 1);
    expect(poderoUserId).toBeTruthy();
    // The device is soft-deleted at Podero (only visible with include_deleted).
    const sim = t.stack.simulator;
    expect(() => sim.control.setConnection(deviceId, { authenticated: true })).toThrow(/unknown heat pump/);
  });
});

describe('onboarding completion without object_id', () => {
  it('completes from the user’s heat-pump list when Podero leaves object_id null', async () => {
    const user = 'lifecycle-7';
    await onboardUser(t.stack.apiUrl, admin, user);
    t.stack.simulator.control.setModes({ onboardingObjectId: 'null' });
    try {
      const { deviceId } = await connectHeatPump(t.stack.apiUrl, admin, user);
      expect(deviceId).toMatch(/^[0-9a-f-]{36}$/);
      // A second session completes with the second device, not the first.
      const second = await connectHeatPump(t.stack.apiUrl, admin, user);
      expect(second.deviceId).not.toBe(deviceId);
      // A session nobody completed stays pending although the user has authenticated devices.
      const opened = await apiCall(t.stack.apiUrl, admin, 'POST', `/users/${user}/onboarding-sessions`, {
        language: 'en',
        price_zone_default: 'AT',
        success_url: 'https://partner.example/ok',
        cancel_url: 'https://partner.example/cancel',
      });
      const id = (opened.json as { id: string }).id;
      const state = await apiCall(t.stack.apiUrl, admin, 'GET', `/users/${user}/onboarding-sessions/${id}`);
      expect((state.json as { state: string; device_id: string | null }).state).toBe('pending');
      expect(state.json).not.toHaveProperty('known_device_ids');
    } finally {
      t.stack.simulator.control.setModes({ onboardingObjectId: 'filled' });
    }
  });
});
