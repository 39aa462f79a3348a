import { describe, expect, it } from 'vitest';
import type { OidcSettings } from '../config';
import { MemoryStorage } from './memory-storage';
import {
  authorizationUrl,
  completeSignIn,
  type Discovery,
  discover,
  isSignInCallback,
  SignInError,
} from './oidc';
import { codeChallengeS256 } from './pkce';

const settings: OidcSettings = {
  mode: 'oidc',
  issuer: 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Example',
  client_id: 'console-client',
  scopes: ['openid', 'bridge/admin'],
};
const discovery: Discovery = {
  issuer: settings.issuer,
  authorization_endpoint: 'https://auth.example.com/oauth2/authorize',
  token_endpoint: 'https://auth.example.com/oauth2/token',
};
const redirectUri = 'https://console.example.com/';

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(answer: (call: Call) => Response) {
  const calls: Call[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init };
    calls.push(call);
    return answer(call);
  }) as typeof fetch;
  return { fetchImpl, calls };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function started(storage: MemoryStorage) {
  const url = new URL(
    await authorizationUrl(settings, discovery, redirectUri, '#/customers/c-1', { storage }),
  );
  return { url, state: url.searchParams.get('state') ?? '' };
}

describe('OIDC authorization code flow with PKCE', () => {
  it('sends the browser to the issuer with a S256 challenge of the verifier it keeps, and no secret', async () => {
    const storage = new MemoryStorage();
    const { url, state } = await started(storage);
    expect(url.origin + url.pathname).toBe(discovery.authorization_endpoint);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'console-client',
      redirect_uri: redirectUri,
      scope: 'openid bridge/admin',
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.has('client_secret')).toBe(false);
    const pending = JSON.parse(storage.getItem('podero-console.sign-in') ?? '{}') as {
      verifier: string;
      state: string;
    };
    expect(pending.state).toBe(state);
    expect(url.searchParams.get('code_challenge')).toBe(await codeChallengeS256(pending.verifier));
  });

  it('exchanges the code with the verifier, and returns the token with its expiry and the route to go back to', async () => {
    const storage = new MemoryStorage();
    const { state } = await started(storage);
    const pending = JSON.parse(storage.getItem('podero-console.sign-in') ?? '{}') as { verifier: string };
    const { fetchImpl, calls } = fakeFetch(() =>
      json({ access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 }),
    );
    const signedIn = await completeSignIn(`?code=c0de&state=${state}`, discovery, settings, {
      fetch: fetchImpl,
      storage,
      now: () => 5_000,
    });
    expect(signedIn).toEqual({
      accessToken: 'at-1',
      expiresAt: 5_000 + 3_600_000,
      returnTo: '#/customers/c-1',
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe(discovery.token_endpoint);
    const body = new URLSearchParams(String(calls[0]?.init?.body));
    expect(Object.fromEntries(body)).toEqual({
      grant_type: 'authorization_code',
      code: 'c0de',
      redirect_uri: redirectUri,
      client_id: 'console-client',
      code_verifier: pending.verifier,
    });
    // One use: the attempt is gone, so the same answer cannot be replayed in this tab.
    await expect(
      completeSignIn(`?code=c0de&state=${state}`, discovery, settings, {
        fetch: fetchImpl,
        storage,
        now: () => 0,
      }),
    ).rejects.toThrow('no sign-in was started');
  });

  it('refuses an answer for another attempt, an issuer error, and a token answer without a bearer token', async () => {
    const deps = (fetchImpl: typeof fetch, storage: MemoryStorage) => ({
      fetch: fetchImpl,
      storage,
      now: () => 0,
    });
    const never = fakeFetch(() => json({})).fetchImpl;

    const forged = new MemoryStorage();
    await started(forged);
    await expect(
      completeSignIn('?code=x&state=forged-state-value', discovery, settings, deps(never, forged)),
    ).rejects.toThrow('does not belong to this sign-in');

    const refused = new MemoryStorage();
    const { state } = await started(refused);
    await expect(
      completeSignIn(
        `?error=access_denied&error_description=no+way&state=${state}`,
        discovery,
        settings,
        deps(never, refused),
      ),
    ).rejects.toThrow('refused the sign-in: no way');

    const odd = new MemoryStorage();
    const second = await started(odd);
    const mac = fakeFetch(() => json({ access_token: 'a', token_type: 'mac', expires_in: 60 })).fetchImpl;
    await expect(
      completeSignIn(`?code=x&state=${second.state}`, discovery, settings, deps(mac, odd)),
    ).rejects.toBeInstanceOf(SignInError);

    const failing = new MemoryStorage();
    const third = await started(failing);
    const status = fakeFetch(() => json({ error: 'invalid_grant' }, 400)).fetchImpl;
    await expect(
      completeSignIn(`?code=x&state=${third.state}`, discovery, settings, deps(status, failing)),
    ).rejects.toThrow('answered 400');
  });

  it('reads the discovery document at the issuer, and knows a callback when it sees one', async () => {
    const { fetchImpl, calls } = fakeFetch(() => json(discovery));
    expect(
      await discover({ ...settings, issuer: `${settings.issuer}/` }, { fetch: fetchImpl }),
    ).toMatchObject(discovery);
    expect(calls[0]?.url).toBe(`${settings.issuer}/.well-known/openid-configuration`);
    const broken = fakeFetch(() => json({ issuer: 'x' })).fetchImpl;
    await expect(discover(settings, { fetch: broken })).rejects.toThrow('no usable discovery document');
    expect(isSignInCallback('?code=a&state=b')).toBe(true);
    expect(isSignInCallback('?error=a&state=b')).toBe(true);
    expect(isSignInCallback('?code=a')).toBe(false);
    expect(isSignInCallback('')).toBe(false);
  });
});
