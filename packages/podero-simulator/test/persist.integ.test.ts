import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/index';
import { api, field, issueToken, START } from '../src/testing';

const directories: string[] = [];
function tempFile(): string {
  const directory = mkdtempSync(join(tmpdir(), 'podero-sim-'));
  directories.push(directory);
  return join(directory, 'state.json');
}
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('persistFile', () => {
  it('saves state on close and restores users, heat pumps, tokens and the clock on start', async () => {
    const file = tempFile();
    const first = await startSimulator({ startTime: START, persistFile: file });
    const token = await issueToken(first);
    const created = await api(first, token, 'POST', `/org/${first.orgId}/users`, {
      role: 'user',
      email: 'p@example.com',
    });
    const seeded = first.control.seed({ users: 1, heatPumpsPerUser: 2 });
    first.control.advanceClock(120);
    await first.close();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { users: unknown[]; heat_pumps: unknown[] };
    expect(saved.users).toHaveLength(2);
    expect(saved.heat_pumps).toHaveLength(2);

    const second = await startSimulator({ persistFile: file, clock: 'manual' });
    try {
      expect(second.control.now().toISOString()).toBe('2026-01-15T10:02:00.000Z');
      // The old token still works: a restarted dev simulator does not log the bridge out.
      const users = await api(second, token, 'GET', `/org/${second.orgId}/users`);
      expect((users.body as unknown[]).map((user) => field(user, 'id'))).toEqual([
        field(created.body, 'id'),
        seeded.users[0]?.id,
      ]);
      const heatPumps = await api(
        second,
        token,
        'GET',
        `/org/${second.orgId}/users/${seeded.users[0]?.id}/heat-pumps`,
      );
      expect(heatPumps.body).toHaveLength(2);
    } finally {
      await second.close();
    }
  });

  it('refuses a corrupt state file with a message naming the file', async () => {
    const file = tempFile();
    writeFileSync(file, '{"version":1,"users":"nope"}');
    await expect(startSimulator({ persistFile: file })).rejects.toThrow(/persist file .*state\.json/);
  });
});

describe('options', () => {
  it('fails loudly on a misspelt option', async () => {
    await expect(startSimulator({ latency: 5 } as never)).rejects.toThrow(/latency/);
  });
});
