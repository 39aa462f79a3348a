import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiEvent, bodyOf } from '../../test-support/api-event';
import { startTestEnvironment, type TestEnvironment } from '../../test-support/environment';

const USER_UPDATE = 'PUT /api/partners/v2.0/org/{org_id}/users/{user_id}';

describe('token recovery across containers', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await startTestEnvironment();
  });
  afterAll(async () => env.close());

  it('costs exactly one token request when 12 containers hit a revoked token at once', async () => {
    const containers = Array.from({ length: 12 }, () => env.createApiHandler());
    const [first] = containers;
    if (!first) throw new Error('no containers');
    const created = await first(
      apiEvent('createUser', { body: { external_user_id: 'burst', email: 'burst@example.com' } }),
    );
    expect(created.statusCode).toBe(201);
    const patch = (i: number) =>
      apiEvent('updateUser', { params: { external_user_id: 'burst' }, body: { first_name: `N${i}` } });

    // Warm every container: each caches the current token.
    for (const [i, handler] of containers.entries()) expect((await handler(patch(i))).statusCode).toBe(200);

    env.sim.control.revokeTokens();
    const before = env.sim.control.counters().token_issuances;
    const results = await Promise.all(containers.map((handler, i) => handler(patch(i))));
    expect(results.map((r) => r.statusCode)).toEqual(containers.map(() => 200));
    expect(env.sim.control.counters().token_issuances - before).toBe(1);
    expect(env.sim.control.counters().requests[USER_UPDATE]?.['401']).toBe(12);
    expect(bodyOf(results[0] ?? {})).toMatchObject({ external_user_id: 'burst' });
  });

  it('never writes a token or the client secret to the logs, even at DEBUG during a recovery', async () => {
    const chunks: string[] = [];
    const capture = (chunk: unknown) => {
      chunks.push(String(chunk));
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      const handler = env.createApiHandler({ logger: new Logger({ serviceName: 'api', logLevel: 'DEBUG' }) });
      env.sim.control.revokeTokens();
      const res = await handler(
        apiEvent('updateUser', { params: { external_user_id: 'burst' }, body: { last_name: 'Y' } }),
      );
      expect(res.statusCode).toBe(200);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    const logs = chunks.join('');
    expect(logs).toContain('asking token-refresh for a forced refresh');
    const secret = await env.aws.secrets.send(
      new GetSecretValueCommand({ SecretId: env.apiConfig.tokenSecretId }),
    );
    const token = (JSON.parse(secret.SecretString ?? '{}') as { access_token: string }).access_token;
    expect(token.length).toBeGreaterThan(10);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(env.sim.clientSecret);
  });

  it('answers 502 (no token in the body) when the token endpoint fails during recovery', async () => {
    const handler = env.createApiHandler();
    env.sim.control.setFaults([{ route: 'POST /oauth2/token/', status: 500 }]);
    env.sim.control.revokeTokens();
    const res = await handler(
      apiEvent('updateUser', { params: { external_user_id: 'burst' }, body: { last_name: 'X' } }),
    );
    env.sim.control.clearFaults();
    // The refresh failed: the bridge could not authenticate (not "Podero answered with an error").
    expect(res.statusCode).toBe(502);
    expect(bodyOf(res)).toMatchObject({ error: { code: 'upstream_auth_failed' } });
    expect(res.body).not.toMatch(/Bearer|access_token/);
  });
});
