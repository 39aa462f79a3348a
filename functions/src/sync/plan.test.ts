import { describe, expect, it } from 'vitest';
import { observedSnapshot } from '../domain/devices/rules';
import type { UserHeatPumpState } from '../storage/heat-pump-snapshots';
import { type PlanInput, planUserWrites } from './plan';

/** The sync's write plan for one user, from a Podero list and stored state: no server, no DynamoDB. */
const ME = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const T1 = '2026-06-01T12:00:00.000Z';
const T2 = '2026-06-01T12:05:00.000Z';
const tables = { main: 'main', readings: 'readings' };

const hp = (id: string, stateAt: string, extra: Record<string, unknown> = {}) => ({
  id,
  owner: { id: ME },
  deleted_at: null,
  current_state_last_updated_at: stateAt,
  current_power_consumption_w: 1200,
  ...extra,
});
/** A stored snapshot as an earlier pass or read left it (its connection observed). */
const snap = (json: ReturnType<typeof hp>, fetchedAt: string, lastReadingStateAt: string | null) =>
  observedSnapshot('ada', json, fetchedAt, undefined, lastReadingStateAt);
const empty = (): UserHeatPumpState => ({ marker: null, snapshots: new Map() });

function plan(listed: PlanInput['listed'], stored: UserHeatPumpState = empty(), fetchedAt = T2) {
  return planUserWrites({
    externalUserId: 'ada',
    poderoUserId: ME,
    listed,
    stored,
    fetchedAt,
    tables,
    readingsRetentionDays: 400,
  });
}

/** `table put|delete sk` per write, in order. */
const summary = (writes: ReturnType<typeof plan>['writes']) =>
  writes.map((w) => {
    if ('PutRequest' in w.request) return `${w.tableName} put ${String(w.request.PutRequest.Item.sk)}`;
    return `${w.tableName} delete ${String(w.request.DeleteRequest.Key.sk)}`;
  });

