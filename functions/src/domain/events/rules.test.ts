import { describe, expect, it } from 'vitest';
import type { DeviceSnapshot } from '../../storage/device-snapshots';
import { changeSettledEvent, type DeviceChange } from '../devices/changes';
import { chargingConfigSubject, newChargingConfigChange } from '../devices/charging-config-change';
import { electricVehicleKind } from '../devices/electric-vehicle';
import { deletedHeatPumpEvents, heatPumpEvents, heatPumpKind } from '../devices/heat-pump';
import { inverterKind } from '../devices/inverter';
import { deviceKinds } from '../devices/kinds';
import { observedSnapshot } from '../devices/rules';
import { wallboxKind } from '../devices/wallbox';
import { tradingDayEvents } from '../trading/events.test-support';
import { bridgeEventSchema, EVENT_ID_PATTERN, EVENT_TYPES } from './catalogue';
import {
  eventId,
  onboardingSessionEvent,
  statementReadyEvent,
  syncCompletedEvent,
  userOffboardedEvent,
  userOnboardedEvent,
  webhookTestEvent,
} from './rules';

const T = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute)).toISOString();
const reauth = {
  code: 'reauthenticate',
  resolution_link: { url: 'https://podero.example/cues/1/resolve?secret=s' },
};
const device = (fields: Record<string, unknown>) => ({ id: 'hp-1', ...fields });
/** The snapshot stored after observing `fields` at `minute` over `previous`. */
const observe = (previous: DeviceSnapshot | undefined, minute: number, fields: Record<string, unknown>) =>
  observedSnapshot('ann', device(fields), T(minute), previous);
const types = (previous: DeviceSnapshot | undefined, next: DeviceSnapshot) =>
  heatPumpEvents(previous, next).map((e) => e.type);

describe('heat-pump change events', () => {
  it('a device first seen connected is heat_pump.connected; first seen not connected, nothing', () => {
    expect(types(undefined, observe(undefined, 0, { is_authenticated: true }))).toEqual([
      'heat_pump.connected',
    ]);
    expect(types(undefined, observe(undefined, 0, { is_authenticated: false }))).toEqual([]);
  });

  it('a device seen connected for the first time after it was first seen without a connection is heat_pump.connected', () => {
    const first = observe(undefined, 0, { is_authenticated: false });
    const later = observe(first, 15, { is_authenticated: true });
    expect(heatPumpEvents(first, later)).toMatchObject([
      {
        type: 'heat_pump.connected',
        timestamp: T(15),
        data: {
          external_user_id: 'ann',
          heat_pump_id: 'hp-1',
          connection: { state: 'connected', since: T(15) },
        },
      },
    ]);
  });

  it('losing and regaining a connection is connection_lost then connection_restored, naming the states', () => {
    const connected = observe(undefined, 0, { is_authenticated: true });
    const lost = observe(connected, 15, { is_authenticated: false, actions: [reauth] });
    expect(heatPumpEvents(connected, lost)).toMatchObject([
      {
        type: 'heat_pump.connection_lost',
        data: {
          previous_state: 'connected',
          connection: { state: 'reauthentication_required', since: T(15) },
        },
      },
    ]);
    const disconnected = observe(lost, 30, { is_authenticated: false });
    expect(types(lost, disconnected)).toEqual([]);
    const restored = observe(disconnected, 45, { is_authenticated: true });
    expect(heatPumpEvents(disconnected, restored)).toMatchObject([
      {
        type: 'heat_pump.connection_restored',
        data: { previous_state: 'disconnected', connection: { state: 'connected', since: T(45) } },
      },
    ]);
  });

  it('the same state observed again yields nothing', () => {
    const connected = observe(undefined, 0, { is_authenticated: true });
    expect(types(connected, observe(connected, 15, { is_authenticated: true }))).toEqual([]);
  });

  it('optimisation switched is optimization_changed with both values; a first sighting or a missing flag is not', () => {
    const on = observe(undefined, 0, { is_authenticated: true, is_smart_optimization_active: true });
    const off = observe(on, 15, { is_authenticated: true, is_smart_optimization_active: false });
    expect(heatPumpEvents(on, off)).toMatchObject([
      {
        type: 'heat_pump.optimization_changed',
        data: { is_smart_optimization_active: false, previous: true },
      },
    ]);
    expect(types(off, observe(off, 30, { is_authenticated: true }))).toEqual([]);
    expect(types(undefined, on)).toEqual(['heat_pump.connected']);
  });

  it('one transition detected twice from the same stored state has one id; the next transition a new one', () => {
    const connected = observe(undefined, 0, { is_authenticated: true });
    // A live read and the sync both read `connected`, and both see the device lost, a minute apart.
    const [byRead] = heatPumpEvents(connected, observe(connected, 15, { is_authenticated: false }));
    const [bySync] = heatPumpEvents(connected, observe(connected, 16, { is_authenticated: false }));
    expect(byRead?.id).toBe(bySync?.id);
    expect(byRead?.timestamp).not.toBe(bySync?.timestamp);
    // Restored and lost again: a different transition (it left a different stored state).
    const lost = observe(connected, 15, { is_authenticated: false });
    const back = observe(lost, 30, { is_authenticated: true });
    const [again] = heatPumpEvents(back, observe(back, 45, { is_authenticated: false }));
    expect(again?.type).toBe('heat_pump.connection_lost');
    expect(again?.id).not.toBe(byRead?.id);
  });

  it('ids differ per device and per user', () => {
    const a = heatPumpEvents(
      undefined,
      observedSnapshot('ann', { id: 'hp-1', is_authenticated: true }, T(0), undefined),
    );
    const b = heatPumpEvents(
      undefined,
      observedSnapshot('ann', { id: 'hp-2', is_authenticated: true }, T(0), undefined),
    );
    const c = heatPumpEvents(
      undefined,
      observedSnapshot('bob', { id: 'hp-1', is_authenticated: true }, T(0), undefined),
    );
    expect(new Set([a[0]?.id, b[0]?.id, c[0]?.id]).size).toBe(3);
  });
});

