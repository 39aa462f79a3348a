import { describe, expect, it } from 'vitest';
import { eventDataSchemas } from '../events/catalogue';
import { settleObserved } from './change-settlement';
import {
  boostApplied,
  CHANGE_ID_PATTERN,
  changeSettledEvent,
  type DeviceChange,
  lastChangeStatus,
  manufacturerOf,
  NO_OPEN_CHANGES,
  newChange,
  newChangeId,
  settleChange,
  settleOpenChanges,
  supersededBy,
  withoutDevice,
  withRecordedChange,
} from './changes';
import { electricVehicleKind } from './electric-vehicle';
import { heatPumpKind } from './heat-pump';
import { inverterKind } from './inverter';
import { wallboxKind } from './wallbox';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const settingsApplied = heatPumpKind.controls.settings.applied;

const change = (fields: Record<string, unknown>, overrides: Partial<DeviceChange> = {}): DeviceChange => ({
  ...newChange({
    id: newChangeId(T0, () => 0.5),
    kind: 'heat_pump',
    externalUserId: 'ada',
    deviceId: 'hp-1',
    control: 'settings',
    fields,
    requestedAtMs: T0,
    timeoutSeconds: 1800,
    by: 'admin-sub',
    manufacturer: 'nibe',
  }),
  ...overrides,
});

const device = (fields: Record<string, unknown>) => ({ id: 'hp-1', ...fields });

describe('settleChange', () => {
  it('confirms a change once an observation after the request shows every requested field', () => {
    // Prepare
    const pending = change({ optimization_level: 'high', is_smart_optimization_active: true });
    // Act
    const settled = settleChange(
      pending,
      {
        device: device({ optimization_level: 'high', is_smart_optimization_active: true }),
        observedAt: at(5),
      },
      settingsApplied,
    );
    // Assess
    expect(settled).toMatchObject({ status: 'confirmed', settledAt: at(5), reason: null });
  });

  it('keeps it pending while only some fields show, before the deadline', () => {
    const pending = change({ optimization_level: 'high', is_smart_optimization_active: true });
    const observed = {
      device: device({ optimization_level: 'high', is_smart_optimization_active: false }),
      observedAt: at(10),
    };
    expect(settleChange(pending, observed, settingsApplied).status).toBe('pending');
  });

  it('fails it at the first observation at or after its deadline that does not show it', () => {
    const pending = change({ optimization_level: 'high' });
    const late = settleChange(
      pending,
      { device: device({ optimization_level: 'low' }), observedAt: at(30) },
      settingsApplied,
    );
    expect(late).toMatchObject({ status: 'failed', reason: 'timeout', settledAt: at(30) });
  });

  it('confirms a change that the device shows only at the deadline (applied late, still in time)', () => {
    const pending = change({ optimization_level: 'high' });
    const observed = { device: device({ optimization_level: 'high' }), observedAt: at(30) };
    expect(settleChange(pending, observed, settingsApplied).status).toBe('confirmed');
  });

  it('ignores an observation made before the request (a read racing the write)', () => {
    const pending = change({ optimization_level: 'high' });
    const observed = { device: device({ optimization_level: 'high' }), observedAt: at(-1) };
    expect(settleChange(pending, observed, settingsApplied)).toBe(pending);
  });

  it('never changes a settled change again', () => {
    const failed = change(
      { optimization_level: 'high' },
      { status: 'failed', settledAt: at(31), reason: 'timeout' },
    );
    const observed = { device: device({ optimization_level: 'high' }), observedAt: at(40) };
    expect(settleChange(failed, observed, settingsApplied)).toBe(failed);
  });
});

