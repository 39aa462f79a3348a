import { scheduleDeclarations } from '@podero-bridge/functions/declarations';
import {
  CONSOLE_SESSION_PATH,
  consoleSession,
  createJwtAuthorizer,
  createScheduler,
  DEV_AUDIENCE,
  DEV_ISSUER,
  generateSigningKey,
  type LocalGateway,
  type Scheduler,
  startLocalGateway,
} from '@podero-bridge/local';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawRequest } from './support/raw-http';

// The gateway's /__local/ needs no token: it must answer this machine's tools and the console's own page only.
let gateway: LocalGateway;
let scheduler: Scheduler;
let minted: number;
let runs: number;

beforeAll(async () => {
  const key = await generateSigningKey();
  scheduler = createScheduler({
    schedules: scheduleDeclarations,
    timers: false,
    invoke: async () => {
      runs += 1;
      return {};
    },
  });
  const mint = async () => {
    minted += 1;
    return 'minted-admin-token';
  };
  gateway = await startLocalGateway({
    functions: {},
    authorizer: createJwtAuthorizer({ jwks: key.jwks, issuer: DEV_ISSUER, audience: DEV_AUDIENCE }),
    jwks: key.jwks,
    scheduler,
    console: {
      serve: async () => undefined,
      session: (method, headers) => consoleSession(method, headers, mint),
    },
  });
});
afterAll(async () => {
  await gateway?.close();
  await scheduler?.close();
});
beforeEach(() => {
  minted = 0;
  runs = 0;
});

const json = { 'content-type': 'application/json' };
const ownHost = () => new URL(gateway.url).host;
const signIn = (headers: Record<string, string>) =>
  rawRequest(gateway.url, {
    method: 'POST',
    path: CONSOLE_SESSION_PATH,
    headers: { ...json, ...headers },
    body: '{}',
  });

describe('the local gateway’s /__local/ endpoints', () => {
  it('mint no console session for a DNS-rebinding page (its own Host and Origin, another name)', async () => {
    const host = `evil.example:${gateway.port}`;
    const res = await signIn({ host, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('minted-admin-token');
    expect(minted).toBe(0);
    expect(
      (await rawRequest(gateway.url, { method: 'GET', path: '/__local/info', headers: { host } })).status,
    ).toBe(403);
  });

  it('refuse a cross-site simple POST: another Origin, or Sec-Fetch-Site: cross-site', async () => {
    const run = (headers: Record<string, string>) =>
      rawRequest(gateway.url, {
        method: 'POST',
        path: '/__local/schedules/heat-pump-sync/run',
        headers: { host: ownHost(), 'content-type': 'text/plain', ...headers },
        body: 'x',
      });
    expect((await run({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await run({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await signIn({ host: ownHost(), origin: 'http://evil.example' })).status).toBe(403);
    expect(runs).toBe(0);
    expect(minted).toBe(0);
  });

  it('serve the console’s own page, by address or localhost, and tools that send no Origin', async () => {
    const own = await signIn({ host: ownHost(), origin: gateway.url, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(200);
    expect(own.json).toMatchObject({ access_token: 'minted-admin-token' });
    const local = `localhost:${gateway.port}`;
    expect((await signIn({ host: local, origin: `http://${local}` })).status).toBe(200);
    const tool = await fetch(`${gateway.url}/__local/schedules/heat-pump-sync/run`, { method: 'POST' });
    expect(tool.status).toBe(200);
    expect(minted).toBe(2);
    expect(runs).toBe(1);
  });
});