describe('planUserWrites', () => {
  it('a new heat pump gets a snapshot, a reading at its state time and the list marker', () => {
    const result = plan([hp('a', T1)]);
    expect(result.heatPumps).toBe(1);
    expect(summary(result.writes)).toEqual([
      'main put HEATPUMP#a',
      `readings put ${T1}`,
      'main put HEATPUMPS',
    ]);
    for (const w of result.writes) expect(w.owner).toBe('ada');
  });

  it('an unchanged heat pump whose reading was written costs no write at all', () => {
    const stored = empty();
    stored.snapshots.set('a', snap(hp('a', T1), T1, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, heatPumpIds: ['a'] };
    expect(plan([hp('a', T1)], stored).writes).toEqual([]);
  });

  it('a reading is owed for a state an API read already put in the snapshot', () => {
    const stored = empty();
    // The API stored state T2 in the snapshot; the sync's last reading is still T1.
    stored.snapshots.set('a', snap(hp('a', T2), T2, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T2, heatPumpIds: ['a'] };
    expect(summary(plan([hp('a', T2)], stored).writes)).toEqual([
      'main put HEATPUMP#a',
      `readings put ${T2}`,
      'main put HEATPUMPS',
    ]);
  });

  it('a changed heat pump with the same state is re-snapshotted without a second reading', () => {
    const stored = empty();
    stored.snapshots.set('a', snap(hp('a', T1), T1, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, heatPumpIds: ['a'] };
    const changed = hp('a', T1, { current_power_consumption_w: 900 });
    expect(summary(plan([changed], stored).writes)).toEqual(['main put HEATPUMP#a', 'main put HEATPUMPS']);
  });

  it('records a lost connection: a new state gets since = this pass; the same state again costs no write', () => {
    const stored = empty();
    stored.snapshots.set('a', snap(hp('a', T1, { is_authenticated: true }), T1, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, heatPumpIds: ['a'] };
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
    after.snapshots.set('a', {
      ...snap(lost, T2, T1),
      connection: { state: 'reauthentication_required', since: T2 },
    });
    after.marker = { externalUserId: 'ada', fetchedAt: T2, heatPumpIds: ['a'] };
    expect(plan([lost], after, T2).writes).toEqual([]);
  });

  it('drops the snapshots of heat pumps deleted at Podero or owned by someone else', () => {
    const stored = empty();
    for (const id of ['a', 'gone', 'theirs']) stored.snapshots.set(id, snap(hp(id, T1), T1, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, heatPumpIds: ['a', 'gone', 'theirs'] };
    const result = plan(
      [hp('a', T1), hp('gone', T1, { deleted_at: T2 }), hp('theirs', T1, { owner: { id: OTHER } })],
      stored,
    );
    expect(result.heatPumps).toBe(1);
    expect(summary(result.writes)).toEqual([
      'main delete HEATPUMP#gone',
      'main delete HEATPUMP#theirs',
      'main put HEATPUMPS',
    ]);
    const marker = result.writes.at(-1)?.request;
    expect(marker && 'PutRequest' in marker ? marker.PutRequest.Item.heat_pump_ids : undefined).toEqual([
      'a',
    ]);
  });

  it('a user without heat pumps gets a marker once, then nothing', () => {
    expect(summary(plan([]).writes)).toEqual(['main put HEATPUMPS']);
    const stored = empty();
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, heatPumpIds: [] };
    expect(plan([], stored).writes).toEqual([]);
  });

  it('a heat pump without a state timestamp gets a snapshot but no reading', () => {
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
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, heatPumpIds: ['a'] };
    const result = plan([hp('a', T1, { is_authenticated: false })], stored);
    const item = itemOf(result.writes, 'HEATPUMP#a');
    expect(eventsOf(item)).toEqual(['heat_pump.connection_lost']);
    expect(item?.outbox_pk).toBe('PENDING');
    expect(result.events).toBe(1);
  });

  it('a rewrite carries the events still pending on the stored item, before its own', () => {
    const stored = empty();
    const pending = JSON.stringify({
      id: `evt_${'a'.repeat(24)}`,
      timestamp: T1,
      type: 'heat_pump.connected',
    });
    stored.snapshots.set('a', {
      ...snap(hp('a', T1, { is_authenticated: true }), T1, T1),
      outbox: [pending],
    });
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, heatPumpIds: ['a'] };
    const result = plan([hp('a', T2, { is_authenticated: false })], stored);
    expect(eventsOf(itemOf(result.writes, 'HEATPUMP#a'))).toEqual([
      'heat_pump.connected',
      'heat_pump.connection_lost',
    ]);
  });

  it('an unchanged device with pending events is not rewritten (its events stay pending where they are)', () => {
    const stored = empty();
    const pending = JSON.stringify({
      id: `evt_${'b'.repeat(24)}`,
      timestamp: T1,
      type: 'heat_pump.connected',
    });
    stored.snapshots.set('a', { ...snap(hp('a', T1), T1, T1), outbox: [pending] });
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, heatPumpIds: ['a'] };
    expect(plan([hp('a', T1)], stored).writes).toEqual([]);
  });

  it("a device gone from the list is heat_pump.deleted on the new marker, which takes the removed snapshot's pending events", () => {
    const stored = empty();
    const pending = JSON.stringify({
      id: `evt_${'c'.repeat(24)}`,
      timestamp: T1,
      type: 'heat_pump.connection_lost',
    });
    stored.snapshots.set('gone', { ...snap(hp('gone', T1), T1, T1), outbox: [pending] });
    stored.snapshots.set('a', snap(hp('a', T1), T1, T1));
    stored.marker = { externalUserId: 'ada', fetchedAt: T1, heatPumpIds: ['a', 'gone'] };
    const result = plan([hp('a', T1)], stored);
    expect(summary(result.writes)).toEqual(['main delete HEATPUMP#gone', 'main put HEATPUMPS']);
    const marker = itemOf(result.writes, 'HEATPUMPS');
    expect(eventsOf(marker)).toEqual(['heat_pump.connection_lost', 'heat_pump.deleted']);
    expect(JSON.parse(((marker?.outbox as string[]) ?? [])[1] ?? '{}').data).toEqual({
      external_user_id: 'ada',
      heat_pump_id: 'gone',
    });
  });
});
