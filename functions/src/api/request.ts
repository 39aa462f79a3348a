import type * as z from 'zod';
import { ApiError, badRequest, detailsFromZod } from './http';

/** Bodies above this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The raw body as bytes: API Gateway base64-encodes bodies it does not consider text.
 * Returns undefined for an absent or empty body.
 */
export function rawBody(body: string | undefined, isBase64Encoded: boolean): Buffer | undefined {
  if (body === undefined || body === '') return undefined;
  const bytes = isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.byteLength > MAX_BODY_BYTES) {
    throw new ApiError(413, 'payload_too_large', `request body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  return bytes;
}

/**
 * Routes with a body accept only JSON. A body with another (or no) content type is refused with 415,
 * so a form post or a text/plain body is never half-interpreted.
 */
export function requireJsonContentType(headers: Record<string, string | undefined>): void {
  const contentType = headers['content-type'];
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json' && !mediaType?.match(/^application\/[a-z0-9.+-]+\+json$/)) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      'the request body must be JSON (content-type: application/json)',
      [
        {
          field: 'header.content-type',
          message: contentType ? `unsupported: ${contentType.slice(0, 100)}` : 'missing',
        },
      ],
    );
  }
}

/**
 * Finds the first object key that appears twice in one object of an already syntax-checked JSON text.
 * JSON.parse silently keeps the last one, which would let `{"email":"a","email":"b"}` through with a
 * value the caller may not have meant; we refuse it instead.
 */
export function findDuplicateKey(text: string): string | undefined {
  const stack: { keys: Set<string> | undefined; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
    } else if (ch === '{') {
      stack.push({ keys: new Set(), expectKey: true });
    } else if (ch === '[') {
      stack.push({ keys: undefined, expectKey: false });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
    }
  }
  return undefined;
}

const notUtf8 = () =>
  badRequest('request body is not valid UTF-8', [{ field: 'body', message: 'invalid UTF-8' }]);

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The first string (value or key) in a parsed JSON value that holds a lone surrogate, as a field path.
 * JSON's `\ud800` escape can smuggle one in although the body's bytes are valid UTF-8; no UTF-8 text
 * (Podero's, DynamoDB's) can carry it.
 */
function findLoneSurrogate(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findLoneSurrogate(item, `${path}.${i}`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key)) return path;
      const found = findLoneSurrogate(item, `${path}.${key.slice(0, 100)}`);
      if (found) return found;
    }
  }
  return undefined;
}
/**
 * How deeply a body's arrays and objects may nest. Our deepest body is three levels (an energy contract's
 * prices); the bound keeps every walk over a parsed body (ours, zod's) far from the call stack's limit,
 * which 10 KB of `[[[[...` would otherwise reach (a RangeError, answered as 500).
 */
export const MAX_JSON_DEPTH = 32;

/** Whether a parsed JSON value nests arrays or objects deeper than `limit`; recursion stops at the limit. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit === 0) return true;
  const items = Array.isArray(value) ? value : Object.values(value);
  return items.some((item) => nestsDeeperThan(item, limit - 1));
}

/**
 * Parses a JSON body strictly: valid UTF-8, valid JSON, bounded nesting, no duplicate keys, no lone
 * surrogates.
 * Invalid UTF-8 is refused whatever the gateway did with the bytes: a base64 body is decoded strictly,
 * and a text body that API Gateway (or the local gateway) decoded lossily carries U+FFFD where the bad
 * bytes were, which is refused too (no field of this API has a use for the replacement character).
 */
export function parseJsonBody(bytes: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw notUtf8();
  }
  if (text.includes('\uFFFD')) throw notUtf8();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message.slice(0, 200) : 'invalid JSON';
    throw badRequest('request body is not valid JSON', [{ field: 'body', message: reason }]);
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
    throw badRequest('request body is nested too deeply', [
      { field: 'body', message: `arrays and objects nested deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    throw badRequest('request body has a duplicate key', [
      { field: `body.${duplicate.slice(0, 100)}`, message: 'duplicate key' },
    ]);
  }
  const surrogate = findLoneSurrogate(value, 'body');
  if (surrogate !== undefined) {
    throw badRequest('request body holds a lone surrogate', [
      { field: surrogate, message: 'lone surrogate (not representable in UTF-8)' },
    ]);
  }
  return value;
}

export function validate<S extends z.ZodType>(
  location: 'body' | 'path' | 'query',
  schema: S,
  input: unknown,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const details = detailsFromZod(location, result.error);
    throw badRequest(
      `invalid ${location === 'path' ? 'path parameter' : location}: ${details[0]?.field ?? location}`,
      details,
    );
  }
  return result.data;
}
