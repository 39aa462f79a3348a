import { errorBodySchema } from '@podero-bridge/functions';
import { routeDeclarations } from '@podero-bridge/functions/declarations';
import type { LocalStack } from '@podero-bridge/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { connectHeatPump } from '../support/flows';
import { startTestStack, type TestStack } from '../support/local-stack';
import { rawRequest } from '../support/raw-http';
import { dumpTables, type TableDump, withoutAuditTrail } from '../support/tables';

/**
 * Malformed and hostile requests across every route, through the local gateway of the whole local
 * stack with an admin token (so that nothing but the input itself is wrong). Each must get a 4xx with
 * the API's error shape (or API Gateway's own `{"message"}` where the gateway answers), never a 5xx;
 * nothing may be written (both tables are scanned before and after every request) and nothing may reach
 * Podero (the simulator's request counters do not move).
 */
const USER = 'victim-1';
/** Set in beforeAll: a heat pump really connected to USER, so heat-pump requests fail on their input only. */
let HP = '';
const SESSION = '0b7e5a8e-9f4c-4d1a-8e2b-3c4d5e6f7a8b';
const KB = 1024;

interface BadRequest {
  name: string;
  method: string;
  path: string;
  body?: string | Buffer;
  /** Default `application/json` when there is a body; `null` sends none. */
  contentType?: string | null;
  status: number;
  /** `gateway`: API Gateway's own answer (`{"message": ...}`); default: the API's error shape. */
  shape?: 'api' | 'gateway';
  /** The error detail must name this field. */
  field?: string;
  /** Podero may be read (never written) first: e.g. ownership is checked before a cursor is decoded. */
  poderoReadAllowed?: true;
}

const json = (value: unknown) => JSON.stringify(value);
const validUser = { external_user_id: 'new-user-1', email: 'new1@example.com' };
const session = {
  language: 'en',
  price_zone_default: 'AT',
  success_url: 'https://partner.example/done',
  cancel_url: 'https://partner.example/cancel',
};
const withSession = (patch: Record<string, unknown>) => json({ ...session, ...patch });
const userPath = `/users/${USER}`;

