import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { routeDeclarations } from '../../declarations';
import { coldStartFlag, invocationKeys, MetricUnit, withLogKeys } from '../../platform/observability';
import { runWithDeadline } from '../../platform/request-deadline';
import { audited, isAudited } from './audit';
import { authorize, callerFromClaims } from './auth';
import type { ApiDeps } from './deps';
import { toApiError } from './errors';
import { ApiError, badRequest, errorResponse, jsonResponse, textResponse } from './http';
import { readIdempotencyKey, runIdempotently, takesIdempotencyKey } from './idempotency';
import { openApiDocument } from './openapi';
import { parseJsonBody, rawBody, requireJsonContentType, validate } from './request';
import { routeFor } from './routes';
import type { RouteDefinition } from './routes/types';

/**
 * A map of strings, checked but not copied: z.record builds a new object by assignment, and a client's
 * `?__proto__=` would set that copy's prototype instead of a key, slipping past the strict query schemas.
 */
const stringMap = z.custom<Record<string, string>>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string'),
  'must be a map of strings',
);

/** The parts of an API Gateway HTTP API (payload 2.0) event we rely on, checked before use. */
const apiEventSchema = z.looseObject({
  routeKey: z.string(),
  rawPath: z.string().optional(),
  headers: stringMap.optional(),
  queryStringParameters: stringMap.optional(),
  pathParameters: stringMap.optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
  requestContext: z.looseObject({
    requestId: z.string().optional(),
    authorizer: z.looseObject({ jwt: z.looseObject({ claims: z.unknown() }).optional() }).optional(),
  }),
});

const apiRoutes: ReadonlyMap<string, (typeof routeDeclarations)[number]> = new Map(
  routeDeclarations.filter((r) => r.function === 'api').map((r) => [`${r.method} ${r.path}`, r]),
);

const noInput = z.strictObject({});

/** Built once per container, on first use: the document only changes with the code. */
let openApi: Record<string, unknown> | undefined;
const cachedOpenApiDocument = (): Record<string, unknown> => {
  openApi ??= openApiDocument();
  return openApi;
};

export type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context?: Partial<Context>,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Past the deadline every Podero call and token wait has already given up; this is the last guard, for
 * anything else that hangs (a DynamoDB call), so the caller gets our 503 with a request id and
 * Retry-After instead of API Gateway's bare one. The work it stops waiting for writes only with
 * conditional writes, so finishing late leaves nothing inconsistent.
 */
const BUDGET_GUARD_GRACE_MS = 250;
/** A claimed Idempotency-Key outlives its request's budget by this much before a retry may take it over. */
const IDEMPOTENCY_LEASE_MARGIN_MS = 10_000;
async function withinBudget<T>(deadline: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ApiError(503, 'request_timeout', 'the request did not complete in time; retry', undefined, {
            'retry-after': '1',
          }),
        ),
      Math.max(0, deadline - Date.now()) + BUDGET_GUARD_GRACE_MS,
    );
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function makeApiHandler(deps: ApiDeps): ApiHandler {
  const isColdStart = coldStartFlag();
  return (rawEvent, context) => {
    const coldStart = isColdStart();
    // The route's budget, and never more than the invocation has left (less a margin to answer in).
    const remaining = context?.getRemainingTimeInMillis?.();
    const budgetMs = Math.min(deps.requestBudgetMs, remaining === undefined ? Infinity : remaining - 1_000);
    const deadline = Date.now() + budgetMs;
    return runWithDeadline(deadline, () => handle(deps, rawEvent, context, deadline, coldStart));
  };
}