describe('what "applied" means per control', () => {
  it('compares the pause end and away instants as instants, whatever their offset', () => {
    const pending = change({
      pause_power_until: '2026-12-01T12:00:00+01:00',
      away_mode_start: '2026-12-02T00:00:00Z',
    });
    const observed = {
      device: device({
        pause_power_until: '2026-12-01T11:00:00Z',
        away_mode_start: '2026-12-02T00:00:00.000Z',
      }),
      observedAt: at(5),
    };
    expect(settleChange(pending, observed, settingsApplied).status).toBe('confirmed');
  });

  it('takes a resume (pause null) as applied when the device reports no pause or one that has ended', () => {
    const resume = change({ pause_power_until: null });
    const none = { device: device({ pause_power_until: null }), observedAt: at(5) };
    const ended = { device: device({ pause_power_until: at(4) }), observedAt: at(5) };
    const running = { device: device({ pause_power_until: at(50) }), observedAt: at(5) };
    expect(settleChange(resume, none, settingsApplied).status).toBe('confirmed');
    expect(settleChange(resume, ended, settingsApplied).status).toBe('confirmed');
    expect(settleChange(resume, running, settingsApplied).status).toBe('pending');
  });

  it('takes a charge deadline as applied when Podero reports it with seconds', () => {
    const applied = electricVehicleKind.controls.settings.applied;
    expect(applied({ charge_deadline_at: '07:30' }, { id: 'ev', charge_deadline_at: '07:30:00' }, T0)).toBe(
      true,
    );
    expect(applied({ charge_deadline_at: '07:30' }, { id: 'ev', charge_deadline_at: '08:00:00' }, T0)).toBe(
      false,
    );
  });

  it('tolerates a rounded float and still tells a different number', () => {
    const applied = inverterKind.controls.settings.applied;
    expect(applied({ battery_capacity_kwh: 9.6 }, { id: 'i', battery_capacity_kwh: 9.6000001 }, T0)).toBe(
      true,
    );
    expect(applied({ battery_capacity_kwh: 9.6 }, { id: 'i', battery_capacity_kwh: 10 }, T0)).toBe(false);
  });

  it('takes a boost as applied while Podero reports it requested or under way', () => {
    expect(boostApplied({}, { id: 'w', boost_state: 'ongoing' }, T0)).toBe(true);
    expect(boostApplied({}, { id: 'w', boost_state: 'requested' }, T0)).toBe(true);
    expect(boostApplied({}, { id: 'w', boost_state: 'available' }, T0)).toBe(false);
  });

  it('is declared by every control of every kind, with a timeout per kind', () => {
    for (const kind of [heatPumpKind, electricVehicleKind, wallboxKind, inverterKind]) {
      expect(kind.changeTimeoutSeconds).toBeGreaterThan(0);
      for (const control of Object.values(kind.controls)) expect(typeof control.applied).toBe('function');
    }
  });
});

describe('supersededBy', () => {
  it('supersedes an older pending change to the same field of the same device, naming the newer one', () => {
    const older = change({ optimization_level: 'high', is_away_mode_enabled: true });
    const newer = change(
      { optimization_level: 'low' },
      { id: newChangeId(T0 + 60_000, () => 0.1), requestedAt: at(1) },
    );
    expect(supersededBy([older], newer)).toEqual([
      { ...older, status: 'superseded', settledAt: at(1), reason: newer.id },
    ]);
  });

  it('leaves a pending change to other fields, another device, or one already settled', () => {
    const otherField = change({ is_away_mode_enabled: true });
    const otherDevice = change({ optimization_level: 'high' }, { deviceId: 'hp-2' });
    const settled = change({ optimization_level: 'high' }, { status: 'confirmed', settledAt: at(1) });
    const newer = change(
      { optimization_level: 'low' },
      { id: newChangeId(T0 + 60_000, () => 0.1), requestedAt: at(1) },
    );
    expect(supersededBy([otherField, otherDevice, settled], newer)).toEqual([]);
  });
});

