import { decodeJwt, type JWTPayload } from 'jose';
import * as z from 'zod';
import { accessRule, type Role, type RouteAccess, roleCovers, roleOfScopes } from '../../declarations';
import { ApiError } from './http';

/**
 * Who is calling. API Gateway's JWT authorizer has already verified the token (signature, issuer,
 * audience, expiry) and hands us its claims; we only apply the access rules from declarations.ts.
 */
export interface Caller {
  readonly sub: string | undefined;
  readonly scopes: readonly string[];
  /** The highest operator role the scopes hold (declarations.ts `ROLES`); undefined for an end user. */
  readonly role: Role | undefined;
}

// API Gateway passes every claim as a string, and flattens an array claim to "[a b]".
const claimsSchema = z.looseObject({
  sub: z.string().min(1).optional(),
  scope: z.union([z.string(), z.array(z.string())]).optional(),
  scp: z.union([z.string(), z.array(z.string())]).optional(),
});
type ScopeClaim = z.output<typeof claimsSchema>['scope'];

const scopeArraySchema = z.array(z.string());

/**
 * The payload of the bearer token API Gateway verified (its identity source is this header), or an empty
 * object when there is none or it does not decode. Decoded, not verified: API Gateway has verified it, and
 * it is only consulted to tell an array claim from a string claim (`scopeClaim`), never for more.
 * `decodeJwt` reads only the payload segment, so the `Bearer ` before the header segment may stay.
 */
function issuedClaims(authorization: string | undefined): JWTPayload {
  // Stryker disable next-line ConditionalExpression: equivalent, decodeJwt(undefined) throws into the catch too.
  if (authorization === undefined) return {};
  try {
    return decodeJwt(authorization);
  } catch {
    return {};
  }
}

/** RFC 6749 §3.3: scope tokens are separated by single spaces; `,` and `[` are legal inside a token. */
const splitScopeString = (value: string): string[] => value.split(' ').filter((s) => s.length > 0);

/**
 * One scope claim (`scope` or `scp`). A string is split on spaces and never unwrapped: `"[bridge/admin]"`
 * and `"bridge/user,bridge/admin"` are single scopes that are not the admin scope (Cognito allows both
 * characters in custom scope names). API Gateway hands an array claim (Okta's `scp`) over flattened as
 * `"[a b]"`, which an issuer can also write as a string, so the claims alone cannot tell them apart: the
 * brackets are unwrapped only when the verified token itself holds an array that API Gateway renders as
 * exactly the string it passed.
 */
function scopeClaim(passed: ScopeClaim, issued: unknown): string[] {
  if (passed === undefined) return [];
  if (Array.isArray(passed)) return passed;
  const issuedArray = scopeArraySchema.safeParse(issued);
  if (issuedArray.success && `[${issuedArray.data.join(' ')}]` === passed) return issuedArray.data;
  return splitScopeString(passed);
}

/**
 * The caller from the authorizer claims, or undefined when there are none (or they are unusable).
 * `authorization` is the request's Authorization header, the token API Gateway verified.
 */
export function callerFromClaims(claims: unknown, authorization?: string): Caller | undefined {
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) return undefined;
  const issued = issuedClaims(authorization);
  const scopes = [...scopeClaim(parsed.data.scope, issued.scope), ...scopeClaim(parsed.data.scp, issued.scp)];
  const caller = { sub: parsed.data.sub, scopes, role: roleOfScopes(scopes) };
  return caller.sub === undefined && caller.role === undefined ? undefined : caller;
}

const unauthorized = () => new ApiError(401, 'unauthorized', 'a valid bearer token is required');
const forbidden = () => new ApiError(403, 'forbidden', 'this token may not access this resource');

/**
 * The one authorization step of every request (declarations.ts `RouteAccess`): public routes let anyone
 * in; a protected route without usable claims is 401; a caller whose role covers the route's role passes;
 * on a `self-or-<role>` route so does a caller whose `sub` equals the end user the request is about; anyone
 * else is 403.
 */
export function authorize(
  access: RouteAccess,
  caller: Caller | undefined,
  subject: string | undefined,
): Caller | undefined {
  const rule = accessRule(access);
  if (rule === undefined) return caller;
  if (!caller) throw unauthorized();
  if (roleCovers(caller.role, rule.role)) return caller;
  if (!rule.owner || subject === undefined || caller.sub !== subject) throw forbidden();
  return caller;
}
