import { describe, expect, it } from 'vitest';
import { api, issueToken, startTestSimulator } from '../src/testing';

describe('determinism', () => {
  it('replays the same ids and readings for the same seed and operations', async () => {
    const run = async (seed: number) => {
      const sim = await startTestSimulator({ seed });
      try {
        const seeded = sim.control.seed({ users: 2, heatPumpsPerUser: 2 });
        const token = await issueToken(sim);
        const user = seeded.users[1];
        const list = await api(sim, token, 'GET', `/org/${sim.orgId}/users/${user?.id}/heat-pumps`);
        return { ids: seeded.users, list: list.body };
      } finally {
        await sim.close();
      }
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect((await run(8)).ids).not.toEqual(first.ids);
  });
});
