import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import type { OperationId } from '../../../declarations';
import type { RequestLogger } from '../../../platform/observability';
import type { Caller } from '../auth';
import type { ApiDeps } from '../deps';
import { errorBodySchema, type RouteResult } from '../http';

export interface RouteContext<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** undefined only on public routes. */
  readonly caller: Caller | undefined;
  readonly deps: ApiDeps;
  readonly logger: RequestLogger;
  readonly requestId: string;
  readonly event: APIGatewayProxyEventV2;
  /** The request's headers, names lower-cased (as the handler read them). */
  readonly headers: Readonly<Record<string, string>>;
  /** This API's OpenAPI document (built once per container, on first use). */
  readonly openApiDocument: () => Record<string, unknown>;
}

export interface ResponseSpec {
  readonly description: string;
  /** The JSON body's schema (also the OpenAPI schema); absent for 204. */
  readonly schema?: z.ZodType;
  readonly headers?: Readonly<Record<string, string>>;
  /** The same answer is also served as `text/csv` on request (`Accept: text/csv`). */
  readonly csv?: true;
  /** The answer is text of this media type only (a file export), documented as a string. */
  readonly text?: 'text/csv';
}

/**
 * One route's implementation: its schemas (used for validation AND the OpenAPI document) and its
 * handler. Method, path and access rule come from `routeDeclarations`, keyed by operationId.
 */
export interface RouteDefinition<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  readonly operationId: OperationId;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /**
   * The end user the request is about, for `self-or-admin` routes whose user is not in the path
   * (`POST /users` takes it from the body). Default: the `external_user_id` path parameter.
   */
  subject?(input: { params: z.output<P>; body: z.output<B> }): string | undefined;
  /**
   * Top-level fields of the answer shown to the first request only (secrets): never stored with an
   * `Idempotency-Key`'s record, so a replay answers them as null (the schema must allow null).
   */
  readonly shownOnce?: readonly string[];
  handle(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<RouteResult>;
}

/** An error answer in the API's own shape (`{"error": ...}`), for a route's `responses`. */
export const errorResponse = (description: string): ResponseSpec => ({
  description,
  schema: errorBodySchema,
});

/** Identity helper that keeps the schema types flowing into `handle`. */
export function defineRoute<
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(route: RouteDefinition<P, Q, B>): RouteDefinition<P, Q, B> {
  return route;
}
