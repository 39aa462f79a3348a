import * as z from 'zod';
import type { ConsoleConfig } from '../config';
import { authorizationUrl, completeSignIn, discover, isSignInCallback, type OidcDeps } from './oidc';
import { ROLES, type Role } from './role';
import { TokenStore } from './token-store';

/** The signed-in operator, as the API client sees it: a bearer token whenever a request needs one. */
export interface Session {
  readonly mode: ConsoleConfig['auth']['mode'];
  accessToken(): Promise<string>;
  /** The stored token is no good (the API answered 401): forget it, so the next request signs in again. */
  invalidate(): void;
  signOut(): void;
}

export interface BrowserDeps extends OidcDeps {
  location: Pick<Location, 'origin' | 'pathname' | 'search' | 'hash'>;
  /** Leaves the page (the issuer's sign-in); the promise never settles. */
  navigate(url: string): Promise<never>;
  /** Drops the callback's ?code=&state= from the address bar, keeping the route. */
  replaceUrl(url: string): void;
}

/** The local stack's sign-in may mint any role: which one this tab asked for (admin unless it chose). */
export const DEV_ROLE_KEY = 'podero-console.dev-role';
const devRoleSchema = z.enum(ROLES).catch('admin');
export const devRoleOf = (storage: Pick<Storage, 'getItem'>): Role =>
  devRoleSchema.parse(storage.getItem(DEV_ROLE_KEY) ?? undefined);

const devSessionSchema = z.strictObject({ access_token: z.string().min(1), expires_at: z.iso.datetime() });

/**
 * Local stack: a short-lived token of the chosen role (`DEV_ROLE_KEY`) from the stack itself. A POST with a JSON body, so that another
 * origin's page cannot have the browser mint one without a CORS preflight the stack never grants.
 */
function devSession(
  config: ConsoleConfig & { auth: { mode: 'dev' } },
  deps: BrowserDeps,
  store: TokenStore,
): Session {
  return {
    mode: 'dev',
    async accessToken() {
      const current = store.current();
      if (current !== undefined) return current;
      const response = await deps.fetch(config.auth.session_url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ role: devRoleOf(deps.storage) }),
      });
      if (!response.ok) throw new Error(`the local stack refused a console session (${response.status})`);
      const session = devSessionSchema.parse(await response.json());
      store.save(session.access_token, Date.parse(session.expires_at));
      return session.access_token;
    },
    invalidate: () => store.clear(),
    signOut: () => store.clear(),
  };
}

function oidcSession(
  config: ConsoleConfig & { auth: { mode: 'oidc' } },
  deps: BrowserDeps,
  store: TokenStore,
): Session {
  const redirectUri = `${deps.location.origin}${deps.location.pathname}`;
  return {
    mode: 'oidc',
    async accessToken() {
      const current = store.current();
      if (current !== undefined) return current;
      const discovery = await discover(config.auth, deps);
      return deps.navigate(
        await authorizationUrl(config.auth, discovery, redirectUri, deps.location.hash, deps),
      );
    },
    invalidate: () => store.clear(),
    signOut: () => store.clear(),
  };
}

/** The session for this page; on the issuer's redirect back it first completes the sign-in. */
export async function startSession(config: ConsoleConfig, deps: BrowserDeps): Promise<Session> {
  const store = new TokenStore(deps.storage, deps.now);
  if (config.auth.mode === 'dev') return devSession({ ...config, auth: config.auth }, deps, store);
  const session = oidcSession({ ...config, auth: config.auth }, deps, store);
  if (isSignInCallback(deps.location.search)) {
    const discovery = await discover(config.auth, deps);
    const signedIn = await completeSignIn(deps.location.search, discovery, config.auth, deps);
    store.save(signedIn.accessToken, signedIn.expiresAt);
    deps.replaceUrl(`${deps.location.pathname}${signedIn.returnTo}`);
  }
  return session;
}
