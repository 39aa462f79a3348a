import * as z from 'zod';

/**
 * Shared request/response building blocks. Every request object is strict (unknown fields -> 400);
 * ids are validated before any lookup so a malformed id never reaches DynamoDB or Podero.
 */

/**
 * The partner's own id for an end user; also the JWT `sub` of that user's app. `.` and `..` are refused:
 * as path segments (ours and Podero's) a URL would normalise them away.
 */
export const externalUserIdSchema = z
  .string()
  .regex(
    /^(?!\.{1,2}$)[A-Za-z0-9._:@+-]{1,128}$/,
    'must be 1-128 characters of A-Z a-z 0-9 . _ : @ + -, and not "." or ".."',
  )
  .meta({
    description: "The partner's own id for the end user (the JWT `sub` of the user's app)",
    example: 'customer-42',
  });

/**
 * Characters no free-text field may hold: C0 and C1 controls (NUL, CR, LF, TAB, ESC...), bidirectional
 * controls that make a name display as something else (U+202E...), zero-width and invisible characters,
 * the byte-order mark, U+FFFD (what a lossy decoder leaves of invalid UTF-8), and lone surrogates (in a
 * `u` pattern a surrogate pair is one code point above U+FFFF, so only an unpaired half matches).
 */
const FORBIDDEN_IN_TEXT =
  '\\u0000-\\u001F\\u007F-\\u009F\\u00AD\\u061C\\u180E\\u200B-\\u200F\\u2028-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uD800-\\uDFFF\\uFEFF\\uFFF9-\\uFFFD';
/** At least one character that is not white space, and none of the forbidden ones (also in the OpenAPI). */
const freeTextPattern = new RegExp(`^(?!\\s*$)[^${FORBIDDEN_IN_TEXT}]*$`, 'u');

/**
 * A free-text field (names, addresses): trimmed, 1..max characters, not only white space, no control,
 * bidi, zero-width or replacement characters, and no lone surrogate (which no UTF-8 text can carry).
 * One rule for every free-text field of every route.
 */
export function freeText(max: number) {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty or only white space')
    .max(max)
    .regex(freeTextPattern, 'must not contain control, bidirectional-override or invisible characters');
}

export const uuidSchema = z.uuid('must be a UUID');

export const userPathSchema = z.strictObject({ external_user_id: externalUserIdSchema });

export const timestampSchema = z.iso.datetime({ offset: true }).meta({ example: '2026-11-25T10:00:00.000Z' });

export const healthResponseSchema = z
  .object({ status: z.literal('ok'), version: z.string() })
  .meta({ id: 'Health' });
