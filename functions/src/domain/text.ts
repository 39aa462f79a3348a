/** The one rule for free text (names, addresses, a contract's supplier): pure zod, used by the api's routes and the services' schemas. */
import * as z from 'zod';

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
