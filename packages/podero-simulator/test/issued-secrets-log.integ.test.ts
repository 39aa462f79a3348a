import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index';
import { SECOND_ORG } from '../src/server';
import { issueToken, startTestSimulator } from '../src/testing';

const ENV_NAME = 'PODERO_SIM_ISSUED_TOKENS_FILE';

describe('issued-tokens file (test-only hook for the leak scan)', () => {
  let dir: string;
  let previous: string | undefined;
  let sim: Simulator | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-issued-'));
    previous = process.env[ENV_NAME];
  });

  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    if (previous === undefined) delete process.env[ENV_NAME];
    else process.env[ENV_NAME] = previous;
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends every issued token and the accepted client secrets, prefixed, when the variable is set', async () => {
    const file = join(dir, 'issued.txt');
    process.env[ENV_NAME] = file;
    sim = await startTestSimulator({ clientId: 'custom-client', clientSecret: 'custom-secret-value' });
    const first = await issueToken(sim);
    const second = await issueToken(sim, SECOND_ORG);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines).toEqual([
      'client_secret\tcustom-client\tcustom-secret-value',
      `client_secret\t${SECOND_ORG.clientId}\t${SECOND_ORG.clientSecret}`,
      first,
      second,
    ]);
    expect(first).not.toBe(second);
  });

  it('writes nothing when the variable is unset', async () => {
    delete process.env[ENV_NAME];
    sim = await startTestSimulator();
    await issueToken(sim);
    expect(() => readFileSync(join(dir, 'issued.txt'), 'utf8')).toThrow(/ENOENT/);
  });
});
