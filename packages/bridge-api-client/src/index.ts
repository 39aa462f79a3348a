/**
 * @podero-bridge/bridge-api-client: a typed client for podero-bridge's own HTTPS API, shared by the `bridge`
 * CLI and the operator console. The types (`schema.d.ts`) are generated from `functions/openapi.json`
 * (`pnpm --dir packages/bridge-api-client generate`; `schema.test.ts` fails while they differ), so an
 * operation the document does not describe cannot be called, and every answer is typed.
 *
 * It imports nothing else of this repository and no Node.js module: the console bundles it for the browser.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };

/** The client: `client.GET('/users/{external_user_id}', { params: { path: { external_user_id } } })`. */
export type BridgeApiClient = Client<paths>;

export interface BridgeApiClientOptions {
  /** The API's base URL (a stage's invoke URL, or the local stack's); trailing slashes are ignored. */
  baseUrl: string;
  /**
   * The bearer token: a JWT, or a function asked before every request (a session that renews its token).
   * Sent as `Authorization: Bearer <token>`. `null` sends none: a client for the public routes only
   * (`/health`, `/openapi.json`), e.g. to check a stage answers before any token is at hand.
   */
  token: string | (() => string | Promise<string>) | null;
  /** The fetch to send with (tests, instrumentation); `globalThis.fetch` when absent. */
  fetch?: typeof fetch;
}

/**
 * An openapi-fetch client for the bridge's API. Answers are parsed as JSON (`Accept: application/json` unless a
 * request says otherwise); a call resolves to `{ data }` on 2xx or `{ error, response }` otherwise, and rejects
 * only when the request could not be sent.
 */
export function createBridgeApiClient(options: BridgeApiClientOptions): BridgeApiClient {
  const { baseUrl, token } = options;
  const client = createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    headers: { accept: 'application/json' },
    // Called with the Request alone, and looked up per call (a global fetch stubbed after creation applies).
    fetch: (request) => (options.fetch ?? globalThis.fetch)(request),
  });
  if (token === null) return client;
  client.use({
    async onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${typeof token === 'string' ? token : await token()}`);
      return request;
    },
  });
  return client;
}
