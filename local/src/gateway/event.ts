import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './lambda-context';

/** What the gateway knows about an incoming HTTP request, independent of node:http. */
export interface IncomingRequest {
  method: string;
  /** The request target as received, e.g. `/users/a%20b?x=1`. */
  url: string;
  /** Alternating names and values, as node's `req.rawHeaders`. */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  protocol: string;
}

export interface EventRoute {
  routeKey: string;
  pathParameters: Record<string, string>;
}

export interface JwtAuthorization {
  claims: Record<string, string>;
  /**
   * API Gateway fills `scopes` (the token's) only for routes declaring authorization scopes (the admin
   * routes, `gatewayScopesFor`); elsewhere it passes `null`.
   */
  scopes: string[] | null;
}

export const LOCAL_API_ID = 'local';

/**
 * Content types API Gateway passes as text; everything else (a missing content type and
 * `application/x-www-form-urlencoded` included) arrives base64-encoded with `isBase64Encoded: true`.
 * The split was observed on a real HTTP API (payload 2.0): AWS documents the mechanism, not the list.
 * A text body is decoded as UTF-8 with invalid bytes replaced by U+FFFD, which is what a deployed HTTP
 * API hands a function too (AWS documents no refusal of invalid UTF-8); the api refuses U+FFFD for that
 * reason (docs/RELIABILITY.md, invalid UTF-8).
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript'
  );
}

/**
 * Joins repeated names' values with "," (payload format 2.0). A Map, then own properties: names such as
 * `__proto__` and `constructor` come from the client and must be plain keys, never the prototype's.
 */
function joinRepeated(pairs: Iterable<[string, string]>): Record<string, string> {
  const joined = new Map<string, string>();
  for (const [name, value] of pairs) {
    const earlier = joined.get(name);
    joined.set(name, earlier === undefined ? value : `${earlier},${value}`);
  }
  return Object.fromEntries(joined);
}

/** Header names lowercased, repeated headers joined with "," (payload format 2.0). */
export function collectHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    pairs.push([(rawHeaders[i] ?? '').toLowerCase(), rawHeaders[i + 1] ?? '']);
  }
  return joinRepeated(pairs);
}

function decodeQueryComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return raw;
  }
}

/** Query parameters decoded; a repeated name's values joined with "," (payload format 2.0). */
export function parseQueryString(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const pairs: [string, string][] = [];
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeQueryComponent(eq === -1 ? pair : pair.slice(0, eq));
    pairs.push([name, eq === -1 ? '' : decodeQueryComponent(pair.slice(eq + 1))]);
  }
  const parameters = joinRepeated(pairs);
  return Object.keys(parameters).length === 0 ? undefined : parameters;
}

/** `25/Nov/2026:21:09:58 +0000`, the format of `requestContext.time`. */
export function formatRequestTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(
    date.getUTCHours(),
  )}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

export interface BuildEventOptions {
  requestId?: string;
  now?: Date;
}

/**
 * Builds the API Gateway HTTP API payload format 2.0 event for a matched route. Routes with an
 * authorizer get `requestContext.authorizer.jwt`; public routes have no `authorizer`, as in AWS.
 */
export function buildApiGatewayEvent(
  request: IncomingRequest,
  route: EventRoute,
  authorization: JwtAuthorization,
  options?: BuildEventOptions,
): APIGatewayProxyEventV2WithJWTAuthorizer;
export function buildApiGatewayEvent(
  request: IncomingRequest,
  route: EventRoute,
  authorization: undefined,
  options?: BuildEventOptions,
): APIGatewayProxyEventV2;
export function buildApiGatewayEvent(
  request: IncomingRequest,
  route: EventRoute,
  authorization: JwtAuthorization | undefined,
  options: BuildEventOptions = {},
): APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithJWTAuthorizer {
  const { requestId = randomUUID(), now = new Date() } = options;
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : request.url.slice(queryStart + 1);
  const headers = collectHeaders(request.rawHeaders);
  // Payload 2.0 moves cookies out of the headers into their own array.
  const cookieHeader = headers.cookie;
  delete headers.cookie;
  const cookies = cookieHeader
    ?.split(/[;,]\s*/)
    .map((c) => c.trim())
    .filter(Boolean);
  const domainName = headers.host ?? 'localhost';
  // Headers API Gateway adds in front of the integration.
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${request.sourceIp}`
    : request.sourceIp;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = /:(\d+)$/.exec(domainName)?.[1] ?? '80';
  headers['x-amzn-trace-id'] =
    `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const hasBody = request.body.length > 0;
  const text = isTextContentType(headers['content-type']);
  const queryStringParameters = parseQueryString(rawQueryString);

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies !== undefined && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters !== undefined ? { queryStringParameters } : {}),
    ...(Object.keys(route.pathParameters).length > 0 ? { pathParameters: route.pathParameters } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(hasBody ? { body: request.body.toString(text ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: hasBody && !text,
  };
  if (authorization === undefined) return event;
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      authorizer: { jwt: authorization },
    },
  };
}
