import { describe, expect, it } from 'vitest';
import { runBridgeCli } from './run-cli';

/** `bridge verify` against a fake stage and issuer: a fetch that answers by URL and records every request. */
type Answer = { status: number; body?: unknown } | Error;
const API = 'https://abc123.execute-api.eu-central-1.amazonaws.com';
const ISSUER = 'https://issuer.example/pool-1';
const TOKEN_URL = 'https://auth.example/oauth2/token';
const SECRET = 'client-secret-7f3a9c';

/** A JWT-shaped token (unsigned: verify reads its claims and never checks them; the API does). */
const jwt = (claims: Record<string, unknown>) =>
  `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const ISSUED = jwt({ scope: 'bridge/admin', exp: inAnHour() });

const healthy: Record<string, Answer> = {
  [`GET ${API}/health`]: { status: 200, body: { status: 'ok', version: '1.4.0' } },
  [`GET ${API}/users?limit=1`]: { status: 200, body: { items: [{ external_user_id: 'crm-1' }] } },
  [`GET ${ISSUER}/.well-known/openid-configuration`]: { status: 200, body: { token_endpoint: TOKEN_URL } },
  [`POST ${TOKEN_URL}`]: {
    status: 200,
    body: { access_token: ISSUED, token_type: 'Bearer', expires_in: 3600 },
  },
};

async function verify(args: string[], env: Record<string, string>, answers: Record<string, Answer> = {}) {
  const requests: Request[] = [];
  let stdout = '';
  let stderr = '';
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request.clone());
    const answer = { ...healthy, ...answers }[`${request.method} ${request.url}`];
    if (answer === undefined) throw new Error(`unexpected ${request.method} ${request.url}`);
    if (answer instanceof Error) throw answer;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof globalThis.fetch;
  const code = await runBridgeCli(['verify', ...args], {
    env: { BRIDGE_API_URL: API, ...env },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    fetch,
  });
  return { code, requests, stdout, stderr, lines: stdout.trim().split('\n') };
}

describe('bridge verify', () => {
  it('checks health, the given token and one read, printing each step with its time', async () => {
    // Act
    const run = await verify([], { BRIDGE_TOKEN: ISSUED });

    // Assess
    expect(run.code).toBe(0);
    expect(run.lines[0]).toBe(`bridge verify ${API}`);
    expect(run.lines[1]).toMatch(/^ok {4}health {2}GET \/health: 200, version 1\.4\.0 \(\d+ ms\)$/);
    expect(run.lines[2]).toMatch(
      /^ok {4}token {3}from BRIDGE_TOKEN: scope bridge\/admin, expires in 3\d{3} s \(\d+ ms\)$/,
    );
    expect(run.lines[3]).toMatch(/^ok {4}read {4}GET \/users\?limit=1: 200, 1 user \(\d+ ms\)$/);
    expect(run.lines[4]).toMatch(/^verified in \d+ ms/);
    // /health goes without a token; the read with the one given.
    expect(run.requests.map((r) => [r.url, r.headers.get('authorization')])).toEqual([
      [`${API}/health`, null],
      [`${API}/users?limit=1`, `Bearer ${ISSUED}`],
    ]);
    expect(run.stdout).not.toContain(ISSUED);
  });

  it('gets a token by client credentials from the issuer’s token endpoint, never printing the secret or the token', async () => {
    // Act
    const run = await verify(['--issuer', ISSUER, '--client-id', 'machine-1', '--scope', 'bridge/admin'], {
      BRIDGE_CLIENT_SECRET: SECRET,
    });

    // Assess
    expect(run.code).toBe(0);
    expect(run.lines[2]).toMatch(
      new RegExp(`^ok {4}token {3}client credentials at ${TOKEN_URL}: scope bridge/admin, expires in 3600 s`),
    );
    const grant = run.requests.find((r) => r.url === TOKEN_URL);
    expect(grant?.method).toBe('POST');
    expect(grant?.headers.get('authorization')).toBe(
      `Basic ${Buffer.from(`machine-1:${SECRET}`).toString('base64')}`,
    );
    expect(grant?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(await grant?.text()).toBe('grant_type=client_credentials&scope=bridge%2Fadmin');
    expect(run.requests.at(-1)?.headers.get('authorization')).toBe(`Bearer ${ISSUED}`);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(run.stdout + run.stderr).not.toContain(ISSUED);
  });

  it('fails at the token when the endpoint refuses the client, naming the OAuth error and skipping the read', async () => {
    // Act
    const run = await verify(
      ['--client-id', 'machine-1'],
      { BRIDGE_CLIENT_SECRET: SECRET, BRIDGE_TOKEN_URL: TOKEN_URL },
      { [`POST ${TOKEN_URL}`]: { status: 400, body: { error: 'invalid_client' } } },
    );

    // Assess
    expect(run.code).toBe(1);
    expect(run.lines[2]).toMatch(
      new RegExp(`^FAIL {2}token {3}client credentials at ${TOKEN_URL} answered 400: invalid_client`),
    );
    expect(run.lines[3]).toBe('skip  read    (after token failed)');
    expect(run.lines[4]).toMatch(/^not verified: token failed/);
    expect(run.stderr).toBe('bridge: the stage is not verified\n');
    expect(run.requests.some((r) => r.url.includes('/users'))).toBe(false);
  });

  it('fails at the read with the API’s answer and a hint when the token is not an admin’s', async () => {
    // Act
    const run = await verify(
      [],
      { BRIDGE_TOKEN: jwt({ sub: 'crm-1', exp: inAnHour() }) },
      {
        [`GET ${API}/users?limit=1`]: { status: 403, body: { message: 'Forbidden' } },
      },
    );

    // Assess
    expect(run.code).toBe(1);
    expect(run.lines[2]).toMatch(/^ok {4}token {3}from BRIDGE_TOKEN: sub crm-1/);
    expect(run.lines[3]).toMatch(
      /^FAIL {2}read {4}GET \/users\?limit=1 answered 403 \{"message":"Forbidden"\} \(the token carries no operator role: bridge\/viewer, bridge\/support or bridge\/admin\)/,
    );
  });

  it('fails at health when the stage cannot be reached, and at the token when the given one has expired', async () => {
    // Act
    const down = await verify(
      [],
      { BRIDGE_TOKEN: ISSUED },
      {
        [`GET ${API}/health`]: new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } }),
      },
    );
    const expired = await verify([], { BRIDGE_TOKEN: jwt({ scope: 'bridge/admin', exp: 1_000 }) });

    // Assess
    expect(down.code).toBe(1);
    expect(down.lines[1]).toMatch(/^FAIL {2}health {2}fetch failed \(ENOTFOUND\)/);
    expect(down.lines.slice(2, 4)).toEqual([
      'skip  token   (after health failed)',
      'skip  read    (after health failed)',
    ]);
    expect(expired.code).toBe(1);
    expect(expired.lines[2]).toMatch(/^FAIL {2}token {3}the token from BRIDGE_TOKEN expired \d+ s ago/);
  });

  it('is a usage error (exit 2) without a token source, or with a client id but no secret in the environment', async () => {
    // Act
    const none = await verify([], {});
    const noSecret = await verify(['--client-id', 'machine-1', '--token-url', TOKEN_URL], {});

    // Assess
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give a token \(--token or BRIDGE_TOKEN\) or client credentials/);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/set BRIDGE_CLIENT_SECRET/);
    expect(none.requests).toEqual([]);
  });
});