/** Built lazily: the heat-pump id is known only once the Connect UI was completed. */
const hpPath = '/users/victim-1/heat-pumps/{hp}';
const cases: BadRequest[] = [
  {
    name: 'control characters: NUL in first_name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"cc-1","email":"cc@example.com","first_name":"Ada\\u0000X"}',
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'control characters: CR LF in first_name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"cc-1","email":"cc@example.com","first_name":"Ada\\r\\nX"}',
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'control characters: a tab in first_name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"cc-1","email":"cc@example.com","first_name":"Ada\\tX"}',
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'control characters: ESC in first_name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"cc-1","email":"cc@example.com","first_name":"Ada\\u001bX"}',
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'control characters: a C1 control in first_name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"cc-1","email":"cc@example.com","first_name":"Ada\\u0085X"}',
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'control characters: a right-to-left override in first_name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"cc-1","email":"cc@example.com","first_name":"Ada\\u202eX"}',
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'control characters: a left-to-right isolate in first_name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"cc-1","email":"cc@example.com","first_name":"Ada\\u2066X"}',
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'control characters: a zero-width space in first_name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"cc-1","email":"cc@example.com","first_name":"Ada\\u200bX"}',
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'control characters: a zero-width joiner in first_name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"cc-1","email":"cc@example.com","first_name":"Ada\\u200dX"}',
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'control characters: a byte-order mark in first_name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"cc-1","email":"cc@example.com","first_name":"Ada\\ufeffX"}',
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'control characters: U+FFFD as an escape in first_name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"cc-1","email":"cc@example.com","first_name":"Ada\\ufffdX"}',
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'control characters: a soft hyphen in first_name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"cc-1","email":"cc@example.com","first_name":"Ada\\u00adX"}',
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'control characters: a right-to-left override in a PATCHed town',
    method: 'PATCH',
    path: userPath,
    body: '{"town":"Wien\\u202egpj.exe"}',
    status: 400,
    field: 'body.town',
  },
  {
    name: 'control characters: NUL in a building name',
    method: 'POST',
    path: `${userPath}/buildings`,
    body: '{"name":"Home\\u0000"}',
    status: 400,
    field: 'body.name',
  },
  {
    name: 'control characters: CR LF in a building street',
    method: 'POST',
    path: `${userPath}/buildings`,
    body: '{"name":"Home","street_and_number":"Main St 1\\r\\nX-Injected: 1"}',
    status: 400,
    field: 'body.street_and_number',
  },
  {
    name: 'a whitespace-only name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"ws-1","email":"ws@example.com","last_name":"   "}',
    status: 400,
    field: 'body.last_name',
  },
  {
    name: 'a whitespace-only building name',
    method: 'POST',
    path: `${userPath}/buildings`,
    body: '{"name":" \\u00a0 "}',
    status: 400,
    field: 'body.name',
  },
  {
    name: 'external_user_id ".."',
    method: 'POST',
    path: '/users',
    body: json({ external_user_id: '..', email: 'dots@example.com' }),
    status: 400,
    field: 'body.external_user_id',
  },
  {
    name: 'external_user_id "."',
    method: 'POST',
    path: '/users',
    body: json({ external_user_id: '.', email: 'dot@example.com' }),
    status: 400,
    field: 'body.external_user_id',
  },
  {
    name: 'an encoded .. as the user id',
    method: 'GET',
    path: '/users/%2E%2E',
    status: 400,
    field: 'path.external_user_id',
  },
  {
    name: 'an encoded . as the user id of a heat-pump list',
    method: 'GET',
    path: '/users/%2e/heat-pumps',
    status: 400,
    field: 'path.external_user_id',
  },
  {
    name: 'a __proto__ query parameter',
    method: 'GET',
    path: `${userPath}/heat-pumps?__proto__=1`,
    status: 400,
    field: 'query.__proto__',
  },
  {
    name: 'a constructor query parameter',
    method: 'GET',
    path: `${userPath}/heat-pumps?constructor=1`,
    status: 400,
    field: 'query.constructor',
  },
  // ---- POST /users: JSON syntax and encoding
  {
    name: 'malformed JSON',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id": "a",',
    status: 400,
    field: 'body',
  },
  {
    name: 'truncated JSON',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"t","email":"t@exa',
    status: 400,
    field: 'body',
  },
  { name: 'empty body', method: 'POST', path: '/users', body: '', status: 400, field: 'body' },
  { name: 'JSON null', method: 'POST', path: '/users', body: 'null', status: 400 },
  { name: 'JSON array', method: 'POST', path: '/users', body: '[]', status: 400 },
  { name: 'JSON string', method: 'POST', path: '/users', body: '"hello"', status: 400 },
  {
    name: 'NaN literal',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id": NaN}',
    status: 400,
    field: 'body',
  },
  {
    name: 'invalid UTF-8',
    method: 'POST',
    path: '/users',
    body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    status: 400,
  },
  {
    name: 'invalid UTF-8: a 0xFF byte inside a name',
    method: 'POST',
    path: '/users',
    body: Buffer.concat([
      Buffer.from('{"external_user_id":"u8-1","email":"u8@example.com","first_name":"A'),
      Buffer.from([0xff]),
      Buffer.from('B"}'),
    ]),
    status: 400,
    field: 'body',
  },
  {
    name: 'invalid UTF-8: an overlong encoding of /',
    method: 'POST',
    path: '/users',
    body: Buffer.concat([
      Buffer.from('{"external_user_id":"u8-1","email":"u8@example.com","first_name":"A'),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('B"}'),
    ]),
    status: 400,
    field: 'body',
  },
  {
    name: 'invalid UTF-8: an encoded surrogate (CESU-8)',
    method: 'POST',
    path: '/users',
    body: Buffer.concat([
      Buffer.from('{"external_user_id":"u8-1","email":"u8@example.com","first_name":"A'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('B"}'),
    ]),
    status: 400,
    field: 'body',
  },
  {
    name: 'invalid UTF-8: a truncated multi-byte sequence',
    method: 'POST',
    path: '/users',
    body: Buffer.concat([
      Buffer.from('{"external_user_id":"u8-1","email":"u8@example.com","first_name":"A'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('B"}'),
    ]),
    status: 400,
    field: 'body',
  },
  {
    name: 'invalid UTF-8 in a base64 body (+json media type)',
    method: 'POST',
    path: '/users',
    contentType: 'application/merge-patch+json',
    body: Buffer.concat([
      Buffer.from('{"external_user_id":"u8-1","email":"u8@example.com","first_name":"A'),
      Buffer.from([0xff]),
      Buffer.from('B"}'),
    ]),
    status: 400,
    field: 'body',
  },
  {
    name: 'a lone surrogate as a JSON escape in a name',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"ls-1","email":"ls@example.com","first_name":"A\\ud800B"}',
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'a lone surrogate in a key',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"ls-2","email":"ls2@example.com","\\udc00":1}',
    status: 400,
    field: 'body',
  },
  {
    name: 'duplicate keys',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"dup-1","email":"a@example.com","email":"b@example.com"}',
    status: 400,
    field: 'body.email',
  },
  {
    name: 'duplicate external_user_id key',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"dup-2","external_user_id":"dup-3","email":"a@example.com"}',
    status: 400,
    field: 'body.external_user_id',
  },
  // ---- POST /users: content types
  {
    name: 'text/plain',
    method: 'POST',
    path: '/users',
    body: json(validUser),
    contentType: 'text/plain',
    status: 415,
    field: 'header.content-type',
  },
  {
    name: 'form-encoded',
    method: 'POST',
    path: '/users',
    body: 'external_user_id=a&email=b%40example.com',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
  },
  {
    name: 'no content type',
    method: 'POST',
    path: '/users',
    body: json(validUser),
    contentType: null,
    status: 415,
  },
  {
    name: 'multipart',
    method: 'POST',
    path: '/users',
    body: '--x\r\n\r\n--x--',
    contentType: 'multipart/form-data; boundary=x',
    status: 415,
  },
  {
    name: 'XML',
    method: 'POST',
    path: '/users',
    body: '<user/>',
    contentType: 'application/xml',
    status: 415,
  },
  // ---- POST /users: fields
  {
    name: 'missing email',
    method: 'POST',
    path: '/users',
    body: json({ external_user_id: 'x-1' }),
    status: 400,
    field: 'body.email',
  },
  {
    name: 'missing external_user_id',
    method: 'POST',
    path: '/users',
    body: json({ email: 'x@example.com' }),
    status: 400,
    field: 'body.external_user_id',
  },
  {
    name: 'unknown field',
    method: 'POST',
    path: '/users',
    body: json({ ...validUser, is_admin: true }),
    status: 400,
    field: 'body.is_admin',
  },
  {
    name: '__proto__ key',
    method: 'POST',
    path: '/users',
    body: '{"external_user_id":"p-1","email":"p@example.com","__proto__":{"role":"admin"}}',
    status: 400,
  },
  {
    name: 'email of the wrong type',
    method: 'POST',
    path: '/users',
    body: json({ external_user_id: 'x-2', email: 42 }),
    status: 400,
    field: 'body.email',
  },
  {
    name: 'external_user_id of the wrong type',
    method: 'POST',
    path: '/users',
    body: json({ external_user_id: 7, email: 'x@example.com' }),
    status: 400,
    field: 'body.external_user_id',
  },
  {
    name: 'not an email',
    method: 'POST',
    path: '/users',
    body: json({ ...validUser, email: 'not-an-email' }),
    status: 400,
    field: 'body.email',
  },
  {
    name: 'huge email (10 KB)',
    method: 'POST',
    path: '/users',
    body: json({ ...validUser, email: `${'a'.repeat(10 * KB)}@example.com` }),
    status: 400,
    field: 'body.email',
  },
  {
    name: 'external_user_id with ../',
    method: 'POST',
    path: '/users',
    body: json({ ...validUser, external_user_id: '../admin' }),
    status: 400,
    field: 'body.external_user_id',
  },
  {
    name: 'external_user_id with a slash',
    method: 'POST',
    path: '/users',
    body: json({ ...validUser, external_user_id: 'a/b' }),
    status: 400,
    field: 'body.external_user_id',
  },
  {
    name: 'external_user_id in unicode',
    method: 'POST',
    path: '/users',
    body: json({ ...validUser, external_user_id: 'üser‮' }),
    status: 400,
    field: 'body.external_user_id',
  },
  {
    name: 'external_user_id of 129 characters',
    method: 'POST',
    path: '/users',
    body: json({ ...validUser, external_user_id: 'x'.repeat(129) }),
    status: 400,
    field: 'body.external_user_id',
  },
  {
    name: 'empty external_user_id',
    method: 'POST',
    path: '/users',
    body: json({ ...validUser, external_user_id: '' }),
    status: 400,
    field: 'body.external_user_id',
  },
  {
    name: 'lower-case country',
    method: 'POST',
    path: '/users',
    body: json({ ...validUser, country: 'de' }),
    status: 400,
    field: 'body.country',
  },
  {
    name: 'object for a name',
    method: 'POST',
    path: '/users',
    body: json({ ...validUser, first_name: { $ne: null } }),
    status: 400,
    field: 'body.first_name',
  },
  {
    name: 'body over 64 KB',
    method: 'POST',
    path: '/users',
    body: json({ ...validUser, first_name: 'x'.repeat(70 * KB) }),
    status: 413,
  },
  // ---- GET/PATCH/DELETE /users/{external_user_id}: path segments
  {
    name: 'encoded slash in the user id',
    method: 'GET',
    path: '/users/a%2Fb',
    status: 400,
    field: 'path.external_user_id',
  },
  {
    name: 'encoded traversal in the user id',
    method: 'GET',
    path: '/users/%2e%2e%2fadmin',
    status: 400,
    field: 'path.external_user_id',
  },
  {
    name: 'NUL byte in the user id',
    method: 'GET',
    path: '/users/a%00b',
    status: 400,
    field: 'path.external_user_id',
  },
  {
    name: 'unicode user id',
    method: 'GET',
    path: '/users/%C3%BCser',
    status: 400,
    field: 'path.external_user_id',
  },
  {
    name: 'broken percent-encoding',
    method: 'GET',
    path: '/users/%E0%A4%A',
    status: 400,
    field: 'path.external_user_id',
  },
  {
    name: 'user id of 200 characters',
    method: 'GET',
    path: `/users/${'u'.repeat(200)}`,
    status: 400,
    field: 'path.external_user_id',
  },
  {
    name: 'literal .. as the user id',
    method: 'GET',
    path: '/users/..',
    status: 400,
    field: 'path.external_user_id',
  },
  {
    name: 'unknown query parameter',
    method: 'GET',
    path: `${userPath}?include=secrets`,
    status: 400,
    field: 'query.include',
  },
  { name: 'PATCH with an empty object', method: 'PATCH', path: userPath, body: '{}', status: 400 },
  {
    name: 'PATCH trying to change the Podero id',
    method: 'PATCH',
    path: userPath,
    body: json({ podero_user_id: SESSION }),
    status: 400,
    field: 'body.podero_user_id',
  },
  {
    name: 'PATCH with email null',
    method: 'PATCH',
    path: userPath,
    body: json({ email: null }),
    status: 400,
    field: 'body.email',
  },
  {
    name: 'PATCH with a 101-character name',
    method: 'PATCH',
    path: userPath,
    body: json({ first_name: 'n'.repeat(101) }),
    status: 400,
    field: 'body.first_name',
  },
  { name: 'PATCH with truncated JSON', method: 'PATCH', path: userPath, body: '{"first_name":', status: 400 },
  {
    name: 'PATCH with an encoded slash in the path',
    method: 'PATCH',
    path: '/users/x%2F..',
    body: json({ first_name: 'A' }),
    status: 400,
    field: 'path.external_user_id',
  },
  {
    name: 'DELETE with an encoded slash in the path',
    method: 'DELETE',
    path: '/users/a%2Fb',
    status: 400,
    field: 'path.external_user_id',
  },
  { name: 'DELETE of ..', method: 'DELETE', path: '/users/..', status: 400, field: 'path.external_user_id' },
  // ---- buildings
  {
    name: 'building with an invalid property_type',
    method: 'POST',
    path: `${userPath}/buildings`,
    body: json({ name: 'Home', property_type: 'Castle' }),
    status: 400,
    field: 'body.property_type',
  },
  {
    name: 'building without a name',
    method: 'POST',
    path: `${userPath}/buildings`,
    body: json({ property_type: 'Flat' }),
    status: 400,
    field: 'body.name',
  },
  {
    name: 'building with a numeric name',
    method: 'POST',
    path: `${userPath}/buildings`,
    body: json({ name: 12 }),
    status: 400,
    field: 'body.name',
  },
  {
    name: 'building with a negative size',
    method: 'POST',
    path: `${userPath}/buildings`,
    body: json({ name: 'Home', property_size_m2: -5 }),
    status: 400,
    field: 'body.property_size_m2',
  },
  {
    name: 'building with a fractional occupant count',
    method: 'POST',
    path: `${userPath}/buildings`,
    body: json({ name: 'Home', num_occupants: 2.5 }),
    status: 400,
    field: 'body.num_occupants',
  },
  {
    name: 'building with an unknown field',
    method: 'POST',
    path: `${userPath}/buildings`,
    body: json({ name: 'Home', owner_id: SESSION }),
    status: 400,
    field: 'body.owner_id',
  },
  {
    name: 'building as text/plain',
    method: 'POST',
    path: `${userPath}/buildings`,
    body: json({ name: 'Home' }),
    contentType: 'text/plain',
    status: 415,
  },
  {
    name: 'building body over 64 KB',
    method: 'POST',
    path: `${userPath}/buildings`,
    body: json({ name: 'Home', town: 't'.repeat(80 * KB) }),
    status: 413,
  },
  {
    name: 'listing buildings with an unknown query',
    method: 'GET',
    path: `${userPath}/buildings?limit=5`,
    status: 400,
    field: 'query.limit',
  },
  // ---- onboarding sessions: redirect URLs, enums
  {
    name: 'javascript: success_url',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ success_url: 'javascript:alert(1)' }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'JAVASCRIPT: in capitals',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ success_url: 'JAVASCRIPT:alert(1)' }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'javascript: behind a space',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ success_url: ' javascript:alert(1)' }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'javascript:// pseudo-URL',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ success_url: 'javascript://%0aalert(1)' }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'data: cancel_url',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ cancel_url: 'data:text/html,<script>alert(1)</script>' }),
    status: 400,
    field: 'body.cancel_url',
  },
  {
    name: 'file: success_url',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ success_url: 'file:///etc/passwd' }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'vbscript: cancel_url',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ cancel_url: 'vbscript:msgbox(1)' }),
    status: 400,
    field: 'body.cancel_url',
  },
  {
    name: 'relative success_url',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ success_url: '/onboarding/done' }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'protocol-relative success_url',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ success_url: '//evil.example/done' }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'credentials in success_url',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ success_url: 'https://user:pw@evil.example/' }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'newline in success_url',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ success_url: 'https://ok.example/\nLocation: https://evil.example' }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'invalid language',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ language: 'xx' }),
    status: 400,
    field: 'body.language',
  },
  {
    name: 'invalid price zone',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ price_zone_default: 'DE' }),
    status: 400,
    field: 'body.price_zone_default',
  },
  {
    name: 'building_id not a UUID',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ building_id: '../1' }),
    status: 400,
    field: 'body.building_id',
  },
  {
    name: 'string for a boolean',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: withSession({ is_smart_optimization_active_default: 'yes' }),
    status: 400,
    field: 'body.is_smart_optimization_active_default',
  },
  {
    name: 'missing success_url',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    body: json({ ...session, success_url: undefined }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'session id not a UUID',
    method: 'GET',
    path: `${userPath}/onboarding-sessions/abc`,
    status: 400,
    field: 'path.session_id',
  },
  {
    name: 'session id with encoded traversal',
    method: 'GET',
    path: `${userPath}/onboarding-sessions/..%2F..%2Fusers`,
    status: 400,
    field: 'path.session_id',
  },
  {
    name: 'session id in unicode',
    method: 'GET',
    path: `${userPath}/onboarding-sessions/%E2%80%AE${SESSION.slice(1)}`,
    status: 400,
    field: 'path.session_id',
  },
  // ---- heat pumps
  {
    name: 'negative max_age_seconds',
    method: 'GET',
    path: `${userPath}/heat-pumps?max_age_seconds=-1`,
    status: 400,
    field: 'query.max_age_seconds',
  },
  {
    name: 'non-numeric max_age_seconds',
    method: 'GET',
    path: `${userPath}/heat-pumps?max_age_seconds=abc`,
    status: 400,
    field: 'query.max_age_seconds',
  },
  {
    name: 'huge max_age_seconds',
    method: 'GET',
    path: `${userPath}/heat-pumps?max_age_seconds=99999999999`,
    status: 400,
    field: 'query.max_age_seconds',
  },
  {
    name: 'fractional max_age_seconds',
    method: 'GET',
    path: `${userPath}/heat-pumps?max_age_seconds=1.5`,
    status: 400,
    field: 'query.max_age_seconds',
  },
  {
    name: 'unknown heat-pump query',
    method: 'GET',
    path: `${userPath}/heat-pumps?owner=someone-else`,
    status: 400,
    field: 'query.owner',
  },
  // The other kinds' own routes (domain/devices/<kind>.ts): a list's unknown query, an id that is no UUID.
  ...(
    [
      ['electric-vehicles', 'electric_vehicle_id', true],
      ['wallboxes', 'wallbox_id', false],
      ['inverters', 'inverter_id', true],
    ] as const
  ).flatMap(([resource, idParam, savings]): BadRequest[] => [
    {
      name: `${resource}: unknown list query`,
      method: 'GET',
      path: `${userPath}/${resource}?owner=someone-else`,
      status: 400,
      field: 'query.owner',
    },
    ...(
      [
        ['GET', ''],
        ['PATCH', ''],
        ['DELETE', ''],
        ['POST', '/reauthentication'],
        ['GET', '/readings'],
        ...(savings ? [['GET', '/savings'] as const] : []),
      ] as const
    ).map(([method, below]) => ({
      name: `${resource}${below}: ${method} with an id that is no UUID`,
      method,
      path: `${userPath}/${resource}/not-a-uuid${below}`,
      ...(method === 'PATCH' || method === 'POST'
        ? { body: json({ is_smart_optimization_active: true, success_url: 'https://partner.example/ok' }) }
        : {}),
      status: 400,
      field: `path.${idParam}`,
    })),
  ]),
  // The charging controls: every refusal is the path's, query's or body's, before any Podero call.
  {
    name: 'boost: electric-vehicle id not a UUID',
    method: 'POST',
    path: `${userPath}/electric-vehicles/not-a-uuid/boost`,
    status: 400,
    field: 'path.electric_vehicle_id',
  },
  {
    name: 'disarm: electric-vehicle id not a UUID',
    method: 'DELETE',
    path: `${userPath}/electric-vehicles/1%2F..%2F2/boost`,
    status: 400,
    field: 'path.electric_vehicle_id',
  },
  {
    name: 'charge policy: electric-vehicle id not a UUID',
    method: 'GET',
    path: `${userPath}/electric-vehicles/ev-1/charge-policy`,
    status: 400,
    field: 'path.electric_vehicle_id',
  },
  {
    name: 'charge policy: a day left out',
    method: 'PUT',
    path: `${userPath}/electric-vehicles/${SESSION}/charge-policy`,
    body: json(
      Object.fromEntries(
        ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [
          d,
          { charge_percentage: 80, charge_deadline: '07:00' },
        ]),
      ),
    ),
    status: 400,
    field: 'body.sun',
  },
  {
    name: 'charge policy: percentage above 100 and a deadline that is no time',
    method: 'PUT',
    path: `${userPath}/electric-vehicles/${SESSION}/charge-policy`,
    body: json(
      Object.fromEntries(
        ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [
          d,
          { charge_percentage: d === 'mon' ? 150 : 80, charge_deadline: d === 'tue' ? '25:00' : '07:00' },
        ]),
      ),
    ),
    status: 400,
    field: 'body.mon.charge_percentage',
  },
  {
    name: 'sessions without a range',
    method: 'GET',
    path: `${userPath}/electric-vehicles/${SESSION}/sessions`,
    status: 400,
    field: 'query.from',
  },
  {
    name: 'sessions with a range the wrong way round',
    method: 'GET',
    path: `${userPath}/electric-vehicles/${SESSION}/sessions?from=2026-02-01&to=2026-01-01`,
    status: 400,
    field: 'query.to',
  },
  {
    name: 'current session: electric-vehicle id not a UUID',
    method: 'GET',
    path: `${userPath}/electric-vehicles/not-a-uuid/sessions/current`,
    status: 400,
    field: 'path.electric_vehicle_id',
  },
  {
    name: 'wallbox boost: id not a UUID',
    method: 'POST',
    path: `${userPath}/wallboxes/not-a-uuid/boost`,
    status: 400,
    field: 'path.wallbox_id',
  },
  {
    name: 'wallbox boost cancel: id not a UUID',
    method: 'DELETE',
    path: `${userPath}/wallboxes/not-a-uuid/boost`,
    status: 400,
    field: 'path.wallbox_id',
  },
  {
    name: 'claim token with a query',
    method: 'POST',
    path: `${userPath}/wallboxes/claim-tokens?installer=someone`,
    status: 400,
    field: 'query.installer',
  },
  {
    name: 'charging configuration with a query',
    method: 'GET',
    path: `${userPath}/charging-config?include=secrets`,
    status: 400,
    field: 'query.include',
  },
  {
    name: 'charging configuration: an unknown mode',
    method: 'PUT',
    path: `${userPath}/charging-config`,
    body: json({ mode: 'turbo' }),
    status: 400,
    field: 'body.mode',
  },
  {
    name: 'charging configuration: an extra field',
    method: 'PUT',
    path: `${userPath}/charging-config`,
    body: json({ mode: 'spot', threshold_w: 1000 }),
    status: 400,
  },
  {
    name: 'every device: unknown query',
    method: 'GET',
    path: `${userPath}/devices?kind=all`,
    status: 400,
    field: 'query.kind',
  },
  {
    name: 'heat-pump id not a UUID',
    method: 'GET',
    path: `${userPath}/heat-pumps/not-a-uuid`,
    status: 400,
    field: 'path.heat_pump_id',
  },
  {
    name: 'heat-pump id with an encoded slash',
    method: 'GET',
    path: `${hpPath}%2F..`,
    status: 400,
    field: 'path.heat_pump_id',
  },
  {
    name: 'temperature limit out of range',
    method: 'PATCH',
    path: hpPath,
    body: json({ minimum_temperature_limit: 100 }),
    status: 400,
    field: 'body.minimum_temperature_limit',
  },
  {
    name: 'temperature limit as a string',
    method: 'PATCH',
    path: hpPath,
    body: json({ maximum_temperature_limit: '20' }),
    status: 400,
    field: 'body.maximum_temperature_limit',
  },
  {
    name: 'number beyond double range',
    method: 'PATCH',
    path: hpPath,
    body: '{"minimum_temperature_limit": 1e400}',
    status: 400,
    field: 'body.minimum_temperature_limit',
  },
  {
    name: 'invalid optimization_level',
    method: 'PATCH',
    path: hpPath,
    body: json({ optimization_level: 'Ultra' }),
    status: 400,
    field: 'body.optimization_level',
  },
  {
    name: 'lower-case optimization_level',
    method: 'PATCH',
    path: hpPath,
    body: json({ optimization_level: 'max' }),
    status: 400,
    field: 'body.optimization_level',
  },
  {
    name: 'settings with an unknown field',
    method: 'PATCH',
    path: hpPath,
    body: json({ is_trading_enabled: true }),
    status: 400,
    field: 'body.is_trading_enabled',
  },
  { name: 'settings with an empty object', method: 'PATCH', path: hpPath, body: '{}', status: 400 },
  {
    name: 'away_mode_start not a date',
    method: 'PATCH',
    path: hpPath,
    body: json({ away_mode_start: 'tomorrow' }),
    status: 400,
    field: 'body.away_mode_start',
  },
  {
    name: 'string for a boolean setting',
    method: 'PATCH',
    path: hpPath,
    body: json({ is_smart_optimization_active: 'true' }),
    status: 400,
    field: 'body.is_smart_optimization_active',
  },
  {
    name: 'settings with duplicate keys',
    method: 'PATCH',
    path: hpPath,
    body: '{"optimization_level":"Low","optimization_level":"Max"}',
    status: 400,
    field: 'body.optimization_level',
  },
  {
    name: 'readings limit 0',
    method: 'GET',
    path: `${hpPath}/readings?limit=0`,
    status: 400,
    field: 'query.limit',
  },
  {
    name: 'readings limit 1001',
    method: 'GET',
    path: `${hpPath}/readings?limit=1001`,
    status: 400,
    field: 'query.limit',
  },
  {
    name: 'readings from not a date',
    method: 'GET',
    path: `${hpPath}/readings?from=yesterday`,
    status: 400,
    field: 'query.from',
  },
  {
    name: 'readings range reversed',
    method: 'GET',
    path: `${hpPath}/readings?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
    status: 400,
    field: 'query.to',
  },
  {
    name: 'tampered readings cursor',
    method: 'GET',
    path: `${hpPath}/readings?cursor=eyJzayI6IjIwMjYifQ`,
    status: 400,
    field: 'query.cursor',
    poderoReadAllowed: true,
  },
  {
    name: 'readings cursor of 1000 characters',
    method: 'GET',
    path: `${hpPath}/readings?cursor=${'A'.repeat(1000)}`,
    status: 400,
    field: 'query.cursor',
  },
  // ---- offboarding and re-authenticating a device
  {
    name: 'delete a heat pump whose id is not a UUID',
    method: 'DELETE',
    path: '/users/victim-1/heat-pumps/not-a-uuid',
    status: 400,
    field: 'path.heat_pump_id',
  },
  {
    name: 'reauthentication without a body',
    method: 'POST',
    path: `${hpPath}/reauthentication`,
    status: 400,
    field: 'body',
  },
  {
    name: 'reauthentication with a success_url that is not a URL',
    method: 'POST',
    path: `${hpPath}/reauthentication`,
    body: json({ success_url: 'partner/ok', cancel_url: 'https://partner.example/cancel' }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'reauthentication with a javascript: cancel_url',
    method: 'POST',
    path: `${hpPath}/reauthentication`,
    body: json({ success_url: 'https://partner.example/ok', cancel_url: 'javascript:alert(1)' }),
    status: 400,
    field: 'body.cancel_url',
  },
  {
    name: 'reauthentication with the camelCase names Podero uses',
    method: 'POST',
    path: `${hpPath}/reauthentication`,
    body: json({ successUrl: 'https://partner.example/ok', cancelUrl: 'https://partner.example/cancel' }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'reauthentication with a language that is not a tag',
    method: 'POST',
    path: `${hpPath}/reauthentication`,
    body: json({ success_url: 'https://a.example/', cancel_url: 'https://a.example/', language: 'en us' }),
    status: 400,
    field: 'body.language',
  },
  {
    name: "reauthentication with a success_url on a host outside the stage's return origins",
    method: 'POST',
    path: `${hpPath}/reauthentication`,
    body: json({ success_url: 'https://evil.example/phish', cancel_url: 'https://partner.example/cancel' }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'reauthentication with the partner as the user name of another host',
    method: 'POST',
    path: `${hpPath}/reauthentication`,
    body: json({
      success_url: 'https://partner.example@evil.example/',
      cancel_url: 'https://partner.example/x',
    }),
    status: 400,
    field: 'body.success_url',
  },
  {
    name: 'reauthentication with a cancel_url on the metadata address',
    method: 'POST',
    path: `${hpPath}/reauthentication`,
    body: json({
      success_url: 'https://partner.example/ok',
      cancel_url: 'http://169.254.169.254/latest/meta-data/',
    }),
    status: 400,
    field: 'body.cancel_url',
  },
  {
    name: 'reauthentication callback without the proof of its outcome',
    method: 'GET',
    path: `/reauthentication/callback?token=${'A'.repeat(43)}&outcome=success`,
    status: 400,
    field: 'query.proof',
  },
  {
    name: 'reauthentication callback with a forged token',
    method: 'GET',
    path: '/reauthentication/callback?token=short&outcome=success',
    status: 400,
    field: 'query.token',
  },
  {
    name: 'reauthentication callback with an unknown outcome',
    method: 'GET',
    path: `/reauthentication/callback?token=${'A'.repeat(43)}&outcome=maybe`,
    status: 400,
    field: 'query.outcome',
  },
  // ---- what the gateway itself refuses
  {
    name: 'undeclared method on a public route',
    method: 'POST',
    path: '/health',
    body: '{}',
    status: 404,
    shape: 'gateway',
  },
  { name: 'undeclared DELETE /users', method: 'DELETE', path: '/users', status: 404, shape: 'gateway' },
  // The programme routes (savings, statistics, energy contracts, the operator's view).
  {
    name: 'savings without a range',
    method: 'GET',
    path: `${hpPath}/savings`,
    status: 400,
    field: 'query.from',
  },
  {
    name: 'savings range longer than five years',
    method: 'GET',
    path: `${hpPath}/savings?from=2019-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
    status: 400,
    field: 'query.to',
  },
  {
    name: 'statistics with an unknown keyword',
    method: 'GET',
    path: `${hpPath}/statistics?keywords=savings,weather`,
    status: 400,
    field: 'query.keywords.1',
  },
  {
    name: 'organisation savings with a reversed range',
    method: 'GET',
    path: '/savings?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    status: 400,
    field: 'query.to',
  },
  {
    name: 'energy contract with a negative-infinity price',
    method: 'POST',
    path: `${userPath}/energy-contracts`,
    body: '{"energy_contract_type":"yearly","energy_prices":[{"price":-1e309,"timestamp":"2026-01-01T00:00:00Z"}]}',
    status: 400,
  },
  {
    name: 'energy contract of an unknown type',
    method: 'POST',
    path: `${userPath}/energy-contracts`,
    body: json({
      energy_contract_type: 'daily',
      energy_prices: [{ price: 0.2, timestamp: '2026-01-01T00:00:00Z' }],
    }),
    status: 400,
    field: 'body.energy_contract_type',
  },
  {
    name: 'energy contract list for a traversal id',
    method: 'GET',
    path: '/users/%2e%2e/energy-contracts',
    status: 400,
    field: 'path.external_user_id',
  },
  {
    name: 'energy contract update whose id is not a UUID',
    method: 'PATCH',
    path: `${userPath}/energy-contracts/not-a-uuid`,
    body: json({ supplier: 'x' }),
    status: 400,
    field: 'path.contract_id',
  },
  {
    name: 'user list with a forged cursor',
    method: 'GET',
    path: '/users?cursor=eyJ2IjoxLCJhZnRlciI6IngiLCJmIjoiY29ubmVjdGVkfCJ9',
    status: 400,
    field: 'query.cursor',
  },
  {
    name: 'user summary for a traversal id',
    method: 'GET',
    path: '/users/%2e%2e/summary',
    status: 400,
    field: 'path.external_user_id',
  },
  {
    name: 'user erasure for a traversal id',
    method: 'GET',
    path: '/users/%2e%2e/erasure',
    status: 400,
    field: 'path.external_user_id',
  },
  {
    name: 'fleet days: none',
    method: 'GET',
    path: '/fleet/days?days=0',
    status: 400,
    field: 'query.days',
  },
  {
    name: 'fleet days: past the retention',
    method: 'GET',
    path: '/fleet/days?days=401',
    status: 400,
    field: 'query.days',
  },
  {
    name: 'fleet days: not a number',
    method: 'GET',
    path: '/fleet/days?days=7d',
    status: 400,
    field: 'query.days',
  },
  {
    name: 'fleet days with an unknown parameter',
    method: 'GET',
    path: '/fleet/days?from=2026-01-01',
    status: 400,
  },
  {
    name: 'sync status with a query',
    method: 'GET',
    path: '/sync/status?verbose=1',
    status: 400,
  },
  {
    name: 'webhook list with a query',
    method: 'GET',
    path: '/webhooks?include_secrets=1',
    status: 400,
  },
  {
    name: 'webhook at the cloud metadata address',
    method: 'POST',
    path: '/webhooks',
    body: json({ url: 'https://169.254.169.254/latest/meta-data' }),
    status: 400,
    field: 'body.url',
  },
  {
    name: 'webhook over plain http to a public host',
    method: 'POST',
    path: '/webhooks',
    body: json({ url: 'http://partner.example/hooks' }),
    status: 400,
    field: 'body.url',
  },
  {
    name: 'webhook for an unknown event type',
    method: 'POST',
    path: '/webhooks',
    body: json({ url: 'https://partner.example/hooks', events: ['heat_pump.exploded'] }),
    status: 400,
    field: 'body.events.0',
  },
  {
    name: 'webhook with its own secret',
    method: 'POST',
    path: '/webhooks',
    body: json({ url: 'https://partner.example/hooks', secret: 'whsec_mine' }),
    status: 400,
    field: 'body.secret',
  },
  {
    name: 'webhook id that is not one',
    method: 'GET',
    path: '/webhooks/..%2f..%2fusers',
    status: 400,
    field: 'path.webhook_id',
  },
  {
    name: 'webhook patch changing nothing',
    method: 'PATCH',
    path: '/webhooks/wh_000000000000000000000000',
    body: '{}',
    status: 400,
    field: 'body',
  },
  {
    name: 'webhook delete of a malformed id',
    method: 'DELETE',
    path: '/webhooks/wh_%00',
    status: 400,
    field: 'path.webhook_id',
  },
  {
    name: 'webhook test of a malformed id',
    method: 'POST',
    path: '/webhooks/12345/test',
    status: 400,
    field: 'path.webhook_id',
  },
  {
    name: 'webhook rotation of a malformed id',
    method: 'POST',
    path: '/webhooks/WH_ABC/rotate-secret',
    status: 400,
    field: 'path.webhook_id',
  },
  {
    name: 'webhook deliveries with limit 0',
    method: 'GET',
    path: '/webhooks/wh_000000000000000000000000/deliveries?limit=0',
    status: 400,
    field: 'query.limit',
  },
  {
    name: 'a forecast one quarter-hour short of its day',
    method: 'PUT',
    path: '/trading/day-ahead/AT/days/2030-06-15/prices',
    body: JSON.stringify({
      prices: Array.from({ length: 95 }, (_, i) => ({
        start: new Date(Date.parse('2030-06-14T22:00:00Z') + i * 900_000).toISOString(),
        price_eur_mwh: 1,
      })),
    }),
    status: 400,
    field: 'body.prices',
  },
  {
    name: 'trading history with limit 0',
    method: 'GET',
    path: '/trading/day-ahead/AT/days?limit=0',
    status: 400,
    field: 'query.limit',
  },
  {
    name: 'a trading day of a zone on another clock',
    method: 'GET',
    path: '/trading/day-ahead/UK/days/2030-06-15',
    status: 400,
    field: 'path.price_zone',
  },
  {
    name: 'curves of a day that is not a date',
    method: 'GET',
    path: '/trading/day-ahead/AT/days/2030-02-30/curves.csv',
    status: 400,
    field: 'path.delivery_day',
  },
  {
    name: 'a trading decision that is not a boolean',
    method: 'POST',
    path: '/trading/day-ahead/AT/days/2030-06-15/confirmation',
    body: JSON.stringify({ accepted: 'yes' }),
    status: 400,
    field: 'body.accepted',
  },
  { name: 'PUT on a user', method: 'PUT', path: userPath, body: '{}', status: 404, shape: 'gateway' },
  {
    name: 'raw traversal out of a public route',
    method: 'GET',
    path: '/openapi.json/../users/victim-1',
    status: 404,
    shape: 'gateway',
  },
  {
    name: 'encoded traversal to a file',
    method: 'GET',
    path: '/%2e%2e/%2e%2e/etc/passwd',
    status: 404,
    shape: 'gateway',
  },
  {
    name: 'extra path segment',
    method: 'GET',
    path: `${userPath}/buildings/extra/segment`,
    status: 404,
    shape: 'gateway',
  },
];

