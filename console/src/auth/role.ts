import * as z from 'zod';

/**
 * The signed-in operator's role, read from the access token's scopes, and what each role may do here. The
 * API decides (functions/src/declarations.ts `RouteAccess`, each operation's role in the OpenAPI document);
 * the console only hides what the API would refuse, so an agent is never offered a button that answers 403.
 * The console imports nothing but the API client, hence this short restatement of the roles' order.
 */
export const ROLES = ['viewer', 'support', 'admin'] as const;
export type Role = (typeof ROLES)[number];
const ROLE_SCOPES: Record<Role, string> = {
  viewer: 'bridge/viewer',
  support: 'bridge/support',
  admin: 'bridge/admin',
};

const scopeClaimSchema = z.union([z.string(), z.array(z.string())]).optional();
const payloadSchema = z.looseObject({ scope: scopeClaimSchema, scp: scopeClaimSchema });

const scopesOf = (claim: z.output<typeof scopeClaimSchema>): string[] =>
  claim === undefined ? [] : Array.isArray(claim) ? claim : claim.split(' ').filter(Boolean);

/**
 * The highest role among a token's scopes (`scope` or `scp`), or undefined when it holds none or does not
 * decode. Decoded, not verified: the API verifies every request; this only decides what to show.
 */
export function roleOfToken(token: string): Role | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  let claims: z.ZodSafeParseResult<z.output<typeof payloadSchema>>;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    claims = payloadSchema.safeParse(
      JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))),
    );
  } catch {
    return undefined;
  }
  if (!claims.success) return undefined;
  const scopes = [...scopesOf(claims.data.scope), ...scopesOf(claims.data.scp)];
  return [...ROLES].reverse().find((role) => scopes.includes(ROLE_SCOPES[role]));
}

/** Whether a signed-in role holds every right of `needed` (admin ⊇ support ⊇ viewer). */
export function may(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
