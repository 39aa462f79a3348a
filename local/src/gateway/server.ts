import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import {
  type FunctionDeclaration,
  type FunctionId,
  functionDeclarations,
  gatewayScopesFor,
  type RouteDeclaration,
  routeDeclarations,
} from '@podero-bridge/functions/declarations';
import { listenLocally } from '@podero-bridge/local-aws';
import { type BoundAddress, localOnlyRefusal } from '@podero-bridge/podero-simulator';
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type { JSONWebKeySet } from 'jose';
import type { JwtAuthorizer } from '../auth/authorizer';
import { CONSOLE_SESSION_PATH } from '../console/session';
import { API_GATEWAY_MAX_BODY_BYTES } from '../constants';
import { type Scheduler, UnknownScheduleError } from '../scheduler';
import { buildApiGatewayEvent, type IncomingRequest } from './event';
import { createLambdaContext } from './lambda-context';
import { type GatewayResponse, gatewayError, jsonResponse, resultToResponse } from './response';
import { compileRoutes, matchRoute } from './routes';

/** A Lambda handler behind an HTTP API route (payload format 2.0). */
export type HttpApiHandler = (
  event: APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<unknown>;

export interface LocalGatewayOptions {
  /** Default 0 (a free port). */
  port?: number;
  host?: string;
  routes?: readonly RouteDeclaration[];
  functions: Partial<Record<FunctionId, HttpApiHandler>>;
  functionDecls?: Readonly<Record<FunctionId, FunctionDeclaration>>;
  authorizer: JwtAuthorizer;
  /** Served at `/.well-known/jwks.json`. */
  jwks: JSONWebKeySet;
  /** Enables `POST /__local/schedules/<name>/run`. */
  scheduler?: Scheduler;
  maxBodyBytes?: number;
  /** The operator console: its files at `/console/` and its local sign-in at `POST /__local/console/session`. */
  console?: {
    serve(method: string, path: string): Promise<GatewayResponse | undefined>;
    /** `body` reads the request's body (the role asked for), only when the session needs it. */
    session(
      method: string,
      headers: IncomingHttpHeaders,
      body: () => Promise<string>,
    ): Promise<GatewayResponse>;
  };
  /** Extra JSON served at `GET /__local/info` (the demo uses it to detect a running stack). */
  info?: Record<string, unknown>;
  log?: (message: string) => void;
}

export interface LocalGateway {
  /** e.g. `http://127.0.0.1:3000` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Identifies a local stack at `GET /__local/info`. */
export const LOCAL_STACK_MARKER = 'podero-bridge-local-stack';

class PayloadTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new PayloadTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new PayloadTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  response: GatewayResponse,
  extraHeaders: Record<string, string> = {},
): void {
  res.writeHead(response.statusCode, {
    ...response.headers,
    'content-length': String(response.body.length),
    ...extraHeaders,
  });
  res.end(response.body);
}

function htmlPage(title: string, text: string): GatewayResponse {
  const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: Buffer.from(
      `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
        `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`,
    ),
  };
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
const TIMED_OUT = Symbol('timed out');

/**
 * A local API Gateway (HTTP API): matches declared routes, runs the JWT authorizer on non-public
 * routes, builds payload 2.0 events and Lambda contexts, and maps results back to HTTP. Also
 * serves the JWKS and the local-only `/__local/` endpoints (schedule run-now, info, onboarding pages).
 */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const {
    port = 0,
    host = '127.0.0.1',
    routes = routeDeclarations,
    functions,
    functionDecls = functionDeclarations,
    authorizer,
    jwks,
    scheduler,
    maxBodyBytes = API_GATEWAY_MAX_BODY_BYTES,
    info = {},
    log = () => {},
    console: consoleSite,
  } = options;
  const compiled = compileRoutes(routes);
  /** Set once listening: `/__local/` answers only requests addressed to this gateway. */
  let bound: BoundAddress = { host, port };

  async function localRoute(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: () => Promise<string>,
  ): Promise<GatewayResponse | undefined> {
    if (method === 'GET' && path === '/.well-known/jwks.json') return jsonResponse(200, jwks);
    // Before anything under /__local/ (the console's sign-in included): it needs no token.
    if (path.startsWith('/__local/')) {
      const refusal = localOnlyRefusal(method, headers, bound);
      if (refusal !== undefined) return { ...jsonResponse(403, { message: 'Forbidden' }), note: refusal };
    }
    if (consoleSite !== undefined) {
      if (path === CONSOLE_SESSION_PATH) return consoleSite.session(method, headers, body);
      const page = await consoleSite.serve(method, path);
      if (page !== undefined) return page;
    }
    if (!path.startsWith('/__local/')) return undefined;
    if (method === 'GET' && path === '/__local/info') {
      return jsonResponse(200, { service: LOCAL_STACK_MARKER, schedules: scheduler?.names ?? [], ...info });
    }
    if (method === 'GET' && path === '/__local/schedules') {
      return jsonResponse(200, { schedules: scheduler?.names ?? [], periods_ms: scheduler?.periodsMs ?? {} });
    }
    const run = /^\/__local\/schedules\/([a-z0-9-]+)\/run$/.exec(path);
    if (method === 'POST' && run?.[1] !== undefined && scheduler !== undefined) {
      try {
        const outcome = await scheduler.runNow(run[1]);
        return jsonResponse(outcome.ok ? 200 : 500, outcome);
      } catch (error) {
        if (error instanceof UnknownScheduleError) return jsonResponse(404, { message: error.message });
        throw error;
      }
    }
    // Harmless landing pages for the Connect UI's success_url / cancel_url in local runs.
    if (method === 'GET' && path === '/__local/onboarding/success') {
      return htmlPage('Heat pump connected', 'You can close this window and return to the app.');
    }
    if (method === 'GET' && path === '/__local/onboarding/cancel') {
      return htmlPage('Connection cancelled', 'No heat pump was connected.');
    }
    if (method === 'GET' && path === '/__local/reauthentication/success') {
      return htmlPage('Heat pump reconnected', 'You can close this window and return to the app.');
    }
    if (method === 'GET' && path === '/__local/reauthentication/cancel') {
      return htmlPage('Reconnection cancelled', 'The heat pump is still disconnected.');
    }
    return undefined;
  }

  async function handle(req: IncomingMessage, requestId: string): Promise<GatewayResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const rawPath = target.split('?')[0] ?? '/';

    const local = await localRoute(method, rawPath, req.headers, async () =>
      (await readBody(req, maxBodyBytes)).toString('utf8'),
    );
    if (local !== undefined) return local;

    const match = matchRoute(compiled, method, rawPath);
    if (match === undefined) return gatewayError(404, 'Not Found');
    const handler = functions[match.route.function];
    if (handler === undefined) return gatewayError(500, 'Internal Server Error');

    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) return gatewayError(413, 'Request Entity Too Large');
      throw error;
    }

    const request: IncomingRequest = {
      method,
      url: target,
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      protocol: `HTTP/${req.httpVersion}`,
    };
    let event: APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithJWTAuthorizer;
    if (match.route.access === 'public') {
      event = buildApiGatewayEvent(request, match, undefined, { requestId });
    } else {
      const verdict = await authorizer(req.headers.authorization);
      if (!verdict.ok) {
        return {
          ...gatewayError(401, 'Unauthorized', { 'www-authenticate': wwwAuthenticate(verdict) }),
          note: verdict.reason,
        };
      }
      // A route with authorization scopes needs a token carrying one of them: API Gateway answers 403 itself.
      const required = gatewayScopesFor(match.route.access);
      if (required !== undefined && !required.some((scope) => verdict.scopes.includes(scope))) {
        return { ...gatewayError(403, 'Forbidden'), note: `the token lacks ${required.join(' or ')}` };
      }
      // API Gateway passes the token's scopes only on routes that declare scopes.
      const scopes = required === undefined ? null : verdict.scopes;
      event = buildApiGatewayEvent(request, match, { claims: verdict.claims, scopes }, { requestId });
    }

    const declaration = functionDecls[match.route.function];
    // The Lambda invocation has its own id (context.awsRequestId), as in AWS.
    const context = createLambdaContext(declaration);
    const outcome = await withTimeout(handler(event, context), declaration.timeoutSeconds * 1000);
    // API Gateway answers 503 when the integration does not respond in time.
    if (outcome === TIMED_OUT) {
      return {
        ...gatewayError(503, 'Service Unavailable'),
        note: `no answer within ${declaration.timeoutSeconds} s`,
      };
    }
    return resultToResponse(outcome);
  }

  const server: Server = createServer((req, res) => {
    const started = Date.now();
    // One id, as in API Gateway: the `apigw-requestid` header is the event's requestContext.requestId.
    const apigwRequestId = newApiGatewayRequestId();
    handle(req, apigwRequestId)
      .then(
        (response) => response,
        (error: unknown) => {
          // A handler that throws is a 500 in API Gateway too; the reason stays in the log.
          const reason = error instanceof Error ? error.message : String(error);
          return { ...gatewayError(500, 'Internal Server Error'), note: `handler threw: ${reason}` };
        },
      )
      .then((response) => {
        if (response.statusCode === 413) res.setHeader('connection', 'close');
        send(res, response, { 'apigw-requestid': apigwRequestId });
        if (!(req.url ?? '').startsWith('/__local/info')) {
          const path = (req.url ?? '/').split('?')[0];
          const note = response.note ? `, ${response.note}` : '';
          log(`${req.method} ${path} -> ${response.statusCode} (${Date.now() - started} ms${note})`);
        }
      });
  });

  const listening = await listenLocally(server, port, host);
  bound = { host, port: listening.port };
  return {
    url: `http://${host}:${listening.port}`,
    port: listening.port,
    close: listening.close,
  };
}

/** An id shaped like API Gateway's (`JgT2_g-3oAMEMVQ=`: 15 base64 characters and a pad). */
function newApiGatewayRequestId(): string {
  return randomBytes(11).toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

/** API Gateway's challenge on a refused token: which way the token failed, in RFC 6750 form. */
function wwwAuthenticate(verdict: { reason: string }): string {
  if (verdict.reason === 'missing Authorization header') return 'Bearer';
  const description =
    verdict.reason === 'ERR_JWT_EXPIRED' ? 'the token has expired' : 'the token is not valid';
  return `Bearer scope="" error="invalid_token" error_description="${description}"`;
}
