/**
 * Access tokens: the OAuth2 client-credentials request and token providers.
 *
 * The client secret and the tokens never appear in an error or a log line: errors carry the
 * method, the path, the status and Podero's `detail` (e.g. `invalid_client`) only.
 */

import * as z from 'zod';
import { PoderoRequestError, toIssues } from './errors';
import { defaultFetch } from './node-http-fetch';
import { resolveRetryOptions } from './retry';
import { type TokenResponse, tokenResponseSchema } from './schemas';
import {
  defaultSleep,
  send,
  type TokenProvider,
  type TransportOptions,
  type TransportOverrides,
} from './transport';
import { normaliseBaseUrl, TOKEN_PATH } from './urls';

export type { TokenProvider } from './transport';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_USER_AGENT = 'podero-bridge-client/0.1';

/** The transport settings with every default filled in: one place for the client and the token request. */
export function resolveTransportOptions(overrides: TransportOverrides): TransportOptions {
  return {
    fetch: overrides.fetch ?? defaultFetch(),
    timeoutMs: overrides.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: resolveRetryOptions(overrides.retry),
    userAgent: overrides.userAgent ?? DEFAULT_USER_AGENT,
    sleep: overrides.sleep ?? defaultSleep,
    random: overrides.random ?? Math.random,
    ...(overrides.deadline ? { deadline: overrides.deadline } : {}),
    ...(overrides.observe ? { observe: overrides.observe } : {}),
    ...(overrides.span ? { span: overrides.span } : {}),
  };
}

export interface ClientCredentialsOptions extends TransportOverrides {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
}

const credentialsSchema = z.object({
  clientId: z.string().min(1, 'must not be empty'),
  clientSecret: z.string().min(1, 'must not be empty'),
  timeoutMs: z.number().int().positive().optional(),
});

/**
 * `POST /oauth2/token/` with HTTP Basic `client_id:client_secret` and the JSON body
 * `{"grant_type":"client_credentials"}`, as Podero documents it. Retried like an idempotent
 * request: a duplicate token request costs nothing.
 */
export async function requestClientCredentialsToken(opts: ClientCredentialsOptions): Promise<TokenResponse> {
  const checked = credentialsSchema.safeParse(opts);
  if (!checked.success) {
    const issues = toIssues(checked.error);
    // Only field names and rules: never the values.
    throw new PoderoRequestError(
      `Invalid token request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      {
        method: 'POST',
        path: TOKEN_PATH,
        issues,
      },
    );
  }
  const base = normaliseBaseUrl(opts.baseUrl);
  const basic = Buffer.from(`${opts.clientId}:${opts.clientSecret}`, 'utf8').toString('base64');
  return send(resolveTransportOptions(opts), {
    operation: 'oauth.token',
    method: 'POST',
    url: `${base}${TOKEN_PATH}`,
    path: TOKEN_PATH,
    auth: { kind: 'basic', value: basic },
    headers: { 'cache-control': 'no-cache' },
    body: { grant_type: 'client_credentials' },
    schema: tokenResponseSchema,
    replaySafe: true,
    hideBody: true,
  });
}

export interface ClientCredentialsTokenProviderOptions extends ClientCredentialsOptions {
  /** Refresh this long before `expires_in` runs out. Default 300. */
  refreshMarginSeconds?: number;
  /** Clock in epoch milliseconds (injectable for tests). */
  now?: () => number;
}

/**
 * Client-credentials tokens cached in memory. Concurrent callers share one in-flight request;
 * a token is renewed `refreshMarginSeconds` before it expires; `invalidate(t)` drops the cached
 * token only when it is `t` (a late 401 for an old token must not throw away a fresh one).
 */
export function createClientCredentialsTokenProvider(
  opts: ClientCredentialsTokenProviderOptions,
): TokenProvider {
  const marginMs = (opts.refreshMarginSeconds ?? 300) * 1000;
  const now = opts.now ?? Date.now;
  let cached: { token: string; refreshAtMs: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const response = await requestClientCredentialsToken(opts);
    const lifetimeMs = response.expires_in * 1000;
    // A margin longer than the token's life would refresh on every call: use half the life then.
    const effectiveMargin = Math.min(marginMs, lifetimeMs / 2);
    cached = { token: response.access_token, refreshAtMs: now() + lifetimeMs - effectiveMargin };
    return response.access_token;
  }

  return {
    getToken(): Promise<string> {
      if (cached && now() < cached.refreshAtMs) return Promise.resolve(cached.token);
      if (!inFlight) {
        inFlight = fetchToken().finally(() => {
          inFlight = undefined;
        });
      }
      return inFlight;
    },
    invalidate(rejectedToken: string): void {
      if (cached?.token === rejectedToken) cached = undefined;
    },
  };
}

/** A fixed token (scripts, tests). `invalidate` is a no-op, so a 401 is final. */
export function staticTokenProvider(token: string): TokenProvider {
  return {
    getToken: () => Promise.resolve(token),
    invalidate: () => undefined,
  };
}
