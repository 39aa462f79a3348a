import { describe, expect, it } from 'vitest';
import { PoderoAuthError, PoderoError, PoderoRequestError, PoderoResponseShapeError } from './errors';
import { createFakeFetch, json, sequence } from './test-support/fake-fetch';
import { tokenExample } from './test-support/fixtures';
import {
  createClientCredentialsTokenProvider,
  requestClientCredentialsToken,
  staticTokenProvider,
} from './token';

const CLIENT_ID = 'sim-client-id';
const CLIENT_SECRET = 'very-secret-client-secret';

describe('requestClientCredentialsToken', () => {
  it('POSTs JSON grant_type with Basic client_id:client_secret to /oauth2/token/', async () => {
    const { fetch, requests } = createFakeFetch(() => json(200, tokenExample));
    const token = await requestClientCredentialsToken({
      baseUrl: 'https://podero.test/',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      fetch,
    });
    expect(token).toEqual(tokenExample);
    const [request] = requests;
    expect(request?.method).toBe('POST');
    expect(request?.url.href).toBe('https://podero.test/oauth2/token/');
    expect(request?.body).toEqual({ grant_type: 'client_credentials' });
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(request?.headers.get('cache-control')).toBe('no-cache');
    const expected = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    expect(request?.headers.get('authorization')).toBe(`Basic ${expected}`);
  });

  it('uses the host even when the base URL carries the API prefix', async () => {
    const { fetch, requests } = createFakeFetch(() => json(200, tokenExample));
    await requestClientCredentialsToken({
      baseUrl: 'https://podero.test/api/partners/v2.0/',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      fetch,
    });
    expect(requests[0]?.url.href).toBe('https://podero.test/oauth2/token/');
  });

  it('turns invalid_client into PoderoAuthError without leaking the secret', async () => {
    const { fetch } = createFakeFetch(() => json(401, { error: 'invalid_client' }));
    const error = await requestClientCredentialsToken({
      baseUrl: 'https://podero.test',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      fetch,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoderoAuthError);
    expect((error as PoderoAuthError).detail).toBe('invalid_client');
    expect((error as PoderoAuthError).path).toBe('/oauth2/token/');
    const serialised = JSON.stringify({
      ...(error as object),
      m: (error as Error).message,
      s: (error as Error).stack,
    });
    expect(serialised).not.toContain(CLIENT_SECRET);
    expect(serialised).not.toContain(Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64'));
  });

  it('reports a malformed token response by field, never echoing the token', async () => {
    const { fetch } = createFakeFetch(() =>
      json(200, { access_token: 'leaky-token-123', expires_in: 'soon' }),
    );
    const error = await requestClientCredentialsToken({
      baseUrl: 'https://podero.test',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      fetch,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoderoResponseShapeError);
    expect((error as PoderoResponseShapeError).issues.map((issue) => issue.path)).toEqual(['expires_in']);
    const serialised = JSON.stringify({
      ...(error as object),
      m: (error as Error).message,
      s: (error as Error).stack,
    });
    expect(serialised).not.toContain('leaky-token-123');
  });

  it('rejects an empty client secret locally, naming the field and sending nothing', async () => {
    const { fetch, requests } = createFakeFetch(() => json(200, tokenExample));
    const error = await requestClientCredentialsToken({
      baseUrl: 'https://podero.test',
      clientId: CLIENT_ID,
      clientSecret: '',
      fetch,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoderoRequestError);
    expect((error as Error).message).toContain('clientSecret');
    expect(requests).toHaveLength(0);
  });

  it('retries the token request after a 503 (a duplicate token request is harmless)', async () => {
    const { fetch, requests } = createFakeFetch(sequence(json(503, {}), json(200, tokenExample)));
    await requestClientCredentialsToken({
      baseUrl: 'https://podero.test',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      fetch,
      sleep: async () => undefined,
    });
    expect(requests).toHaveLength(2);
  });
});

describe('createClientCredentialsTokenProvider', () => {
  function setup(expiresIn = 36000, refreshMarginSeconds?: number) {
    let now = 1_000_000;
    let issued = 0;
    const { fetch, requests } = createFakeFetch(() => {
      issued++;
      return json(200, { ...tokenExample, access_token: `token-${issued}`, expires_in: expiresIn });
    });
    const provider = createClientCredentialsTokenProvider({
      baseUrl: 'https://podero.test',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      fetch,
      now: () => now,
      ...(refreshMarginSeconds === undefined ? {} : { refreshMarginSeconds }),
    });
    return {
      provider,
      requests,
      advance: (seconds: number) => {
        now += seconds * 1000;
      },
    };
  }

  it('shares one in-flight request among 100 concurrent callers', async () => {
    const { provider, requests } = setup();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => provider.getToken()));
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(requests).toHaveLength(1);
  });

  it('serves the cached token until refreshMarginSeconds before expiry, then renews', async () => {
    const { provider, requests, advance } = setup(36000, 300);
    expect(await provider.getToken()).toBe('token-1');
    advance(36000 - 301);
    expect(await provider.getToken()).toBe('token-1');
    expect(requests).toHaveLength(1);
    advance(2);
    expect(await provider.getToken()).toBe('token-2');
    expect(requests).toHaveLength(2);
  });

  it('uses half the lifetime as the margin when the margin exceeds it', async () => {
    const { provider, requests, advance } = setup(60, 300);
    await provider.getToken();
    advance(29);
    await provider.getToken();
    expect(requests).toHaveLength(1);
    advance(2);
    await provider.getToken();
    expect(requests).toHaveLength(2);
  });

  it('drops the cached token when it is the rejected one', async () => {
    const { provider, requests } = setup();
    const first = await provider.getToken();
    await provider.invalidate(first);
    expect(await provider.getToken()).toBe('token-2');
    expect(requests).toHaveLength(2);
  });

  it('keeps the cached token when an older token is reported as rejected', async () => {
    const { provider, requests } = setup();
    const first = await provider.getToken();
    await provider.invalidate(first);
    await provider.getToken(); // token-2
    await provider.invalidate(first); // a late 401 for token-1
    expect(await provider.getToken()).toBe('token-2');
    expect(requests).toHaveLength(2);
  });

  it('lets the next caller try again after a failed token request', async () => {
    let calls = 0;
    const { fetch } = createFakeFetch(() => {
      calls++;
      return calls === 1 ? json(401, { error: 'invalid_client' }) : json(200, tokenExample);
    });
    const provider = createClientCredentialsTokenProvider({
      baseUrl: 'https://podero.test',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      fetch,
    });
    await expect(provider.getToken()).rejects.toBeInstanceOf(PoderoError);
    await expect(provider.getToken()).resolves.toBe(tokenExample.access_token);
  });
});

describe('staticTokenProvider', () => {
  it('always returns its token and ignores invalidate', async () => {
    const provider = staticTokenProvider('fixed');
    await provider.invalidate('fixed');
    expect(await provider.getToken()).toBe('fixed');
  });
});
