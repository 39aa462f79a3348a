import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { type FetchLike, PoderoNetworkError } from '@podero-bridge/podero-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, startTestEnvironment, type TestEnvironment } from '../../test-support/environment';
import { loadTokenRefreshConfig } from '../config';
import { ENV } from '../declarations';
import { createSecretsManagerClient } from '../platform/aws-clients';
import { createRecordingMetrics } from '../platform/observability';
import { createTokenRefreshDeps } from '../token-refresh/deps';
import { tokenFingerprint, tokenSecretSchema } from './contract';
import { CredentialsSecretError } from './credentials';
import { makeTokenRefreshHandler, TokenRefreshEventError } from './refresh';

describe('token-refresh against the local Secrets Manager and the simulator', () => {
  let env: TestEnvironment;
  const issuances = () => env.sim.control.counters().token_issuances;
  const stored = async () => {
    const out = await env.aws.secrets.send(
      new GetSecretValueCommand({ SecretId: env.tokenRefreshConfig.tokenSecretId }),
    );
    return tokenSecretSchema.parse(JSON.parse(out.SecretString ?? ''));
  };
  const handlerAt = (offsetMs: number) =>
    makeTokenRefreshHandler(
      createTokenRefreshDeps(env.tokenRefreshConfig, {
        logger: silentLogger(),
        metrics: createRecordingMetrics(),
        now: () => new Date(Date.now() + offsetMs),
      }),
    );

  beforeAll(async () => {
    env = await startTestEnvironment();
  });
  afterAll(async () => env.close());

  it('writes a token over the placeholder on the first scheduled run, and returns no token', async () => {
    const before = issuances();
    const result = await env.invokeTokenRefresh({ source: 'schedule', force: false });
    expect(result.status).toBe('refreshed');
    expect(Object.keys(result).sort()).toEqual(['expires_at', 'refreshed_at', 'status']);
    expect(issuances() - before).toBe(1);
    const token = await stored();
    expect(token.token_type).toBe('Bearer');
    const lifetimeS = (Date.parse(token.expires_at) - Date.parse(token.refreshed_at)) / 1000;
    expect(lifetimeS).toBe(36_000);
    expect(JSON.stringify(result)).not.toContain(token.access_token);
  });

  it('gives up on a hung token endpoint before its own invocation would time out', async () => {
    // The stored token was rejected: a new one must be requested.
    const rejected = tokenFingerprint((await stored()).access_token);
    env.sim.control.setFaults([{ route: 'POST /oauth2/token/', timeout: true }]);
    try {
      const started = Date.now();
      // 2.3 s left of the invocation: 2 s are kept back, so the token request has about 300 ms.
      const failure = await env
        .invokeTokenRefresh(
          { source: 'invoke', force: true, rejected_token_sha256: rejected },
          { getRemainingTimeInMillis: () => 2_300 },
        )
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PoderoNetworkError);
      expect((failure as PoderoNetworkError).timedOut).toBe(true);
      // The client's own timeout (10 s per attempt, 3 retries) would have outlasted the invocation.
      expect(Date.now() - started).toBeLessThan(2_300);
    } finally {
      env.sim.control.clearFaults();
    }
  });

  it('does nothing on schedule while more than the margin (7200 s) remains', async () => {
    const before = issuances();
    const token = await stored();
    expect((await handlerAt(0)({ source: 'schedule', force: false })).status).toBe('still_valid');
    // 10 h token, 7.5 h later: 2.5 h left, still more than the 2 h margin.
    expect((await handlerAt(7.5 * 3_600_000)({ source: 'schedule', force: false })).status).toBe(
      'still_valid',
    );
    expect(issuances()).toBe(before);
    expect((await stored()).access_token).toBe(token.access_token);
  });

  it('refreshes on schedule once less than the margin remains', async () => {
    const before = issuances();
    const old = await stored();
    const result = await handlerAt(8.5 * 3_600_000)({ source: 'schedule', force: false });
    expect(result.status).toBe('refreshed');
    expect(issuances() - before).toBe(1);
    expect((await stored()).access_token).not.toBe(old.access_token);
  });

  it('on a forced request, refreshes only if the rejected token is still the stored one', async () => {
    const current = await stored();
    const before = issuances();
    const stale = await env.invokeTokenRefresh({
      source: 'invoke',
      force: true,
      rejected_token_sha256: tokenFingerprint('some-older-token'),
    });
    expect(stale.status).toBe('already_replaced');
    expect(issuances()).toBe(before);

    const fresh = await env.invokeTokenRefresh({
      source: 'invoke',
      force: true,
      rejected_token_sha256: tokenFingerprint(current.access_token),
    });
    expect(fresh.status).toBe('refreshed');
    expect(issuances() - before).toBe(1);
    expect((await stored()).access_token).not.toBe(current.access_token);
  });

  it('debounces a forced request without fingerprint right after a refresh, and honours it later', async () => {
    const before = issuances();
    expect((await handlerAt(0)({ source: 'invoke', force: true })).status).toBe('already_replaced');
    expect((await handlerAt(120_000)({ source: 'invoke', force: true })).status).toBe('refreshed');
    expect(issuances() - before).toBe(1);
  });

  it.each([
    [{ source: 'schedule', force: 'yes' }, /force/],
    [{ source: 'cron' }, /source/],
    [{ source: 'invoke', force: true, rejected_token_sha256: 'abc' }, /rejected_token_sha256/],
    [{ source: 'schedule', force: false, extra: 1 }, /extra/],
    [null, /invalid token-refresh event/],
  ])('rejects the event %j naming the problem', async (event, pattern) => {
    const error = await env.invokeTokenRefresh(event as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefreshEventError);
    expect((error as Error).message).toMatch(pattern);
  });

  it('fails clearly on a malformed credentials secret, naming the field and not echoing the secret', async () => {
    await env.aws.createSecret(
      'podero/bad-credentials',
      JSON.stringify({ client_id: 'id', client_secret: 'very-secret-value-123', org_id: 'not-a-uuid' }),
    );
    await env.aws.createSecret('podero/token-for-bad', '{}');
    const config = loadTokenRefreshConfig({
      AWS_REGION: env.aws.region,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: env.aws.secretsManager.endpoint,
      [ENV.credentialsSecretId]: 'podero/bad-credentials',
      [ENV.tokenSecretId]: 'podero/token-for-bad',
      [ENV.poderoBaseUrl]: env.sim.baseUrl,
    });
    const handler = makeTokenRefreshHandler(createTokenRefreshDeps(config, { logger: silentLogger() }));
    const error = await handler({ source: 'schedule', force: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsSecretError);
    expect((error as Error).message).toMatch(/org_id/);
    expect((error as Error).message).not.toContain('very-secret-value-123');
  });
});

