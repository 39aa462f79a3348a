/**
 * An injectable fake `fetch` for unit tests: records every request (method, path, query, headers,
 * parsed body) and answers with whatever the test's handler returns or throws.
 */
import type { FetchLike } from '../transport';

export interface RecordedRequest {
  method: string;
  url: URL;
  /** Pathname only. */
  path: string;
  /** The raw query string without `?` (to check literal commas). */
  rawQuery: string;
  query: Record<string, string>;
  headers: Headers;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  signal?: AbortSignal;
}

export type Handler = (request: RecordedRequest) => Response | Promise<Response>;

export function createFakeFetch(handler: Handler): { fetch: FetchLike; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    const rawBody = init?.body;
    const request: RecordedRequest = {
      method: init?.method ?? 'GET',
      url,
      path: url.pathname,
      rawQuery: url.search.replace(/^\?/, ''),
      query: Object.fromEntries(url.searchParams.entries()),
      headers: new Headers(init?.headers),
      body: typeof rawBody === 'string' ? JSON.parse(rawBody) : undefined,
      ...(init?.signal ? { signal: init.signal } : {}),
    };
    requests.push(request);
    return handler(request);
  };
  return { fetch, requests };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** Answers the n-th request with the n-th response (the last one repeats). */
export function sequence(...answers: (Response | Error | (() => Response | Promise<Response>))[]): Handler {
  let index = 0;
  return async () => {
    const answer = answers[Math.min(index, answers.length - 1)];
    index++;
    if (answer === undefined) throw new Error('sequence() needs at least one answer');
    if (answer instanceof Error) throw answer;
    if (typeof answer === 'function') return answer();
    return answer.clone();
  };
}

/** A fetch failure the way undici reports it: TypeError('fetch failed') with a coded cause. */
export function networkFailure(code: string, message = `socket error ${code}`): TypeError {
  const cause = Object.assign(new Error(message), { code });
  return new TypeError('fetch failed', { cause });
}

/** A request that never answers; it rejects only when its AbortSignal fires (like real fetch). */
export function hang(request: RecordedRequest): Promise<Response> {
  return new Promise((_, reject) => {
    request.signal?.addEventListener('abort', () => reject(request.signal?.reason), { once: true });
  });
}

export const ORG_ID = '4e3f1a52-7c1b-4f3e-9d2a-5b8c6d7e8f90';
export const USER_ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
export const HEAT_PUMP_ID = '8c6efd5a-36d2-4c3d-83a8-b7c9f39242cd';
export const BUILDING_ID = '94964bf8-4ec9-4f3f-b10e-0fe21980279e';
export const SESSION_ID = 'a169451c-8525-4352-b8ca-070dd449a1a5';
export const ELECTRIC_VEHICLE_ID = '6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e';
export const WALLBOX_ID = '0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d';
export const INVERTER_ID = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f';
