import * as z from 'zod';

/** What the gateway writes back to the HTTP client. */
export interface GatewayResponse {
  statusCode: number;
  /** Header values; `set-cookie` may carry several. */
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** Why the gateway answered this way (its log only, never sent). */
  note?: string;
}

const structuredResultSchema = z.object({
  statusCode: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  multiValueHeaders: z.unknown().optional(),
  cookies: z.array(z.string()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
});

export function jsonResponse(
  statusCode: number,
  value: unknown,
  headers: Record<string, string> = {},
): GatewayResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(value)),
  };
}

/** API Gateway's own error bodies, e.g. `{"message":"Not Found"}`. */
export function gatewayError(
  statusCode: number,
  message: string,
  headers: Record<string, string> = {},
): GatewayResponse {
  return jsonResponse(statusCode, { message }, headers);
}

/**
 * Turns a Lambda result into an HTTP response the way API Gateway does for payload format 2.0:
 * an object with `statusCode` is a structured response; anything else (a string or other JSON)
 * without `statusCode` becomes 200 `application/json` with the result as its body. A result API
 * Gateway could not map is a 500 `{"message":"Internal Server Error"}`.
 */
export function resultToResponse(result: unknown): GatewayResponse {
  if (typeof result === 'string') {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(result) };
  }
  if (result === null || result === undefined) {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('') };
  }
  if (typeof result !== 'object' || !('statusCode' in result)) {
    return jsonResponse(200, result);
  }
  const parsed = structuredResultSchema.safeParse(result);
  if (!parsed.success) return gatewayError(500, 'Internal Server Error');
  const { statusCode, headers = {}, cookies = [], body = '', isBase64Encoded = false } = parsed.data;
  const outHeaders: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) outHeaders[name.toLowerCase()] = String(value);
  if (cookies.length > 0) outHeaders['set-cookie'] = cookies;
  if (outHeaders['content-type'] === undefined && body.length > 0)
    outHeaders['content-type'] = 'application/json';
  return { statusCode, headers: outHeaders, body: Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8') };
}
