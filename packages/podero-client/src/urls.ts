/** Where Podero's paths live, relative to the host. */
export const API_PREFIX = '/api/partners/v2.0';
/** django-oauth-toolkit's token endpoint: outside the API prefix, and the trailing slash matters. */
export const TOKEN_PATH = '/oauth2/token/';

/**
 * Normalises a base URL: `https://app.podero.com`, `https://app.podero.com/` and even
 * `https://app.podero.com/api/partners/v2.0/` all become `https://app.podero.com`.
 * A path prefix (e.g. behind a proxy) is kept. Throws a TypeError naming `baseUrl` when invalid.
 */
export function normaliseBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError('baseUrl: must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('baseUrl: must be an absolute http(s) URL');
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new TypeError('baseUrl: must not contain a query, fragment or credentials');
  }
  let path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith(API_PREFIX)) path = path.slice(0, -API_PREFIX.length);
  return `${url.origin}${path}`;
}

export type QueryValue = string | number | boolean | Date | readonly (string | number)[] | undefined;

/**
 * Builds `path?query`. Lists are comma-separated as Podero documents (`keywords=savings,consumption`);
 * commas are kept literal, every other reserved character is percent-encoded.
 */
export function withQuery(path: string, query: Record<string, QueryValue> = {}): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    let text: string;
    if (value instanceof Date) text = value.toISOString();
    else if (Array.isArray(value)) text = value.map(String).join(',');
    else text = String(value);
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text).replace(/%2C/gi, ',')}`);
  }
  return parts.length > 0 ? `${path}?${parts.join('&')}` : path;
}

/** `.` or `..`, literally or percent-encoded: a URL parser removes such a segment. */
export function isDotSegment(value: string): boolean {
  return /^(?:\.|%2e){1,2}$/i.test(value);
}

/**
 * One encoded path segment. Every caller validates its ids first; this refuses a dot segment anyway,
 * because no encoding survives URL normalisation (`%2E%2E` is `..` to a URL parser).
 */
export function segment(value: string): string {
  if (isDotSegment(value)) throw new TypeError('a path segment must not be "." or ".."');
  return encodeURIComponent(value);
}
