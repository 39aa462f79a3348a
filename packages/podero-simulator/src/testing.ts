/**
 * `@podero-bridge/podero-simulator/testing`: helpers for tests that drive the simulator over HTTP (its
 * own, and the cross-package ones under test/): a started simulator, tokens, and JSON requests.
 */
import { API_PREFIX, type Simulator, type SimulatorOptions, startSimulator } from './index';

export const START = new Date('2026-01-15T10:00:00Z');

export function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ startTime: START, seed: 42, ...options });
}

export async function issueToken(
  sim: Simulator,
  credentials: { clientId: string; clientSecret: string } = sim,
): Promise<string> {
  const response = await fetch(`${sim.baseUrl}/oauth2/token/`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ grant_type: 'client_credentials' }),
  });
  if (response.status !== 200) throw new Error(`token request failed with ${response.status}`);
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

/** Reads a field of a JSON object body (tests assert on it, so a wrong shape fails loudly there). */
export function field<T = unknown>(body: unknown, name: string): T {
  if (body === null || typeof body !== 'object') throw new Error(`expected an object with "${name}"`);
  return (body as Record<string, T>)[name] as T;
}

export interface JsonResult {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A JSON request against the simulated API: `path` is relative to `${baseUrl}${API_PREFIX}`. */
export async function api(
  sim: Simulator,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResult> {
  const response = await fetch(`${sim.baseUrl}${API_PREFIX}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? null : JSON.parse(text) };
}
