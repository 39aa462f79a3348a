import type { RouteDeclaration } from '@podero-bridge/functions/declarations';

/** A declared route with its path template compiled for matching. */
export interface CompiledRoute<R extends RouteDeclaration = RouteDeclaration> {
  readonly route: R;
  /** API Gateway's route key, e.g. `GET /users/{external_user_id}`. */
  readonly routeKey: string;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
}

export interface RouteMatch<R extends RouteDeclaration = RouteDeclaration> {
  readonly route: R;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileRoutes<R extends RouteDeclaration>(routes: readonly R[]): CompiledRoute<R>[] {
  return routes.map((route) => {
    const parameterNames: string[] = [];
    // `{name}` matches exactly one path segment, like an API Gateway path variable (no greedy `+`).
    const source = route.path
      .split(/(\{[A-Za-z0-9_]+\})/)
      .map((part) => {
        const name = /^\{([A-Za-z0-9_]+)\}$/.exec(part)?.[1];
        if (name === undefined) return escapeRegExp(part);
        parameterNames.push(name);
        return '([^/]+)';
      })
      .join('');
    return {
      route,
      routeKey: `${route.method} ${route.path}`,
      pattern: new RegExp(`^${source}$`),
      parameterNames,
    };
  });
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    // API Gateway passes an undecodable segment through unchanged rather than failing the request.
    return raw;
  }
}

/**
 * Finds the declared route for a method and raw (still percent-encoded) path. Literal paths win
 * over templated ones, as in API Gateway's "most specific route" rule. Path parameters are
 * percent-decoded, as API Gateway passes them to the integration.
 */
export function matchRoute<R extends RouteDeclaration>(
  compiled: readonly CompiledRoute<R>[],
  method: string,
  rawPath: string,
): RouteMatch<R> | undefined {
  const candidates = compiled
    .filter((c) => c.route.method === method.toUpperCase())
    .sort((a, b) => a.parameterNames.length - b.parameterNames.length);
  for (const candidate of candidates) {
    const found = candidate.pattern.exec(rawPath);
    if (found === null) continue;
    const pathParameters: Record<string, string> = {};
    candidate.parameterNames.forEach((name, index) => {
      pathParameters[name] = decodeSegment(found[index + 1] ?? '');
    });
    return { route: candidate.route, routeKey: candidate.routeKey, pathParameters };
  }
  return undefined;
}
