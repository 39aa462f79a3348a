import { describe, expect, it } from 'vitest';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { observedSnapshot } from '../domain/devices/rules';
import { snapshotFieldsOf } from '../domain/devices/snapshot-fields';
import { storedDeviceJsonOf, type UserDeviceState } from '../storage/device-snapshots';
import { type PlanInput, planUserWrites } from './plan';

/** The sync's write plan for one user, from a Podero list and stored state: no server, no DynamoDB. */
const ME = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const T1 = '2026-06-01T12:00:00.000Z';
const T2 = '2026-06-01T12:05:00.000Z';
const tables = { main: 'main', readings: 'readings' };
/** The first kind's event types (kinds.test.ts pins them). */
const [CONNECTED, LOST, , , DELETED] = heatPumpKind.eventTypes;

const hpOf = (id: string, stateAt: string, extra: Record<string, unknown> = {}) => ({
  id,
  owner: { id: ME },
  deleted_at: null,
  current_state_last_updated_at: stateAt,
  current_power_consumption_w: 1200,
  ...extra,
});
const hp = hpOf;
/** A stored snapshot as an earlier pass or read left it (its connection observed). */
const SYNC_INTERVAL_MS = 15 * 60_000;
const healthRules = { staleAfterSyncIntervals: 3, syncIntervalMs: SYNC_INTERVAL_MS };
const snap = (json: ReturnType<typeof hp>, fetchedAt: string, lastReadingStateAt: string | null) =>
  observedSnapshot('ada', json, fetchedAt, undefined, lastReadingStateAt, 'heat_pump', healthRules);
const empty = (): UserDeviceState => ({ marker: null, snapshots: new Map() });

function plan(listed: PlanInput['listed'], stored: UserDeviceState = empty(), fetchedAt = T2) {
  return planUserWrites({
    kind: heatPumpKind,
    externalUserId: 'ada',
    poderoUserId: ME,
    listed,
    stored,
    fetchedAt,
    tables,
    readingsRetentionDays: 400,
    syncIntervalMs: SYNC_INTERVAL_MS,
  });
}

/** `table put|delete sk` per write, in order. */
const summary = (writes: ReturnType<typeof plan>['writes']) =>
  writes.map((w) => {
    if ('PutRequest' in w.request) return `${w.tableName} put ${String(w.request.PutRequest.Item.sk)}`;
    return `${w.tableName} delete ${String(w.request.DeleteRequest.Key.sk)}`;
  });

