import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';

/** The one error shape of this API. */
export const errorDetailSchema = z.object({
  /** Where the problem is: `body.email`, `path.external_user_id`, `query.limit`, `header.content-type`. */
  field: z.string(),
  message: z.string(),
});
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(errorDetailSchema).optional(),
    request_id: z.string().optional(),
  }),
});
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

/** A deliberate HTTP answer (4xx, 502, 503). Anything else thrown becomes a 500 without internals. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
    /** Named facts beside the code (a refused boost's `reason` and `state`), in the `error` object. */
    readonly attributes?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: ErrorDetail[]) =>
  new ApiError(400, 'validation_error', message, details);
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);

export interface RouteResult {
  status: number;
  body?: unknown;
  /** A body that is not JSON (a CSV export); its content type goes in `headers`. */
  text?: string;
  headers?: Record<string, string>;
}

const baseHeaders = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  if (status === 204 || body === undefined) {
    return { statusCode: status, headers: { 'cache-control': 'no-store', ...headers } };
  }
  return { statusCode: status, headers: { ...baseHeaders, ...headers }, body: JSON.stringify(body) };
}

export function textResponse(
  status: number,
  text: string,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { ...baseHeaders, 'content-type': 'text/plain; charset=utf-8', ...headers },
    body: text,
  };
}

export function errorResponse(error: ApiError, requestId?: string): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(
    error.status,
    {
      error: {
        code: error.code,
        message: error.message,
        ...error.attributes,
        ...(error.details && error.details.length > 0 ? { details: error.details } : {}),
        ...(requestId ? { request_id: requestId } : {}),
      },
    },
    error.headers,
  );
}

/** Turns zod issues into details naming the field (`body.email`), never echoing the value. */
export function detailsFromZod(location: 'body' | 'path' | 'query', error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => {
    const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    if (unknownKeys.length > 0) {
      return {
        field: [location, ...issue.path.map(String), unknownKeys[0]].join('.'),
        message: `unknown field${unknownKeys.length > 1 ? `s: ${unknownKeys.join(', ')}` : ''}`,
      };
    }
    return { field: [location, ...issue.path.map(String)].join('.'), message: issue.message };
  });
}
