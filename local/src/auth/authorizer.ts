import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';

/**
 * A local stand-in for API Gateway's HTTP API JWT authorizer: the token comes from the
 * Authorization header (an optional `Bearer ` prefix is stripped, as API Gateway does), its
 * signature is checked against a JWKS (RSA only, as API Gateway's HTTP API authorizer: `alg: none`, HS* and
 * ES* are refused), `iss`
 * must equal the issuer, `aud` must contain the audience, and `exp`/`nbf` are checked with a small
 * clock skew. Claims reach the handler as strings, the way API Gateway passes them.
 */

export interface JwtAuthorizerOptions {
  jwks: JSONWebKeySet;
  issuer: string;
  audience: string;
  /** Tolerated clock skew for exp/nbf; default 30 s. */
  clockToleranceSeconds?: number;
  now?: () => Date;
}

export type AuthorizerResult =
  | { ok: true; claims: Record<string, string>; scopes: string[] }
  | { ok: false; reason: string };

export type JwtAuthorizer = (authorizationHeader: string | undefined) => Promise<AuthorizerResult>;

/** API Gateway's HTTP API JWT authorizer: "Currently, only RSA-based algorithms are supported." */
const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512'];

/** API Gateway renders claim values as strings; arrays as `[a b]`, objects as JSON. */
export function claimsAsApiGatewayStrings(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') claims[name] = value;
    else if (Array.isArray(value)) claims[name] = `[${value.map((v) => String(v)).join(' ')}]`;
    else if (typeof value === 'object') claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}

/**
 * The token's scopes as API Gateway reads them to check a route's authorization scopes: from the `scope`
 * or `scp` claim, a string split on spaces or an array's string items.
 */
function scopesOf(claim: unknown): string[] {
  if (typeof claim === 'string') return claim.split(' ').filter(Boolean);
  return Array.isArray(claim) ? claim.filter((item): item is string => typeof item === 'string') : [];
}

export function createJwtAuthorizer(options: JwtAuthorizerOptions): JwtAuthorizer {
  const { issuer, audience, clockToleranceSeconds = 30, now = () => new Date() } = options;
  const keySet = createLocalJWKSet(options.jwks);
  return async (header) => {
    if (header === undefined || header.trim() === '')
      return { ok: false, reason: 'missing Authorization header' };
    const token = header.replace(/^Bearer\s+/i, '').trim();
    if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) return { ok: false, reason: 'malformed token' };
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer,
        audience,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: clockToleranceSeconds,
        currentDate: now(),
        requiredClaims: ['exp'],
      });
      const scopes = [...scopesOf(payload.scope), ...scopesOf(payload.scp)];
      return { ok: true, claims: claimsAsApiGatewayStrings(payload), scopes };
    } catch (error) {
      // The reason is for the local gateway's log only; the caller just gets 401 Unauthorized.
      const code = (error as { code?: unknown }).code;
      return { ok: false, reason: typeof code === 'string' ? code : 'invalid token' };
    }
  };
}
