/**
 * `POST /oauth2/token/`: django-oauth-toolkit's client-credentials grant. Credentials come in the
 * Basic header (or, as DOT also allows, as client_id/client_secret body fields); the body may be JSON
 * or form-encoded. Several tokens may be valid at once; each lives `tokenTtlSeconds` of simulated time.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Handler, OrgCredentials, SimCore, SimRequest } from '../core';
import { recordIssuedToken } from '../issued-secrets-log';
import { newAccessToken } from '../random';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export const issueToken: Handler = (core, request) => {
  const fields = readFields(request);
  const org = authenticateClient(core, request, fields);
  if (!org) return { status: 401, json: { error: 'invalid_client' }, headers: NO_STORE };
  const grantType = fields.grant_type;
  if (grantType === undefined || grantType === '') {
    return {
      status: 400,
      json: { error: 'invalid_request', error_description: 'Request is missing grant type.' },
      headers: NO_STORE,
    };
  }
  if (grantType !== 'client_credentials') {
    return { status: 400, json: { error: 'unsupported_grant_type' }, headers: NO_STORE };
  }
  const token = newAccessToken();
  core.store.tokens.set(token, {
    token,
    org_id: org.orgId,
    expires_at_ms: core.clock.nowMs() + core.tokenTtlSeconds * 1000,
  });
  core.counters.tokenIssued();
  recordIssuedToken(token);
  core.changed();
  return {
    status: 200,
    json: {
      access_token: token,
      expires_in: core.tokenTtlSeconds,
      token_type: 'Bearer',
      scope: 'read write',
    },
    headers: NO_STORE,
  };
};

/** The organisation whose live token this is, or null (unknown, revoked or expired on the sim clock). */
export function organisationOfBearer(core: SimCore, authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) return null;
  const record = core.store.tokens.get(match[1]);
  if (!record) return null;
  if (record.expires_at_ms <= core.clock.nowMs()) {
    core.store.tokens.delete(record.token);
    return null;
  }
  return record.org_id;
}

function readFields(request: SimRequest): Record<string, string | undefined> {
  const text = request.rawBody.toString('utf8').trim();
  if (text === '') return {};
  const contentType = request.headers['content-type'] ?? '';
  if (contentType.includes('json') || text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
      return Object.fromEntries(
        Object.entries(parsed).map(([key, value]) => [key, typeof value === 'string' ? value : undefined]),
      );
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text).entries());
}

function authenticateClient(
  core: SimCore,
  request: SimRequest,
  fields: Record<string, string | undefined>,
): OrgCredentials | null {
  let clientId = fields.client_id;
  let clientSecret = fields.client_secret;
  const header = request.headers.authorization;
  const basic = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return null;
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    clientId = safeDecode(decoded.slice(0, colon));
    clientSecret = safeDecode(decoded.slice(colon + 1));
  }
  if (clientId === undefined || clientSecret === undefined) return null;
  return (
    core.orgs.find((org) => org.clientId === clientId && sameSecret(org.clientSecret, clientSecret)) ?? null
  );
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