describe('the other events', () => {
  it('devices named before and not now are heat_pump.deleted, once per device whenever detected', () => {
    const first = deletedHeatPumpEvents('ann', ['a', 'b', 'c'], new Set(['b']), T(0));
    expect(first.map((e) => e.data)).toEqual([
      { external_user_id: 'ann', heat_pump_id: 'a' },
      { external_user_id: 'ann', heat_pump_id: 'c' },
    ]);
    expect(deletedHeatPumpEvents('ann', ['a'], new Set(), T(30))[0]?.id).toBe(first[0]?.id);
  });

  it('onboarding sessions: completed with its device, expired, nothing while pending', () => {
    expect(
      onboardingSessionEvent('ann', { id: 's1', state: 'completed', device_id: 'hp-1' }, T(0)),
    ).toMatchObject({
      type: 'onboarding_session.completed',
      data: { external_user_id: 'ann', session_id: 's1', heat_pump_id: 'hp-1' },
    });
    expect(onboardingSessionEvent('ann', { id: 's1', state: 'expired', device_id: null }, T(0))?.type).toBe(
      'onboarding_session.expired',
    );
    expect(onboardingSessionEvent('ann', { id: 's1', state: 'pending', device_id: null }, T(0))).toBeNull();
  });

  it('user events are one per Podero user; a sync pass one per pass start; test events always new', () => {
    expect(userOnboardedEvent('ann', 'p1', T(0)).id).toBe(userOnboardedEvent('ann', 'p1', T(5)).id);
    expect(userOnboardedEvent('ann', 'p1', T(0)).id).not.toBe(userOnboardedEvent('ann', 'p2', T(0)).id);
    expect(userOffboardedEvent('ann', 'p1', T(0)).id).not.toBe(userOnboardedEvent('ann', 'p1', T(0)).id);
    const pass = {
      pass_started_at: T(0),
      completed_at: T(10),
      users: 3,
      heat_pumps: 3,
      readings_written: 3,
      failures: 0,
    };
    expect(syncCompletedEvent({ ...pass, run_id: 'r1' }).id).toBe(
      syncCompletedEvent({ ...pass, run_id: 'r2', completed_at: T(11) }).id,
    );
    expect(webhookTestEvent('wh', T(0), 'n1').id).not.toBe(webhookTestEvent('wh', T(0), 'n2').id);
  });

  it('every event the rules make is valid against the catalogue, with an id of the documented shape', () => {
    const connected = observe(undefined, 0, { is_authenticated: true, is_smart_optimization_active: true });
    const lost = observe(connected, 15, { is_authenticated: false, is_smart_optimization_active: false });
    const made = [
      ...heatPumpEvents(undefined, connected),
      ...heatPumpEvents(connected, lost),
      ...heatPumpEvents(
        lost,
        observe(lost, 30, { is_authenticated: true, is_smart_optimization_active: false }),
      ),
      ...deletedHeatPumpEvents('ann', ['x'], new Set(), T(0)),
      onboardingSessionEvent('ann', { id: 's', state: 'completed', device_id: 'hp-1' }, T(0)),
      onboardingSessionEvent('ann', { id: 's', state: 'expired', device_id: null }, T(0)),
      userOnboardedEvent('ann', 'p', T(0)),
      userOffboardedEvent('ann', 'p', T(0)),
      syncCompletedEvent({
        run_id: 'r',
        pass_started_at: null,
        completed_at: T(1),
        users: 0,
        heat_pumps: 0,
        readings_written: 0,
        failures: 0,
      }),
      webhookTestEvent('wh', T(0), 'n'),
      statementReadyEvent(
        'ann',
        'p',
        {
          month: '2026-03',
          timeZone: 'UTC',
          from: '2026-03-01T00:00:00.000Z',
          to: '2026-04-01T00:00:00.000Z',
        },
        T(0),
      ),
      ...tradingDayEvents(),
    ];
    const restored = observe(lost, 30, { is_authenticated: true, is_smart_optimization_active: true });
    for (const kind of [electricVehicleKind, wallboxKind, inverterKind]) {
      made.push(
        ...kind.changeEvents(undefined, connected),
        ...kind.changeEvents(connected, lost),
        ...kind.changeEvents(lost, restored),
        ...kind.deletedEvents('ann', ['x'], new Set(), T(0)),
      );
    }
    const idle = {
      is_authenticated: true,
      is_plugged_in: false,
      is_charging: false,
      boost_state: 'available',
    };
    const parked = observe(undefined, 0, idle);
    const charging = observe(parked, 5, {
      ...idle,
      is_plugged_in: true,
      is_charging: true,
      boost_state: 'ongoing',
    });
    made.push(
      ...electricVehicleKind.changeEvents(parked, charging),
      ...electricVehicleKind.changeEvents(charging, observe(charging, 10, idle)),
    );
    // Every kind's health events: stopped and failed, then resumed and recovered (domain/devices/health.ts).
    const rules = { staleAfterSyncIntervals: 3, syncIntervalMs: 15 * 60_000 };
    for (const kind of deviceKinds) {
      const healthy = { is_authenticated: true, steering_status: 'ok', current_state_last_updated_at: T(0) };
      const seen = (previous: DeviceSnapshot | undefined, minute: number, fields: Record<string, unknown>) =>
        observedSnapshot('ann', device(fields), T(minute), previous, null, kind.name, {
          ...rules,
          staleAfterSyncIntervals: kind.health.staleAfterSyncIntervals,
        });
      const ok = seen(undefined, 0, healthy);
      const late = kind.health.staleAfterSyncIntervals * 15 + 1;
      const bad = seen(ok, late, { ...healthy, steering_status: 'error' });
      const back = seen(bad, late + 1, { ...healthy, current_state_last_updated_at: T(late + 1) });
      made.push(...kind.changeEvents(ok, bad), ...kind.changeEvents(bad, back));
    }
    // Every kind's settled changes (catalogue v4): confirmed and failed.
    for (const kind of [heatPumpKind, electricVehicleKind, wallboxKind, inverterKind]) {
      for (const status of ['confirmed', 'failed'] as const) {
        const settled: DeviceChange = {
          id: 'chg_000000000000aaaaaaaa',
          kind: kind.name,
          externalUserId: 'ann',
          deviceId: 'd-1',
          control: 'settings',
          fields: { is_smart_optimization_active: true },
          status,
          requestedAt: T(0),
          settledAt: T(5),
          deadlineAt: T(30),
          by: 'sub',
          reason: status === 'failed' ? 'timeout' : null,
          manufacturer: null,
        };
        made.push(changeSettledEvent(settled, kind.api.idParam));
      }
    }
    // The user's charging configuration: a subject without a device, so its data names the user only.
    for (const status of ['confirmed', 'failed'] as const) {
      const change = {
        ...newChargingConfigChange({
          externalUserId: 'ann',
          mode: 'spot',
          requestedAtMs: Date.parse(T(0)),
          by: 'sub',
        }),
        status,
        settledAt: T(5),
        reason: status === 'failed' ? 'timeout' : null,
      };
      made.push(changeSettledEvent(change, chargingConfigSubject.api.idParam));
    }
    expect(new Set(made.map((e) => e?.type))).toEqual(new Set(EVENT_TYPES));
    for (const event of made) {
      expect(bridgeEventSchema.parse(event)).toEqual(event);
      expect(event?.id).toMatch(EVENT_ID_PATTERN);
    }
    expect(eventId('user.onboarded', 'a', null)).not.toBe(eventId('user.onboarded', 'a', ''));
  });
});

