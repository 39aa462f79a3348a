import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `kill <pid of pnpm dev>` from a script: pnpm does not pass SIGTERM on to the stack, so the stack must
 * notice that its launcher is gone and stop by itself, freeing its ports for the next `pnpm dev`.
 * Runs the real `pnpm dev` (pnpm → sh → tsx → node) in its own process group.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let group: number | undefined;
let dir: string | undefined;
afterAll(async () => {
  // Whatever happened, nothing of this test outlives it.
  if (group !== undefined) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.text();
    return true;
  } catch {
    return false;
  }
}

describe('pnpm dev', () => {
  it('stops, freeing its ports, when the pnpm process is killed with SIGTERM', async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-stack-stop-'));
    const ports = ['--api-port', '0', '--simulator-port', '0', '--dynamo-port', '0', '--secrets-port', '0'];
    const pnpm = spawn('pnpm', ['dev', ...ports, '--no-schedules', '--log-level', 'WARN'], {
      cwd: ROOT,
      env: { ...process.env, BRIDGE_DEV_KEY_FILE: join(dir, 'key.json'), NO_COLOR: '1' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    group = pnpm.pid;
    let output = '';
    pnpm.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    pnpm.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    for (let i = 0; i < 120 && !output.includes('Ctrl-C stops everything.'); i++) await sleep(500);
    expect(output).toContain('Ctrl-C stops everything.');
    const apiUrl = /API gateway\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
    const simulatorUrl = /Podero simulator (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
    expect(await answers(`${apiUrl}/health`)).toBe(true);
    expect(await answers(`${simulatorUrl}/__sim/state`)).toBe(true);

    process.kill(pnpm.pid ?? 0, 'SIGTERM');
    let up = true;
    for (let i = 0; i < 30 && up; i++) {
      await sleep(500);
      up = (await answers(`${apiUrl}/health`)) || (await answers(`${simulatorUrl}/__sim/state`));
    }
    expect(up, output).toBe(false);
    expect(output).toMatch(/launcher process \d+ exited: stopping/);
  }, 90_000);
});
