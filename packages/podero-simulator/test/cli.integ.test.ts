import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CliUsageError, parseCliOptions } from '../src/cli';

describe('CLI options', () => {
  it('defaults to port 4010 and a realtime clock', () => {
    expect(parseCliOptions([], {})).toEqual({ port: 4010, clock: 'realtime' });
  });

  it('reads PODERO_SIM_* variables and lets flags override them', () => {
    const options = parseCliOptions(['--latency-ms', '25', '--seed', '9'], {
      PODERO_SIM_LATENCY_MS: '100',
      PODERO_SIM_TOKEN_TTL: '60',
      PODERO_SIM_FAULTS: '[{"route":"*","status":503,"rate":0.1}]',
      PODERO_SIM_PORT: '0',
    });
    expect(options).toMatchObject({
      port: 0,
      latencyMs: 25,
      seed: 9,
      tokenTtlSeconds: 60,
      faults: [{ route: '*', status: 503, rate: 0.1 }],
    });
  });

  it('names the flag or variable that is wrong', () => {
    expect(() => parseCliOptions(['--port', 'abc'], {})).toThrow('--port: must be an integer');
    expect(() => parseCliOptions(['--org-id', 'nope'], {})).toThrow(/--org-id/);
    expect(() => parseCliOptions([], { PODERO_SIM_FAULTS: '[{"status":418}]' })).toThrow(
      /PODERO_SIM_FAULTS: 0.status/,
    );
    expect(() => parseCliOptions(['--bogus'], {})).toThrow(CliUsageError);
  });

  it('starts from the package bin, prints the base URL and credentials, and stops on SIGTERM', async () => {
    const bin = fileURLToPath(new URL('../bin/podero-simulator.mjs', import.meta.url));
    const child = spawn(process.execPath, [bin, '--port', '0', '--seed', '5'], {
      env: { ...process.env, PODERO_SIM_CLIENT_ID: 'cli-test-client' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const baseUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 15 s: ${output}`)), 15_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match?.[1] && output.includes('client secret')) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', () => reject(new Error(`exited early: ${output}`)));
    });
    expect(output).toContain('org id:         4e3f1a52-7c1b-4f3e-9d2a-5b8c6d7e8f90');
    expect(output).toContain('client id:      cli-test-client');
    const token = await fetch(`${baseUrl}/oauth2/token/`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('cli-test-client:sim-client-secret-not-real').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: '{"grant_type":"client_credentials"}',
    });
    expect(token.status).toBe(200);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(output).toContain('Podero simulator stopped.');
  });
});