describe('event ids tell transitions of different subjects apart', () => {
  it('per device, session, user, pass and stored state; the parts of an id cannot run into each other', () => {
    const ids = (events: readonly { id: string }[]) => new Set(events.map((e) => e.id)).size;
    expect(ids(deletedHeatPumpEvents('ann', ['a', 'b'], new Set(), T(0)))).toBe(2);
    expect(deletedHeatPumpEvents('ann', ['a'], new Set(), T(0))[0]?.id).not.toBe(
      deletedHeatPumpEvents('bob', ['a'], new Set(), T(0))[0]?.id,
    );
    const completed = (user: string, session: string) =>
      onboardingSessionEvent(user, { id: session, state: 'completed', device_id: 'hp' }, T(0))?.id;
    expect(completed('ann', 's1')).not.toBe(completed('ann', 's2'));
    // statement.ready: one per user, Podero user (a re-onboarding starts anew) and month.
    const ready = (user: string, podero: string, month: string) =>
      statementReadyEvent(user, podero, { month, timeZone: 'UTC', from: T(0), to: T(1) }, T(0)).id;
    expect(
      new Set([
        ready('ann', 'p', '2026-03'),
        ready('ann', 'p', '2026-04'),
        ready('bob', 'p', '2026-03'),
        ready('ann', 'q', '2026-03'),
      ]).size,
    ).toBe(4);
    expect(ready('ann', 'p', '2026-03')).toBe(ready('ann', 'p', '2026-03'));
    expect(completed('ann', 's1')).not.toBe(completed('bob', 's1'));
    const expired = (session: string) =>
      onboardingSessionEvent('ann', { id: session, state: 'expired', device_id: null }, T(0))?.id;
    expect(expired('s1')).not.toBe(expired('s2'));
    expect(userOffboardedEvent('ann', 'p1', T(0)).id).not.toBe(userOffboardedEvent('bob', 'p1', T(0)).id);
    const pass = {
      run_id: 'r',
      completed_at: T(9),
      users: 1,
      heat_pumps: 1,
      readings_written: 1,
      failures: 0,
    };
    expect(syncCompletedEvent({ ...pass, pass_started_at: T(0) }).id).not.toBe(
      syncCompletedEvent({ ...pass, pass_started_at: T(15) }).id,
    );
    // Two optimisation changes of one device from different stored states are two events.
    const on = observe(undefined, 0, { is_smart_optimization_active: true });
    const off = observe(on, 15, { is_smart_optimization_active: false });
    const onAgain = observe(off, 30, { is_smart_optimization_active: true });
    const offAgain = observe(onAgain, 45, { is_smart_optimization_active: false });
    expect(heatPumpEvents(on, off)[0]?.id).not.toBe(heatPumpEvents(onAgain, offAgain)[0]?.id);
    expect(eventId('user.onboarded', 'ab', 'c')).not.toBe(eventId('user.onboarded', 'a', 'bc'));
  });

  it('a session is completed only with its device, and never while pending; a test event says what it is', () => {
    expect(onboardingSessionEvent('ann', { id: 's', state: 'completed', device_id: null }, T(0))).toBeNull();
    expect(onboardingSessionEvent('ann', { id: 's', state: 'pending', device_id: 'hp' }, T(0))).toBeNull();
    expect(webhookTestEvent('wh', T(0), 'n').data).toEqual({
      webhook_id: 'wh',
      message: 'A test event from podero-bridge.',
    });
  });

  it('a snapshot without an observed connection yields no connection event', () => {
    const connected = observe(undefined, 0, { is_authenticated: true });
    expect(
      types(connected, { ...observe(connected, 15, { is_authenticated: false }), connection: null }),
    ).toEqual([]);
  });
});
