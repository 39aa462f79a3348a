import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/local-stack';

describe('startLocalStack', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves the API through the gateway on a free loopback port', async () => {
    expect(t.stack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${t.stack.apiUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', version: 'local' });
  });

  it('stores a token in the token secret at start, and never the credentials in it', async () => {
    const secrets = new SecretsManagerClient({ endpoint: t.stack.secretsEndpoint, region: t.stack.region });
    try {
      const token = await secrets.send(new GetSecretValueCommand({ SecretId: t.stack.secretIds.token }));
      const stored = JSON.parse(token.SecretString ?? '{}') as Record<string, unknown>;
      expect(typeof stored.access_token).toBe('string');
      expect(Date.parse(String(stored.expires_at))).toBeGreaterThan(Date.now());
      expect(token.SecretString).not.toContain(t.stack.credentials.clientSecret);

      const credentials = await secrets.send(
        new GetSecretValueCommand({ SecretId: t.stack.secretIds.credentials }),
      );
      expect(JSON.parse(credentials.SecretString ?? '{}')).toEqual({
        client_id: t.stack.credentials.clientId,
        client_secret: t.stack.credentials.clientSecret,
        org_id: t.stack.credentials.orgId,
        base_url: t.stack.simulatorUrl,
      });
    } finally {
      secrets.destroy();
    }
  });

  it('answers a protected route with 401 without a token and reaches the handler with one', async () => {
    const anonymous = await t.api('/users/someone');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ message: 'Unauthorized' });
    const authed = await t.api('/users/someone', { sub: 'someone' });
    expect(authed.status).not.toBe(401);
    expect((await authed.json()) as unknown).toHaveProperty('error');
  });

  it('runs a declared schedule now over HTTP, and a token refresh within the margin changes nothing', async () => {
    const before = (await t.stack.simulator.control.counters()).token_issuances;
    const res = await fetch(`${t.stack.apiUrl}/__local/schedules/token-refresh/run`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, result: { status: 'still_valid' } });
    expect((await t.stack.simulator.control.counters()).token_issuances).toBe(before);
  });

  it('reports its identity and schedules at /__local/info', async () => {
    const info = (await (await fetch(`${t.stack.apiUrl}/__local/info`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      service: 'podero-bridge-local-stack',
      simulator_url: t.stack.simulatorUrl,
      signing_key_id: t.stack.signingKey.kid,
      schedules: ['token-refresh', 'heat-pump-sync'],
    });
  });
});
