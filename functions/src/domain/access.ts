/**
 * The operator roles and the one access rule of every route, declared once: the handler applies it
 * (lambdas/api/auth.ts), API Gateway and the local gateway apply its scopes (`gatewayScopesFor`), the OpenAPI
 * document states it. Plain data and pure functions, so that declarations.ts (read by the CDK app) can hand it
 * on without pulling anything else; mutation-tested (`pnpm mutation`), since it guards every customer's data.
 */

/**
 * The operator roles, least first: each holds every right of the ones before it (admin implies support
 * implies viewer). A token holds a role when its `scope` (or `scp`) contains the role's scope.
 * - `viewer`: reads everything an operator page shows;
 * - `support`: a viewer who may also act on a customer's devices and connections (optimisation and the other
 *   device controls, a re-authentication link, an onboarding link);
 * - `admin`: everything (onboarding and offboarding customers, webhooks, energy contracts, trading).
 */
export const ROLES = ['viewer', 'support', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_SCOPES = {
  viewer: 'bridge/viewer',
  support: 'bridge/support',
  admin: 'bridge/admin',
} as const satisfies Record<Role, string>;
export const ADMIN_SCOPE = ROLE_SCOPES.admin;

/**
 * Who may call a route:
 * - `public`: no token (API Gateway route without authorizer);
 * - a role (`viewer`, `support`, `admin`): a token holding that role or a higher one;
 * - `self-or-<role>`: the same, or a token whose `sub` equals the `{external_user_id}` in the path (or, for
 *   `POST /users`, the `external_user_id` in the body): the end user acting on their own account.
 * Each route declares the least role it needs; `auth.ts` applies it in the handler, `gatewayScopesFor` at
 * the gateway.
 */
export type RouteAccess = 'public' | Role | `self-or-${Role}`;

/** The least role a route needs (undefined: public), and whether the end user it is about may call it. */
export function accessRule(access: RouteAccess): { role: Role; owner: boolean } | undefined {
  if (access === 'public') return undefined;
  const owner = access.startsWith('self-or-');
  return { role: (owner ? access.slice('self-or-'.length) : access) as Role, owner };
}

/** Whether a role holds every right of `required` (admin ⊇ support ⊇ viewer); no role (an end user's) holds none. */
export function roleCovers(held: Role | undefined, required: Role): boolean {
  const covering: readonly (Role | undefined)[] = ROLES.slice(ROLES.indexOf(required));
  return covering.includes(held);
}

/** The highest role a token's scopes hold, or undefined for none (an end user's token). */
export function roleOfScopes(scopes: readonly string[]): Role | undefined {
  return [...ROLES].reverse().find((role) => scopes.includes(ROLE_SCOPES[role]));
}

/**
 * The scopes API Gateway itself requires on a route (the HTTP API route's `authorizationScopes`: the token
 * must carry at least one, else the gateway answers 403 before the function runs): the scopes of the route's
 * role and of every higher one. A route the end user may also call (`self-or-<role>`) requires none there
 * (end users' tokens carry no role), and the handler decides. Infra and the local gateway both read this.
 */
export function gatewayScopesFor(access: RouteAccess): readonly string[] | undefined {
  const rule = accessRule(access);
  if (rule === undefined || rule.owner) return undefined;
  return ROLES.filter((role) => roleCovers(role, rule.role)).map((role) => ROLE_SCOPES[role]);
}