/**
 * The other kinds' routes (electric vehicles, wallboxes, inverters): a device id that is not a UUID on every
 * route, a settings body out of range, a re-authentication without a body, savings without a range. A bad id
 * is refused before any device is looked up, so none is needed.
 */
const otherKinds = [
  {
    resource: 'electric-vehicles',
    idParam: 'electric_vehicle_id',
    savings: true,
    bad: { minimum_charge_limit: 101 },
    field: 'body.minimum_charge_limit',
  },
  {
    resource: 'wallboxes',
    idParam: 'wallbox_id',
    savings: false,
    bad: { charge_deadline_at: '25:00' },
    field: 'body.charge_deadline_at',
  },
  {
    resource: 'inverters',
    idParam: 'inverter_id',
    savings: true,
    bad: { max_battery_charge: 101 },
    field: 'body.max_battery_charge',
  },
] as const;
const NO_SUCH_DEVICE = '00000000-0000-4000-8000-0000000000d1';
for (const kind of otherKinds) {
  const list = `${userPath}/${kind.resource}`;
  const one = `${list}/${NO_SUCH_DEVICE}`;
  const badId = `${list}/not-a-uuid`;
  const idField = `path.${kind.idParam}`;
  cases.push(
    {
      name: `unknown ${kind.resource} query`,
      method: 'GET',
      path: `${list}?owner=x`,
      status: 400,
      field: 'query.owner',
    },
    { name: `${kind.resource} id not a UUID`, method: 'GET', path: badId, status: 400, field: idField },
    {
      name: `${kind.resource} settings out of range`,
      method: 'PATCH',
      path: one,
      body: json(kind.bad),
      status: 400,
      field: kind.field,
    },
    {
      name: `${kind.resource} settings with an unknown field`,
      method: 'PATCH',
      path: one,
      body: json({ owner: 'me' }),
      status: 400,
    },
    {
      name: `delete a ${kind.resource} id not a UUID`,
      method: 'DELETE',
      path: badId,
      status: 400,
      field: idField,
    },
    {
      name: `${kind.resource} re-authentication without a body`,
      method: 'POST',
      path: `${one}/reauthentication`,
      status: 400,
    },
    {
      name: `${kind.resource} readings limit out of range`,
      method: 'GET',
      path: `${one}/readings?limit=0`,
      status: 400,
      field: 'query.limit',
    },
    ...(kind.savings
      ? [
          {
            name: `${kind.resource} savings without a range`,
            method: 'GET' as const,
            path: `${one}/savings`,
            status: 400,
            field: 'query.from',
          },
        ]
      : []),
  );
}

