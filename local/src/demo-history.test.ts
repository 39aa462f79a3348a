import { describe, expect, it } from 'vitest';
import { fillHistory, historyDaysSchema, rewindForHistory } from './demo-history';

/** A fake stack: answers /__local/info, and records every POST in order. */
function fakeStack() {
  const calls: string[] = [];
  const doFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    if (url.pathname === '/__local/info') {
      return new Response(JSON.stringify({ simulator_url: 'http://sim.test/' }));
    }
    calls.push(`${url.host}${url.pathname} ${init?.body ?? ''}`);
    return new Response('{"ok":true}');
  }) as typeof fetch;
  return { calls, target: { apiUrl: 'http://api.test', fetch: doFetch } };
}

describe('demo history', () => {
  it('rewinds the simulated clock the asked days, and comes back with a pass every simulated hour', async () => {
    // Prepare
    const { calls, target } = fakeStack();
    const now = Date.parse('2026-07-12T10:30:00Z');
    const days: number[] = [];
    // Act
    await rewindForHistory(target, 2, now);
    const passes = await fillHistory(target, now - 2 * 86_400_000, now, (day) => days.push(day));
    // Assess
    expect(calls[0]).toBe('sim.test/__sim/clock {"set":"2026-07-10T10:30:00.000Z"}');
    const syncs = calls.filter((c) => c.includes('/__local/schedules/heat-pump-sync/run'));
    expect(passes).toBe(49);
    expect(syncs).toHaveLength(49);
    expect(calls[1]).toBe('sim.test/__sim/clock {"advance_seconds":3600}');
    expect(calls.at(-2)).toBe('sim.test/__sim/clock {"set":"2026-07-12T10:30:00.000Z"}');
    expect(days).toEqual([1, 2]);
  });

  it('takes 1 to 14 whole days', () => {
    expect(historyDaysSchema.safeParse('7').data).toBe(7);
    expect(historyDaysSchema.safeParse('0').success).toBe(false);
    expect(historyDaysSchema.safeParse('15').success).toBe(false);
    expect(historyDaysSchema.safeParse('1.5').success).toBe(false);
  });
});
