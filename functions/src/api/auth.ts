import * as z from 'zod';
import { ADMIN_SCOPE, type RouteAccess } from '../declarations';
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

// API Gateway passes claims as strings (arrays are flattened to "[a b]"); be tolerant of both.
const claimsSchema = z.looseObject({
  sub: z.string().min(1).optional(),
  scope: z.union([z.string(), z.array(z.string())]).optional(),
  scp: z.union([z.string(), z.array(z.string())]).optional(),
});

function scopesOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const raw = Array.isArray(value) ? value.join(' ') : value.replace(/^\[|\]$/g, '');
  return raw.split(/[\s,]+/).filter((s) => s.length > 0);
}

/** The caller from the authorizer claims, or undefined when there are none (or they are unusable). */
export function callerFromClaims(claims: unknown): Caller | undefined {
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) return undefined;
  const scopes = [...scopesOf(parsed.data.scope), ...scopesOf(parsed.data.scp)];
  const caller = { sub: parsed.data.sub, scopes, isAdmin: scopes.includes(ADMIN_SCOPE) };
  return caller.sub === undefined && !caller.isAdmin ? undefined : caller;
}

const unauthorized = () => new ApiError(401, 'unauthorized', 'a valid bearer token is required');
const forbidden = () => new ApiError(403, 'forbidden', 'this token may not access this resource');

/** 401 when a protected route has no usable claims. */
export function requireCaller(access: RouteAccess, caller: Caller | undefined): Caller | undefined {
  if (access === 'public') return caller;
  if (!caller) throw unauthorized();
  if (access === 'admin' && !caller.isAdmin) throw forbidden();
  return caller;
}

/** 403 unless the caller is an admin or the end user the request is about. */
export function authorizeSubject(
  access: RouteAccess,
  caller: Caller | undefined,
  subject: string | undefined,
): void {
  if (access !== 'self-or-admin') return;
  if (!caller) throw unauthorized();
  if (caller.isAdmin) return;
  if (subject === undefined || caller.sub !== subject) throw forbidden();
}