// The routes every kind gained since: coverage, tracked changes (issue 35); refused by their shape first.
for (const kind of [{ resource: 'heat-pumps', idParam: 'heat_pump_id' }, ...otherKinds]) {
  const one = `${userPath}/${kind.resource}/${NO_SUCH_DEVICE}`;
  cases.push(
    {
      name: `${kind.resource} coverage with an unknown parameter`,
      method: 'GET',
      path: `${one}/readings/coverage?owner=x`,
      status: 400,
    },
    {
      name: `${kind.resource} changes with limit 0`,
      method: 'GET',
      path: `${one}/changes?limit=0`,
      status: 400,
      field: 'query.limit',
    },
    {
      name: `${kind.resource} change id that is not one`,
      method: 'GET',
      path: `${one}/changes/not-a-change`,
      status: 400,
      field: 'path.change_id',
    },
  );
}
// The charging configuration's tracked changes (issue 35): the user's, not a device's.
cases.push(
  {
    name: 'charging configuration changes with limit 0',
    method: 'GET',
    path: `${userPath}/charging-config/changes?limit=0`,
    status: 400,
    field: 'query.limit',
  },
  {
    name: 'charging configuration change id that is not one',
    method: 'GET',
    path: `${userPath}/charging-config/changes/not-a-change`,
    status: 400,
    field: 'path.change_id',
  },
);
cases.push(
  {
    name: 'backfill status with an unknown parameter',
    method: 'GET',
    path: '/history/backfill?owner=x',
    status: 400,
  },
  {
    name: 'audit entries with limit 0',
    method: 'GET',
    path: '/audit?limit=0',
    status: 400,
    field: 'query.limit',
  },
  {
    name: "a user's audit entries with limit 0",
    method: 'GET',
    path: `${userPath}/audit?limit=0`,
    status: 400,
    field: 'query.limit',
  },
  {
    name: 'timeline with a forged cursor',
    method: 'GET',
    path: `${userPath}/timeline?cursor=forged`,
    status: 400,
  },
  {
    name: 'webhook delivery of a malformed webhook id',
    method: 'GET',
    path: '/webhooks/not-a-webhook/deliveries/bm8tc3VjaC1hdHRlbXB0',
    status: 400,
    field: 'path.webhook_id',
  },
  {
    name: 'webhook event resend of a malformed webhook id',
    method: 'POST',
    path: '/webhooks/not-a-webhook/events/evt_000000000000000000000000/resend',
    status: 400,
    field: 'path.webhook_id',
  },
  {
    name: 'dead-letter replay of a malformed webhook id',
    method: 'POST',
    path: '/webhooks/not-a-webhook/dead-letters/replay',
    status: 400,
    field: 'path.webhook_id',
  },
  {
    name: 'statements in a zone that is not one',
    method: 'GET',
    path: `${userPath}/statements?time_zone=Mars%2FOlympus`,
    status: 400,
  },
  { name: 'statement of month 13', method: 'GET', path: `${userPath}/statements/2026-13`, status: 400 },
);

