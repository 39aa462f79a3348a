/**
 * Where the API may send an end user's browser back to: the re-authentication's `success_url` and
 * `cancel_url`. The public callback answers on the partner's own API domain, so a URL the caller could pick
 * freely would make that domain an open redirect (to a phishing page, or to an internal address). Only the
 * stage's configured origins are accepted, compared exactly (scheme, host and port, as the URL standard
 * normalises them), plus loopback pages in the local stage.
 */

export interface ReturnUrlRules {
  /** Origins as the URL standard writes them (`https://app.partner.example`), checked at config load. */
  readonly origins: readonly string[];
  /** The local stage: http(s)://127.0.0.1, localhost or [::1], on any port. */
  readonly allowLoopback: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_CHARACTERS = /[\u0000-\u0020\u007f\\]/;
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why `url` may not be a return URL, or null when it may. */
export function returnUrlProblem(url: string, rules: ReturnUrlRules): string | null {
  // The URL goes out as a Location header: a CR or LF would split it, and a backslash or a control character is
  // read differently by a URL parser and by whoever reads the stored string.
  if (UNSAFE_CHARACTERS.test(url)) return 'must not contain control characters, white space or backslashes';
  if (!URL.canParse(url)) return 'must be an absolute URL';
  const parsed = new URL(url);
  // `https://app.partner.example@evil.example` is evil.example's; a user part has no business here either way.
  if (parsed.username !== '' || parsed.password !== '') return 'must not contain a user name or password';
  if (rules.origins.includes(parsed.origin)) return null;
  const web = parsed.protocol === 'https:' || parsed.protocol === 'http:';
  if (rules.allowLoopback && web && LOOPBACK_HOSTS.has(parsed.hostname)) return null;
  return 'must be on an origin this stage allows for return URLs';
}
