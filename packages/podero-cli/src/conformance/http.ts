/**
 * The probe's own HTTP: raw requests, so that it can send what the typed client never would (a wrong token,
 * a trailing slash, a body that breaks the schema) and see Podero's answer as it is. Every answer's
 * rate-limit headers are remembered for the `rate-limit.headers` check. Tokens never leave this module in
 * an observation.
 */
import type { FetchLike } from '@podero-bridge/podero-client';

export interface RawAnswer {
  status: number;
  text: string;
  json: unknown;
  header(name: string): string | null;
}

/** Header names that announce a rate limit (IETF draft, GitHub/Stripe style); Retry-After is separate. */
export const RATE_LIMIT_HEADERS = [
  'ratelimit',
  'ratelimit-policy',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
] as const;

export class ProbeHttp {
  /** Rate-limit header names seen on any answer. */
  readonly rateLimitHeadersSeen = new Set<string>();
  bearer: string | undefined;

  constructor(
    private readonly fetch: FetchLike,
    readonly baseUrl: string,
    readonly orgId: string,
  ) {}

  /** `path` is relative to the host (`/oauth2/token/`) or, starting with `api:`, to the API prefix. */
  async request(
    method: string,
    path: string,
    options: { body?: unknown; authorization?: string | null; contentType?: string } = {},
  ): Promise<RawAnswer> {
    const url = path.startsWith('api:')
      ? `${this.baseUrl}/api/partners/v2.0${path.slice(4)}`
      : `${this.baseUrl}${path}`;
    const authorization =
      options.authorization === undefined
        ? this.bearer === undefined
          ? undefined
          : `Bearer ${this.bearer}`
        : (options.authorization ?? undefined);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': 'podero-conformance/0.1',
    };
    if (authorization !== undefined) headers.authorization = authorization;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const response = await this.fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    for (const name of RATE_LIMIT_HEADERS)
      if (response.headers.get(name) !== null) this.rateLimitHeadersSeen.add(name);
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json, header: (name) => response.headers.get(name) };
  }

  /** `/org/{org_id}` + rest, under the API prefix. */
  org(rest: string): string {
    return `api:/org/${this.orgId}${rest}`;
  }
}

export function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

/** A one-line description of an answer for the report: status and, for JSON objects, their keys. */
export function describeAnswer(answer: RawAnswer): string {
  if (answer.json !== null && typeof answer.json === 'object') {
    const keys = Array.isArray(answer.json)
      ? `array of ${answer.json.length}`
      : `keys ${Object.keys(answer.json).join(',')}`;
    return `${answer.status} (${keys})`;
  }
  return `${answer.status} (${answer.text === '' ? 'empty' : 'not JSON'})`;
}
