import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ADMIN_SCOPE, type OperationId, routeDeclarations } from '../src/declarations';

/** JWT claims as API Gateway's JWT authorizer passes them (strings; `scope` space-separated). */
export type Claims = Record<string, string>;

export const adminClaims = (sub = 'partner-backoffice'): Claims => ({ sub, scope: `${ADMIN_SCOPE} openid` });
export const userClaims = (externalUserId: string): Claims => ({ sub: externalUserId, scope: 'openid' });

export interface ApiEventOptions {
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** An object is JSON-encoded; a string is sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** `null` = no authorizer context at all (as on a public route). Default: admin claims. */
  claims?: Claims | null;
  isBase64Encoded?: boolean;
  requestId?: string;
}

/**
 * An API Gateway HTTP API (payload 2.0) event for a declared route, as API Gateway would deliver it after
 * its JWT authorizer accepted the token.
 */
export function apiEvent(operationId: OperationId, options: ApiEventOptions = {}): APIGatewayProxyEventV2 {
  const declaration = routeDeclarations.find((r) => r.operationId === operationId);
  if (!declaration) throw new Error(`unknown operationId ${operationId}`);
  const params = options.params ?? {};
  const rawPath = declaration.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(params[name] ?? `{${name}}`),
  );
  const query = options.query ?? {};
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const claims = options.claims === undefined ? adminClaims() : options.claims;
  const requestId = options.requestId ?? crypto.randomUUID();
  return {
    version: '2.0',
    routeKey: `${declaration.method} ${declaration.path}`,
    rawPath,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {
      host: 'api.test',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length > 0 ? { pathParameters: params } : {}),
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'api.test',
      domainPrefix: 'api',
      http: {
        method: declaration.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId,
      routeKey: `${declaration.method} ${declaration.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    },
  } as APIGatewayProxyEventV2;
}

/** The JSON body of a handler result (throws if there is none or it is not JSON). */
export function bodyOf<T = Record<string, unknown>>(result: { body?: string | undefined }): T {
  if (result.body === undefined) throw new Error('response has no body');
  return JSON.parse(result.body) as T;
}
