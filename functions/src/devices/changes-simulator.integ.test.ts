import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, bodyOf } from '../../test-support/api-event';
import {
  type HeatPumpWorld,
  type OnboardedTestUser,
  STATE_INTERVAL_SECONDS,
  startHeatPumpWorld,
} from '../../test-support/device-world';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { openChangesSk } from '../storage/open-changes';
import { CHANGE_METRICS } from './change-metrics';

/**
 * Tracked changes end to end (issue 35): a heat pump's settings written through the API handler, settled by
 * the sync and by live reads against the simulator, with its write faults (a write accepted and never
 * applied, or applied late) on the simulated clock; their events stored once with the device's snapshot.
 */
interface ChangeBody {
  id: string;
  status: string;
  reason: string | null;
  settled_at: string | null;
  by: string;
}

let world: HeatPumpWorld;
let users: OnboardedTestUser[];

const paramsOf = (user: OnboardedTestUser) => ({
  external_user_id: user.externalUserId,
  heat_pump_id: user.deviceIds[0] as string,
});

async function writeFault(deviceId: string, fault: Record<string, unknown>) {
  const response = await fetch(`${world.sim.baseUrl}/__sim/devices/${deviceId}/write-fault`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  expect(response.status).toBe(200);
}

async function patch(user: OnboardedTestUser, body: Record<string, unknown>): Promise<ChangeBody> {
  const result = await world.api(apiEvent('updateHeatPump', { params: paramsOf(user), body }));
  expect(result.statusCode).toBe(200);
  return bodyOf<{ change: ChangeBody }>(result).change;
}

async function changeOf(user: OnboardedTestUser, id: string): Promise<ChangeBody> {
  const result = await world.api(
    apiEvent('getHeatPumpChange', { params: { ...paramsOf(user), change_id: id } }),
  );
  expect(result.statusCode).toBe(200);
  return bodyOf<{ change: ChangeBody }>(result).change;
}

async function pass() {
  const summary = await world.sync({ source: 'schedule' }, world.syncContext());
  expect(summary.failures).toBe(0);
}

/** The user's open-changes item of heat pumps: its pending events, and the device's last change status. */
async function snapshotOf(user: OnboardedTestUser) {
  const out = await world.aws.db.send(
    new GetCommand({
      TableName: world.aws.tableNames.main,
      Key: { pk: `USER#${user.externalUserId}`, sk: openChangesSk(heatPumpKind.name) },
    }),
  );
  const outbox = ((out.Item?.outbox as string[] | undefined) ?? []).map(
    (json) => JSON.parse(json) as { id: string; type: string; data: { change?: { id: string } } },
  );
  const last = JSON.parse(String(out.Item?.last_changes ?? '{}')) as Record<string, { status: string }>;
  return { outbox, lastStatus: last[user.deviceIds[0] as string]?.status };
}

/**
 * The sync's DynamoDB client, able to hold back the BatchWriteItem calls that write a user's items until
 * the test lets them go: the window between the pass's read of the user and its write.
 */
let holdWritesOf: { pk: string; reached: () => void; release: Promise<void> } | null = null;
function holdingClient(db: DynamoDBDocumentClient): DynamoDBDocumentClient {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: unknown) => {
        const held = holdWritesOf;
        if (held && command instanceof BatchWriteCommand && JSON.stringify(command.input).includes(held.pk)) {
          held.reached();
          await held.release;
        }
        return target.send(command as never);
      };
    },
  });
}

const eventsFor = (outbox: { type: string; data: { change?: { id: string } } }[], changeId: string) =>
  outbox.filter((event) => event.data.change?.id === changeId).map((event) => event.type);

beforeAll(async () => {
  world = await startHeatPumpWorld({ syncConcurrency: 2, wrapSyncDb: holdingClient });
  users = await world.onboard(6, 1, 'changes');
  await pass();
}, 120_000);
afterAll(async () => {
  await world?.close();
});

