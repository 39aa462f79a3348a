/**
 * The audit trail's rules (pure): what an entry records of a write, how long it is kept, and what of it an
 * offboarding erases. storage/audit.ts stores the entries; lambdas/api/handler.ts records every write.
 */

import { ROLES } from './access';

/** Entries are kept this long (DynamoDB TTL), then dropped: long enough to answer "who did this" a year on. */
export const AUDIT_RETENTION_DAYS = 400;

/** A request body larger than this is recorded as its field names only (a day's prices is 96 rows). */
export const AUDIT_CHANGES_MAX_CHARS = 4096;

/**
 * Fields that name, reach or locate a person: an offboarded customer's entries keep the field's name (what
 * was changed) and lose its value. Matched at any depth of the recorded body.
 */
export const PERSONAL_FIELDS: ReadonlySet<string> = new Set([
  'email',
  'first_name',
  'last_name',
  'name',
  'street_and_number',
  'zip_code',
  'town',
  'country',
  'address',
]);

/** Who a write's caller was: an operator role (domain/access.ts `ROLES`), or `user`, an end user's own token. */
export const AUDIT_ROLES = [...ROLES, 'user'] as const;
export type AuditRole = (typeof AUDIT_ROLES)[number];

/** The marker an erased value is replaced by. */
export const ERASED = '[erased]';

type Json = unknown;

/** The marker a URL's credentials and query values are replaced by. */
export const REDACTED = '[redacted]';

/**
 * A URL as the trail keeps it: scheme, host and path, the query's names with REDACTED values, no user
 * name, password or fragment. Why: a webhook endpoint or a return URL often carries its own credential
 * (`?token=…`, `https://user:pass@…`), and the trail is read by every operator role, viewers included,
 * where the endpoint itself is shown to admins only. Strings that are not http(s) URLs pass unchanged.
 */
export function withoutUrlCredentials(value: string): string {
  if (!/^https?:\/\//i.test(value) || !URL.canParse(value)) return value;
  const url = new URL(value);
  const names = [...new Set(url.searchParams.keys())];
  const query = names.length === 0 ? '' : `?${names.map((name) => `${name}=${REDACTED}`).join('&')}`;
  return `${url.protocol}//${url.host}${url.pathname}${query}`;
}

function stripUrlCredentials(value: Json): Json {
  if (typeof value === 'string') return withoutUrlCredentials(value);
  if (Array.isArray(value)) return value.map(stripUrlCredentials);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([field, inner]) => [field, stripUrlCredentials(inner)]),
  );
}

/**
 * What an entry records of a request body: the body itself with every URL's credentials and query values
 * redacted (withoutUrlCredentials), or its top-level field names with `null` values when it is larger than
 * AUDIT_CHANGES_MAX_CHARS. Undefined body: nothing was sent.
 */
export function changesOf(body: unknown): Record<string, Json> | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  if (JSON.stringify(body).length > AUDIT_CHANGES_MAX_CHARS) {
    return Object.fromEntries(Object.keys(body).map((field) => [field, null]));
  }
  return stripUrlCredentials(body) as Record<string, Json>;
}

/** The recorded changes with every personal field's value replaced by ERASED, at any depth. */
export function erasePersonalData(value: Json): Json {
  if (Array.isArray(value)) return value.map(erasePersonalData);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([field, inner]) => [
      field,
      PERSONAL_FIELDS.has(field) && inner !== null ? ERASED : erasePersonalData(inner),
    ]),
  );
}
