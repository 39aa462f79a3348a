/**
 * `bridge verify`: run after a deploy, it answers "is this stage usable?" in three steps, each printed with its
 * result and time, stopping at the first failure (exit 1):
 *
 *   1. health: `GET /health` without a token (the stage answers, and which version it runs);
 *   2. token:  a token from the issuer by client credentials (the partner's machine client), or the one given;
 *   3. read:   `GET /users?limit=1` with it (the JWT authorizer accepts the issuer's tokens, the function reads
 *              its table).
 *
 * Secrets stay out of the output: the token and the client secret are never printed (the secret is taken from
 * the environment only, never a flag, so that it stays out of shell history and the process list); a token
 * endpoint's refusal is shown by its OAuth `error` fields, not its body.
 */
import { type BridgeApiClient, createBridgeApiClient } from '@podero-bridge/bridge-api-client';
import type { Command } from 'commander';
import * as z from 'zod';

export interface VerifyIo {
  env: Record<string, string | undefined>;
  stdout: { write(chunk: string): unknown };
  fetch?: typeof fetch;
}

/** Where the token comes from: given as it is, or fetched with the client credentials grant. */
export type TokenSource =
  | { kind: 'given'; token: string; from: string }
  | {
      kind: 'client-credentials';
      /** The token endpoint, or the issuer whose discovery document names it. */
      endpoint: { tokenUrl: string } | { issuer: string };
      clientId: string;
      clientSecret: string;
      scope?: string;
    };

export interface VerifyOptions {
  apiUrl: string;
  tokenSource: TokenSource;
  timeoutMs: number;
}

const discoverySchema = z.looseObject({ token_endpoint: z.url() });
const tokenAnswerSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().optional(),
  scope: z.string().optional(),
});
const oauthErrorSchema = z.looseObject({
  error: z.string().max(200),
  error_description: z.string().max(500).optional(),
});
/** The claims verify reports about a given token (read, not verified: the API verifies it). */
const claimsSchema = z.looseObject({
  exp: z.number().optional(),
  scope: z.string().optional(),
  sub: z.string().optional(),
});
const usersPageSchema = z.looseObject({ items: z.array(z.unknown()) });

/** A step's outcome: the line's text, and whether the next steps may run. */
interface StepOutcome {
  ok: boolean;
  detail: string;
}

