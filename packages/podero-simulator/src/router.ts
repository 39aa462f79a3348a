/**
 * A tiny path-template router: `{name}` segments capture, everything else must match literally.
 * Route keys (`METHOD /template`) name routes in fault rules and counters.
 */
/** `api-secret`: an API route that takes no bearer token (a signed secret in the query authorises it). */
export type RouteKind = 'api' | 'api-secret' | 'oauth' | 'connect';

export interface RouteDefinition<H> {
  method: string;
  template: string;
  kind: RouteKind;
  handler: H;
  /** The mode value under which the route exists (a trading variant); absent: always. */
  mode?: string;
}

export interface RouteMatch<H> {
  route: RouteDefinition<H> & { key: string };
  params: Record<string, string>;
}

interface CompiledRoute<H> {
  route: RouteDefinition<H> & { key: string };
  segments: { literal: string | null; param: string | null }[];
  trailingSlash: boolean;
}

export class Router<H> {
  private readonly bySegmentCount = new Map<number, CompiledRoute<H>[]>();
  readonly keys = new Set<string>();

  constructor(routes: readonly RouteDefinition<H>[]) {
    for (const definition of routes) {
      const route = { ...definition, key: `${definition.method} ${definition.template}` };
      const parts = splitPath(definition.template);
      const segments = parts.map((part) =>
        part.startsWith('{') && part.endsWith('}')
          ? { literal: null, param: part.slice(1, -1) }
          : { literal: part, param: null },
      );
      const list = this.bySegmentCount.get(parts.length) ?? [];
      list.push({ route, segments, trailingSlash: definition.template.endsWith('/') });
      this.bySegmentCount.set(parts.length, list);
      this.keys.add(route.key);
    }
  }

  /** The matching route, `method_not_allowed` when only the path matches, or null. */
  match(
    method: string,
    path: string,
    /** Routes switched off by a mode are left out, as if unknown (404, not 405). */
    exists: (route: RouteDefinition<H>) => boolean = () => true,
  ): RouteMatch<H> | 'method_not_allowed' | null {
    const parts = splitPath(path);
    const candidates = this.bySegmentCount.get(parts.length);
    if (!candidates) return null;
    const trailingSlash = path.length > 1 && path.endsWith('/');
    let pathMatched = false;
    for (const candidate of candidates) {
      // Django does not fold trailing slashes: `/users/` is not `/users`, and the token URL needs its slash.
      if (candidate.trailingSlash !== trailingSlash || !exists(candidate.route)) continue;
      const params = matchSegments(candidate.segments, parts);
      if (!params) continue;
      // Literal matches win over captures, so list more specific templates first.
      if (candidate.route.method !== method) {
        pathMatched = true;
        continue;
      }
      return { route: candidate.route, params };
    }
    return pathMatched ? 'method_not_allowed' : null;
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part.length > 0);
}

function matchSegments(
  segments: readonly { literal: string | null; param: string | null }[],
  parts: readonly string[],
): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index];
    const part = parts[index];
    if (segment === undefined || part === undefined) return null;
    if (segment.literal !== null) {
      if (segment.literal !== part) return null;
    } else if (segment.param !== null) {
      try {
        params[segment.param] = decodeURIComponent(part);
      } catch {
        return null;
      }
    }
  }
  return params;
}