describe('a user’s open changes of a kind', () => {
  const obs = (fields: Record<string, unknown>, minutes: number, deviceId = 'hp-1') =>
    new Map([[deviceId, { device: device(fields), observedAt: at(minutes) }]]);

  it('records a change as its device’s last and open, dropping the ones it supersedes', () => {
    const older = change({ optimization_level: 'high' });
    const first = withRecordedChange(NO_OPEN_CHANGES, older);
    const newer = change(
      { optimization_level: 'low' },
      { id: newChangeId(T0 + 60_000, () => 0.1), requestedAt: at(1) },
    );
    const second = withRecordedChange(first.changes, newer);
    expect(second.changes).toEqual({
      open: [newer],
      last: { 'hp-1': { id: newer.id, status: 'pending' } },
    });
    expect(second.superseded.map((c) => [c.id, c.status])).toEqual([[older.id, 'superseded']]);
    expect(lastChangeStatus(second.changes, 'hp-1')).toBe('pending');
    expect(lastChangeStatus(second.changes, 'hp-2')).toBeUndefined();
  });

  it('settles the open changes and updates the last status only when the last one settled', () => {
    const a = change({ optimization_level: 'high' });
    const b = change({ is_away_mode_enabled: true }, { id: newChangeId(T0 + 1, () => 0.2) });
    const changes = { open: [a, b], last: { 'hp-1': { id: b.id, status: 'pending' as const } } };
    const observed = obs({ optimization_level: 'high', is_away_mode_enabled: false }, 5);
    const first = settleOpenChanges(changes, observed, () => settingsApplied);
    expect(first.settled.map((c) => c.id)).toEqual([a.id]);
    expect(first.changes).toEqual({ open: [b], last: { 'hp-1': { id: b.id, status: 'pending' } } });
    const late = obs({ optimization_level: 'high', is_away_mode_enabled: false }, 31);
    const second = settleOpenChanges(first.changes, late, () => settingsApplied);
    expect(second.changes).toEqual({ open: [], last: { 'hp-1': { id: b.id, status: 'failed' } } });
  });

  it('fails at its deadline a change of a control the kind no longer declares', () => {
    const orphan = change({ mode: 'eco' }, { control: 'gone' });
    const result = settleOpenChanges({ open: [orphan], last: {} }, obs({ mode: 'eco' }, 31), () => undefined);
    expect(result.settled.map((c) => c.status)).toEqual(['failed']);
  });

  it('sweeps: a change of a device nobody observed fails once a pass is past its deadline, not before', () => {
    const unseen = change({ optimization_level: 'high' }, { deviceId: 'hp-gone' });
    const changes = withRecordedChange(NO_OPEN_CHANGES, unseen).changes;
    const early = settleOpenChanges(changes, obs({}, 20), () => settingsApplied, at(20));
    expect(early.settled).toEqual([]);
    const withoutSweep = settleOpenChanges(changes, obs({}, 40), () => settingsApplied);
    expect(withoutSweep.settled).toEqual([]);
    const swept = settleOpenChanges(changes, obs({}, 40), () => settingsApplied, at(40));
    expect(swept.settled).toEqual([{ ...unseen, status: 'failed', settledAt: at(40), reason: 'timeout' }]);
    expect(lastChangeStatus(swept.changes, 'hp-gone')).toBe('failed');
  });

  it('forgets an offboarded device’s open changes and last status, keeping the others’', () => {
    const mine = change({ optimization_level: 'high' });
    const other = change(
      { optimization_level: 'high' },
      { deviceId: 'hp-2', id: newChangeId(T0, () => 0.3) },
    );
    const both = withRecordedChange(withRecordedChange(NO_OPEN_CHANGES, mine).changes, other).changes;
    expect(withoutDevice(both, 'hp-1')).toEqual({
      open: [other],
      last: { 'hp-2': { id: other.id, status: 'pending' } },
    });
  });
});