class StepFailure extends Error {
  override name = 'StepFailure';
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** A failed request's reason without its URL's secrets (none here) or a stack: the cause's code when it has one. */
function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${seconds(timeoutMs)}`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return typeof cause?.code === 'string' ? `${message} (${cause.code})` : message;
}

/** An answer's body for a failure line: short, as text. */
function bodyOf(error: unknown): string {
  if (error === undefined || error === null || error === '') return '';
  const text = typeof error === 'string' ? error : JSON.stringify(error);
  return ` ${text.length > 300 ? `${text.slice(0, 300)}...` : text}`;
}

function claimsOf(token: string): z.infer<typeof claimsSchema> | undefined {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || !payload) return undefined;
  try {
    const parsed = claimsSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function tokenEndpointOf(
  endpoint: { tokenUrl: string } | { issuer: string },
  send: typeof fetch,
  timeoutMs: number,
): Promise<string> {
  if ('tokenUrl' in endpoint) return endpoint.tokenUrl;
  const url = `${endpoint.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await send(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new StepFailure(`discovery ${url} answered ${response.status}`);
  const discovery = discoverySchema.safeParse(await response.json().catch(() => undefined));
  if (!discovery.success) throw new StepFailure(`discovery ${url} names no token_endpoint`);
  return discovery.data.token_endpoint;
}

/** The client credentials grant (RFC 6749 4.4), the client authenticated with HTTP Basic (2.3.1). */
async function clientCredentialsToken(
  source: Extract<TokenSource, { kind: 'client-credentials' }>,
  send: typeof fetch,
  timeoutMs: number,
): Promise<{ token: string; detail: string }> {
  const tokenUrl = await tokenEndpointOf(source.endpoint, send, timeoutMs);
  const basic = Buffer.from(
    `${encodeURIComponent(source.clientId)}:${encodeURIComponent(source.clientSecret)}`,
  ).toString('base64');
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (source.scope) form.set('scope', source.scope);
  const response = await send(tokenUrl, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: form.toString(),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const refusal = oauthErrorSchema.safeParse(body);
    const why = refusal.success
      ? `: ${refusal.data.error}${refusal.data.error_description ? ` (${refusal.data.error_description})` : ''}`
      : '';
    throw new StepFailure(`client credentials at ${tokenUrl} answered ${response.status}${why}`);
  }
  const answer = tokenAnswerSchema.safeParse(body);
  if (!answer.success)
    throw new StepFailure(`client credentials at ${tokenUrl}: no access_token in the answer`);
  const scope = answer.data.scope ?? claimsOf(answer.data.access_token)?.scope;
  const expires = answer.data.expires_in === undefined ? '' : `, expires in ${answer.data.expires_in} s`;
  return {
    token: answer.data.access_token,
    detail: `client credentials at ${tokenUrl}: ${scope ? `scope ${scope}` : 'no scope named'}${expires}`,
  };
}

function givenToken(
  source: Extract<TokenSource, { kind: 'given' }>,
  now: number,
): { token: string; detail: string } {
  const claims = claimsOf(source.token);
  if (!claims) return { token: source.token, detail: `from ${source.from} (not a JWT: the API decides)` };
  const left = claims.exp === undefined ? undefined : claims.exp - Math.floor(now / 1000);
  if (left !== undefined && left <= 0)
    throw new StepFailure(`the token from ${source.from} expired ${-left} s ago`);
  const who = claims.scope ? `scope ${claims.scope}` : claims.sub ? `sub ${claims.sub}` : 'no scope or sub';
  return {
    token: source.token,
    detail: `from ${source.from}: ${who}${left === undefined ? '' : `, expires in ${left} s`}`,
  };
}

/** Runs the three steps, printing a line per step; true when all passed. */
export async function verifyStage(options: VerifyOptions, io: VerifyIo): Promise<boolean> {
  const send = io.fetch ?? globalThis.fetch;
  const { timeoutMs } = options;
  const client = (token: string | null): BridgeApiClient =>
    createBridgeApiClient({ baseUrl: options.apiUrl, token, ...(io.fetch ? { fetch: io.fetch } : {}) });
  const signal = () => AbortSignal.timeout(timeoutMs);
  io.stdout.write(`bridge verify ${options.apiUrl.replace(/\/+$/, '')}\n`);

  let token = '';
  const steps: [name: string, work: () => Promise<string>][] = [
    [
      'health',
      async () => {
        const { data, error, response } = await client(null).GET('/health', { signal: signal() });
        if (!response.ok || data?.status !== 'ok')
          throw new StepFailure(`GET /health answered ${response.status}${bodyOf(error ?? data)}`);
        return `GET /health: ${response.status}, version ${data.version}`;
      },
    ],
    [
      'token',
      async () => {
        const source = options.tokenSource;
        const got =
          source.kind === 'given'
            ? givenToken(source, Date.now())
            : await clientCredentialsToken(source, send, timeoutMs);
        token = got.token;
        return got.detail;
      },
    ],
    [
      'read',
      async () => {
        const { data, error, response } = await client(token).GET('/users', {
          params: { query: { limit: 1 } },
          signal: signal(),
        });
        if (!response.ok) {
          const hint =
            response.status === 401
              ? " (the stage's JWT authorizer refused the token: its issuer and audience must be the stage's jwt settings)"
              : response.status === 403
                ? ' (the token carries no operator role: bridge/viewer, bridge/support or bridge/admin)'
                : '';
          throw new StepFailure(`GET /users?limit=1 answered ${response.status}${bodyOf(error)}${hint}`);
        }
        const page = usersPageSchema.safeParse(data);
        if (!page.success) throw new StepFailure('GET /users?limit=1: the answer has no items list');
        return `GET /users?limit=1: ${response.status}, ${page.data.items.length} user${page.data.items.length === 1 ? '' : 's'}`;
      },
    ],
  ];

  const started = performance.now();
  let failed: string | undefined;
  for (const [name, work] of steps) {
    if (failed) {
      io.stdout.write(`skip  ${name.padEnd(6)}  (after ${failed} failed)\n`);
      continue;
    }
    const at = performance.now();
    const outcome: StepOutcome = await work().then(
      (detail) => ({ ok: true, detail }),
      (error: unknown) => ({
        ok: false,
        detail: error instanceof StepFailure ? error.message : reasonOf(error, timeoutMs),
      }),
    );
    const ms = Math.round(performance.now() - at);
    io.stdout.write(`${outcome.ok ? 'ok  ' : 'FAIL'}  ${name.padEnd(6)}  ${outcome.detail} (${ms} ms)\n`);
    if (!outcome.ok) failed = name;
  }
  const total = Math.round(performance.now() - started);
  io.stdout.write(
    failed
      ? `not verified: ${failed} failed (${total} ms)\n`
      : `verified in ${total} ms: the stage answers, a token is accepted, a read works\n`,
  );
  return failed === undefined;
}

/** How run-cli.ts hands a command over: the global flags, a usage error (exit 2), and where the work goes. */
export interface VerifyCommandDeps {
  io: VerifyIo;
  globals(): { apiUrl?: string; token?: string };
  usage(message: string): Error;
  start(work: () => Promise<void>): void;
}

export function addVerifyCommand(program: Command, deps: VerifyCommandDeps): void {
  program
    .command('verify')
    .description(
      'after a deploy: /health, a token (client credentials, or --token/BRIDGE_TOKEN), one read (GET /users?limit=1); exit 1 on a failed step',
    )
    .option('--issuer <url>', 'OIDC issuer whose discovery names the token endpoint (env BRIDGE_ISSUER)')
    .option('--token-url <url>', 'the token endpoint itself (env BRIDGE_TOKEN_URL)')
    .option(
      '--client-id <id>',
      'machine client for the client credentials grant (env BRIDGE_CLIENT_ID; its secret: env BRIDGE_CLIENT_SECRET)',
    )
    .option('--scope <scopes>', 'scopes to ask for, e.g. bridge/admin (env BRIDGE_SCOPE)')
    .option('--timeout <seconds>', 'per request', '10')
    .action(
      (flags: { issuer?: string; tokenUrl?: string; clientId?: string; scope?: string; timeout: string }) => {
        deps.start(async () => {
          const { env } = deps.io;
          const globals = deps.globals();
          const apiUrl = globals.apiUrl ?? env.BRIDGE_API_URL;
          if (!apiUrl) throw deps.usage('set --api-url or BRIDGE_API_URL');
          if (!/^\d{1,3}$/.test(flags.timeout) || Number(flags.timeout) === 0)
            throw deps.usage('--timeout takes whole seconds, 1 to 999');
          const tokenSource = tokenSourceOf(flags, globals, env, deps.usage);
          const ok = await verifyStage(
            { apiUrl, tokenSource, timeoutMs: Number(flags.timeout) * 1000 },
            deps.io,
          );
          if (!ok) throw new Error('the stage is not verified');
        });
      },
    );
}

/** Client credentials when a client id is given (flag or env), else the token given; neither is a usage error. */
function tokenSourceOf(
  flags: { issuer?: string; tokenUrl?: string; clientId?: string; scope?: string },
  globals: { token?: string },
  env: Record<string, string | undefined>,
  usage: (message: string) => Error,
): TokenSource {
  const clientId = flags.clientId ?? env.BRIDGE_CLIENT_ID;
  if (clientId) {
    const clientSecret = env.BRIDGE_CLIENT_SECRET;
    if (!clientSecret)
      throw usage('set BRIDGE_CLIENT_SECRET (the client secret is read from the environment only)');
    const tokenUrl = flags.tokenUrl ?? env.BRIDGE_TOKEN_URL;
    const issuer = flags.issuer ?? env.BRIDGE_ISSUER;
    if (!tokenUrl && !issuer)
      throw usage('set --token-url or --issuer (or BRIDGE_TOKEN_URL or BRIDGE_ISSUER)');
    const scope = flags.scope ?? env.BRIDGE_SCOPE;
    return {
      kind: 'client-credentials',
      endpoint: tokenUrl ? { tokenUrl } : { issuer: issuer ?? '' },
      clientId,
      clientSecret,
      ...(scope ? { scope } : {}),
    };
  }
  const token = globals.token ?? env.BRIDGE_TOKEN;
  if (token) return { kind: 'given', token, from: globals.token ? '--token' : 'BRIDGE_TOKEN' };
  throw usage(
    'give a token (--token or BRIDGE_TOKEN) or client credentials (--client-id and BRIDGE_CLIENT_SECRET, with --issuer or --token-url)',
  );
}
