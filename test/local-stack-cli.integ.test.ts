import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJwtAuthorizer, DEV_AUDIENCE, DEV_ISSUER, loadOrCreateSigningKey } from '@podero-bridge/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevProcess, startDev } from './support/dev-process';

/**
 * The CLIs as a user runs them (`node --import tsx ...`, like the root scripts): `pnpm dev` on free
 * ports, `dev:token`, `dev:run` and `demo` against it, then Ctrl-C.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const cli = (name: string) => join(ROOT, 'local/src/cli', name);

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli(script), ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('local stack CLIs', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let dev: DevProcess;
  let apiUrl = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-stack-cli-'));
    env = { ...process.env, BRIDGE_DEV_KEY_FILE: join(dir, 'dev-signing-key.json'), NO_COLOR: '1' };
    dev = await startDev(env);
    apiUrl = dev.apiUrl;
  }, 100_000);

  afterAll(async () => {
    dev?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('pnpm dev prints the URLs, the fake simulator credentials and an admin token that works', async () => {
    expect(apiUrl).not.toBe('');
    expect(dev.output()).toMatch(/Podero simulator http:\/\/127\.0\.0\.1:\d+/);
    expect(dev.output()).toMatch(/DynamoDB\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(dev.output()).toContain('client_id     sim-client-id');
    expect(dev.output()).toContain('client_secret sim-client-secret-not-real');
    expect(dev.output()).toMatch(/\[gateway\] API gateway on http/);
    const adminToken = /Admin bearer token[^\n]*\n\s+(\S+)/.exec(dev.output())?.[1] ?? '';
    const res = await fetch(`${apiUrl}/users/nobody-yet`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(res.status).toBe(404);
  });

  it('dev:token prints only a token the running gateway accepts, signed with the shared key', async () => {
    const minted = await run('dev-token.ts', ['--sub', 'cli-user', '--ttl', '120'], env);
    expect(minted.code).toBe(0);
    expect(minted.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const token = minted.stdout.trim();
    const key = await loadOrCreateSigningKey(join(dir, 'dev-signing-key.json'));
    const verdict = await createJwtAuthorizer({ jwks: key.jwks, issuer: DEV_ISSUER, audience: DEV_AUDIENCE })(
      token,
    );
    expect(verdict).toMatchObject({ ok: true, claims: { sub: 'cli-user' } });
    const res = await fetch(`${apiUrl}/users/cli-user`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
    const other = await fetch(`${apiUrl}/users/someone-else`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(other.status).toBe(403);
  });

  it('dev:token refuses bad usage on stderr with nothing on stdout', async () => {
    const noSubject = await run('dev-token.ts', [], env);
    expect(noSubject.code).toBe(2);
    expect(noSubject.stdout).toBe('');
    expect(noSubject.stderr).toContain('--sub EXTERNAL_USER_ID, --role viewer|support|admin or --admin');
    const badTtl = await run('dev-token.ts', ['--admin', '--ttl', '0'], env);
    expect(badTtl.code).toBe(2);
    expect(badTtl.stdout).toBe('');
  });

  it('demo walks the flow against the running stack, and dev:run runs a schedule in it', async () => {
    const demo = await run('demo.ts', ['--api-url', apiUrl, '--user', 'cli-demo'], env);
    expect(demo.stderr).not.toContain('demo failed');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain(`Using the local stack running at ${apiUrl}`);
    expect(demo.stdout).toMatch(/\[10\/32\] ✔ An electric vehicle, its wallbox and a solar inverter/);
    expect(demo.stdout).toMatch(/\[12\/32\] ✔ Every device of the home listed/);
    expect(demo.stdout).toMatch(/\[13\/32\] ✔ Readings appear/);
    expect(demo.stdout).toMatch(/\[14\/32\] ✔ Savings shown/);
    expect(demo.stdout).toMatch(/\[24\/32\] ✔ Connected again \(live read\)/);
    expect(demo.stdout).toMatch(/\[25\/32\] ✔ Change events of every kind received by the webhook/);
    expect(demo.stdout).toMatch(/\[32\/32\] ✔ Clock past its confirmation deadline: the day ends missed/);
    expect(demo.stdout).toMatch(/Trading: \d{4}-\d{2}-\d{2} confirmed, \d{4}-\d{2}-\d{2} missed/);
    expect(demo.stdout).not.toContain('\u001b['); // plain lines when stdout is not a terminal

    const sync = await run('run-schedule.ts', ['heat-pump-sync', '--api-url', apiUrl], env);
    expect(sync.code).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({
      schedule: 'heat-pump-sync',
      ok: true,
      result: { users: 1 },
    });
    // Both parts as pnpm demo runs them, in child processes (tsx) on a machine that may be shared.
  }, 90_000);

  it('stops cleanly on Ctrl-C (SIGINT) with exit code 0', async () => {
    expect(await dev.stop()).toBe(0);
    expect(dev.output()).toContain('[stack] stopped');
    await expect(fetch(`${apiUrl}/health`)).rejects.toThrow();
  });
});