async function handle(
  deps: ApiDeps,
  rawEvent: APIGatewayProxyEventV2,
  context: Partial<Context> | undefined,
  deadline: number,
  coldStart: boolean,
): Promise<APIGatewayProxyStructuredResultV2> {
  const started = performance.now();
  const parsedEvent = apiEventSchema.safeParse(rawEvent);
  const requestId =
    (parsedEvent.success ? parsedEvent.data.requestContext.requestId : undefined) ??
    context?.awsRequestId ??
    crypto.randomUUID();
  const headers = Object.fromEntries(
    Object.entries(parsedEvent.success ? (parsedEvent.data.headers ?? {}) : {}).map(([k, v]) => [
      k.toLowerCase(),
      v,
    ]),
  );
  const correlationId = headers['x-correlation-id']?.slice(0, 128) ?? requestId;
  // Keys per request, not on the shared logger: in the local stack one handler serves concurrent requests.
  const logger = withLogKeys(deps.logger, {
    request_id: requestId,
    correlation_id: correlationId,
    ...invocationKeys(context, coldStart),
  });
  let operationId = 'unknown';
  let status = 500;
  try {
    if (!parsedEvent.success) throw new Error('the event is not an API Gateway HTTP API payload 2.0 event');
    const event = parsedEvent.data;
    const declaration = apiRoutes.get(event.routeKey);
    if (!declaration) throw new ApiError(404, 'route_not_found', 'no such route');
    operationId = declaration.operationId;
    const route = routeFor(declaration.operationId);

    // Validate, then authorize once (the subject may come from the body), then the route's service.
    const { params, query, body } = readInput(route, event, headers);
    const subject = route.subject
      ? route.subject({ params, body })
      : (params as { external_user_id?: string }).external_user_id;
    const caller = authorize(
      declaration.access,
      callerFromClaims(event.requestContext.authorizer?.jwt?.claims, headers.authorization),
      subject,
    );
    const idempotencyKey = takesIdempotencyKey(declaration.method) ? readIdempotencyKey(headers) : undefined;

    const handle = () =>
      route.handle({
        params,
        query,
        body,
        caller,
        deps,
        logger,
        requestId,
        event: rawEvent,
        headers,
        openApiDocument: cachedOpenApiDocument,
      });
    // Every write is recorded before it is made, with who made it (./audit.ts); inside the idempotency
    // wrapper, so that a replayed answer (the write made once) is not recorded as a second write.
    const run = () =>
      isAudited(declaration)
        ? audited(
            deps.audit,
            {
              requestId,
              nowMs: deps.now(),
              caller,
              action: operationId,
              method: declaration.method,
              path: event.rawPath ?? declaration.path,
              subject,
              body,
            },
            handle,
          )
        : handle();
    const work = () =>
      idempotencyKey === undefined
        ? run()
        : runIdempotently(
            deps.idempotency,
            {
              key: idempotencyKey,
              operationId,
              caller,
              subject,
              input: { params, query, body },
              deadline,
              now: deps.now,
              leaseMs: deps.requestBudgetMs + IDEMPOTENCY_LEASE_MARGIN_MS,
              ...(route.shownOnce ? { shownOnce: route.shownOnce } : {}),
            },
            run,
          );
    const result = await withinBudget(deadline, work());
    status = result.status;
    const responseHeaders = { ...result.headers, 'x-request-id': requestId };
    return result.text === undefined
      ? jsonResponse(result.status, result.body, responseHeaders)
      : textResponse(result.status, result.text, responseHeaders);
  } catch (error) {
    const apiError = toApiError(error);
    if (apiError) {
      status = apiError.status;
      logger.info('request refused', {
        operationId,
        status,
        code: apiError.code,
        cause: describeCause(error),
      });
      return withRequestId(errorResponse(apiError, status >= 500 ? requestId : undefined), requestId);
    }
    status = 500;
    logger.error('unhandled error', { operationId, error: error as Error });
    return withRequestId(
      errorResponse(new ApiError(500, 'internal_error', 'internal error'), requestId),
      requestId,
    );
  } finally {
    logger.info('request', { operationId, status, duration_ms: Math.round(performance.now() - started) });
    deps.metrics.addMetric(
      status >= 500 ? 'ServerError' : status >= 400 ? 'ClientError' : 'Success',
      MetricUnit.Count,
      1,
    );
    deps.upstreamMetrics.flushInto(deps.metrics);
    deps.metrics.publishStoredMetrics();
  }
}

/** Path, query and body, each validated by the route's schema (400, 413, 415 name what is wrong). */
function readInput(
  route: RouteDefinition,
  event: z.output<typeof apiEventSchema>,
  headers: Record<string, string>,
): { params: unknown; query: unknown; body: unknown } {
  const params = validate('path', route.params ?? noInput, event.pathParameters ?? {});
  const query = validate('query', route.query ?? noInput, event.queryStringParameters ?? {});
  const bytes = rawBody(event.body, event.isBase64Encoded ?? false);
  if (!route.body) return { params, query, body: undefined };
  if (!bytes) throw badRequest('a JSON request body is required', [{ field: 'body', message: 'required' }]);
  requireJsonContentType(headers);
  return { params, query, body: validate('body', route.body, parseJsonBody(bytes)) };
}

/** Every answer names its request id, so a caller can quote it when reporting a problem. */
function withRequestId(
  response: APIGatewayProxyStructuredResultV2,
  requestId: string,
): APIGatewayProxyStructuredResultV2 {
  return { ...response, headers: { ...response.headers, 'x-request-id': requestId } };
}

/** For logs: the error class and upstream status/path, never upstream bodies or tokens. */
function describeCause(error: unknown): Record<string, unknown> | undefined {
  if (!(error instanceof Error) || error instanceof ApiError) return undefined;
  const upstream = error as Error & { status?: number; method?: string; path?: string };
  return { name: error.name, status: upstream.status, method: upstream.method, path: upstream.path };
}
