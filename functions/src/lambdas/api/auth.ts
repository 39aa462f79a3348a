import * as z from 'zod';
import { ADMIN_SCOPE, type RouteAccess } from '../../declarations';
import { ApiError } from './http';

/**
 * Who is calling. API Gateway's JWT authorizer has already verified the token (signature, issuer,
 * audience, expiry) and hands us its claims; we only apply the access rules from declarations.ts.
 */
export interface Caller {
  readonly sub: string | undefined;
  readonly scopes: readonly string[];
  readonly isAdmin: boolean;
}

// API Gateway passes every claim as a string, and flattens an array claim to "[a b]".
const claimsSchema = z.looseObject({
  sub: z.string().min(1).optional(),
  scope: z.union([z.string(), z.array(z.string())]).optional(),
  scp: z.union([z.string(), z.array(z.string())]).optional(),
});

/** RFC 6749 §3.3: scope tokens are separated by single spaces; `,` and `[` are legal inside a token. */
const splitScopeString = (value: string): string[] => value.split(' ').filter((s) => s.length > 0);

/**
 * `scope` is the standard claim: a space-separated string, never unwrapped, so `"[bridge/admin]"` and
 * `"bridge/user,bridge/admin"` are single scopes that are not the admin scope (Cognito allows both
 * characters in custom scope names). `scp` is the array claim some issuers (Okta, Entra ID) use, which
 * API Gateway hands over flattened as `"[a b]"`: only there are the brackets API Gateway's, not the issuer's.
 */
function scopesOf(claims: z.output<typeof claimsSchema>): string[] {
  const scope = claims.scope;
  const scp = claims.scp;
  const fromScope = scope === undefined ? [] : Array.isArray(scope) ? scope : splitScopeString(scope);
  const fromScp =
    scp === undefined
      ? []
      : Array.isArray(scp)
        ? scp
        : splitScopeString(scp.startsWith('[') && scp.endsWith(']') ? scp.slice(1, -1) : scp);
  return [...fromScope, ...fromScp];
}

/** The caller from the authorizer claims, or undefined when there are none (or they are unusable). */
export function callerFromClaims(claims: unknown): Caller | undefined {
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) return undefined;
  const scopes = scopesOf(parsed.data);
  const caller = { sub: parsed.data.sub, scopes, isAdmin: scopes.includes(ADMIN_SCOPE) };
  return caller.sub === undefined && !caller.isAdmin ? undefined : caller;
}

const unauthorized = () => new ApiError(401, 'unauthorized', 'a valid bearer token is required');
const forbidden = () => new ApiError(403, 'forbidden', 'this token may not access this resource');

/**
 * The one authorization step of every request (declarations.ts `RouteAccess`): public routes let anyone
 * in; a protected route without usable claims is 401; `admin` needs the admin scope; `self-or-admin`
 * needs the admin scope or a `sub` equal to the end user the request is about (403 otherwise).
 */
export function authorize(
  access: RouteAccess,
  caller: Caller | undefined,
  subject: string | undefined,
): Caller | undefined {
  if (access === 'public') return caller;
  if (!caller) throw unauthorized();
  if (caller.isAdmin) return caller;
  if (access === 'admin') throw forbidden();
  if (subject === undefined || caller.sub !== subject) throw forbidden();
  return caller;
}
