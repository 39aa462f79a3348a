import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BridgeCliIo, renderTable, runBridgeCli } from '@podero-bridge/bridge-cli';
import type { LocalStack } from '@podero-bridge/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHeatPump, onboardUser } from './support/flows';
import { startTestStack, type TestStack } from './support/local-stack';

/** The `bridge` CLI against the local stack: the API's own routes, as a support engineer calls them. */
let testStack: TestStack;
let stack: LocalStack;
let adminToken: string;
let deviceId: string;
const USER = 'cli-1';

beforeAll(async () => {
  testStack = await startTestStack();
  stack = testStack.stack;
  adminToken = await stack.mintToken({ admin: true });
  await onboardUser(stack.apiUrl, adminToken, USER);
  ({ deviceId } = await connectHeatPump(stack.apiUrl, adminToken, USER));
  await stack.runSchedule('heat-pump-sync');
}, 60_000);
afterAll(async () => {
  await testStack?.close();
});

async function bridge(args: string[], env: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const io: BridgeCliIo = {
    env: { BRIDGE_API_URL: stack.apiUrl, BRIDGE_TOKEN: adminToken, ...env },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  };
  const code = await runBridgeCli(args, io);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> };
}

describe('bridge CLI', () => {
  it('lists users and shows one customer’s summary as JSON', async () => {
    const list = await bridge(['users', 'list', '--limit', '10']);
    expect(list.code).toBe(0);
    expect((list.json().items as { external_user_id: string }[]).map((u) => u.external_user_id)).toContain(
      USER,
    );
    const summary = await bridge(['users', 'summary', USER]);
    expect(summary.code).toBe(0);
    expect((summary.json().heat_pumps as { id: string }[]).map((hp) => hp.id)).toEqual([deviceId]);
    const user = await bridge(['users', 'get', USER]);
    expect(user.json()).toMatchObject({ external_user_id: USER });
  });

  it('reads and changes a heat pump, its readings and savings, and the sync status', async () => {
    const list = await bridge(['heat-pumps', 'list', USER, '--max-age', '0']);
    expect(list.json()).toMatchObject({ source: 'live', items: [{ id: deviceId }] });
    const one = await bridge(['heat-pumps', 'get', USER, deviceId]);
    expect(one.json()).toMatchObject({ heat_pump: { id: deviceId } });
    const updated = await bridge([
      'heat-pumps',
      'update',
      USER,
      deviceId,
      '--set',
      'optimization_level=Max',
      '--set',
      'indoor_target_temperature_offset=1.5',
    ]);
    expect(updated.code).toBe(0);
    expect(updated.json()).toMatchObject({
      heat_pump: { optimization_level: 'Max', indoor_target_temperature_offset: 1.5 },
    });
    const readings = await bridge([
      'heat-pumps',
      'readings',
      USER,
      deviceId,
      '--order',
      'desc',
      '--limit',
      '1',
    ]);
    expect((readings.json().items as unknown[]).length).toBe(1);
    const to = new Date().toISOString();
    const from = new Date(Date.now() - 14 * 86_400_000).toISOString();
    const savings = await bridge([
      'heat-pumps',
      'savings',
      USER,
      deviceId,
      '--from',
      from,
      '--to',
      to,
      '--resolution',
      '1WEEK',
    ]);
    expect(savings.code).toBe(0);
    expect((savings.json().buckets as unknown[]).length).toBeGreaterThan(0);
    const status = await bridge(['sync', 'status']);
    expect(status.json()).toMatchObject({ passes_completed: 1 });
  });

  it('boosts an electric vehicle, reads its policy, issues a claim token, sets the charging mode and lists every device', async () => {
    const user = (await bridge(['users', 'get', USER])).json() as { podero_user_id: string };
    const control = stack.simulator.control;
    const vehicle = control.addDevice(user.podero_user_id, { kind: 'electric_vehicle' }).id;
    control.driveElectricVehicle(vehicle, { plugged_in: false });
    const boost = await bridge(['electric-vehicles', 'boost', USER, vehicle]);
    expect(boost.code, boost.stderr).toBe(0);
    expect(boost.json()).toMatchObject({ outcome: 'armed', electric_vehicle: { id: vehicle } });
    expect((await bridge(['electric-vehicles', 'disarm', USER, vehicle])).code).toBe(0);
    const policy = await bridge([
      'electric-vehicles',
      'charge-policy',
      USER,
      vehicle,
      '--day',
      'all=75@06:30',
    ]);
    expect(policy.json()).toMatchObject({ electric_vehicle_id: vehicle, fri: { charge_percentage: 75 } });
    const claim = await bridge(['wallboxes', 'claim-token', USER]);
    expect(claim.code).toBe(0);
    expect(typeof claim.json().token).toBe('string');
    const mode = await bridge(['charging-config', 'set', USER, '--mode', 'spot']);
    expect(mode.json()).toMatchObject({ mode: 'spot' });
    const devices = await bridge(['devices', 'list', USER, '--max-age', '0']);
    expect((devices.json().items as { type: string }[]).map((d) => d.type).sort()).toEqual([
      'electric_vehicle',
      'heat_pump',
    ]);
  });

  it('prints tables on --output table', async () => {
    const table = await bridge(['--output', 'table', 'users', 'list']);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^external_user_id\s+email\s+/);
    expect(rows.some((row) => row.startsWith(USER))).toBe(true);
    expect(renderTable({ status: 'ok', n: 2 })).toBe('field   value\nstatus  ok\nn       2\n');
  });

  it('exits 1 on an API refusal with its body on stderr, 2 on usage mistakes, 0 on --version', async () => {
    const userToken = await stack.mintToken({ sub: 'someone-else' });
    const refused = await bridge(['users', 'summary', USER], { BRIDGE_TOKEN: userToken });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('403');
    const missing = await bridge(['users', 'get', 'nobody-here']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('not_found');
    expect((await bridge(['users', 'list'], { BRIDGE_API_URL: undefined })).code).toBe(2);
    expect((await bridge(['users', 'list'], { BRIDGE_TOKEN: undefined })).code).toBe(2);
    expect((await bridge(['users', 'list', '--limit', 'ten'])).code).toBe(2);
    expect((await bridge(['heat-pumps', 'update', USER, deviceId])).code).toBe(2);
    expect((await bridge(['heat-pumps', 'update', USER, deviceId, '--set', 'novalue'])).code).toBe(2);
    expect((await bridge(['frobnicate'])).code).toBe(2);
    expect((await bridge(['--output', 'yaml', 'users', 'list'])).code).toBe(2);
    const version = await bridge(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe('0.1.0');
    const down = await bridge(['users', 'list'], { BRIDGE_API_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
  });
});

/**
 * `bridge verify` against the local stack (what `pnpm dev` runs), as after a deploy: with a token given, and by
 * client credentials at an issuer. The local stack has no token endpoint, so the test plays the issuer: a
 * discovery document and a token endpoint that checks the client's Basic credentials and hands out a token the
 * stack's authorizer accepts.
 */
describe('bridge verify', () => {
  const CLIENT_ID = 'back-office';
  const CLIENT_SECRET = 'verify-secret-4b1d';
  let issuer: Server;
  let issuerUrl = '';
  let issuedToken = '';

  beforeAll(async () => {
    issuer = createServer((req, res) => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
        send(200, { issuer: issuerUrl, token_endpoint: `${issuerUrl}/oauth2/token` });
        return;
      }
      let form = '';
      req.on('data', (chunk: Buffer) => (form += chunk.toString('utf8')));
      req.on('end', async () => {
        const expected = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
        if (req.url !== '/oauth2/token' || req.method !== 'POST') return send(404, { error: 'not_found' });
        if (req.headers.authorization !== expected) return send(401, { error: 'invalid_client' });
        if (new URLSearchParams(form).get('grant_type') !== 'client_credentials')
          return send(400, { error: 'unsupported_grant_type' });
        issuedToken = await stack.mintToken({ admin: true });
        send(200, { access_token: issuedToken, token_type: 'Bearer', expires_in: 3600 });
      });
    });
    await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
    issuerUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => issuer?.close(resolve));
  });

  it('passes with an admin token given: health, the token, one read, each with its time', async () => {
    const run = await bridge(['verify']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe(`bridge verify ${stack.apiUrl}`);
    expect(lines[1]).toMatch(/^ok {4}health {2}GET \/health: 200, version \S+ \(\d+ ms\)$/);
    expect(lines[2]).toMatch(/^ok {4}token {3}from BRIDGE_TOKEN: scope [^,]*bridge\/admin/);
    expect(lines[3]).toMatch(/^ok {4}read {4}GET \/users\?limit=1: 200, 1 user \(\d+ ms\)$/);
    expect(lines[4]).toMatch(/^verified in \d+ ms/);
    expect(run.stdout).not.toContain(adminToken);
  });

  it('passes by client credentials at the issuer, printing neither the secret nor the token', async () => {
    const run = await bridge(['verify', '--issuer', issuerUrl, '--client-id', CLIENT_ID], {
      BRIDGE_TOKEN: undefined,
      BRIDGE_CLIENT_SECRET: CLIENT_SECRET,
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`ok    token   client credentials at ${issuerUrl}/oauth2/token: scope`);
    expect(issuedToken).not.toBe('');
    expect(run.stdout + run.stderr).not.toContain(CLIENT_SECRET);
    expect(run.stdout + run.stderr).not.toContain(issuedToken);
  });

  it("fails (exit 1) at the read with a user's token, and at the token with a wrong secret", async () => {
    const userToken = await stack.mintToken({ sub: USER });
    const asUser = await bridge(['verify'], { BRIDGE_TOKEN: userToken });
    expect(asUser.code).toBe(1);
    expect(asUser.stdout).toMatch(/FAIL {2}read {4}GET \/users\?limit=1 answered 403 .*bridge\/admin/);

    const wrong = await bridge(['verify', '--issuer', issuerUrl, '--client-id', CLIENT_ID], {
      BRIDGE_TOKEN: undefined,
      BRIDGE_CLIENT_SECRET: 'not-the-secret',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('answered 401: invalid_client');
    expect(wrong.stdout).toContain('skip  read    (after token failed)');
  });
});
