import { describe, expect, it } from 'vitest';
import type { ConsoleConfig } from '../config';
import { MemoryStorage } from './memory-storage';
import { type BrowserDeps, DEV_ROLE_KEY, startSession } from './session';

const links = {
  onboarding_success_url: 'https://app.example.com/ok',
  onboarding_cancel_url: 'https://app.example.com/cancel',
  reauthentication_success_url: 'https://app.example.com/ok',
  reauthentication_cancel_url: 'https://app.example.com/cancel',
};

class Navigated extends Error {
  constructor(readonly url: string) {
    super(url);
  }
}

function browser(
  fetchImpl: (url: string, init?: RequestInit) => Response,
  search = '',
  storage = new MemoryStorage(),
) {
  const replaced: string[] = [];
  const fetched: string[] = [];
  const deps: BrowserDeps = {
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      fetched.push(String(input));
      return fetchImpl(String(input), init);
    }) as typeof fetch,
    storage,
    now: () => 1_000_000,
    location: { origin: 'https://console.example.com', pathname: '/', search, hash: '#/customers/c-1' },
    navigate: async (url) => {
      throw new Navigated(url);
    },
    replaceUrl: (url) => replaced.push(url),
  };
  return { deps, replaced, fetched, storage };
}

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });

describe('sessions', () => {
  it('dev: mints one token at the stack, reuses it, and mints again once the API refused it', async () => {
    const config: ConsoleConfig = {
      stage: 'local',
      api_url: '',
      auth: { mode: 'dev', session_url: '/s' },
      customer_links: links,
    };
    let minted = 0;
    const { deps, fetched } = browser((url, init) => {
      expect(url).toBe('/s');
      expect(init?.method).toBe('POST');
      expect(new Headers(init?.headers).get('content-type')).toBe('application/json');
      minted++;
      return json({ access_token: `t${minted}`, expires_at: new Date(1_000_000 + 3_600_000).toISOString() });
    });
    const session = await startSession(config, deps);
    expect(await session.accessToken()).toBe('t1');
    expect(await session.accessToken()).toBe('t1');
    session.invalidate();
    expect(await session.accessToken()).toBe('t2');
    expect(fetched).toHaveLength(2);
  });

  it('dev: asks the stack for the role this tab chose, admin when it chose none or something else', async () => {
    const config: ConsoleConfig = {
      stage: 'local',
      api_url: '',
      auth: { mode: 'dev', session_url: '/s' },
      customer_links: links,
    };
    const asked: unknown[] = [];
    const storage = new MemoryStorage();
    const { deps } = browser(
      (_url, init) => {
        asked.push(JSON.parse(String(init?.body)));
        return json({ access_token: 't', expires_at: new Date(1_000_000 + 3_600_000).toISOString() });
      },
      '',
      storage,
    );
    for (const chosen of [undefined, 'viewer', 'support', 'root']) {
      if (chosen !== undefined) storage.setItem(DEV_ROLE_KEY, chosen);
      const session = await startSession(config, deps);
      session.signOut();
      await session.accessToken();
    }
    expect(asked).toEqual([{ role: 'admin' }, { role: 'viewer' }, { role: 'support' }, { role: 'admin' }]);
  });

  it('oidc: with no token it leaves for the issuer; back with a code it keeps the token and restores the route', async () => {
    const config: ConsoleConfig = {
      stage: 'prod',
      api_url: 'https://api.example.com',
      auth: { mode: 'oidc', issuer: 'https://issuer.example.com', client_id: 'console', scopes: ['openid'] },
      customer_links: links,
    };
    const discovery = {
      issuer: 'https://issuer.example.com',
      authorization_endpoint: 'https://issuer.example.com/authorize',
      token_endpoint: 'https://issuer.example.com/token',
    };
    const issuer = (url: string) =>
      url.endsWith('/.well-known/openid-configuration')
        ? json(discovery)
        : json({ access_token: 'oidc-token', token_type: 'Bearer', expires_in: 3600 });
    const first = browser(issuer);
    const session = await startSession(config, first.deps);
    const left = await session.accessToken().catch((e: unknown) => e);
    expect(left).toBeInstanceOf(Navigated);
    const authorize = new URL((left as Navigated).url);
    expect(authorize.origin + authorize.pathname).toBe(discovery.authorization_endpoint);

    const back = browser(issuer, `?code=abc&state=${authorize.searchParams.get('state')}`, first.storage);
    const signedIn = await startSession(config, back.deps);
    expect(await signedIn.accessToken()).toBe('oidc-token');
    expect(back.replaced).toEqual(['/#/customers/c-1']);
  });
});
