import { describe, expect, it } from 'vitest';
import type { DeviceChange, OpenChanges } from '../domain/devices/changes';
import {
  CHARGING_CONFIG_CHANGE_TIMEOUT_SECONDS,
  CHARGING_CONFIG_SUBJECT,
} from '../domain/devices/charging-config-change';
import type { OutboxEntry } from '../storage/outbox';
import { ChangeTracker } from './change-tracker';
import { ChargingConfigService } from './charging-config';
import { ChargingConfigChanges } from './charging-config-changes';

const T0 = Date.parse('2026-12-07T10:00:00Z');

/** The stores the tracker writes, in memory, with the conditions that matter here (versions, settled history). */
function world(options: { applies: boolean }) {
  let clock = T0;
  let config: Record<string, unknown> = { mode: 'none', available_modes: ['none', 'spot'] };
  let open: { changes: OpenChanges; version: number } = { changes: { open: [], last: {} }, version: 0 };
  const history = new Map<string, DeviceChange>();
  const events: OutboxEntry[] = [];
  const flag: { id: string | null } = { id: null };
  const tracker = new ChangeTracker({
    open: {
      get: async () => open,
      write: async (_user, kind, changes, readVersion, entries = []) => {
        expect(kind).toBe(CHARGING_CONFIG_SUBJECT);
        if (readVersion !== open.version) return false;
        open = { changes, version: readVersion + 1 };
        events.push(...entries);
        return true;
      },
    },
    history: {
      put: async (change) => {
        const stored = history.get(change.id);
        if (stored && stored.status !== 'pending') return false;
        history.set(change.id, change);
        return true;
      },
      settle: async (change) => {
        const stored = history.get(change.id);
        if (stored && stored.status !== 'pending') return { stored, settledNow: false };
        history.set(change.id, change);
        return { stored: change, settledNow: true };
      },
    },
  });
  const changes = new ChargingConfigChanges({
    tracker,
    history: {
      get: async (_user, _kind, _target, id) => history.get(id) ?? null,
      list: async () => ({ changes: [...history.values()].reverse(), nextCursor: null }),
    },
    users: {
      flagChargingConfigChange: async (_user, id) => {
        flag.id = id;
        return true;
      },
      clearChargingConfigChange: async (_user, ids) => {
        if (flag.id !== null && ids.includes(flag.id)) flag.id = null;
      },
    },
  });
  let random = 0;
  const service = new ChargingConfigService({
    podero: {
      chargingConfig: {
        get: async () => config,
        put: async (_user, body) => {
          if (options.applies) config = { ...config, mode: body.mode };
          return { ...config, mode: body.mode };
        },
      },
    },
    findPoderoUserId: async (user) => (user === 'u-1' ? 'p-1' : null),
    changes,
    now: () => clock,
    random: () => (random += 0.1),
  });
  return {
    service,
    changes,
    events,
    flag,
    history,
    advance: (ms: number) => {
      clock += ms;
    },
    now: () => new Date(clock).toISOString(),
    apply: (mode: string) => {
      config = { ...config, mode };
    },
  };
}

const parsed = (entry: OutboxEntry | undefined) =>
  JSON.parse(entry?.json ?? '{}') as { type: string; data: Record<string, unknown> };
const eventTypes = (events: readonly OutboxEntry[]) => events.map((entry) => parsed(entry).type);

describe('the charging configuration as a tracked change', () => {
  it('applied: the PUT’s own read-back shows the mode, so it answers the change confirmed, with its event', async () => {
    const w = world({ applies: true });
    const answer = await w.service.put('u-1', { mode: 'spot' }, 'admin-sub');
    expect(answer.mode).toBe('spot');
    expect(answer.change).toMatchObject({
      control: 'charging_config',
      fields: { mode: 'spot' },
      status: 'confirmed',
      by: 'admin-sub',
    });
    expect(eventTypes(w.events)).toEqual(['charging_config.change_confirmed']);
    const data = parsed(w.events[0]).data;
    expect(data).toEqual({
      external_user_id: 'u-1',
      change: expect.objectContaining({ id: answer.change.id, fields: ['mode'], status: 'confirmed' }),
    });
    expect(w.flag.id).toBeNull();
  });

  it('not applied: pending (the flag up) until a read shows it; a GET that does confirms it', async () => {
    const w = world({ applies: false });
    const answer = await w.service.put('u-1', { mode: 'spot' });
    expect(answer.change.status).toBe('pending');
    expect(answer.mode).toBe('none');
    expect(w.flag.id).toBe(answer.change.id);
    expect(w.events).toEqual([]);

    w.advance(60_000);
    await w.service.get('u-1');
    expect(w.history.get(answer.change.id)?.status).toBe('pending');

    w.apply('spot');
    w.advance(60_000);
    await w.service.get('u-1');
    expect((await w.service.getChange('u-1', answer.change.id)).change.status).toBe('confirmed');
    expect(eventTypes(w.events)).toEqual(['charging_config.change_confirmed']);
    expect(w.flag.id).toBeNull();
  });

  it('timeout: a pass after the deadline fails it with its event, also when its read of CC1 failed', async () => {
    const w = world({ applies: false });
    const { change } = await w.service.put('u-1', { mode: 'spot' });
    w.advance(CHARGING_CONFIG_CHANGE_TIMEOUT_SECONDS * 1000 - 1000);
    await w.changes.settle('u-1', null, w.now(), { sweepAt: w.now(), flagged: change.id });
    expect(w.history.get(change.id)?.status).toBe('pending');

    w.advance(1000);
    await w.changes.settle('u-1', null, w.now(), { sweepAt: w.now(), flagged: change.id });
    expect(w.history.get(change.id)).toMatchObject({ status: 'failed', reason: 'timeout' });
    expect(eventTypes(w.events)).toEqual(['charging_config.change_failed']);
    expect(w.flag.id).toBeNull();
  });

  it('superseded: a newer write of the mode replaces a pending one, which then never settles', async () => {
    const w = world({ applies: false });
    const first = await w.service.put('u-1', { mode: 'spot' });
    w.advance(1000);
    const second = await w.service.put('u-1', { mode: 'hems' });
    expect(w.history.get(first.change.id)).toMatchObject({
      status: 'superseded',
      reason: second.change.id,
    });
    expect(w.flag.id).toBe(second.change.id);

    w.apply('spot');
    w.advance(1000);
    await w.service.get('u-1');
    expect(w.history.get(first.change.id)?.status).toBe('superseded');
    expect(w.history.get(second.change.id)?.status).toBe('pending');
    expect(w.events).toEqual([]);
  });

  it('a settlement that fails does not fail the read: Podero’s answer goes back, the change stays pending', async () => {
    const w = world({ applies: false });
    const { change } = await w.service.put('u-1', { mode: 'spot' });
    const broken = new ChargingConfigService({
      podero: {
        chargingConfig: { get: async () => ({ mode: 'spot' }), put: async () => ({ mode: 'spot' }) },
      },
      findPoderoUserId: async () => 'p-1',
      changes: {
        settle: async () => {
          throw new Error('DynamoDB is unavailable');
        },
      } as never,
    });
    expect((await broken.get('u-1')).mode).toBe('spot');
    expect(w.history.get(change.id)?.status).toBe('pending');
  });
});
