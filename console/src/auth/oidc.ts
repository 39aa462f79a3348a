import * as z from 'zod';
import type { OidcSettings } from '../config';
import { codeChallengeS256, randomUrlSafe } from './pkce';

/**
 * The authorization code flow with PKCE (RFC 7636) for a public client: no client secret exists, so none can
 * be in the bundle. The state binds the answer to this tab's attempt; the verifier proves the code is ours.
 */

const discoverySchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  end_session_endpoint: z.url().optional(),
});
export type Discovery = z.infer<typeof discoverySchema>;

const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'must be Bearer'),
  expires_in: z.number().int().positive(),
});

const pendingSchema = z.strictObject({
  state: z.string().min(16),
  verifier: z.string().min(43),
  redirect_uri: z.url(),
  return_to: z.string(),
});
type Pending = z.infer<typeof pendingSchema>;

const PENDING_KEY = 'podero-console.sign-in';

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

export interface OidcDeps {
  fetch: typeof fetch;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  now: () => number;
}

export async function discover(settings: OidcSettings, deps: Pick<OidcDeps, 'fetch'>): Promise<Discovery> {
  const url = `${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await deps.fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new SignInError(`the issuer's discovery document answered ${response.status}`);
  const parsed = discoverySchema.safeParse(await response.json());
  if (!parsed.success) throw new SignInError('the issuer published no usable discovery document');
  return parsed.data;
}

/** Where to send the browser to sign in; remembers the attempt (state, verifier) for `completeSignIn`. */
export async function authorizationUrl(
  settings: OidcSettings,
  discovery: Discovery,
  redirectUri: string,
  returnTo: string,
  deps: Pick<OidcDeps, 'storage'>,
): Promise<string> {
  const pending: Pending = {
    state: randomUrlSafe(),
    verifier: randomUrlSafe(),
    redirect_uri: redirectUri,
    return_to: returnTo,
  };
  deps.storage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: settings.client_id,
    redirect_uri: redirectUri,
    scope: settings.scopes.join(' '),
    state: pending.state,
    code_challenge: await codeChallengeS256(pending.verifier),
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

/** True when the page was opened by the issuer's redirect (a code or an error, with a state). */
export function isSignInCallback(search: string): boolean {
  const params = new URLSearchParams(search);
  return params.has('state') && (params.has('code') || params.has('error'));
}

export interface SignedIn {
  accessToken: string;
  expiresAt: number;
  /** The console route the operator was on before signing in. */
  returnTo: string;
}

/** Exchanges the code the issuer returned, after checking that it answers this tab's own attempt. */
export async function completeSignIn(
  search: string,
  discovery: Discovery,
  settings: OidcSettings,
  deps: OidcDeps,
): Promise<SignedIn> {
  const params = new URLSearchParams(search);
  const raw = deps.storage.getItem(PENDING_KEY);
  deps.storage.removeItem(PENDING_KEY);
  let pending: Pending | undefined;
  try {
    pending = raw === null ? undefined : pendingSchema.parse(JSON.parse(raw));
  } catch {
    pending = undefined;
  }
  if (pending === undefined) throw new SignInError('no sign-in was started in this tab');
  if (params.get('state') !== pending.state)
    throw new SignInError('the answer does not belong to this sign-in');
  const error = params.get('error');
  if (error !== null) {
    throw new SignInError(`the issuer refused the sign-in: ${params.get('error_description') ?? error}`);
  }
  const code = params.get('code');
  if (code === null || code.length === 0) throw new SignInError('the issuer returned no code');
  const response = await deps.fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: pending.redirect_uri,
      client_id: settings.client_id,
      code_verifier: pending.verifier,
    }).toString(),
  });
  if (!response.ok) throw new SignInError(`the token endpoint answered ${response.status}`);
  const token = tokenResponseSchema.safeParse(await response.json());
  if (!token.success) throw new SignInError('the token endpoint answered without a bearer access token');
  return {
    accessToken: token.data.access_token,
    expiresAt: deps.now() + token.data.expires_in * 1000,
    returnTo: pending.return_to,
  };
}