describe('tracked changes against the simulator', () => {
  it('a change the device applies ends confirmed at the next pass, its event stored once', async () => {
    const user = users[0] as OnboardedTestUser;
    const change = await patch(user, { optimization_level: 'Max', is_smart_optimization_active: true });
    expect(change).toMatchObject({ status: 'pending', settled_at: null, by: 'partner-backoffice' });

    world.advance(60);
    await pass();
    expect(await changeOf(user, change.id)).toMatchObject({ status: 'confirmed', reason: null });
    world.advance(60);
    await pass();
    const { outbox, lastStatus } = await snapshotOf(user);
    expect(eventsFor(outbox, change.id)).toEqual(['heat_pump.change_confirmed']);
    expect(lastStatus).toBe('confirmed');
    expect(
      world.syncMetrics.recorded.some(
        (m) => m.name === CHANGE_METRICS.confirmed && m.dimensions?.device_kind === 'heat_pump',
      ),
    ).toBe(true);
  });

  it('a change the device ignores stays pending, then fails at the first pass after its timeout', async () => {
    const user = users[1] as OnboardedTestUser;
    await writeFault(user.deviceIds[0] as string, { mode: 'ignore' });
    const change = await patch(user, { optimization_level: 'Max' });
    world.advance(600);
    await pass();
    expect((await changeOf(user, change.id)).status).toBe('pending');

    world.advance(heatPumpKind.changeTimeoutSeconds);
    await pass();
    expect(await changeOf(user, change.id)).toMatchObject({ status: 'failed', reason: 'timeout' });
    await pass();
    const { outbox, lastStatus } = await snapshotOf(user);
    expect(eventsFor(outbox, change.id)).toEqual(['heat_pump.change_failed']);
    expect(lastStatus).toBe('failed');
  });

  it('a change the device applies late is confirmed by the first live read that sees it', async () => {
    const user = users[2] as OnboardedTestUser;
    await writeFault(user.deviceIds[0] as string, { mode: 'delay', delay_seconds: 900 });
    const change = await patch(user, { optimization_level: 'Max' });
    world.advance(300);
    await pass();
    expect((await changeOf(user, change.id)).status).toBe('pending');

    world.advance(900);
    const read = await world.api(
      apiEvent('getHeatPump', { params: paramsOf(user), query: { max_age_seconds: '0' } }),
    );
    expect(read.statusCode).toBe(200);
    expect(await changeOf(user, change.id)).toMatchObject({ status: 'confirmed' });
    expect(eventsFor((await snapshotOf(user)).outbox, change.id)).toEqual(['heat_pump.change_confirmed']);
  });

  it('a newer change to the same field supersedes the pending one; the list answers newest first', async () => {
    const user = users[3] as OnboardedTestUser;
    await writeFault(user.deviceIds[0] as string, { mode: 'ignore' });
    const older = await patch(user, { optimization_level: 'Max', is_away_mode_enabled: false });
    world.advance(1);
    const newer = await patch(user, { optimization_level: 'Low' });
    expect(await changeOf(user, older.id)).toMatchObject({ status: 'superseded', reason: newer.id });

    const page = await world.api(
      apiEvent('listHeatPumpChanges', { params: paramsOf(user), query: { limit: '1' } }),
    );
    const first = bodyOf<{ items: ChangeBody[]; next_cursor: string | null }>(page);
    expect(first.items.map((c) => c.id)).toEqual([newer.id]);
    const rest = await world.api(
      apiEvent('listHeatPumpChanges', {
        params: paramsOf(user),
        query: { limit: '5', cursor: first.next_cursor ?? '' },
      }),
    );
    expect(bodyOf<{ items: ChangeBody[] }>(rest).items.map((c) => c.id)).toEqual([older.id]);
    // Superseded changes yield no event.
    expect(eventsFor((await snapshotOf(user)).outbox, older.id)).toEqual([]);
  });

  it('answers 404 for a change id the device does not have', async () => {
    const user = users[0] as OnboardedTestUser;
    const result = await world.api(
      apiEvent('getHeatPumpChange', { params: { ...paramsOf(user), change_id: 'chg_00000000000000000000' } }),
    );
    expect(result.statusCode).toBe(404);
  });

  it('a control written while a pass is between its read and its write is not lost: the next pass confirms it', async () => {
    const user = users[4] as OnboardedTestUser;
    world.advance(STATE_INTERVAL_SECONDS);
    let reached = () => {};
    const atWrite = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let release = () => {};
    holdWritesOf = {
      pk: `USER#${user.externalUserId}`,
      reached: () => reached(),
      release: new Promise<void>((resolve) => {
        release = resolve;
      }),
    };
    // The pass has read the user (no open change) and is about to rewrite its snapshot whole...
    const passing = world.sync({ source: 'schedule' }, world.syncContext());
    await atWrite;
    // ...when a control records a change; then the pass's write lands.
    const change = await patch(user, { optimization_level: 'Max' });
    holdWritesOf = null;
    release();
    expect((await passing).failures).toBe(0);

    world.advance(60);
    await pass();
    expect(await changeOf(user, change.id)).toMatchObject({ status: 'confirmed' });
    expect((await snapshotOf(user)).lastStatus).toBe('confirmed');
  });

  it('a PATCH replayed with its Idempotency-Key answers the same change and records no second one', async () => {
    const user = users[5] as OnboardedTestUser;
    const send = () =>
      world.api(
        apiEvent('updateHeatPump', {
          params: paramsOf(user),
          body: { optimization_level: 'Max' },
          headers: { 'Idempotency-Key': `replay-${user.externalUserId}` },
        }),
      );
    const first = await send();
    const replay = await send();
    expect(replay.statusCode).toBe(200);
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    const firstChange = bodyOf<{ change: ChangeBody }>(first).change;
    expect(bodyOf<{ change: ChangeBody }>(replay).change.id).toBe(firstChange.id);
    const list = await world.api(apiEvent('listHeatPumpChanges', { params: paramsOf(user) }));
    expect(bodyOf<{ items: ChangeBody[] }>(list).items.map((c) => c.id)).toEqual([firstChange.id]);
    expect(await changeOf(user, firstChange.id)).toMatchObject({ status: 'pending' });
  });
});
