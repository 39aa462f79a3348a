/**
 * Appendix A of the contract, end to end over plain HTTP: token, user, partial update, building,
 * onboarding session, the Connect UI form (GET page, POST form, 303 redirect) and the heat-pump list.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_PREFIX, type Simulator } from '../src/index';
import { field, startTestSimulator } from '../src/testing';

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

async function json(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${sim.baseUrl}${API_PREFIX}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** The hidden and named form fields of the Connect page, read from its HTML like a browser would. */
function formFields(html: string) {
  const form = /<form method="post" action="\/connect">([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
  return {
    sessionId: /name="onboarding_session_id" value="([^"]+)"/.exec(form)?.[1],
    manufacturers: [
      ...(/<select name="manufacturer">([\s\S]*?)<\/select>/.exec(form)?.[1] ?? '').matchAll(
        /value="([^"]+)"/g,
      ),
    ].map((match) => match[1]),
    hasModelSelect: form.includes('<select name="model">'),
    hasUsername: form.includes('name="username"'),
    hasPassword: form.includes('name="password"'),
    actions: [...form.matchAll(/name="action" value="([^"]+)"/g)].map((match) => match[1]),
  };
}

async function submitConnect(fields: Record<string, string>) {
  return fetch(`${sim.baseUrl}/connect`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

async function newSession(token: string, extra: Record<string, unknown> = {}) {
  const user = await json('POST', `/org/${sim.orgId}/users`, token, {
    role: 'user',
    email: `${crypto.randomUUID()}@example.com`,
  });
  const userId = field<string>(user.body, 'id');
  const session = await json('POST', '/device-onboarding', token, {
    language: 'en',
    price_zone_default: 'AT',
    success_url: 'https://partner.example/onboarding/success',
    cancel_url: 'https://partner.example/onboarding/cancel',
    user_id: userId,
    ...extra,
  });
  return {
    userId,
    sessionId: field<string>(session.body, 'id'),
    url: field<string>(session.body, 'authentication_url'),
  };
}

async function getToken() {
  const response = await fetch(`${sim.baseUrl}/oauth2/token/`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64')}`,
      'cache-control': 'no-cache',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ grant_type: 'client_credentials' }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { access_token: string; expires_in: number };
  expect(body.expires_in).toBe(36000);
  return body.access_token;
}

describe('getting-started flow (Appendix A)', () => {
  it('walks token -> user -> update -> building -> onboarding -> Connect UI -> heat pumps', async () => {
    // 2. token
    const token = await getToken();
    // 3. user
    const created = await json('POST', `/org/${sim.orgId}/users`, token, {
      role: 'user',
      email: 'user@example.com',
      external_user_id: 'first-id',
    });
    expect(created.status).toBe(200);
    const userId = field<string>(created.body, 'id');
    // 4. partial update and a building
    const updated = await json('PUT', `/org/${sim.orgId}/users/${userId}`, token, {
      external_user_id: '12345abc',
    });
    expect(updated.body).toMatchObject({
      id: userId,
      email: 'user@example.com',
      external_user_id: '12345abc',
      role: 'user',
    });
    const building = await json('POST', `/org/${sim.orgId}/users/${userId}/buildings`, token, {
      name: 'Main House',
    });
    expect(building.status).toBe(200);
    const buildingId = field<string>(building.body, 'id');
    // 5. onboarding session
    const session = await json('POST', '/device-onboarding', token, {
      language: 'de',
      price_zone_default: 'DE_LU',
      is_smart_optimization_active_default: true,
      success_url: 'https://www.success.com',
      cancel_url: 'https://www.error.com',
      user_id: userId,
      building_id: buildingId,
    });
    expect(session.status).toBe(200);
    const sessionId = field<string>(session.body, 'id');
    const authenticationUrl = field<string>(session.body, 'authentication_url');
    expect(field(session.body, 'object_id')).toBeNull();

    // The end user's browser opens the Connect UI...
    const page = await fetch(authenticationUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const form = formFields(await page.text());
    expect(form).toMatchObject({ sessionId, hasModelSelect: true, hasUsername: true, hasPassword: true });
    expect(form.actions).toEqual(['connect', 'cancel']);
    expect(form.manufacturers).toContain('Nibe');

    // ...signs in with the manufacturer and is sent back to success_url.
    const submitted = await submitConnect({
      onboarding_session_id: sessionId,
      manufacturer: 'Nibe',
      model: 'S2125-8',
      username: 'end.user@example.com',
      password: 'correct horse',
      action: 'connect',
    });
    expect(submitted.status).toBe(303);
    expect(submitted.headers.get('location')).toBe('https://www.success.com');

    // 6. the heat pump is there, authenticated, with the session's defaults
    const list = await json('GET', `/org/${sim.orgId}/users/${userId}/heat-pumps`, token);
    expect(list.status).toBe(200);
    const heatPumps = list.body as Record<string, unknown>[];
    expect(heatPumps).toHaveLength(1);
    expect(heatPumps[0]).toMatchObject({
      is_authenticated: true,
      is_smart_optimization_active: true,
      price_zone: 'DE_LU',
      building: buildingId,
      owner: { id: userId, email: 'user@example.com', external_id: '12345abc' },
      device_model: {
        manufacturer: 'Nibe',
        model: 'S2125-8',
        year: 2022,
        device_type: { short_name: 'hp_atw' },
      },
      current_power_consumption_w: expect.any(Number),
      outdoor_temperature: expect.any(Number),
    });
    const afterwards = await json('GET', `/device-onboarding/${sessionId}`, token);
    expect(field(afterwards.body, 'object_id')).toBe(field(heatPumps[0], 'id'));
    const user = await json('GET', `/org/${sim.orgId}/users/${userId}`, token);
    expect(user.body).toMatchObject({ num_heat_pumps: 1, is_onboarded: true });

    // The link cannot be used twice.
    const again = await fetch(authenticationUrl);
    expect(again.status).toBe(410);
    expect(await again.text()).toMatch(/already been used/);
  });
});

describe('Connect UI edge cases', () => {
  it('redirects to cancel_url on cancel, and the session stays usable', async () => {
    const token = await getToken();
    const { sessionId, userId } = await newSession(token);
    const cancelled = await submitConnect({ onboarding_session_id: sessionId, action: 'cancel' });
    expect(cancelled.status).toBe(303);
    expect(cancelled.headers.get('location')).toBe('https://partner.example/onboarding/cancel');
    expect((await json('GET', `/org/${sim.orgId}/users/${userId}/heat-pumps`, token)).body).toEqual([]);
    expect((await fetch(`${sim.baseUrl}/connect?onboarding_session_id=${sessionId}`)).status).toBe(200);
  });

  it('redirects to cancel_url when the manufacturer sign-in fails (password "fail")', async () => {
    const token = await getToken();
    const { sessionId, userId } = await newSession(token);
    const failed = await submitConnect({
      onboarding_session_id: sessionId,
      manufacturer: 'Vaillant',
      model: 'aroTHERM plus',
      username: 'someone',
      password: 'fail',
      action: 'connect',
    });
    expect(failed.status).toBe(303);
    expect(failed.headers.get('location')).toBe('https://partner.example/onboarding/cancel');
    expect((await json('GET', `/org/${sim.orgId}/users/${userId}/heat-pumps`, token)).body).toEqual([]);
  });

  it('re-shows the form with 400 when username or password is empty, or the model is unknown', async () => {
    const token = await getToken();
    const { sessionId } = await newSession(token);
    const empty = await submitConnect({
      onboarding_session_id: sessionId,
      manufacturer: 'Nibe',
      model: 'S2125-8',
      username: 'kept-username',
      password: '',
      action: 'connect',
    });
    expect(empty.status).toBe(400);
    const html = await empty.text();
    expect(html).toContain('Enter your username and password.');
    expect(html).toContain('value="kept-username"');
    const wrongModel = await submitConnect({
      onboarding_session_id: sessionId,
      manufacturer: 'Nibe',
      model: 'aroTHERM plus',
      username: 'u',
      password: 'p',
      action: 'connect',
    });
    expect(wrongModel.status).toBe(400);
  });

  it('shows an error page for expired, unknown and malformed sessions', async () => {
    const token = await getToken();
    const { sessionId, url } = await newSession(token); // created 2026-01-15 10:00, valid through 2026-01-16
    sim.control.setClock(new Date('2026-01-16T23:59:00Z'));
    expect((await fetch(url)).status).toBe(200);
    sim.control.setClock(new Date('2026-01-17T00:00:00Z'));
    const expired = await fetch(url);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toMatch(/expired/);
    const posted = await submitConnect({ onboarding_session_id: sessionId, action: 'cancel' });
    expect(posted.status).toBe(410);
    expect((await fetch(`${sim.baseUrl}/connect?onboarding_session_id=${crypto.randomUUID()}`)).status).toBe(
      404,
    );
    expect((await fetch(`${sim.baseUrl}/connect`)).status).toBe(400);
  });

  it('escapes values it echoes into the page', async () => {
    const token = await getToken();
    const { sessionId } = await newSession(token);
    const response = await submitConnect({
      onboarding_session_id: sessionId,
      manufacturer: 'Nibe',
      model: 'S2125-8',
      username: '"><script>alert(1)</script>',
      password: '',
    });
    const html = await response.text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });
});
