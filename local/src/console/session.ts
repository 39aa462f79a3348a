import type { IncomingHttpHeaders } from 'node:http';
import { ROLES } from '@podero-bridge/functions/declarations';
import * as z from 'zod';
import type { MintToken } from '../auth/tokens';
import { type GatewayResponse, jsonResponse } from '../gateway/response';

/**
 * `POST /__local/console/session`: the local console's sign-in with no identity provider, a token of the
 * role the body asks for (`{"role": "viewer"}`; admin when it names none), so each role's console can be tried.
 */
export const CONSOLE_SESSION_PATH = '/__local/console/session';
/** Short, like a real sign-in: the console asks again when it lapses. */
export const CONSOLE_SESSION_TTL_SECONDS = 3600;

/**
 * Only the console's own page may mint: the gateway refuses, before this runs, a request addressed to another
 * host (DNS rebinding) or sent from another origin (`localOnlyRefusal`, for all of `/__local/`); a JSON POST
 * from another origin would also need a CORS preflight the stack never grants (a form post cannot send JSON).
 */
const sessionRequestSchema = z.strictObject({ role: z.enum(ROLES).default('admin') });

export async function consoleSession(
  method: string,
  headers: IncomingHttpHeaders,
  mintToken: MintToken,
  now: () => Date = () => new Date(),
  body = '{}',
): Promise<GatewayResponse> {
  if (method !== 'POST') return jsonResponse(405, { message: 'use POST' }, { allow: 'POST' });
  const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/json') {
    return jsonResponse(415, { message: 'content-type must be application/json' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body === '' ? '{}' : body);
  } catch {
    parsed = undefined;
  }
  const request = sessionRequestSchema.safeParse(parsed);
  if (!request.success) {
    return jsonResponse(400, {
      message: `the body must be {"role": ${ROLES.map((r) => `"${r}"`).join(' | ')}}`,
    });
  }
  const issuedAt = now();
  const accessToken = await mintToken({ role: request.data.role, ttlSeconds: CONSOLE_SESSION_TTL_SECONDS });
  return jsonResponse(
    200,
    {
      access_token: accessToken,
      expires_at: new Date(issuedAt.getTime() + CONSOLE_SESSION_TTL_SECONDS * 1000).toISOString(),
    },
    { 'cache-control': 'no-store' },
  );
}
