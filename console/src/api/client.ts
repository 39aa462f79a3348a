import type { components, paths } from '@podero-bridge/bridge-api-client';
import createClient, { type Middleware } from 'openapi-fetch';
import type { Session } from '../auth/session';

/**
 * The console's only way to the bridge: a client typed from the API's own OpenAPI document
 * (`@podero-bridge/bridge-api-client`), so a route the document does not describe cannot be called.
 */
export type Api = ReturnType<typeof createApi>;
export type Schemas = components['schemas'];

export function createApi(baseUrl: string, session: Session, fetchImpl: typeof fetch = globalThis.fetch) {
  const client = createClient<paths>({ baseUrl, fetch: (request) => fetchImpl(request) });
  const auth: Middleware = {
    async onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${await session.accessToken()}`);
      return request;
    },
    onResponse({ response }) {
      // An expired or revoked token: the next request signs in again (dev: a new token; OIDC: the issuer).
      if (response.status === 401) session.invalidate();
      return response;
    },
  };
  client.use(auth);
  return client;
}

/** An answer other than 2xx, with what the API said (its `{ error: { code, message, details } }` body). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly { field: string; message: string }[] = [],
    /** The answer's named attributes beside its code (a refused boost's `reason` and `state`). */
    readonly attributes: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const NOT_ATTRIBUTES = new Set(['code', 'message', 'details', 'request_id']);

function errorOf(status: number, body: unknown): ApiError {
  const error = (body as { error?: Partial<Schemas['Error']['error']> } | undefined)?.error;
  if (error && typeof error.message === 'string') {
    const attributes = Object.fromEntries(
      Object.entries(error).filter(
        (entry): entry is [string, string] => !NOT_ATTRIBUTES.has(entry[0]) && typeof entry[1] === 'string',
      ),
    );
    return new ApiError(status, error.code ?? 'error', error.message, error.details ?? [], attributes);
  }
  // The gateway's own answers (401, 403, 429, 503) are `{ "message": "..." }`.
  const gateway = (body as { message?: unknown } | undefined)?.message;
  return new ApiError(status, 'gateway', typeof gateway === 'string' ? gateway : `HTTP ${status}`);
}

/** The data of a successful answer, or an ApiError naming what went wrong. */
export async function expectData<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw errorOf(response.status, error);
  if (data === undefined && response.status !== 204) throw new ApiError(response.status, 'empty', 'no body');
  return data as T;
}
