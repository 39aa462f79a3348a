import { describe, expect, it } from 'vitest';
import { settleObserved } from './change-settlement';
import {
  type DeviceChange,
  type DeviceObservation,
  newChange,
  newChangeId,
  type OpenChanges,
  withRecordedChange,
} from './changes';
import { CHARGE_POLICY_CONTROL, chargePolicyApplied, chargePolicyReadBack } from './charge-policy';
import { electricVehicleKind } from './electric-vehicle';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const day = (charge_percentage: number, charge_deadline = '07:30') => ({
  charge_percentage,
  charge_deadline,
});
const week = (monday = 60) => ({
  mon: day(monday),
  tue: day(65),
  wed: day(70),
  thu: day(75),
  fri: day(80, '06:45'),
  sat: day(50, '10:00'),
  sun: day(55, '10:00'),
});

const policyChange = (
  fields: Record<string, unknown>,
  minutes = 0,
  control = CHARGE_POLICY_CONTROL,
): DeviceChange =>
  newChange({
    id: newChangeId(T0 + minutes * 60_000, () => 0.25),
    kind: 'electric_vehicle',
    externalUserId: 'ada',
    deviceId: 'ev-1',
    control,
    fields,
    requestedAtMs: T0 + minutes * 60_000,
    timeoutSeconds: electricVehicleKind.changeTimeoutSeconds,
    by: 'admin-sub',
    manufacturer: 'tesla',
  });

const openWith = (...changes: DeviceChange[]): OpenChanges =>
  changes.reduce<OpenChanges>((open, change) => withRecordedChange(open, change).changes, {
    open: [],
    last: {},
  });

/** One observation of ev-1: its JSON (as the sync lists it) and, when given, E8's `data` read back. */
const observed = (
  minutes: number,
  policy?: Record<string, unknown>,
  json: Record<string, unknown> = { id: 'ev-1' },
): Map<string, DeviceObservation> =>
  new Map([
    [
      'ev-1',
      {
        device: json,
        observedAt: at(minutes),
        ...(policy
          ? { readBacks: { [CHARGE_POLICY_CONTROL]: { document: policy, observedAt: at(minutes) } } }
          : {}),
      },
    ],
  ]);

describe('the weekly charge policy’s check (E8’s data against the week sent)', () => {
  it('is applied when every day’s target and deadline show, with Podero’s seconds, and the timezone sent', () => {
    // Prepare
    const sent = { ...week(), timezone: 'Europe/Vienna' };
    const read = {
      ...Object.fromEntries(
        Object.entries(week()).map(([name, d]) => [
          name,
          { ...d, charge_deadline: `${d.charge_deadline}:00` },
        ]),
      ),
      timezone: 'Europe/Vienna',
    };
    // Act / Assess
    expect(chargePolicyApplied(sent, read, T0)).toBe(true);
  });

  it('is not applied while one day still shows the old target, a different deadline or another timezone', () => {
    const sent = { ...week(90), timezone: 'Europe/Vienna' };
    expect(chargePolicyApplied(sent, { ...week(60), timezone: 'Europe/Vienna' }, T0)).toBe(false);
    expect(
      chargePolicyApplied(sent, { ...week(90), fri: day(80, '07:45'), timezone: 'Europe/Vienna' }, T0),
    ).toBe(false);
    expect(chargePolicyApplied(sent, { ...week(90), timezone: 'UTC' }, T0)).toBe(false);
    const { sun: _left, ...sixDays } = week(90);
    expect(chargePolicyApplied(sent, { ...sixDays, timezone: 'Europe/Vienna' }, T0)).toBe(false);
  });

  it('compares no timezone when none was sent (Podero keeps its own)', () => {
    expect(chargePolicyApplied(week(90), { ...week(90), timezone: 'Asia/Tokyo' }, T0)).toBe(true);
  });

  it('reads E8’s data for its read-back, and an answer without data as an empty policy', async () => {
    const podero = (data: unknown) => ({
      electricVehicles: { chargePolicy: { get: async () => ({ data }) as { data: null } } },
    });
    expect(await chargePolicyReadBack.read(podero(week()), 'p-1', 'ev-1')).toEqual(week());
    expect(await chargePolicyReadBack.read(podero(null), 'p-1', 'ev-1')).toEqual({});
  });
});

describe('settling a charge-policy change (electric vehicle kind)', () => {
  it('is confirmed by a read-back after the request that shows it', () => {
    const change = policyChange(week(90));
    const { settled } = settleObserved(electricVehicleKind, openWith(change), observed(5, week(90)));
    expect(settled).toEqual([{ ...change, status: 'confirmed', settledAt: at(5) }]);
  });

  it('stays pending while the read-back shows the old week, then fails at the first read-back past its deadline', () => {
    const change = policyChange(week(90));
    const early = settleObserved(electricVehicleKind, openWith(change), observed(30, week(60)));
    expect(early.settled).toEqual([]);
    expect(early.changes.open).toEqual([change]);
    const late = settleObserved(electricVehicleKind, openWith(change), observed(61, week(60)));
    expect(late.settled).toEqual([{ ...change, status: 'failed', settledAt: at(61), reason: 'timeout' }]);
  });

  it('is never settled by the vehicle’s JSON alone, even past its deadline: only the sweep fails it then', () => {
    const change = policyChange(week(90));
    // The vehicle's JSON carries no weekly policy (even one that looked like it would not count).
    const jsonOnly = settleObserved(
      electricVehicleKind,
      openWith(change),
      observed(61, undefined, { id: 'ev-1', ...week(90) }),
    );
    expect(jsonOnly.settled).toEqual([]);
    const swept = settleObserved(electricVehicleKind, openWith(change), observed(61, undefined), at(61));
    expect(swept.settled).toEqual([{ ...change, status: 'failed', settledAt: at(61), reason: 'timeout' }]);
  });

  it('leaves the vehicle’s other changes to its JSON: a read-back alone settles none of them', () => {
    const settings = policyChange({ minimum_charge_limit: 70 }, 0, 'settings');
    const readBackOnly = new Map<string, DeviceObservation>([
      [
        'ev-1',
        {
          observedAt: at(61),
          readBacks: { [CHARGE_POLICY_CONTROL]: { document: week(), observedAt: at(61) } },
        },
      ],
    ]);
    expect(settleObserved(electricVehicleKind, openWith(settings), readBackOnly).settled).toEqual([]);
  });

  it('is superseded by a newer policy of the same vehicle before it settled, which then settles alone', () => {
    const older = policyChange(week(90));
    const newer = policyChange(week(40), 10);
    const recorded = withRecordedChange(openWith(older), newer);
    expect(recorded.superseded).toEqual([
      { ...older, status: 'superseded', settledAt: newer.requestedAt, reason: newer.id },
    ]);
    const { settled } = settleObserved(electricVehicleKind, recorded.changes, observed(15, week(40)));
    expect(settled).toEqual([{ ...newer, status: 'confirmed', settledAt: at(15) }]);
  });
});