describe('token-refresh edge paths, with a scripted token endpoint', () => {
  let env: TestEnvironment;
  let n = 0;
  beforeAll(async () => {
    env = await startTestEnvironment();
  });
  afterAll(async () => env.close());

  /** A token endpoint accepting exactly one client secret; records the URL and secret of each request. */
  function tokenEndpoint(accepts: () => string) {
    const seen: { url: string; secret: string }[] = [];
    const fetch: FetchLike = async (url, init) => {
      const basic = Buffer.from(
        (init.headers.authorization ?? '').replace(/^Basic /, ''),
        'base64',
      ).toString();
      const secret = basic.slice(basic.indexOf(':') + 1);
      seen.push({ url, secret });
      const ok = secret === accepts();
      const body = ok
        ? JSON.stringify({
            access_token: `token-${seen.length}`,
            expires_in: 36000,
            token_type: 'Bearer',
            scope: 'read',
          })
        : JSON.stringify({ error: 'invalid_client' });
      return { status: ok ? 200 : 401, headers: { get: () => null }, text: async () => body };
    };
    return { fetch, seen };
  }

  async function setup(credentials: Record<string, unknown>, tokenValue: string | null) {
    n++;
    const ids = { credentials: `edge/credentials-${n}`, token: `edge/token-${n}` };
    await env.aws.createSecret(ids.credentials, JSON.stringify(credentials));
    if (tokenValue !== null) await env.aws.createSecret(ids.token, tokenValue);
    const config = loadTokenRefreshConfig({
      AWS_REGION: env.aws.region,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: env.aws.secretsManager.endpoint,
      [ENV.credentialsSecretId]: ids.credentials,
      [ENV.tokenSecretId]: ids.token,
      [ENV.poderoBaseUrl]: 'http://127.0.0.1:9/never-used',
    });
    return { ids, config };
  }

  const credentials = (secret: string, baseUrl = 'http://podero.test') => ({
    client_id: 'id',
    client_secret: secret,
    org_id: '4e3f1a52-7c1b-4f3e-9d2a-5b8c6d7e8f90',
    base_url: baseUrl,
  });
  const storedToken = async (id: string) => {
    const out = await env.aws.secrets.send(new GetSecretValueCommand({ SecretId: id }));
    return tokenSecretSchema.parse(JSON.parse(out.SecretString ?? ''));
  };

  it('recovers from a rotated client secret: re-reads the credentials once and retries', async () => {
    let current = 'old-secret';
    const endpoint = tokenEndpoint(() => current);
    const { ids, config } = await setup(credentials('old-secret'), '{}');
    const handler = makeTokenRefreshHandler(
      createTokenRefreshDeps(config, { logger: silentLogger(), fetch: endpoint.fetch }),
    );
    expect((await handler({ source: 'schedule', force: false })).status).toBe('refreshed');
    // Rotated at Podero and in the secret; the handler's credentials are cached for minutes.
    current = 'new-secret';
    await env.aws.secrets.send(
      new PutSecretValueCommand({
        SecretId: ids.credentials,
        SecretString: JSON.stringify(credentials('new-secret')),
      }),
    );
    const before = endpoint.seen.length;
    const rejected = tokenFingerprint((await storedToken(ids.token)).access_token);
    expect((await handler({ source: 'invoke', force: true, rejected_token_sha256: rejected })).status).toBe(
      'refreshed',
    );
    expect(endpoint.seen.slice(before).map((s) => s.secret)).toEqual(['old-secret', 'new-secret']);
  });

  it('asks the token endpoint of the credentials’ base_url, not the environment’s', async () => {
    const endpoint = tokenEndpoint(() => 's');
    const { config } = await setup(credentials('s', 'http://elsewhere.test'), '{}');
    const handler = makeTokenRefreshHandler(
      createTokenRefreshDeps(config, { logger: silentLogger(), fetch: endpoint.fetch }),
    );
    await handler({ source: 'schedule', force: false });
    expect(endpoint.seen.map((s) => s.url)).toEqual(['http://elsewhere.test/oauth2/token/']);
  });

  it('replaces a corrupt token secret with a fresh token', async () => {
    const endpoint = tokenEndpoint(() => 's');
    const { ids, config } = await setup(credentials('s'), 'not json at all');
    const handler = makeTokenRefreshHandler(
      createTokenRefreshDeps(config, { logger: silentLogger(), fetch: endpoint.fetch }),
    );
    expect((await handler({ source: 'schedule', force: false })).status).toBe('refreshed');
    expect((await storedToken(ids.token)).access_token).toBe('token-1');
  });

  it('fetches a token when the token secret does not exist, and reports that it cannot be stored', async () => {
    const endpoint = tokenEndpoint(() => 's');
    const { config } = await setup(credentials('s'), null);
    const handler = makeTokenRefreshHandler(
      createTokenRefreshDeps(config, { logger: silentLogger(), fetch: endpoint.fetch }),
    );
    const error = await handler({ source: 'schedule', force: false }).catch((e: unknown) => e);
    expect(endpoint.seen).toHaveLength(1);
    expect((error as Error).name).toBe('ResourceNotFoundException');
  });

  it('scopes: a token answer without scope is stored with an empty one', async () => {
    const fetch: FetchLike = async () => ({
      status: 200,
      headers: { get: () => null },
      text: async () => JSON.stringify({ access_token: 'no-scope', expires_in: 36000, token_type: 'Bearer' }),
    });
    const { ids, config } = await setup(credentials('s'), '{}');
    const handler = makeTokenRefreshHandler(
      createTokenRefreshDeps(config, { logger: silentLogger(), fetch }),
    );
    await handler({ source: 'schedule', force: false });
    expect(await storedToken(ids.token)).toMatchObject({ access_token: 'no-scope', scope: '' });
  });

  it('a token secret it may not read is an error, not a missing token: nothing is requested or overwritten', async () => {
    const endpoint = tokenEndpoint(() => 's');
    const { ids, config } = await setup(credentials('s'), JSON.stringify({ keep: 'me' }));
    const secrets = createSecretsManagerClient(config);
    const send = secrets.send.bind(secrets);
    secrets.send = (async (command: Parameters<typeof send>[0]) => {
      if (command instanceof GetSecretValueCommand && command.input.SecretId === ids.token) {
        throw new SecretsManagerServiceException({
          name: 'AccessDeniedException',
          $fault: 'client',
          $metadata: {},
          message: 'not allowed',
        });
      }
      return send(command);
    }) as typeof secrets.send;
    const handler = makeTokenRefreshHandler(
      createTokenRefreshDeps(config, { logger: silentLogger(), fetch: endpoint.fetch, secrets }),
    );
    const error = await handler({ source: 'schedule', force: false }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AccessDeniedException');
    expect(endpoint.seen).toHaveLength(0);
    const raw = await env.aws.secrets.send(new GetSecretValueCommand({ SecretId: ids.token }));
    expect(JSON.parse(raw.SecretString ?? '')).toEqual({ keep: 'me' });
  });

  it('ends the token request before the invocation would: no time left means no request', async () => {
    const endpoint = tokenEndpoint(() => 's');
    const { config } = await setup(credentials('s'), '{}');
    const handler = makeTokenRefreshHandler(
      createTokenRefreshDeps(config, { logger: silentLogger(), fetch: endpoint.fetch }),
    );
    // 2 s left is exactly the reserve kept for storing the token: the token request may not start.
    const error = await handler(
      { source: 'schedule', force: false },
      { getRemainingTimeInMillis: () => 2_000 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoderoNetworkError);
    expect((error as PoderoNetworkError).timedOut).toBe(true);
    expect(endpoint.seen).toHaveLength(0);
    // With time to spare (or no context at all) the request goes out.
    expect(
      (await handler({ source: 'schedule', force: false }, { getRemainingTimeInMillis: () => 30_000 }))
        .status,
    ).toBe('refreshed');
    expect(endpoint.seen).toHaveLength(1);
  });

  it('names every bad field of an invalid event, and the root when it is no object', async () => {
    const handler = makeTokenRefreshHandler(
      createTokenRefreshDeps((await setup(credentials('s'), '{}')).config, { logger: silentLogger() }),
    );
    const bad = (await handler({ source: 'invoke', force: 'yes', rejected_token_sha256: 'abc' }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(bad).toBeInstanceOf(TokenRefreshEventError);
    expect(bad.name).toBe('TokenRefreshEventError');
    expect(bad.message).toMatch(
      /^invalid token-refresh event: (force|rejected_token_sha256): .+; (force|rejected_token_sha256): .+$/,
    );
    const root = (await handler(null).catch((e: unknown) => e)) as Error;
    expect(root.message).toMatch(/^invalid token-refresh event: \(root\): /);
  });

  it('without an invocation context (or one without a clock) the token request keeps its retries', async () => {
    let calls = 0;
    const fetch: FetchLike = async () => {
      calls++;
      const ok = calls % 2 === 0;
      return {
        status: ok ? 200 : 503,
        headers: { get: () => null },
        text: async () =>
          ok ? JSON.stringify({ access_token: `t-${calls}`, expires_in: 36000, token_type: 'Bearer' }) : '',
      };
    };
    const { config } = await setup(credentials('s'), '{}');
    const handler = makeTokenRefreshHandler(
      createTokenRefreshDeps(config, { logger: silentLogger(), fetch }),
    );
    expect((await handler({ source: 'invoke', force: true })).status).toBe('refreshed');
    expect(calls).toBe(2);
    expect(
      (await handler({ source: 'invoke', force: true, rejected_token_sha256: tokenFingerprint('t-2') }, {}))
        .status,
    ).toBe('refreshed');
    expect(calls).toBe(4);
  });
});
