import { describe, expect, it } from 'vitest';
import { foundKinds, KIND_BEFORE_KINDS, planDeviceKinds, staggerOffsetMs } from './kind-plan';
import { deviceKinds } from './kinds';

const ALL = deviceKinds.map((kind) => kind.name);
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('which kinds the sync asks Podero about for a user', () => {
  it('asks only about the recorded kinds between rechecks: a heat-pump user costs one list', () => {
    const plan = planDeviceKinds(
      { externalUserId: 'ada', deviceKinds: ['heat_pump'], checkedAt: iso(NOW - DAY / 2) },
      ALL,
      NOW,
      DAY,
    );
    expect(plan).toEqual({ ask: ['heat_pump'], recheck: false, backfill: null });
  });

  it('asks in the registry order, whatever order the record has, and nothing for a user with no kinds', () => {
    const at = iso(NOW - 1000);
    expect(
      planDeviceKinds(
        { externalUserId: 'b', deviceKinds: ['inverter', 'heat_pump'], checkedAt: at },
        ALL,
        NOW,
        DAY,
      ).ask,
    ).toEqual(['heat_pump', 'inverter']);
    expect(
      planDeviceKinds({ externalUserId: 'c', deviceKinds: [], checkedAt: at }, ALL, NOW, DAY).ask,
    ).toEqual([]);
  });

  it('asks about every kind once the interval has passed since the last check', () => {
    const plan = planDeviceKinds(
      { externalUserId: 'ada', deviceKinds: ['heat_pump'], checkedAt: iso(NOW - DAY) },
      ALL,
      NOW,
      DAY,
    );
    expect(plan).toEqual({ ask: ALL, recheck: true, backfill: null });
  });

  it('counts a user recorded before kinds as a heat-pump user, with a first recheck staggered by their id', () => {
    const plans = Array.from({ length: 200 }, (_, i) =>
      planDeviceKinds({ externalUserId: `user-${i}`, deviceKinds: null, checkedAt: null }, ALL, NOW, DAY),
    );
    for (const plan of plans) {
      if (plan.recheck) continue;
      expect(plan.ask).toEqual([KIND_BEFORE_KINDS]);
      expect(plan.backfill?.deviceKinds).toEqual([KIND_BEFORE_KINDS]);
      // Due again within the next interval, not before now.
      const dueAt = Date.parse(plan.backfill?.checkedAt ?? '') + DAY;
      expect(dueAt).toBeGreaterThan(NOW);
      expect(dueAt).toBeLessThanOrEqual(NOW + DAY);
    }
    // Spread: not all rechecked in the first pass, nor all due at the same moment.
    expect(plans.filter((plan) => plan.recheck).length).toBeLessThan(5);
    const dues = new Set(plans.map((plan) => plan.backfill?.checkedAt));
    expect(dues.size).toBeGreaterThan(190);
  });

  it('a stored user whose recorded check time is unreadable is backfilled like one without', () => {
    const plan = planDeviceKinds(
      { externalUserId: 'ada', deviceKinds: ['electric_vehicle'], checkedAt: 'not a time' },
      ALL,
      NOW,
      DAY,
    );
    expect(plan.backfill?.deviceKinds).toEqual(['electric_vehicle']);
  });

  it('staggers by a stable offset within the interval', () => {
    expect(staggerOffsetMs('ada', DAY)).toBe(staggerOffsetMs('ada', DAY));
    expect(staggerOffsetMs('ada', DAY)).toBeGreaterThanOrEqual(0);
    expect(staggerOffsetMs('ada', DAY)).toBeLessThan(DAY);
  });

  it('a recheck finds the kinds with at least one device', () => {
    expect(
      foundKinds(
        new Map([
          ['heat_pump', 0],
          ['electric_vehicle', 2],
          ['inverter', 1],
        ]),
      ),
    ).toEqual(['electric_vehicle', 'inverter']);
  });
});
