import { describe, expect, it } from 'vitest';
import { planShards, ShardPlanner } from './shards';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `user-${String(i).padStart(4, '0')}`);

/** Which shard holds each id, by the ranges' own rule: after < id <= until (open ends). */
function owners(shards: ReturnType<typeof planShards>, id: string): number[] {
  return shards
    .filter((s) => (s.after === null || id > s.after) && (s.until === null || id <= s.until))
    .map((s) => s.index);
}

describe('shard planning', () => {
  it('cuts the walk into contiguous ranges of at most the shard size, the last one open-ended', () => {
    const shards = planShards(ids(10), 4);
    expect(shards).toEqual([
      { index: 0, after: null, until: 'user-0003' },
      { index: 1, after: 'user-0003', until: 'user-0007' },
      { index: 2, after: 'user-0007', until: null },
    ]);
  });

  it('puts every id, and any id onboarded later, in exactly one shard', () => {
    for (const [n, size] of [
      [1, 1],
      [7, 3],
      [12, 4],
      [100, 7],
      [1000, 1000],
      [1001, 1000],
    ] as const) {
      const all = ids(n);
      const shards = planShards(all, size);
      expect(shards.length).toBe(Math.max(1, Math.ceil(n / size)));
      for (const id of [...all, 'a-before-everyone', 'user-0003x', 'zz-after-everyone']) {
        expect(owners(shards, id), `${id} with n=${n}, size=${size}`).toHaveLength(1);
      }
      // No shard holds more than `size` of the planned ids.
      for (const shard of shards)
        expect(all.filter((id) => owners([shard], id).length === 1).length).toBeLessThanOrEqual(size);
    }
  });

  it('does not leave an empty last shard when the fleet is a multiple of the shard size', () => {
    const shards = planShards(ids(8), 4);
    expect(shards).toHaveLength(2);
    expect(shards[1]).toEqual({ index: 1, after: 'user-0003', until: null });
  });

  it('plans one open shard for an empty fleet, so a pass still completes', () => {
    expect(planShards([], 10)).toEqual([{ index: 0, after: null, until: null }]);
  });

  it('refuses ids out of walk order and a shard size below one', () => {
    const planner = new ShardPlanner(2);
    planner.add('b');
    expect(() => planner.add('a')).toThrow(/increasing/);
    expect(() => planner.add('b')).toThrow(/increasing/);
    expect(() => new ShardPlanner(0)).toThrow(/shard size/);
    expect(planner.users).toBe(1);
  });
});