let stack: LocalStack;
let testStack: TestStack;
let db: TestStack['db'];
let adminToken: string;

beforeAll(async () => {
  testStack = await startTestStack();
  ({ stack, db } = testStack);
  adminToken = await stack.mintToken({ admin: true });
  // A real user, so that requests about it are wrong only in what they send.
  const created = await rawRequest(stack.apiUrl, {
    method: 'POST',
    path: '/users',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: json({ external_user_id: USER, email: 'victim@example.com' }),
  });
  if (created.status !== 201) throw new Error(`setup: POST /users answered ${created.status}`);
  HP = (await connectHeatPump(stack.apiUrl, adminToken, USER)).deviceId;
  // The setup's change events are published (and leave the outbox) before the first table dump.
  await stack.drainOutbox();
});
afterAll(async () => {
  await testStack?.close();
});

const gatewayErrorSchema = z.strictObject({ message: z.string() });
const poderoRequests = (methods = ['GET', 'POST', 'PUT', 'DELETE']) =>
  Object.entries(stack.simulator.control.counters().requests)
    .filter(([route]) => route !== 'POST /oauth2/token/' && methods.includes(route.split(' ')[0] ?? ''))
    .reduce((n, [, byStatus]) => n + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);

describe('bad input', () => {
  it('covers at least 60 requests and every declared route', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    const covered = new Set<string>();
    for (const c of cases) {
      const path = c.path.split('?')[0] ?? '';
      for (const route of routeDeclarations) {
        const pattern = new RegExp(`^${route.path.replace(/\{[a-z_]+\}/g, '[^/]+').replace('.', '\\.')}$`);
        if (route.method === c.method && pattern.test(path)) covered.add(route.operationId);
      }
    }
    // The public routes take no input: hostile requests against them are the gateway's 404s above.
    const inputRoutes = routeDeclarations.filter((r) => r.access !== 'public').map((r) => r.operationId);
    expect(inputRoutes.filter((id) => !covered.has(id))).toEqual([]);
  });

  let before: TableDump;
  it.each(cases)('$method $name -> $status', async (c) => {
    before ??= await dumpTables(db, stack.tableNames);
    const poderoMethods = c.poderoReadAllowed ? ['POST', 'PUT', 'DELETE'] : undefined;
    const podero = poderoRequests(poderoMethods);
    const res = await rawRequest(stack.apiUrl, {
      method: c.method,
      path: c.path.replace('{hp}', HP),
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(c.body !== undefined && c.contentType !== null
          ? { 'content-type': c.contentType ?? 'application/json' }
          : {}),
      },
      ...(c.body !== undefined ? { body: c.body } : {}),
    });

    expect(res.status, res.text.slice(0, 300)).toBe(c.status);
    if (c.shape === 'gateway') {
      gatewayErrorSchema.parse(res.json);
    } else {
      const body = errorBodySchema.parse(res.json);
      expect(body.error.message.length).toBeGreaterThan(0);
      if (c.field !== undefined) expect(body.error.details?.map((d) => d.field)).toContain(c.field);
    }
    expect(withoutAuditTrail(await dumpTables(db, stack.tableNames))).toEqual(withoutAuditTrail(before));
    expect(poderoRequests(poderoMethods)).toBe(podero);
  });
});
