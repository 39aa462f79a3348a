/**
 * The rule for endpoints that need no token because only this machine should reach them: the simulator's
 * control plane (`/__sim/`) and the local stack's `/__local/` (its console sign-in among them). Here
 * because the simulator may import nothing of this repo, while the local stack may import the simulator.
 *
 * - DNS rebinding: a page on `evil.example` whose name is made to resolve to 127.0.0.1 is same-origin with
 *   itself, so the browser sends `Host: evil.example:<port>` (and a matching `Origin`). A request is
 *   answered only when `Host` names this server: its bound address, a loopback name, or (bound to every
 *   interface) an IP literal. No rebinding name is an IP literal.
 * - Cross-site requests: any page may send a "simple" POST (a form, `text/plain`) without a preflight. A
 *   state-changing request from a browser must come from this server's own origin. Tools (curl, Node's
 *   fetch, the tests) send neither `Origin` nor `Sec-Fetch-Site` and are not affected.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

/** Where the server listens: the host it was asked to bind (name or address) and its real port. */
export interface BoundAddress {
  readonly host: string;
  readonly port: number;
}

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const EVERY_INTERFACE = new Set(['0.0.0.0', '[::]']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What a browser says of a request its own user made (`none`) or this origin's page made. */
const OWN_FETCH_SITES = new Set(['same-origin', 'none']);

/** Why the request must be refused (for the log: it never repeats a header's value), or undefined. */
export function localOnlyRefusal(
  method: string,
  headers: IncomingHttpHeaders,
  bound: BoundAddress,
): string | undefined {
  const own = ownUrl(headers.host, bound);
  if (own === undefined) return 'the Host header does not name this server';
  if (SAFE_METHODS.has(method.toUpperCase())) return undefined;
  if (headers.origin !== undefined && headers.origin !== own.origin) {
    return 'a state-changing request from another origin';
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && !(typeof site === 'string' && OWN_FETCH_SITES.has(site))) {
    return 'a state-changing request from another site';
  }
  return undefined;
}

/** The URL `Host` gives this server, or undefined when it names another one (or is not a bare host:port). */
function ownUrl(host: string | undefined, bound: BoundAddress): URL | undefined {
  if (host === undefined) return undefined;
  const url = parseHost(host);
  // Exactly `host[:port]` as URL spells it: no user info, path, or number forms such as `127.1`.
  if (url === undefined || url.host !== host.toLowerCase()) return undefined;
  if (Number(url.port || '80') !== bound.port) return undefined;
  const boundName = parseHost(isIP(bound.host) === 6 ? `[${bound.host}]` : bound.host)?.hostname;
  const name = url.hostname;
  const ours =
    LOOPBACK_HOSTNAMES.has(name) ||
    name === boundName ||
    (boundName !== undefined && EVERY_INTERFACE.has(boundName) && isIP(name.replace(/^\[|\]$/g, '')) !== 0);
  return ours ? url : undefined;
}

function parseHost(host: string): URL | undefined {
  try {
    return new URL(`http://${host}`);
  } catch {
    return undefined;
  }
}
