/**
 * The connected-device lifecycle (contract §3.12, §5.5 step 6) over plain HTTP: a lost connection raises a
 * `reauthenticate` action; Q1 opens the re-authentication page; the page restores the device and redirects;
 * Q2 reports the outcome. Every refusal answers as the contract says (404 inactive, 403 bad secret, 401/none).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_PREFIX, type Simulator } from '../src/index';
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
  const [user] = sim.control.seed({ users: 1, heatPumpsPerUser: 1 }).users;
  const heatPumpId = user?.heat_pump_ids[0];
  if (!user || !heatPumpId) throw new Error('seed failed');
  return { userId: user.id, heatPumpId, path: `/org/${sim.orgId}/users/${user.id}/heat-pumps/${heatPumpId}` };
}

interface Action {
  code: string;
  resolution_link: { url: string; required_parameters: string[] };
}

async function readActions(path: string): Promise<{ body: Record<string, unknown>; actions: Action[] }> {
  const read = await api(sim, token, 'GET', path);
  expect(read.status).toBe(200);
  const body = read.body as Record<string, unknown>;
  return { body, actions: body.actions as Action[] };
}

/** The cue id and secret in a resolution link, as a partner would take them apart. */
function linkParts(url: string) {
  const parsed = new URL(url);
  const match = /\/cues\/([^/]+)\//.exec(parsed.pathname);
  return {
    cueId: match?.[1] ?? '',
    secret: parsed.searchParams.get('secret') ?? '',
    linkPath: parsed.pathname,
  };
}

