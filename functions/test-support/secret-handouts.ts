/**
 * The routes whose answer is the one place a secret is shown (their `shownOnce` fields: a webhook secret, a
 * wallbox claim token, the auth-session URL of Podero's re-authentication), read from the route registry so
 * that the whole-suite leak capture (test/support/raw-http.ts) follows a new route without a second list.
 */
import { routeDeclarations } from '../src/declarations';
import { routeFor } from '../src/lambdas/api/routes';

export interface SecretHandout {
  readonly method: string;
  /** API Gateway path syntax (`{name}` for a path parameter). */
  readonly path: string;
  /** `METHOD /path` with any path parameter matched by one segment. */
  readonly pattern: RegExp;
  readonly shownOnce: readonly string[];
}

export function secretHandouts(): SecretHandout[] {
  return routeDeclarations.flatMap((declaration) => {
    const shownOnce = routeFor(declaration.operationId as Parameters<typeof routeFor>[0]).shownOnce ?? [];
    if (shownOnce.length === 0) return [];
    const path = declaration.path
      .split('/')
      .map((segment) =>
        /^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    return [
      {
        method: declaration.method,
        path: declaration.path,
        pattern: new RegExp(`^${declaration.method} ${path}$`),
        shownOnce,
      },
    ];
  });
}
