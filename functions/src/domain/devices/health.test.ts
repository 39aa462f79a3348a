import { describe, expect, it } from 'vitest';
import { bridgeEventSchema } from '../events/catalogue';
import { lastChangeStatus } from './changes';
import {
  deviceHealthView,
  type HealthRules,
  healthEventNamesOf,
  healthEvents,
  judgeReporting,
  observeHealth,
  steerableVerdict,
  steeringStateOf,
} from './health';
import { deviceKinds } from './kinds';
import { observedSnapshot } from './rules';
import type { DeviceJson } from './state';

const MINUTE = 60_000;
const rules: HealthRules = { staleAfterSyncIntervals: 3, syncIntervalMs: 15 * MINUTE };
const T0 = Date.parse('2027-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * MINUTE).toISOString();
const device = (fields: Record<string, unknown> = {}): DeviceJson => ({
  id: 'hp-1',
  is_authenticated: true,
  current_state_last_updated_at: at(0),
  steering_status: 'ok',
  ...fields,
});

describe('judgeReporting', () => {
  it('is ok while a new state is within the declared number of sync intervals', () => {
    // Prepare: the last state at T0, the threshold 3 × 15 minutes.
    // Act / Assess: exactly at the threshold still counts as reporting.
    expect(judgeReporting(device(), 'connected', T0 + 45 * MINUTE, rules).state).toBe('ok');
  });

  it('is stale past the threshold, since the last state plus the threshold', () => {
    const judged = judgeReporting(device(), 'connected', T0 + 45 * MINUTE + 1, rules);
    expect(judged).toMatchObject({ state: 'stale', staleSince: at(45), lastStateAt: at(0) });
    expect(judged.reason).toContain('3 sync intervals (45 minutes)');
  });

  it('is unknown while the device is not connected, however old its state', () => {
    expect(judgeReporting(device(), 'reauthentication_required', T0 + 600 * MINUTE, rules).state).toBe(
      'unknown',
    );
  });

  it('is unknown when Podero sends no state time (never guessed)', () => {
    const judged = judgeReporting(device({ current_state_last_updated_at: null }), 'connected', T0, rules);
    expect(judged).toMatchObject({ state: 'unknown', lastStateAt: null, staleSince: null });
  });
});

describe('steeringStateOf', () => {
  it.each(['ok', 'warning', 'error', 'unknown'])("takes Podero's documented %s", (status) => {
    expect(steeringStateOf(device({ steering_status: status }))).toBe(status);
  });

  it('reads a missing or undocumented status as unknown', () => {
    expect(steeringStateOf(device({ steering_status: undefined }))).toBe('unknown');
    expect(steeringStateOf(device({ steering_status: 'degraded' }))).toBe('unknown');
    expect(steeringStateOf(device({ steering_status: 3 }))).toBe('unknown');
  });
});

describe('observeHealth', () => {
  it('has no since on the first observation, keeps it while the state holds, starts it on a change', () => {
    const first = observeHealth(null, device(), 'connected', at(1), rules);
    expect(first).toEqual({
      reporting: { state: 'ok', since: null },
      steering: { state: 'ok', since: null },
    });
    const failing = observeHealth(first, device({ steering_status: 'error' }), 'connected', at(5), rules);
    expect(failing.steering).toEqual({ state: 'error', since: at(5) });
    const still = observeHealth(failing, device({ steering_status: 'error' }), 'connected', at(20), rules);
    expect(still.steering).toEqual({ state: 'error', since: at(5) });
  });

  it('dates stale from the threshold, whichever observer sees it first, and keeps that since', () => {
    const ok = observeHealth(null, device(), 'connected', at(1), rules);
    const byTheSync = observeHealth(ok, device(), 'connected', at(60), rules);
    const byARead = observeHealth(ok, device(), 'connected', at(50), rules);
    expect(byTheSync.reporting).toEqual({ state: 'stale', since: at(45) });
    expect(byARead.reporting).toEqual(byTheSync.reporting);
    expect(observeHealth(byTheSync, device(), 'connected', at(500), rules).reporting.since).toBe(at(45));
  });

  it('turns ok again when a new state arrives, since that observation', () => {
    const stale = observeHealth(
      observeHealth(null, device(), 'connected', at(1), rules),
      device(),
      'connected',
      at(60),
      rules,
    );
    const resumed = observeHealth(
      stale,
      device({ current_state_last_updated_at: at(70) }),
      'connected',
      at(75),
      rules,
    );
    expect(resumed.reporting).toEqual({ state: 'ok', since: at(75) });
  });
});

describe('steerableVerdict', () => {
  const good = { connection: 'connected', reporting: 'ok', steering: 'ok' } as const;

  it('is steerable when connected, reporting, steering ok and no failed change', () => {
    expect(steerableVerdict(good)).toEqual({ steerable: true, reasons: [] });
    expect(steerableVerdict({ ...good, lastChangeStatus: 'confirmed' }).steerable).toBe(true);
    expect(steerableVerdict({ ...good, lastChangeStatus: 'pending' }).steerable).toBe(true);
    expect(steerableVerdict({ ...good, lastChangeStatus: 'superseded' }).steerable).toBe(true);
  });

  it('names every reason that stands in the way', () => {
    expect(steerableVerdict({ ...good, connection: 'disconnected' }).reasons).toEqual(['not_connected']);
    expect(steerableVerdict({ ...good, reporting: 'stale' }).reasons).toEqual(['not_reporting']);
    expect(steerableVerdict({ ...good, reporting: 'unknown' }).reasons).toEqual(['not_reporting']);
    expect(steerableVerdict({ ...good, steering: 'warning' }).reasons).toEqual(['steering_not_ok']);
    expect(steerableVerdict({ ...good, steering: 'unknown' }).reasons).toEqual(['steering_not_ok']);
    expect(steerableVerdict({ ...good, lastChangeStatus: 'failed' }).reasons).toEqual(['last_change_failed']);
    expect(
      steerableVerdict({
        connection: 'reauthentication_required',
        reporting: 'unknown',
        steering: 'error',
        lastChangeStatus: 'failed',
      }),
    ).toEqual({
      steerable: false,
      reasons: ['not_connected', 'not_reporting', 'steering_not_ok', 'last_change_failed'],
    });
  });
});

describe('deviceHealthView', () => {
  it('judges a stored snapshot again against the clock: stale between two syncs, with the since the sync will store', () => {
    // Prepare: stored by a read at +1 minute, reporting ok.
    const stored = observedSnapshot('ann', device(), at(1), undefined, null, 'heat_pump', rules);
    // Act: looked at well past the threshold, with no new observation.
    const view = deviceHealthView(stored, 'connected', T0 + 50 * MINUTE, rules);
    // Assess
    expect(view.reporting).toMatchObject({
      state: 'stale',
      since: at(45),
      last_state_at: at(0),
      stale_after_seconds: 2700,
    });
    expect(view.steerable).toBe(false);
    expect(view.not_steerable_because).toEqual(['not_reporting']);
  });

  it('shows the stored since while the state holds, and Podero’s actual_steering_state verbatim', () => {
    const first = observedSnapshot('ann', device(), at(1), undefined, null, 'heat_pump', rules);
    const failing = observedSnapshot(
      'ann',
      device({ steering_status: 'error', actual_steering_state: 'vendor_rejected' }),
      at(5),
      first,
      null,
      'heat_pump',
      rules,
    );
    const view = deviceHealthView(failing, 'connected', T0 + 6 * MINUTE, rules);
    expect(view.steering).toEqual({
      state: 'error',
      since: at(5),
      reason: "Podero's steering_status is error",
      actual_steering_state: 'vendor_rejected',
    });
    expect(view.reporting).toMatchObject({ state: 'ok', since: null });
  });

  it("reads the device's own latest change from the user's open-changes item (lastChangeStatus)", () => {
    const stored = observedSnapshot('ann', device(), at(1), undefined, null, 'heat_pump', rules);
    const open = {
      open: [],
      last: {
        [stored.deviceId]: { id: 'chg_1', status: 'failed' as const },
        other: { id: 'chg_2', status: 'confirmed' as const },
      },
    };
    const view = deviceHealthView(
      stored,
      'connected',
      T0 + MINUTE,
      rules,
      lastChangeStatus(open, stored.deviceId),
    );
    expect(view.not_steerable_because).toEqual(['last_change_failed']);
    // Another device's failed change does not block this one.
    const others = { open: [], last: { other: { id: 'chg_3', status: 'failed' as const } } };
    expect(
      deviceHealthView(stored, 'connected', T0 + MINUTE, rules, lastChangeStatus(others, stored.deviceId))
        .steerable,
    ).toBe(true);
  });

  it('takes the latest change status into the verdict', () => {
    const stored = observedSnapshot('ann', device(), at(1), undefined, null, 'heat_pump', rules);
    expect(deviceHealthView(stored, 'connected', T0 + MINUTE, rules).steerable).toBe(true);
    expect(deviceHealthView(stored, 'connected', T0 + MINUTE, rules, 'failed')).toMatchObject({
      steerable: false,
      not_steerable_because: ['last_change_failed'],
    });
  });
});

describe('healthEvents', () => {
  const names = healthEventNamesOf('heat_pump', 'heat_pump_id');
  const observe = (fields: Record<string, unknown>, minute: number, previous?: ReturnType<typeof snap>) =>
    snap(fields, minute, previous);
  function snap(
    fields: Record<string, unknown>,
    minute: number,
    previous?: ReturnType<typeof observedSnapshot>,
  ) {
    return observedSnapshot('ann', device(fields), at(minute), previous, null, 'heat_pump', rules);
  }
  const typesOf = (events: { type: string }[]) => events.map((e) => e.type);

  it('announces reporting stopped once, and resumed when a new state arrives', () => {
    const ok = observe({}, 1);
    const stale = observe({}, 60, ok);
    const stillStale = observe({}, 75, stale);
    const resumed = observe({ current_state_last_updated_at: at(80) }, 81, stillStale);
    const stopped = healthEvents(names, ok, stale);
    expect(typesOf(stopped)).toEqual(['heat_pump.reporting_stopped']);
    expect(stopped[0]?.data).toEqual({
      external_user_id: 'ann',
      heat_pump_id: 'hp-1',
      reporting: { state: 'stale', since: at(45), last_state_at: at(0) },
      previous_state: 'ok',
    });
    expect(healthEvents(names, stale, stillStale)).toEqual([]);
    expect(typesOf(healthEvents(names, stillStale, resumed))).toEqual(['heat_pump.reporting_resumed']);
  });

  it('gives the same transition the same id whoever observes it, and a later one a new id', () => {
    const ok = observe({}, 1);
    const bySync = healthEvents(names, ok, observe({}, 60, ok));
    const byRead = healthEvents(names, ok, observe({}, 52, ok));
    expect(bySync[0]?.id).toBe(byRead[0]?.id);
    const resumed = observe({ current_state_last_updated_at: at(70) }, 71, observe({}, 60, ok));
    const again = healthEvents(
      names,
      resumed,
      observe({ current_state_last_updated_at: at(70) }, 200, resumed),
    );
    expect(typesOf(again)).toEqual(['heat_pump.reporting_stopped']);
    expect(again[0]?.id).not.toBe(bySync[0]?.id);
  });

  it('stays quiet when a stale device loses its connection (connection_lost says it)', () => {
    const stale = observe({}, 60, observe({}, 1));
    const lost = observe({ is_authenticated: false }, 61, stale);
    expect(lost.health?.reporting.state).toBe('unknown');
    expect(healthEvents(names, stale, lost)).toEqual([]);
  });

  it('announces steering failed and recovered, with Podero’s state in the data', () => {
    const ok = observe({}, 1);
    const failed = observe({ steering_status: 'error', actual_steering_state: 'x' }, 5, ok);
    const warning = observe({ steering_status: 'warning' }, 10, failed);
    const events = [...healthEvents(names, ok, failed), ...healthEvents(names, failed, warning)];
    expect(typesOf(events)).toEqual(['heat_pump.steering_failed', 'heat_pump.steering_recovered']);
    expect(events[0]?.data).toMatchObject({
      steering: { state: 'error', since: at(5) },
      previous_state: 'ok',
    });
    expect(events[1]?.data).toMatchObject({
      steering: { state: 'warning', since: at(10) },
      previous_state: 'error',
      actual_steering_state: null,
    });
    // ok -> warning is not a failure.
    expect(healthEvents(names, ok, observe({ steering_status: 'warning' }, 5, ok))).toEqual([]);
  });

  it('yields nothing for a device first seen, or stored before health was', () => {
    const first = observe({ steering_status: 'error' }, 60);
    expect(healthEvents(names, undefined, first)).toEqual([]);
    const legacy = { ...observe({}, 1), health: null };
    expect(healthEvents(names, legacy, observe({ steering_status: 'error' }, 60, legacy))).toEqual([]);
  });

  it.each(deviceKinds.map((kind) => [kind.name, kind] as const))(
    'every kind (%s) yields its own health events, valid against the catalogue',
    (name, kind) => {
      const kindRules = { ...rules, staleAfterSyncIntervals: kind.health.staleAfterSyncIntervals };
      const one = (fields: Record<string, unknown>, minute: number, previous?: ReturnType<typeof snap>) =>
        observedSnapshot('ann', device(fields), at(minute), previous, null, name, kindRules);
      const ok = one({}, 1);
      const late = kind.health.staleAfterSyncIntervals * 15 + 5;
      const stale = one({ steering_status: 'error' }, late, ok);
      const events = kind.changeEvents(ok, stale);
      expect(typesOf(events).sort()).toEqual([`${name}.reporting_stopped`, `${name}.steering_failed`]);
      for (const type of [
        `${name}.reporting_stopped`,
        `${name}.reporting_resumed`,
        `${name}.steering_failed`,
        `${name}.steering_recovered`,
      ]) {
        expect(kind.eventTypes).toContain(type);
      }
      for (const e of events) expect(bridgeEventSchema.safeParse(e).success).toBe(true);
    },
  );
});