async function control(path: string, body: unknown) {
  const response = await fetch(`${sim.baseUrl}/__sim${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

async function postForm(path: string, fields: Record<string, string>) {
  return fetch(`${sim.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

const RESOLVE_BODY = {
  successUrl: 'https://partner.example/reauth/ok',
  cancelUrl: 'https://partner.example/reauth/cancel',
  language: 'en',
};

/** Q1 for a cue with a secret (the bearer token unless another, or none, is given). */
function resolveCue(cueId: string, secret: string, bearer: string | null = token) {
  return api(sim, bearer, 'POST', `/cues/${cueId}/resolve?secret=${secret}`, RESOLVE_BODY);
}

async function lostConnection() {
  const device = seededHeatPump();
  const changed = await control(`/heat-pumps/${device.heatPumpId}/connection`, { authenticated: false });
  expect(changed.status).toBe(200);
  const { actions } = await readActions(device.path);
  const action = actions[0];
  if (!action) throw new Error('no action raised');
  return { ...device, action, ...linkParts(action.resolution_link.url) };
}

describe('a lost manufacturer connection', () => {
  it('answers unauthenticated with a reauthenticate action whose link names the cue and a secret', async () => {
    const device = seededHeatPump();
    const before = await readActions(device.path);
    expect(before.body).toMatchObject({ is_authenticated: true, action_needed: false, actions: [] });

    const changed = await control(`/heat-pumps/${device.heatPumpId}/connection`, { authenticated: false });
    expect(changed.body).toMatchObject({
      is_authenticated: false,
      lifecycle_state: 'reauthentication_pending',
    });

    const after = await readActions(device.path);
    expect(after.body).toMatchObject({
      is_authenticated: false,
      lifecycle_state: 'reauthentication_pending',
      action_needed: true,
      current_power_consumption_w: null,
    });
    expect(after.actions).toHaveLength(1);
    const action = after.actions[0];
    expect(action?.code).toBe('reauthenticate');
    expect(action?.resolution_link.required_parameters).toEqual(['successUrl', 'cancelUrl']);
    const parts = linkParts(action?.resolution_link.url ?? '');
    expect(parts.linkPath).toBe(`${API_PREFIX}/cues/${field(changed.body, 'cue_id')}/resolve`);
    expect(parts.secret.length).toBeGreaterThanOrEqual(24);
    // The list carries the same action.
    const list = await api(sim, token, 'GET', `/org/${sim.orgId}/users/${device.userId}/heat-pumps`);
    expect((list.body as { actions: Action[] }[])[0]?.actions[0]?.code).toBe('reauthenticate');
  });

  it('can be restored directly by the control route, which ends the action', async () => {
    const device = await lostConnection();
    const restored = await control(`/heat-pumps/${device.heatPumpId}/connection`, { authenticated: true });
    expect(restored.body).toMatchObject({
      is_authenticated: true,
      lifecycle_state: 'authenticated',
      cue_id: null,
    });
    const after = await readActions(device.path);
    expect(after.body).toMatchObject({ is_authenticated: true, action_needed: false, actions: [] });
    expect(after.body.current_power_consumption_w).not.toBeNull();
  });

  it('without a cue, the device is simply disconnected (it must be onboarded again)', async () => {
    const device = seededHeatPump();
    await control(`/heat-pumps/${device.heatPumpId}/connection`, {
      authenticated: false,
      reauthentication: false,
    });
    const after = await readActions(device.path);
    expect(after.body).toMatchObject({ is_authenticated: false, action_needed: false, actions: [] });
    expect(after.body.lifecycle_state).toBe('error');
  });

  it('refuses unknown heat pumps and bad bodies on the control route', async () => {
    const unknown = await control(`/heat-pumps/${crypto.randomUUID()}/connection`, { authenticated: false });
    expect(unknown.status).toBe(404);
    const device = seededHeatPump();
    const bad = await control(`/heat-pumps/${device.heatPumpId}/connection`, { authenticated: 'no' });
    expect(bad.status).toBe(422);
  });

  it('is settable in-process as well', async () => {
    const device = seededHeatPump();
    const state = sim.control.setConnection(device.heatPumpId, { authenticated: false });
    expect(state.cue_id).not.toBeNull();
    expect((await readActions(device.path)).body.is_authenticated).toBe(false);
  });
});

describe('re-authentication through the cue (Q1, the page, Q2)', () => {
  it('walks resolve -> page -> success redirect -> state success, and the action is gone', async () => {
    const device = await lostConnection();
    const resolved = await resolveCue(device.cueId, device.secret);
    expect(resolved.status).toBe(200);
    const redirectUrl = field<string>(resolved.body, 'redirect_url');
    expect(redirectUrl).not.toContain(device.secret);

    const page = await fetch(redirectUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    const pageToken = /name="token" value="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(pageToken).not.toBe('');

    const submitted = await postForm('/connect/reauthenticate', {
      token: pageToken,
      username: 'owner',
      password: 'secret',
      action: 'connect',
    });
    expect(submitted.status).toBe(303);
    expect(submitted.headers.get('location')).toBe(RESOLVE_BODY.successUrl);

    // Restored, but the action stays in progress until its outcome is reported.
    const between = await readActions(device.path);
    expect(between.body).toMatchObject({ is_authenticated: true, lifecycle_state: 'authenticated' });
    expect(between.actions.map((a) => a.code)).toEqual(['reauthenticate']);

    // Q2 takes no Authorization header: the secret authorises it.
    const reported = await api(sim, null, 'POST', `/cues/${device.cueId}/state?secret=${device.secret}`, {
      state: 'success',
    });
    expect(reported.status).toBe(200);
    expect(typeof field(reported.body, 'action_id')).toBe('string');
    const after = await readActions(device.path);
    expect(after.body).toMatchObject({ is_authenticated: true, action_needed: false, actions: [] });

    // The action is no longer active: a second report is 404, and so is a resolve.
    const again = await api(sim, null, 'POST', `/cues/${device.cueId}/state?secret=${device.secret}`, {
      state: 'success',
    });
    expect(again.status).toBe(404);
    const resolveAgain = await resolveCue(device.cueId, device.secret);
    expect(resolveAgain.status).toBe(404);
  });

  it('cancel and a failed sign-in go to cancelUrl; a page link works once; fail keeps the action for a retry', async () => {
    const device = await lostConnection();
    const open = async () => {
      const resolved = await resolveCue(device.cueId, device.secret);
      return new URL(field<string>(resolved.body, 'redirect_url')).searchParams.get('token') ?? '';
    };
    const first = await open();
    const cancelled = await postForm('/connect/reauthenticate', { token: first, action: 'cancel' });
    expect(cancelled.headers.get('location')).toBe(RESOLVE_BODY.cancelUrl);
    const reused = await postForm('/connect/reauthenticate', { token: first, username: 'a', password: 'b' });
    expect(reused.status).toBe(410);

    const second = await open();
    const failed = await postForm('/connect/reauthenticate', {
      token: second,
      username: 'a',
      password: 'fail',
    });
    expect(failed.headers.get('location')).toBe(RESOLVE_BODY.cancelUrl);
    expect((await readActions(device.path)).body.is_authenticated).toBe(false);

    const reported = await api(sim, null, 'POST', `/cues/${device.cueId}/state?secret=${device.secret}`, {
      state: 'fail',
    });
    expect(reported.status).toBe(200);
    const after = await readActions(device.path);
    expect(after.actions.map((a) => a.code)).toEqual(['reauthenticate']);
    // A newer resolve replaces the earlier page.
    const third = await open();
    const fourth = await open();
    expect(
      (await postForm('/connect/reauthenticate', { token: third, username: 'a', password: 'b' })).status,
    ).toBe(410);
    const ok = await postForm('/connect/reauthenticate', { token: fourth, username: 'a', password: 'b' });
    expect(ok.headers.get('location')).toBe(RESOLVE_BODY.successUrl);
  });

  it('refuses a wrong secret (403), an expired one (403), another organisation (404) and no token (401)', async () => {
    const device = await lostConnection();
    const wrong = await resolveCue(device.cueId, `${device.secret}x`);
    expect(wrong.status).toBe(403);
    const wrongState = await api(sim, null, 'POST', `/cues/${device.cueId}/state?secret=nope`, {
      state: 'success',
    });
    expect(wrongState.status).toBe(403);
    const missing = await api(sim, token, 'POST', `/cues/${device.cueId}/resolve`, RESOLVE_BODY);
    expect(missing.status).toBe(422);
    expect(JSON.stringify(missing.body)).toContain('secret');
    const noBearer = await resolveCue(device.cueId, device.secret, null);
    expect(noBearer.status).toBe(401);
    const otherOrg = await api(
      sim,
      await issueToken(sim, sim.secondOrg),
      'POST',
      `/cues/${device.cueId}/resolve?secret=${device.secret}`,
      RESOLVE_BODY,
    );
    expect(otherOrg.status).toBe(404);
    const unknownCue = await api(
      sim,
      null,
      'POST',
      `/cues/${crypto.randomUUID()}/state?secret=${device.secret}`,
      {
        state: 'success',
      },
    );
    expect(unknownCue.status).toBe(404);
    const notUuid = await api(sim, null, 'POST', `/cues/abc/state?secret=${device.secret}`, {
      state: 'success',
    });
    expect(notUuid.status).toBe(422);

    // An hour of simulated time later the secret is void; a fresh read hands out a new one that works.
    sim.control.advanceClock(3_601);
    const expired = await resolveCue(device.cueId, device.secret);
    expect(expired.status).toBe(403);
    const token2 = await issueToken(sim);
    token = token2;
    const { actions } = await readActions(device.path);
    const fresh = linkParts(actions[0]?.resolution_link.url ?? '');
    expect(fresh.secret).not.toBe(device.secret);
    const resolved = await resolveCue(device.cueId, fresh.secret);
    expect(resolved.status).toBe(200);
  });

  it('validates the bodies strictly: camelCase on resolve, the state enum on Q2', async () => {
    const device = await lostConnection();
    const snake = await api(sim, token, 'POST', `/cues/${device.cueId}/resolve?secret=${device.secret}`, {
      success_url: 'https://x.example',
      cancel_url: 'https://x.example',
    });
    expect(snake.status).toBe(422);
    const locs = (field<{ loc: string[] }[]>(snake.body, 'detail') ?? []).map((d) => d.loc.join('.'));
    expect(locs).toEqual(expect.arrayContaining(['body.successUrl', 'body.success_url']));
    const badState = await api(sim, null, 'POST', `/cues/${device.cueId}/state?secret=${device.secret}`, {
      state: 'done',
    });
    expect(badState.status).toBe(422);
  });
});

describe('information actions (Q3)', () => {
  it('is read once with its secret, and only through /information/resolve', async () => {
    const device = seededHeatPump();
    const raised = await control(`/heat-pumps/${device.heatPumpId}/information`, {
      message: 'Firmware updated',
    });
    expect(raised.status).toBe(200);
    const { actions } = await readActions(device.path);
    const info = actions.find((a) => a.code === 'information');
    const parts = linkParts(info?.resolution_link.url ?? '');
    const viaResolve = await resolveCue(parts.cueId, parts.secret);
    expect(viaResolve.status).toBe(400);
    const read = await api(
      sim,
      token,
      'POST',
      `/cues/${parts.cueId}/information/resolve?secret=${parts.secret}`,
    );
    expect(read.status).toBe(200);
    expect((await readActions(device.path)).actions).toEqual([]);
    const again = await api(
      sim,
      token,
      'POST',
      `/cues/${parts.cueId}/information/resolve?secret=${parts.secret}`,
    );
    expect(again.status).toBe(404);
  });
});

describe('where the simulator was more lenient than Podero', () => {
  it('does not fold trailing slashes on API paths; the token path keeps its slash', async () => {
    const slash = await api(sim, token, 'GET', `/org/${sim.orgId}/users/`);
    expect(slash.status).toBe(404);
    const plain = await api(sim, token, 'GET', `/org/${sim.orgId}/users`);
    expect(plain.status).toBe(200);
    const tokenWithoutSlash = await fetch(`${sim.baseUrl}/oauth2/token`, { method: 'POST' });
    expect(tokenWithoutSlash.status).toBe(404);
  });

  it('soft-deletes a heat pump with PUT deleted_at; it comes back only with include_deleted', async () => {
    const device = seededHeatPump();
    const put = await api(sim, token, 'PUT', device.path, { deleted_at: '2026-01-15T10:00:00Z' });
    expect(put.status).toBe(200);
    expect(field(put.body, 'deleted_at')).toBe('2026-01-15T10:00:00Z');
    expect((await api(sim, token, 'GET', device.path)).status).toBe(404);
    expect((await api(sim, token, 'GET', `${device.path}?include_deleted=true`)).status).toBe(200);
    const list = await api(sim, token, 'GET', `/org/${sim.orgId}/users/${device.userId}/heat-pumps`);
    expect(list.body).toEqual([]);
  });

  it('accepts the documented PUT body, device_model included', async () => {
    const device = seededHeatPump();
    const put = await api(sim, token, 'PUT', device.path, {
      device_model: { manufacturer: 'Nibe', model: 'F2120', year: 2024 },
      comment: 'replaced outdoor unit',
    });
    expect(put.status).toBe(200);
    expect(field(put.body, 'device_model')).toMatchObject({
      manufacturer: 'Nibe',
      model: 'F2120',
      year: 2024,
    });
  });

  it('lists soft-deleted users only with include_deleted', async () => {
    const created = await api(sim, token, 'POST', `/org/${sim.orgId}/users`, {
      role: 'user',
      email: 'gone@example.com',
    });
    const userId = field<string>(created.body, 'id');
    expect((await api(sim, token, 'DELETE', `/org/${sim.orgId}/users/${userId}`)).status).toBeLessThan(300);
    const plain = await api(sim, token, 'GET', `/org/${sim.orgId}/users`);
    expect((plain.body as { id: string }[]).map((u) => u.id)).not.toContain(userId);
    const all = await api(sim, token, 'GET', `/org/${sim.orgId}/users?include_deleted=true`);
    const gone = (all.body as { id: string; deleted_at: string | null }[]).find((u) => u.id === userId);
    expect(gone?.deleted_at).not.toBeNull();
  });
});

describe('onboarding sessions whose object_id stays null (mode)', () => {
  it('connects the device but leaves object_id null', async () => {
    sim.control.setModes({ onboardingObjectId: 'null' });
    const created = await api(sim, token, 'POST', `/org/${sim.orgId}/users`, {
      role: 'user',
      email: 'n@example.com',
    });
    const userId = field<string>(created.body, 'id');
    const session = await api(sim, token, 'POST', '/device-onboarding', {
      user_id: userId,
      language: 'en',
      price_zone_default: 'AT',
      success_url: 'https://partner.example/ok',
      cancel_url: 'https://partner.example/cancel',
    });
    const sessionId = field<string>(session.body, 'id');
    const connected = await postForm('/connect', {
      onboarding_session_id: sessionId,
      manufacturer: 'Nibe',
      model: 'S2125-8',
      username: 'u',
      password: 'p',
    });
    expect(connected.status).toBe(303);
    const read = await api(sim, token, 'GET', `/device-onboarding/${sessionId}`);
    expect(field(read.body, 'object_id')).toBeNull();
    const list = await api(sim, token, 'GET', `/org/${sim.orgId}/users/${userId}/heat-pumps`);
    expect(list.body).toHaveLength(1);
    expect(sim.control.modes().onboardingObjectId).toBe('null');
    sim.control.reset();
    expect(sim.control.modes().onboardingObjectId).toBe('filled');
  });
});
