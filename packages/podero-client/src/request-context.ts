/**
 * What every resource of the client shares: one call to Podero (method, path, query, body, the response
 * schema), the strict check of an input before anything is sent, and a validated id as a path segment.
 * client.ts builds one per client and hands it to each resource module.
 */
import type * as z from 'zod';
import { describeIssues, PoderoRequestError, toIssues } from './errors';
import type { HttpMethod } from './retry';
import { idParamSchema } from './schemas';
import type { Authorization } from './transport';
import { send, type TokenProvider, type TransportOptions } from './transport';
import { API_PREFIX, type QueryValue, segment, withQuery } from './urls';

export interface GetOptions {
  includeDeleted?: boolean;
}

export interface ListOptions {
  /** Soft-deleted records too (`include_deleted=true`). */
  includeDeleted?: boolean;
}

export interface CallExtra {
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Default: the bearer token (every call but a cue's state report). */
  auth?: Authorization;
  /**
   * The path (after the API prefix) that errors and metrics show, for a path that holds a secret
   * (a wallbox claim token): the secret segment named, never its value.
   */
  redactedPath?: string;
  /** Leave an error response's body out of the error (an answer that would carry a secret). */
  hideBody?: boolean;
  /** Values an error must not repeat, should Podero's `detail` echo one (a claim token). */
  secrets?: readonly string[];
  /** Turns a documented refusal into its typed error (a boost's 409); gets and returns the error. */
  refineError?: (error: unknown) => unknown;
}

export interface RequestContext {
  /** `/org/{org_id}`, encoded. */
  readonly org: string;
  call<T>(
    /** The client method's name (`heatPumps.get`): what metrics and traces call the request. */
    operation: string,
    method: HttpMethod,
    path: string,
    extra: CallExtra,
    schema: z.ZodType<T> | undefined,
  ): Promise<T>;
  /** Validates one input; on failure throws PoderoRequestError naming the field, and nothing is sent. */
  check<S extends z.ZodType>(
    method: HttpMethod,
    pathTemplate: string,
    field: string,
    schema: S,
    value: unknown,
  ): z.output<S>;
  /** A Podero id (uuid), checked and encoded as one path segment. */
  id(method: HttpMethod, template: string, field: string, value: string): string;
}

export function createRequestContext(options: {
  baseUrl: string;
  orgId: string;
  transport: TransportOptions;
  tokenProvider: TokenProvider;
}): RequestContext {
  const { baseUrl, transport, tokenProvider } = options;

  function check<S extends z.ZodType>(
    method: HttpMethod,
    pathTemplate: string,
    field: string,
    schema: S,
    value: unknown,
  ): z.output<S> {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const issues = toIssues(result.error, field);
    throw new PoderoRequestError(
      `Invalid request to ${method} ${API_PREFIX}${pathTemplate}: ${describeIssues(issues)}`,
      { method, path: `${API_PREFIX}${pathTemplate}`, issues },
    );
  }

  return {
    org: `/org/${segment(options.orgId)}`,
    call<T>(
      operation: string,
      method: HttpMethod,
      path: string,
      extra: CallExtra,
      schema: z.ZodType<T> | undefined,
    ): Promise<T> {
      const fullPath = `${API_PREFIX}${path}`;
      const sent = send(transport, {
        operation,
        method,
        url: `${baseUrl}${withQuery(fullPath, extra.query)}`,
        path: extra.redactedPath === undefined ? fullPath : `${API_PREFIX}${extra.redactedPath}`,
        auth: extra.auth ?? { kind: 'bearer', tokenProvider },
        ...(extra.body === undefined ? {} : { body: extra.body }),
        ...(extra.headers === undefined ? {} : { headers: extra.headers }),
        ...(schema === undefined ? {} : { schema }),
        ...(extra.hideBody ? { hideBody: true } : {}),
        ...(extra.secrets === undefined ? {} : { secrets: extra.secrets }),
      });
      const refine = extra.refineError;
      return refine === undefined
        ? sent
        : sent.catch((error: unknown) => {
            throw refine(error);
          });
    },
    check,
    id: (method, template, field, value) => segment(check(method, template, field, idParamSchema, value)),
  };
}