describe('planUserWrites', () => {
  it('a new device gets a snapshot, a reading at its state time and the list marker', () => {
    const result = plan([hp('a', T1)]);
    expect(result.devices).toBe(1);
    expect(summary(result.writes)).toEqual([
      'main put HEATPUMP#a',
      `readings put ${T1}`,
      'main put HEATPUMPS',
    ]);
    for (const w of result.writes) expect(w.owner).toBe('ada');
  });

  it('an unchanged device whose reading was written costs no write at all', () => {
    const stored = empty();
    stored.snapshots.set('a', snap(hp('a', T1), T1, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, deviceIds: ['a'] };
    expect(plan([hp('a', T1)], stored).writes).toEqual([]);
  });

  it('a reading is owed for a state an API read already put in the snapshot', () => {
    const stored = empty();
    // The API stored state T2 in the snapshot; the sync's last reading is still T1.
    stored.snapshots.set('a', snap(hp('a', T2), T2, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T2, deviceIds: ['a'] };
    // The list did not change: the marker is not rewritten (the snapshot carries the list's fingerprint).
    expect(summary(plan([hp('a', T2)], stored).writes)).toEqual([
      'main put HEATPUMP#a',
      `readings put ${T2}`,
    ]);
  });

  it('a changed device with the same state is re-snapshotted without a second reading', () => {
    const stored = empty();
    stored.snapshots.set('a', snap(hp('a', T1), T1, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, deviceIds: ['a'] };
    const changed = hp('a', T1, { current_power_consumption_w: 900 });
    expect(summary(plan([changed], stored).writes)).toEqual(['main put HEATPUMP#a']);
  });

  it('records a lost connection: a new state gets since = this pass; the same state again costs no write', () => {
    const stored = empty();
    stored.snapshots.set('a', snap(hp('a', T1, { is_authenticated: true }), T1, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, deviceIds: ['a'] };
    expect(stored.snapshots.get('a')?.connection).toEqual({ state: 'connected', since: null });

    const lost = hp('a', T1, {
      is_authenticated: false,
      actions: [{ code: 'reauthenticate', resolution_link: { url: 'https://p/cues/c/resolve?secret=s' } }],
    });
    const result = plan([lost], stored);
    const put = result.writes.find(
      (w) => 'PutRequest' in w.request && w.request.PutRequest.Item.sk === 'HEATPUMP#a',
    );
    const item = put && 'PutRequest' in put.request ? put.request.PutRequest.Item : undefined;
    expect(item?.connection_state).toBe('reauthentication_required');
    expect(item?.connection_since).toBe(T2);

    const after = empty();
    // As the store reads it back: the projection (the cue's link is not stored).
    const storedLost = JSON.parse(storedDeviceJsonOf(lost, heatPumpKind.storage)) as typeof lost;
    expect(JSON.stringify(storedLost)).not.toContain('secret');
    after.snapshots.set('a', {
      ...snap(storedLost, T2, T1),
      connection: { state: 'reauthentication_required', since: T2 },
    });
    after.marker = { externalUserId: 'ada', fetchedAt: T2, deviceIds: ['a'] };
    expect(plan([lost], after, T2).writes).toEqual([]);
  });

  it('drops the snapshots of devices deleted at Podero or owned by someone else', () => {
    const stored = empty();
    for (const id of ['a', 'gone', 'theirs']) stored.snapshots.set(id, snap(hp(id, T1), T1, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, deviceIds: ['a', 'gone', 'theirs'] };
    const result = plan(
      [hp('a', T1), hp('gone', T1, { deleted_at: T2 }), hp('theirs', T1, { owner: { id: OTHER } })],
      stored,
    );
    expect(result.devices).toBe(1);
    expect(summary(result.writes)).toEqual([
      'main delete HEATPUMP#gone',
      'main delete HEATPUMP#theirs',
      'main put REMOVED#heat_pump#gone',
      'main put REMOVED#heat_pump#theirs',
      'main put HEATPUMPS',
    ]);
    // Each leaves a removal record (readings kept) for the monthly statement.
    const removal = result.writes.find(
      (w) => 'PutRequest' in w.request && w.request.PutRequest.Item.sk === 'REMOVED#heat_pump#gone',
    )?.request;
    expect(removal && 'PutRequest' in removal ? removal.PutRequest.Item : undefined).toMatchObject({
      pk: 'USER#ada',
      device_id: 'gone',
      removed_by: 'podero',
      readings: 'kept',
      removed_at: expect.any(String),
    });
    const marker = result.writes.at(-1)?.request;
    expect(
      marker && 'PutRequest' in marker
        ? marker.PutRequest.Item[heatPumpKind.storage.idsAttribute]
        : undefined,
    ).toEqual(['a']);
  });

  it('a user without devices gets a marker once, then nothing', () => {
    expect(summary(plan([]).writes)).toEqual(['main put HEATPUMPS']);
    const stored = empty();
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, deviceIds: [] };
    expect(plan([], stored).writes).toEqual([]);
  });

  it('a device without a state timestamp gets a snapshot but no reading', () => {
    const result = plan([hp('a', T1, { current_state_last_updated_at: null })]);
    expect(summary(result.writes)).toEqual(['main put HEATPUMP#a', 'main put HEATPUMPS']);
  });
});

describe('planUserWrites: change events', () => {
  const itemOf = (writes: ReturnType<typeof plan>['writes'], sk: string) => {
    const write = writes.find((w) => 'PutRequest' in w.request && w.request.PutRequest.Item.sk === sk);
    return write && 'PutRequest' in write.request ? write.request.PutRequest.Item : undefined;
  };
  const eventsOf = (item: Record<string, unknown> | undefined) =>
    ((item?.outbox ?? []) as string[]).map((json) => (JSON.parse(json) as { type: string }).type);

  it('a lost connection is stored with the snapshot that records it, and the item joins the outbox', () => {
    const stored = empty();
    stored.snapshots.set('a', snap(hp('a', T1, { is_authenticated: true }), T1, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, deviceIds: ['a'] };
    const result = plan([hp('a', T1, { is_authenticated: false })], stored);
    const item = itemOf(result.writes, 'HEATPUMP#a');
    expect(eventsOf(item)).toEqual([LOST]);
    expect(item?.outbox_pk).toBe('PENDING');
    expect(result.events).toBe(1);
  });

  it('a byte-identical answer turns stale on the clock: written once with reporting_stopped, then nothing', () => {
    // Prepare: a connected device whose state stopped moving at T1, stored reporting ok.
    const json = hp('a', T1, { is_authenticated: true });
    const stored = empty();
    stored.snapshots.set('a', snap(json, T1, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, deviceIds: ['a'] };
    // Act: the same answer, three intervals and a minute later.
    const later = new Date(Date.parse(T1) + 46 * 60_000).toISOString();
    const result = plan([json], stored, later);
    // Assess: the snapshot is written (the shortcut did not skip it) with its event, and counted stale.
    const item = itemOf(result.writes, 'HEATPUMP#a');
    expect(item?.reporting_state).toBe('stale');
    expect(item?.reporting_since).toBe(new Date(Date.parse(T1) + 45 * 60_000).toISOString());
    expect(eventsOf(item)).toEqual(['heat_pump.reporting_stopped']);
    expect(result.reporting).toEqual({ judged: 1, stale: 1 });
    // The next pass, still byte-identical and still stale: no write, no second event.
    const again = empty();
    again.snapshots.set('a', {
      ...snap(json, T1, T1),
      health: {
        reporting: { state: 'stale', since: String(item?.reporting_since) },
        steering: { state: 'unknown', since: null },
      },
    });
    again.marker = stored.marker;
    const next = plan([json], again, new Date(Date.parse(T1) + 61 * 60_000).toISOString());
    expect(next.writes).toEqual([]);
    expect(next.events).toBe(0);
  });

  it('a rewrite carries the events still pending on the stored item, before its own', () => {
    const stored = empty();
    const pending = JSON.stringify({
      id: `evt_${'a'.repeat(24)}`,
      timestamp: T1,
      type: CONNECTED,
    });
    stored.snapshots.set('a', {
      ...snap(hp('a', T1, { is_authenticated: true }), T1, T1),
      outbox: [pending],
    });
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, deviceIds: ['a'] };
    const result = plan([hp('a', T2, { is_authenticated: false })], stored);
    expect(eventsOf(itemOf(result.writes, 'HEATPUMP#a'))).toEqual([CONNECTED, LOST]);
  });

  it('an unchanged device with pending events is not rewritten (its events stay pending where they are)', () => {
    const stored = empty();
    const pending = JSON.stringify({
      id: `evt_${'b'.repeat(24)}`,
      timestamp: T1,
      type: CONNECTED,
    });
    stored.snapshots.set('a', { ...snap(hp('a', T1), T1, T1), outbox: [pending] });
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, deviceIds: ['a'] };
    expect(plan([hp('a', T1)], stored).writes).toEqual([]);
  });

  it("a device gone from the list is deleted (its kind's event) on the new marker, which takes the removed snapshot's pending events", () => {
    const stored = empty();
    const pending = JSON.stringify({
      id: `evt_${'c'.repeat(24)}`,
      timestamp: T1,
      type: LOST,
    });
    stored.snapshots.set('gone', { ...snap(hp('gone', T1), T1, T1), outbox: [pending] });
    stored.snapshots.set('a', snap(hp('a', T1), T1, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, deviceIds: ['a', 'gone'] };
    const result = plan([hp('a', T1)], stored);
    expect(summary(result.writes)).toEqual([
      'main delete HEATPUMP#gone',
      'main put REMOVED#heat_pump#gone',
      'main put HEATPUMPS',
    ]);
    const marker = itemOf(result.writes, 'HEATPUMPS');
    expect(eventsOf(marker)).toEqual([LOST, DELETED]);
    expect(JSON.parse(((marker?.outbox as string[]) ?? [])[1] ?? '{}').data).toEqual({
      external_user_id: 'ada',
      [heatPumpKind.storage.idAttribute]: 'gone',
    });
  });
});

/**
 * A second kind, declared only here: the plan runs it with nothing of the first kind's (its keys, attribute
 * names, reading fields and events are its own). The proof that a new kind is a new module.
 */
describe('a kind the engine does not know by name', () => {
  const wallboxKind = {
    visible: (listed: readonly { id: string }[]) => listed.filter((d) => d.id !== 'hidden'),
    storage: {
      kind: 'wallbox',
      skPrefix: 'WALLBOX#',
      listMarkerSk: 'WALLBOXES',
      idAttribute: 'wallbox_id',
      jsonAttribute: 'wallbox_json',
      idsAttribute: 'wallbox_ids',
      snapshotEntity: 'wallbox_snapshot',
      markerEntity: 'wallbox_list_marker',
      snapshotFields: snapshotFieldsOf({ viewFields: {}, readingFields: ['charging_power_w'] }),
    },
    readingFields: ['charging_power_w'],
    health: { staleAfterSyncIntervals: 3 },
    changeEvents: () => [],
    deletedEvents: () => [],
  } satisfies PlanInput['kind'];

  const planWallboxes = (listed: PlanInput['listed'], stored: UserDeviceState = empty()) =>
    planUserWrites({
      kind: wallboxKind,
      externalUserId: 'ada',
      poderoUserId: ME,
      listed,
      stored,
      fetchedAt: T2,
      tables,
      readingsRetentionDays: 400,
      syncIntervalMs: SYNC_INTERVAL_MS,
    });

  it("writes under the kind's own keys and attribute names, with its reading fields", () => {
    const result = planWallboxes([
      { id: 'w1', current_state_last_updated_at: T1, charging_power_w: 7400, outdoor_temperature: 3 },
      { id: 'hidden' },
    ]);
    expect(result.devices).toBe(1);
    expect(summary(result.writes)).toEqual([
      'main put WALLBOX#w1',
      `readings put ${T1}`,
      'main put WALLBOXES',
    ]);
    const items = result.writes.map((w) => ('PutRequest' in w.request ? w.request.PutRequest.Item : {}));
    expect(items[0]).toMatchObject({ entity: 'wallbox_snapshot', wallbox_id: 'w1' });
    expect(items[0]).not.toHaveProperty(heatPumpKind.storage.idAttribute);
    expect(items[1]).toMatchObject({
      pk: 'WALLBOX#w1',
      wallbox_id: 'w1',
      values: { charging_power_w: 7400 },
    });
    expect(items[2]).toMatchObject({ entity: 'wallbox_list_marker', wallbox_ids: ['w1'] });
  });

  it("deletes a device no longer listed under the kind's key", () => {
    const stored: UserDeviceState = {
      marker: { externalUserId: 'ada', fetchedAt: T1, deviceIds: ['w1'] },
      snapshots: new Map([['w1', snap({ id: 'w1' } as ReturnType<typeof hp>, T1, null)]]),
    };
    expect(summary(planWallboxes([], stored).writes)).toEqual([
      'main delete WALLBOX#w1',
      'main put REMOVED#wallbox#w1',
      'main put WALLBOXES',
    ]);
  });
});

/**
 * Issue 39: a scripted life of one heat pump, planned pass after pass with what the store would read back. The
 * events are those of the old rule (Podero's whole object stored, every pass): none lost, none repeated.
 */
describe('the events of a device whose snapshot is a projection, not rewritten while unchanged', () => {
  const at = (minutes: number) => new Date(Date.parse(T1) + minutes * 60_000).toISOString();
  const cue = { code: 'reauthenticate', resolution_link: { url: 'https://p/cues/c/resolve?secret=s' } };
  // What Podero sends beside the state, which a projection does not keep (so the old store rewrote every pass).
  const hp = (id: string, stateAt: string, extra: Record<string, unknown>) =>
    hpOf(id, stateAt, { comment: 'back-office note', ...extra });
  // [pass time, Podero's answer]: connected, optimisation off, frozen (stale after 3 intervals), lost, restored.
  const script: [string, ReturnType<typeof hp>][] = [
    [at(0), hp('a', at(0), { is_authenticated: true, is_smart_optimization_active: true })],
    [at(15), hp('a', at(15), { is_authenticated: true, is_smart_optimization_active: false })],
    [at(30), hp('a', at(15), { is_authenticated: true, is_smart_optimization_active: false })],
    [at(45), hp('a', at(15), { is_authenticated: true, is_smart_optimization_active: false })],
    [at(75), hp('a', at(15), { is_authenticated: true, is_smart_optimization_active: false })],
    [at(90), hp('a', at(15), { is_authenticated: true, is_smart_optimization_active: false })],
    [
      at(105),
      hp('a', at(105), { is_authenticated: false, is_smart_optimization_active: false, actions: [cue] }),
    ],
    [at(120), hp('a', at(120), { is_authenticated: true, is_smart_optimization_active: false })],
  ];

  /** Plans every pass; `readBack` turns a written snapshot into what the next pass reads. */
  function live(projected: boolean) {
    const stored = empty();
    const events: string[] = [];
    let snapshotWrites = 0;
    for (const [fetchedAt, answer] of script) {
      const result = plan([answer], stored, fetchedAt);
      const previous = stored.snapshots.get('a');
      for (const w of result.writes) {
        if (!('PutRequest' in w.request) || w.tableName !== 'main') continue;
        const item = w.request.PutRequest.Item;
        for (const json of (item.outbox as string[] | undefined) ?? []) {
          const { type, data } = JSON.parse(json) as { type: string; data: unknown };
          events.push(JSON.stringify({ type, data }));
        }
        if (item.sk === 'HEATPUMPS') {
          stored.marker = { externalUserId: 'ada', fetchedAt, deviceIds: ['a'] };
          continue;
        }
        snapshotWrites++;
      }
      const wrote = result.writes.some(
        (w) => 'PutRequest' in w.request && w.request.PutRequest.Item.sk === 'HEATPUMP#a',
      );
      if (projected && !wrote) continue;
      // What the store reads back: the rules' snapshot, its device as stored, its events published.
      const next = observedSnapshot(
        'ada',
        answer,
        fetchedAt,
        previous,
        answer.current_state_last_updated_at,
        'heat_pump',
        healthRules,
      );
      const device = projected ? JSON.parse(storedDeviceJsonOf(answer, heatPumpKind.storage)) : answer;
      stored.snapshots.set('a', { ...next, device, outbox: [] });
    }
    return { events, snapshotWrites };
  }

  it('stores the same events as a store of the whole object, with fewer writes', () => {
    const before = live(false);
    const after = live(true);
    expect(after.events).toEqual(before.events);
    expect(after.events.map((e) => (JSON.parse(e) as { type: string }).type)).toEqual([
      'heat_pump.connected',
      'heat_pump.optimization_changed',
      'heat_pump.reporting_stopped',
      'heat_pump.connection_lost',
      'heat_pump.connection_restored',
    ]);
    expect(after.snapshotWrites).toBeLessThan(before.snapshotWrites);
  });
});
