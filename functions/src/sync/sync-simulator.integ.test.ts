import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, bodyOf, userClaims } from '../../test-support/api-event';
import {
  type HeatPumpWorld,
  HP_LIST_ROUTE,
  type OnboardedTestUser,
  STATE_INTERVAL_SECONDS,
  startHeatPumpWorld,
} from '../../test-support/device-world';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { SyncStateStore } from '../storage/sync-state';

/** The sync end to end: the Podero simulator over HTTP, dynalite over the real SDK, then the API. */
let world: HeatPumpWorld;
let users: OnboardedTestUser[];

beforeAll(async () => {
  world = await startHeatPumpWorld({ syncConcurrency: 3 });
  users = await world.onboard(8, 2, 'sync-sim');
});
afterAll(async () => {
  await world?.close();
});

async function readingCount(deviceId: string): Promise<number> {
  const out = await world.aws.db.send(
    new QueryCommand({
      TableName: world.aws.tableNames.readings,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `HEATPUMP#${deviceId}` },
      Select: 'COUNT',
    }),
  );
  return out.Count ?? 0;
}

describe('the device sync against the simulator', () => {
  it('stores one reading per new state, none while the state is unchanged, and isolates a failing user', async () => {
    const first = await world.sync({ source: 'schedule' }, world.syncContext());
    expect(first).toMatchObject({
      users: 8,
      [heatPumpKind.figure]: 16,
      readings_written: 16,
      failures: 0,
      completed_pass: true,
    });
    expect(world.requests(HP_LIST_ROUTE)).toBe(8);

    // Less than one state interval later the simulator reports the same state: nothing is written.
    world.advance(STATE_INTERVAL_SECONDS / 3);
    const unchanged = await world.sync({ source: 'schedule' }, world.syncContext());
    expect(unchanged).toMatchObject({
      users: 8,
      readings_written: 0,
      snapshots_written: 0,
      batch_write_calls: 0,
    });

    // One interval later every device has a new state; one user's Podero calls fail.
    world.advance(STATE_INTERVAL_SECONDS);
    const failing = users[5] as OnboardedTestUser;
    world.sim.control.setFaults([{ route: HP_LIST_ROUTE, status: 500, user_ids: [failing.poderoUserId] }]);
    const partial = await world.sync({ source: 'schedule' }, world.syncContext());
    expect(partial).toMatchObject({ users: 8, failures: 1, readings_written: 14, completed_pass: true });
    expect(await readingCount(failing.deviceIds[0] ?? '')).toBe(1);
    expect(await readingCount(users[4]?.deviceIds[0] ?? '')).toBe(2);
    const failures = await new SyncStateStore(world.aws.db, world.aws.tableNames.main).listFailures();
    expect(failures.map((f) => f.externalUserId)).toEqual([failing.externalUserId]);

    // Next pass: the user is retried and catches up with the current state; the record is cleared.
    world.sim.control.clearFaults();
    const recovered = await world.sync({ source: 'schedule' }, world.syncContext());
    expect(recovered).toMatchObject({ failures: 0, readings_written: 2 });
    expect(await readingCount(failing.deviceIds[0] ?? '')).toBe(2);
    expect(await new SyncStateStore(world.aws.db, world.aws.tableNames.main).listFailures()).toEqual([]);

    // What the sync stored is what the readings route serves, in time order.
    const res = await world.api(
      apiEvent('listHeatPumpReadings', {
        params: {
          external_user_id: users[0]?.externalUserId ?? '',
          [heatPumpKind.storage.idAttribute]: users[0]?.deviceIds[0] ?? '',
        },
        claims: userClaims(users[0]?.externalUserId ?? ''),
      }),
    );
    const body = bodyOf<{ items: { state_at: string; values: Record<string, unknown> }[] }>(res);
    expect(body.items).toHaveLength(2);
    const [a, b] = body.items.map((r) => Date.parse(r.state_at));
    expect((b ?? 0) - (a ?? 0)).toBe(STATE_INTERVAL_SECONDS * 1000);
    expect(typeof body.items[0]?.values.current_power_consumption_w).toBe('number');

    // The sync's snapshot also feeds the list route's cache.
    const list = await world.api(
      apiEvent('listHeatPumps', { params: { external_user_id: users[2]?.externalUserId ?? '' } }),
    );
    expect(bodyOf(list)).toMatchObject({ source: 'cache' });
  });

  it('still writes the reading of a state that an API live read stored in the snapshot first', async () => {
    world.advance(STATE_INTERVAL_SECONDS);
    const user = users[1] as OnboardedTestUser;
    const deviceId = user.deviceIds[0] ?? '';
    const before = await readingCount(deviceId);

    // An app reads live: the snapshot now holds the new state, and no reading exists for it yet.
    const live = await world.api(
      apiEvent('listHeatPumps', {
        params: { external_user_id: user.externalUserId },
        query: { max_age_seconds: '0' },
        claims: userClaims(user.externalUserId),
      }),
    );
    expect(bodyOf(live)).toMatchObject({ source: 'live' });
    expect(await readingCount(deviceId)).toBe(before);

    const run = await world.sync({ source: 'schedule' }, world.syncContext());
    expect(run.failures).toBe(0);
    expect(await readingCount(deviceId)).toBe(before + 1);

    // And the state is not recorded twice by the next run.
    const again = await world.sync({ source: 'schedule' }, world.syncContext());
    expect(again.readings_written).toBe(0);
    expect(await readingCount(deviceId)).toBe(before + 1);
  });
});
