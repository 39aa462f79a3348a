import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index';
import { api, field, issueToken, startTestSimulator } from '../src/testing';

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator({ tokenTtlSeconds: 600 });
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function tokenRequest(headers: Record<string, string>, body: string) {
  const response = await fetch(`${sim.baseUrl}/oauth2/token/`, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
}

describe('POST /oauth2/token/', () => {
  it('issues an opaque 30-character alphanumeric bearer token for a JSON grant', async () => {
    const result = await tokenRequest(
      { authorization: basic(sim.clientId, sim.clientSecret), 'content-type': 'application/json' },
      '{"grant_type":"client_credentials"}',
    );
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9]{30}$/),
      expires_in: 600,
      token_type: 'Bearer',
      scope: 'read write',
    });
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(sim.control.counters().token_issuances).toBe(1);
  });

  it('accepts a form-encoded grant as django-oauth-toolkit does', async () => {
    const result = await tokenRequest(
      {
        authorization: basic(sim.clientId, sim.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      'grant_type=client_credentials',
    );
    expect(result.status).toBe(200);
  });

  it('answers 401 invalid_client for a wrong secret or no credentials', async () => {
    const wrong = await tokenRequest(
      { authorization: basic(sim.clientId, 'guess'), 'content-type': 'application/json' },
      '{"grant_type":"client_credentials"}',
    );
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const none = await tokenRequest(
      { 'content-type': 'application/json' },
      '{"grant_type":"client_credentials"}',
    );
    expect(none).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('answers 400 unsupported_grant_type for other grants', async () => {
    const result = await tokenRequest(
      { authorization: basic(sim.clientId, sim.clientSecret), 'content-type': 'application/json' },
      '{"grant_type":"password"}',
    );
    expect(result).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
  });
});

describe('bearer tokens on the API', () => {
  const users = () => `/org/${sim.orgId}/users`;

  it('answers 401 {"detail":"Unauthorized"} without, or with an unknown, token', async () => {
    expect(await api(sim, null, 'GET', users())).toMatchObject({
      status: 401,
      body: { detail: 'Unauthorized' },
    });
    expect(await api(sim, 'NotAToken', 'GET', users())).toMatchObject({
      status: 401,
      body: { detail: 'Unauthorized' },
    });
  });

  it('keeps several tokens valid at once and expires each on the simulated clock', async () => {
    const first = await issueToken(sim);
    sim.control.advanceClock(300);
    const second = await issueToken(sim);
    expect(first).not.toBe(second);
    expect((await api(sim, first, 'GET', users())).status).toBe(200);
    expect((await api(sim, second, 'GET', users())).status).toBe(200);
    sim.control.advanceClock(301); // first is 601 s old, second 301 s
    expect((await api(sim, first, 'GET', users())).status).toBe(401);
    expect((await api(sim, second, 'GET', users())).status).toBe(200);
  });

  it('revokes one token or all of them', async () => {
    const first = await issueToken(sim);
    const second = await issueToken(sim);
    expect(sim.control.revokeTokens(first)).toBe(1);
    expect((await api(sim, first, 'GET', users())).status).toBe(401);
    expect((await api(sim, second, 'GET', users())).status).toBe(200);
    const viaHttp = await fetch(`${sim.baseUrl}/__sim/tokens/revoke`, { method: 'POST', body: '{}' });
    expect(await viaHttp.json()).toEqual({ revoked: 1 });
    expect((await api(sim, second, 'GET', users())).status).toBe(401);
  });
});

describe('organisation scoping', () => {
  it("answers 404 for another organisation's users, and for a foreign org_id in the path", async () => {
    const token = await issueToken(sim);
    const otherToken = await issueToken(sim, sim.secondOrg);
    const created = await api(sim, token, 'POST', `/org/${sim.orgId}/users`, {
      role: 'user',
      email: 'a@example.com',
    });
    const userId = field<string>(created.body, 'id');

    // The second org cannot see it through its own org path...
    const viaOwnOrg = await api(sim, otherToken, 'GET', `/org/${sim.secondOrg.orgId}/users/${userId}`);
    expect(viaOwnOrg).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
    // ...nor by naming the first org in the path.
    const viaForeignOrg = await api(sim, otherToken, 'GET', `/org/${sim.orgId}/users/${userId}`);
    expect(viaForeignOrg).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
    expect((await api(sim, otherToken, 'GET', `/org/${sim.secondOrg.orgId}/users`)).body).toEqual([]);
    // Nor use it for onboarding.
    const onboarding = await api(sim, otherToken, 'POST', '/device-onboarding', {
      user_id: userId,
      language: 'en',
      price_zone_default: 'AT',
      success_url: 'https://partner.example/ok',
      cancel_url: 'https://partner.example/cancel',
    });
    expect(onboarding.status).toBe(404);
    // Seeded heat pumps of the first org stay invisible to the second.
    const seeded = sim.control.seed({ users: 1, heatPumpsPerUser: 1 }).users[0];
    const heatPumpPath = `/org/${sim.secondOrg.orgId}/users/${seeded?.id}/heat-pumps/${seeded?.heat_pump_ids[0]}`;
    expect((await api(sim, otherToken, 'GET', heatPumpPath)).status).toBe(404);
  });

  it('answers 422 uuid_parsing for a malformed id in the path, after authentication', async () => {
    const token = await issueToken(sim);
    expect(await api(sim, null, 'GET', `/org/${sim.orgId}/users/not-a-uuid`)).toMatchObject({ status: 401 });
    expect(await api(sim, token, 'GET', `/org/${sim.orgId}/users/not-a-uuid`)).toMatchObject({
      status: 422,
      body: {
        detail: [{ type: 'uuid_parsing', loc: ['path', 'user_id'], msg: 'Input should be a valid UUID' }],
      },
    });
  });

  it('answers 404 for unknown routes and 405 for a wrong method', async () => {
    const token = await issueToken(sim);
    expect(await api(sim, token, 'GET', '/nothing-here')).toMatchObject({
      status: 404,
      body: { detail: 'Not Found' },
    });
    expect(await api(sim, token, 'PATCH', `/org/${sim.orgId}/users`)).toMatchObject({
      status: 405,
      body: { detail: 'Method Not Allowed' },
    });
  });
});
