import { request } from 'node:http';
import { ADMIN_SCOPE, functionDeclarations } from '@podero-bridge/functions/declarations';
import {
  API_GATEWAY_MAX_BODY_BYTES,
  type APIGatewayProxyEventV2WithJWTAuthorizer,
  createJwtAuthorizer,
  createTokenMinter,
  DEV_AUDIENCE,
  DEV_ISSUER,
  generateSigningKey,
  type HttpApiHandler,
  type LocalGateway,
  type SigningKey,
  startLocalGateway,
} from '@podero-bridge/local';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

interface Echo {
  event: APIGatewayProxyEventV2WithJWTAuthorizer;
  functionName: string;
  remainingMs: number;
}

describe('local API gateway', () => {
  let key: SigningKey;
  let gateway: LocalGateway;
  let calls: number;
  let behaviour: 'echo' | 'throw' | 'string' | 'hang' | 'bad-result';
  const mint = () => createTokenMinter(key);

  beforeAll(async () => {
    key = await generateSigningKey();
    const handler: HttpApiHandler = async (event, context) => {
      calls += 1;
      if (behaviour === 'throw') throw new Error('boom with internals');
      if (behaviour === 'string') return '{"plain":true}';
      if (behaviour === 'bad-result') return { statusCode: 'two hundred' };
      if (behaviour === 'hang') return new Promise(() => {});
      return {
        statusCode: 201,
        headers: { 'content-type': 'application/json', 'x-answer': 42 },
        cookies: ['session=abc; HttpOnly', 'theme=dark'],
        body: JSON.stringify({
          event,
          functionName: context.functionName,
          remainingMs: context.getRemainingTimeInMillis(),
        }),
      };
    };
    gateway = await startLocalGateway({
      functions: { api: handler },
      authorizer: createJwtAuthorizer({ jwks: key.jwks, issuer: DEV_ISSUER, audience: DEV_AUDIENCE }),
      jwks: key.jwks,
      maxBodyBytes: 64 * 1024,
    });
  });
  afterAll(async () => {
    await gateway.close();
  });
  beforeEach(() => {
    calls = 0;
    behaviour = 'echo';
  });

  async function call(
    path: string,
    init: RequestInit = {},
  ): Promise<{ status: number; json: unknown; res: Response }> {
    const res = await fetch(`${gateway.url}${path}`, init);
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : JSON.parse(text), res };
  }

  async function authed(path: string, init: RequestInit = {}) {
    const token = await mint()({ sub: 'user-1' });
    return call(path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  }

  describe('events', () => {
    it('builds a payload 2.0 event with routeKey, decoded path parameters, joined query and headers, cookies and claims', async () => {
      const hp = '8c6efd5a-36d2-4c3d-83a8-b7c9f39242cd';
      const token = await mint()({ sub: 'user 1/x', admin: true });
      const raw = await new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
        (resolve, reject) => {
          const req = request(
            `${gateway.url}/users/user%201%2Fx/heat-pumps/${hp}/readings?limit=5&from=2026-01-01T00%3A00%3A00Z&limit=6&flag`,
            {
              method: 'GET',
              // A raw header list keeps the repeated header apart; it needs an explicit Host.
              headers: [
                'Host',
                new URL(gateway.url).host,
                'Authorization',
                `Bearer ${token}`,
                'X-Custom',
                'a',
                'x-custom',
                'b',
                'Cookie',
                'c1=v1; c2=v2',
                'User-Agent',
                'gateway-test',
              ],
            },
            (res) => {
              let body = '';
              res.on('data', (c: Buffer) => {
                body += c.toString();
              });
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
            },
          );
          req.on('error', reject);
          req.end();
        },
      );
      expect(raw.status).toBe(201);
      expect(raw.headers['x-answer']).toBe('42');
      expect(raw.headers['set-cookie']).toEqual(['session=abc; HttpOnly', 'theme=dark']);
      const { event, functionName, remainingMs } = JSON.parse(raw.body) as Echo;
      expect(event.version).toBe('2.0');
      expect(event.routeKey).toBe('GET /users/{external_user_id}/heat-pumps/{heat_pump_id}/readings');
      expect(event.rawPath).toBe(`/users/user%201%2Fx/heat-pumps/${hp}/readings`);
      expect(event.rawQueryString).toBe('limit=5&from=2026-01-01T00%3A00%3A00Z&limit=6&flag');
      expect(event.pathParameters).toEqual({ external_user_id: 'user 1/x', heat_pump_id: hp });
      expect(event.queryStringParameters).toEqual({ limit: '5,6', from: '2026-01-01T00:00:00Z', flag: '' });
      expect(event.cookies).toEqual(['c1=v1', 'c2=v2']);
      expect(event.headers['x-custom']).toBe('a,b');
      expect(event.headers.cookie).toBeUndefined();
      expect(event.headers['user-agent']).toBe('gateway-test');
      expect(event.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(event.headers['x-forwarded-port']).toBe(String(new URL(gateway.url).port));
      expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      expect(event.body).toBeUndefined();
      expect(event.isBase64Encoded).toBe(false);
      expect(event.requestContext).toMatchObject({
        routeKey: event.routeKey,
        stage: '$default',
        apiId: 'local',
        http: {
          method: 'GET',
          path: event.rawPath,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'gateway-test',
        },
      });
      expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
      expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(10_000);
      const { claims, scopes } = event.requestContext.authorizer.jwt;
      expect(claims.sub).toBe('user 1/x');
      expect(claims.iss).toBe(DEV_ISSUER);
      expect(claims.aud).toBe(DEV_AUDIENCE);
      expect(claims.scope).toContain(ADMIN_SCOPE);
      expect(typeof claims.exp).toBe('string');
      expect(scopes).toBeNull();
      expect(functionName).toBe('podero-bridge-local-api');
      expect(remainingMs).toBeGreaterThan(28_000);
      expect(remainingMs).toBeLessThanOrEqual(29_000);
    });

    it('passes JSON bodies as text and binary bodies base64-encoded', async () => {
      const json = await authed('/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: '{"external_user_id":"user-1","email":"ü@example.com"}',
      });
      const jsonEvent = (json.json as Echo).event;
      expect(jsonEvent.routeKey).toBe('POST /users');
      expect(jsonEvent.isBase64Encoded).toBe(false);
      expect(jsonEvent.body).toBe('{"external_user_id":"user-1","email":"ü@example.com"}');

      const bytes = Buffer.from([0, 255, 1, 2, 128]);
      const binary = await authed('/users', {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      const binaryEvent = (binary.json as Echo).event;
      expect(binaryEvent.isBase64Encoded).toBe(true);
      expect(Buffer.from(binaryEvent.body ?? '', 'base64')).toEqual(bytes);

      // Like a deployed HTTP API: a form body or one without a content type is not text.
      const formHeaders: Record<string, string>[] = [
        { 'content-type': 'application/x-www-form-urlencoded' },
        {},
      ];
      for (const headers of formHeaders) {
        // A byte body: fetch would label a string body text/plain.
        const form = await authed('/users', { method: 'POST', headers, body: Buffer.from('a=1') });
        const formEvent = (form.json as Echo).event;
        expect(formEvent.isBase64Encoded).toBe(true);
        expect(Buffer.from(formEvent.body ?? '', 'base64').toString()).toBe('a=1');
      }
    });

    it('decodes a text body with invalid UTF-8 lossily, leaving U+FFFD where the bad bytes were', async () => {
      const invalid = Buffer.concat([
        Buffer.from('{"n":"'),
        Buffer.from([0xff, 0xc0, 0xaf]),
        Buffer.from('"}'),
      ]);
      const res = await authed('/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: invalid,
      });
      const event = (res.json as Echo).event;
      expect(event.isBase64Encoded).toBe(false);
      expect(event.body).toContain('\uFFFD');
    });

    it('serves public routes without a token and without an authorizer context', async () => {
      const { status, json } = await call('/health');
      expect(status).toBe(201);
      const event = (json as Echo).event;
      expect(event.routeKey).toBe('GET /health');
      expect(event.requestContext).not.toHaveProperty('authorizer');
      expect(event.pathParameters).toBeUndefined();
    });

    it('maps a plain string result to 200 application/json', async () => {
      behaviour = 'string';
      const { status, json, res } = await call('/health');
      expect(status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(json).toEqual({ plain: true });
    });

    it('answers 500 Internal Server Error without internals when the handler throws or returns nonsense', async () => {
      behaviour = 'throw';
      const thrown = await call('/health');
      expect(thrown.status).toBe(500);
      expect(thrown.json).toEqual({ message: 'Internal Server Error' });
      behaviour = 'bad-result';
      const bad = await call('/health');
      expect(bad.status).toBe(500);
      expect(bad.json).toEqual({ message: 'Internal Server Error' });
    });
  });

  describe('routing', () => {
    it.each([
      ['GET', '/nope'],
      ['DELETE', '/health'],
      ['GET', '/health/'],
      ['GET', '/users/a/b'],
      ['POST', '/users/abc'],
    ])('answers %s %s with 404 Not Found, like API Gateway', async (method, path) => {
      const { status, json } = await call(path, { method });
      expect(status).toBe(404);
      expect(json).toEqual({ message: 'Not Found' });
      expect(calls).toBe(0);
    });

    it('refuses a body over the payload limit with 413, declared or streamed', async () => {
      const declared = await authed('/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: 'x'.repeat(64 * 1024 + 1),
      });
      expect(declared.status).toBe(413);
      expect(declared.json).toEqual({ message: 'Request Entity Too Large' });

      const token = await mint()({ sub: 'user-1' });
      const streamed = await new Promise<number>((resolve, reject) => {
        const req = request(`${gateway.url}/users`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'transfer-encoding': 'chunked',
          },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        for (let i = 0; i < 80; i += 1) req.write('y'.repeat(1024));
        req.end();
      });
      expect(streamed).toBe(413);
      expect(calls).toBe(0);
    });

    it('serves the JWKS with the public key only', async () => {
      const { status, json } = await call('/.well-known/jwks.json');
      expect(status).toBe(200);
      const { keys } = json as { keys: Record<string, unknown>[] };
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({ kid: key.kid, alg: 'RS256', kty: 'RSA', use: 'sig' });
      for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
        expect(keys[0]).not.toHaveProperty(privatePart);
    });
  });

  describe('JWT authorizer', () => {
    const now = () => Math.floor(Date.now() / 1000);

    async function expectUnauthorized(authorization: string | undefined) {
      const { status, json } = await call('/users/user-1', {
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(status).toBe(401);
      expect(json).toEqual({ message: 'Unauthorized' });
      expect(calls).toBe(0);
    }

    it('accepts a valid token', async () => {
      const { status } = await authed('/users/user-1');
      expect(status).toBe(201);
      expect(calls).toBe(1);
    });

    it('rejects a missing Authorization header', async () => {
      await expectUnauthorized(undefined);
    });

    it.each(['Bearer', 'Bearer not-a-jwt', 'Basic dXNlcjpwYXNz', 'Bearer a.b.c'])(
      'rejects a malformed header (%s)',
      async (header) => {
        await expectUnauthorized(header);
      },
    );

    it('rejects an expired token (beyond the clock skew)', async () => {
      const token = await createTokenMinter(key, { now: () => new Date(Date.now() - 2 * 3600_000) })({
        sub: 'user-1',
        ttlSeconds: 3600,
      });
      await expectUnauthorized(`Bearer ${token}`);
    });

    it('rejects a token that is not valid yet (nbf in the future)', async () => {
      const token = await createTokenMinter(key, { now: () => new Date(Date.now() + 3600_000) })({
        sub: 'user-1',
      });
      await expectUnauthorized(`Bearer ${token}`);
    });

    it('rejects a wrong issuer', async () => {
      const token = await createTokenMinter(key, { issuer: 'https://evil.example' })({ sub: 'user-1' });
      await expectUnauthorized(`Bearer ${token}`);
    });

    it('rejects a wrong audience', async () => {
      const token = await createTokenMinter(key, { audience: 'someone-else' })({ sub: 'user-1' });
      await expectUnauthorized(`Bearer ${token}`);
    });

    it('rejects alg none', async () => {
      const token = new UnsecuredJWT({ sub: 'user-1', scope: ADMIN_SCOPE })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(now() + 600)
        .encode();
      await expectUnauthorized(`Bearer ${token}`);
    });

    it('rejects HS256 (a symmetric key must never be accepted)', async () => {
      const token = await new SignJWT({ sub: 'user-1' })
        .setProtectedHeader({ alg: 'HS256', kid: key.kid })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setExpirationTime(now() + 600)
        .sign(new TextEncoder().encode('a-shared-secret-that-is-long-enough!'));
      await expectUnauthorized(`Bearer ${token}`);
    });

    it('rejects a token signed by another key that claims the same kid', async () => {
      const other = await generateSigningKey();
      const forged = await createTokenMinter({ ...other, kid: key.kid })({ sub: 'user-1', admin: true });
      await expectUnauthorized(`Bearer ${forged}`);
    });

    it('refuses an ES256 token even when its key is in the JWKS: API Gateway verifies RSA signatures only', async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const jwk = { ...(await exportJWK(publicKey)), kid: 'ec-key', alg: 'ES256', use: 'sig' };
      const authorize = createJwtAuthorizer({
        jwks: { keys: [...key.jwks.keys, jwk] },
        issuer: DEV_ISSUER,
        audience: DEV_AUDIENCE,
      });
      const token = await new SignJWT({ sub: 'user-1' })
        .setProtectedHeader({ alg: 'ES256', kid: 'ec-key' })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setExpirationTime(now() + 600)
        .sign(privateKey);
      expect((await authorize(`Bearer ${token}`)).ok).toBe(false);
      expect((await authorize(`Bearer ${await mint()({ sub: 'user-1' })}`)).ok).toBe(true);
    });

    it('answers a refused token with a WWW-Authenticate challenge as API Gateway does', async () => {
      const missing = await call('/users/user-1');
      expect(missing.res.headers.get('www-authenticate')).toBe('Bearer');
      const expired = await createTokenMinter(key, { now: () => new Date(Date.now() - 2 * 3600_000) })({
        sub: 'user-1',
        ttlSeconds: 3600,
      });
      const refused = await call('/users/user-1', { headers: { authorization: `Bearer ${expired}` } });
      expect(refused.res.headers.get('www-authenticate')).toBe(
        'Bearer scope="" error="invalid_token" error_description="the token has expired"',
      );
      const garbled = await call('/users/user-1', { headers: { authorization: 'Bearer a.b.c' } });
      expect(garbled.res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });

    it('enforces the admin route’s authorization scope itself (403 before the function), and passes the scopes', async () => {
      const user = await mint()({ sub: 'user-1' });
      const refused = await call('/users/user-1', {
        method: 'DELETE',
        headers: { authorization: `Bearer ${user}` },
      });
      expect(refused.status).toBe(403);
      expect(refused.json).toEqual({ message: 'Forbidden' });
      expect(calls).toBe(0);
      const admin = await mint()({ sub: 'ops', admin: true });
      const allowed = await call('/users/user-1', {
        method: 'DELETE',
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(allowed.status).toBe(201);
      const adminEvent = (allowed.json as { event: APIGatewayProxyEventV2WithJWTAuthorizer }).event;
      expect(adminEvent.requestContext.authorizer.jwt.scopes).toContain(ADMIN_SCOPE);
      // A route without declared scopes gets none, as in AWS.
      const plain = await call('/users/user-1', { headers: { authorization: `Bearer ${admin}` } });
      expect(
        (plain.json as { event: APIGatewayProxyEventV2WithJWTAuthorizer }).event.requestContext.authorizer.jwt
          .scopes,
      ).toBeNull();
    });

    it('sends apigw-requestid equal to the event’s requestContext.requestId, and a Lambda request id of its own', async () => {
      const { res, json } = await authed('/users/user-1');
      const event = (json as { event: APIGatewayProxyEventV2WithJWTAuthorizer }).event;
      expect(res.headers.get('apigw-requestid')).toBe(event.requestContext.requestId);
      expect(event.requestContext.requestId).toMatch(/^[A-Za-z0-9_-]{15}=$/);
    });

    it('rejects a token whose payload was altered after signing', async () => {
      const token = await mint()({ sub: 'user-1' });
      const [header, , signature] = token.split('.');
      const payload = Buffer.from(
        JSON.stringify({
          sub: 'user-1',
          scope: ADMIN_SCOPE,
          iss: DEV_ISSUER,
          aud: DEV_AUDIENCE,
          exp: now() + 600,
        }),
      ).toString('base64url');
      await expectUnauthorized(`Bearer ${header}.${payload}.${signature}`);
    });
  });

  it("refuses bodies over API Gateway's 10 MB by default, and accepts one just under it", async () => {
    const limited = await startLocalGateway({
      functions: { api: async (event) => ({ statusCode: 200, body: String(event.body?.length ?? 0) }) },
      authorizer: createJwtAuthorizer({ jwks: key.jwks, issuer: DEV_ISSUER, audience: DEV_AUDIENCE }),
      jwks: key.jwks,
    });
    try {
      const token = await mint()({ sub: 'user-1' });
      const post = (size: number) =>
        fetch(`${limited.url}/users`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
          body: 'z'.repeat(size),
        });
      const over = await post(API_GATEWAY_MAX_BODY_BYTES + 1);
      expect(over.status).toBe(413);
      const under = await post(API_GATEWAY_MAX_BODY_BYTES);
      expect(under.status).toBe(200);
      expect(await under.text()).toBe(String(API_GATEWAY_MAX_BODY_BYTES));
    } finally {
      await limited.close();
    }
  });

  it('answers 503 when the function does not respond within its declared timeout', async () => {
    const slow = await startLocalGateway({
      functions: { api: async () => new Promise(() => {}) },
      functionDecls: {
        api: {
          id: 'api',
          name: 'api',
          description: '',
          entry: '',
          memoryMb: 128,
          timeoutSeconds: 0.05,
          access: { tables: {}, tokenSecret: 'read', credentialsSecret: 'none', invokes: [] },
          environment: [],
        },
        tokenRefresh: {
          id: 'tokenRefresh',
          name: 'token-refresh',
          description: '',
          entry: '',
          memoryMb: 128,
          timeoutSeconds: 1,
          access: { tables: {}, tokenSecret: 'read', credentialsSecret: 'none', invokes: [] },
          environment: [],
        },
        syncWorker: {
          id: 'syncWorker',
          name: 'heat-pump-sync-worker',
          description: '',
          entry: '',
          memoryMb: 128,
          timeoutSeconds: 1,
          access: { tables: {}, tokenSecret: 'read', credentialsSecret: 'none', invokes: [] },
          environment: [],
        },
        syncPlanner: {
          id: 'syncPlanner',
          name: 'heat-pump-sync',
          description: '',
          entry: '',
          memoryMb: 128,
          timeoutSeconds: 1,
          access: { tables: {}, tokenSecret: 'read', credentialsSecret: 'none', invokes: [] },
          environment: [],
        },
        eventRelay: functionDeclarations.eventRelay,
        webhookDelivery: functionDeclarations.webhookDelivery,
        erasureWorker: functionDeclarations.erasureWorker,
        tradingWorkflow: functionDeclarations.tradingWorkflow,
        forecastDrop: functionDeclarations.forecastDrop,
        historyBackfill: functionDeclarations.historyBackfill,
      },
      authorizer: createJwtAuthorizer({ jwks: key.jwks, issuer: DEV_ISSUER, audience: DEV_AUDIENCE }),
      jwks: key.jwks,
    });
    try {
      const res = await fetch(`${slow.url}/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ message: 'Service Unavailable' });
    } finally {
      await slow.close();
    }
  });
});
