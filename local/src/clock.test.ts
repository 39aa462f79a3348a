import { describe, expect, it } from 'vitest';
import { bridgeClockOf } from './clock';

describe('bridgeClockOf', () => {
  it("reads the simulator's clock on every call, so a moved simulator clock moves the bridge", () => {
    let simulated = Date.parse('2026-10-24T05:00:00Z');
    const clock = bridgeClockOf('simulator', { control: { now: () => new Date(simulated) } });
    expect(clock()).toBe(Date.parse('2026-10-24T05:00:00Z'));
    simulated += 86_400_000;
    expect(clock()).toBe(Date.parse('2026-10-25T05:00:00Z'));
  });

  it('ignores the simulator on the wall clock', () => {
    const clock = bridgeClockOf('wall', { control: { now: () => new Date(0) } });
    const before = Date.now();
    const read = clock();
    expect(read).toBeGreaterThanOrEqual(before);
    expect(read).toBeLessThanOrEqual(Date.now());
  });
});