describe('settlement events', () => {
  it('yields one catalogued change_confirmed event whose id is the change’s, whoever observes it', () => {
    const pending = change({ optimization_level: 'high' });
    const open = withRecordedChange(NO_OPEN_CHANGES, pending).changes;
    const seen = { device: device({ optimization_level: 'high' }), observedAt: at(5) };
    const bySync = settleObserved(heatPumpKind, open, new Map([['hp-1', seen]]));
    const byLiveRead = settleObserved(
      heatPumpKind,
      open,
      new Map([['hp-1', { ...seen, observedAt: at(6) }]]),
    );
    const [settled] = bySync.settled;
    const event = settled ? changeSettledEvent(settled, heatPumpKind.api.idParam) : null;
    const other = byLiveRead.settled[0];
    expect(event?.type).toBe('heat_pump.change_confirmed');
    expect(event?.id).toBe(other ? changeSettledEvent(other, heatPumpKind.api.idParam)?.id : undefined);
    expect(eventDataSchemas['heat_pump.change_confirmed'].parse(event?.data)).toMatchObject({
      heat_pump_id: 'hp-1',
      change: { id: pending.id, status: 'confirmed', fields: ['optimization_level'] },
    });
    expect(bySync.changes).toEqual({ open: [], last: { 'hp-1': { id: pending.id, status: 'confirmed' } } });
  });

  it('yields change_failed under the kind’s own id field, and nothing for a superseded change', () => {
    const failed: DeviceChange = {
      ...change({}),
      kind: 'wallbox',
      deviceId: 'wb-1',
      status: 'failed',
      settledAt: at(31),
      reason: 'timeout',
    };
    const event = changeSettledEvent(failed, 'wallbox_id');
    expect(event?.type).toBe('wallbox.change_failed');
    expect(eventDataSchemas['wallbox.change_failed'].parse(event?.data)).toMatchObject({
      wallbox_id: 'wb-1',
    });
    expect(changeSettledEvent({ ...failed, status: 'superseded' }, 'wallbox_id')).toBeNull();
  });

  it('leaves nothing open untouched', () => {
    expect(settleObserved(heatPumpKind, NO_OPEN_CHANGES, new Map(), at(5))).toEqual({
      changes: NO_OPEN_CHANGES,
      settled: [],
    });
  });
});

describe('ids and dimensions', () => {
  it('makes ids that sort by request time', () => {
    const early = newChangeId(T0, () => 0.99);
    const later = newChangeId(T0 + 1, () => 0);
    expect(early).toMatch(CHANGE_ID_PATTERN);
    expect(early < later).toBe(true);
  });

  it('reads the manufacturer as a short slug, null when Podero names none', () => {
    expect(manufacturerOf({ id: 'x', device_model: { manufacturer: 'Stiebel Eltron' } })).toBe(
      'stiebel-eltron',
    );
    expect(manufacturerOf({ id: 'x', device_model: null })).toBeNull();
    expect(manufacturerOf({ id: 'x' })).toBeNull();
  });
});

describe('a boost’s check', () => {
  it('confirms a started boost once Podero shows it requested or ongoing, an armed one also by its flag', () => {
    expect(boostApplied({ boost: 'started' }, { id: 'ev', boost_state: 'ongoing' }, T0)).toBe(true);
    expect(boostApplied({ boost: 'started' }, { id: 'ev', boost_state: 'available' }, T0)).toBe(false);
    expect(boostApplied({ boost: 'started' }, { id: 'ev', boost_for_next_session: true }, T0)).toBe(false);
    expect(
      boostApplied(
        { boost: 'armed' },
        { id: 'ev', boost_state: 'unavailable', boost_for_next_session: true },
        T0,
      ),
    ).toBe(true);
    expect(boostApplied({ boost: 'armed' }, { id: 'ev', boost_state: 'unavailable' }, T0)).toBe(false);
  });

  it('is what the vehicle’s and the wallbox’s settlements use for a change of control boost', () => {
    const boost = change({ boost: 'started' }, { kind: 'wallbox', deviceId: 'wb-1', control: 'boost' });
    const open = { open: [boost], last: {} };
    const seen = new Map([['wb-1', { device: { id: 'wb-1', boost_state: 'requested' }, observedAt: at(1) }]]);
    expect(settleObserved(wallboxKind, open, seen).settled.map((c) => c.status)).toEqual(['confirmed']);
    expect(settleObserved(electricVehicleKind, open, seen).settled.map((c) => c.status)).toEqual([
      'confirmed',
    ]);
  });
});
