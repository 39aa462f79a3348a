import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, bodyOf } from '../../test-support/api-event';
import {
  type HeatPumpWorld,
  type OnboardedTestUser,
  startHeatPumpWorld,
} from '../../test-support/device-world';
import { electricVehicleKind } from '../domain/devices/electric-vehicle';
import { openChangesSk } from '../storage/open-changes';
import { UserStore } from '../storage/users';

/**
 * An EV's weekly charge policy as a tracked change (issue 35) against the simulator: recorded by the PUT,
 * settled only by reads of the policy (E8: the route's, and the sync's for a vehicle with a policy change
 * open), failed at the first pass after the kind's timeout when the simulator ignores the write; events
 * stored once in the user's open-changes item.
 */
interface ChangeBody {
  id: string;
  control: string;
  status: string;
  reason: string | null;
  settled_at: string | null;
  fields: Record<string, unknown>;
}

let world: HeatPumpWorld;
const vehicles = new Map<string, string>();

const day = (charge_percentage: number, charge_deadline = '07:30') => ({
  charge_percentage,
  charge_deadline,
});
const week = (monday: number) => ({
  mon: day(monday),
  tue: day(65),
  wed: day(70),
  thu: day(75),
  fri: day(80, '06:45'),
  sat: day(50, '10:00'),
  sun: day(55, '10:00'),
  timezone: 'UTC',
});

const paramsOf = (user: OnboardedTestUser) => ({
  external_user_id: user.externalUserId,
  electric_vehicle_id: vehicles.get(user.externalUserId) as string,
});

async function ignoreWrites(user: OnboardedTestUser) {
  const response = await fetch(
    `${world.sim.baseUrl}/__sim/devices/${paramsOf(user).electric_vehicle_id}/write-fault`,
    {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'ignore' }),
    },
  );
  expect(response.status).toBe(200);
}

async function putPolicy(user: OnboardedTestUser, body: Record<string, unknown>) {
  const result = await world.api(
    apiEvent('updateElectricVehicleChargePolicy', { params: paramsOf(user), body }),
  );
  expect(result.statusCode, result.body).toBe(200);
  return bodyOf<{ mon: { charge_percentage: number }; change: ChangeBody }>(result);
}

async function changeOf(user: OnboardedTestUser, id: string): Promise<ChangeBody> {
  const result = await world.api(
    apiEvent('getElectricVehicleChange', { params: { ...paramsOf(user), change_id: id } }),
  );
  expect(result.statusCode).toBe(200);
  return bodyOf<{ change: ChangeBody }>(result).change;
}

async function pass() {
  const summary = await world.sync({ source: 'schedule' }, world.syncContext());
  expect(summary.failures).toBe(0);
}

const policyReads = () =>
  world.requests(
    'GET /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}/charge-policy',
  );

/** The event types stored for a change in the user's open-changes item of vehicles. */
async function eventsFor(user: OnboardedTestUser, changeId: string): Promise<string[]> {
  const out = await world.aws.db.send(
    new GetCommand({
      TableName: world.aws.tableNames.main,
      Key: { pk: `USER#${user.externalUserId}`, sk: openChangesSk(electricVehicleKind.name) },
    }),
  );
  return ((out.Item?.outbox as string[] | undefined) ?? [])
    .map((json) => JSON.parse(json) as { type: string; data: { change?: { id: string } } })
    .filter((event) => event.data.change?.id === changeId)
    .map((event) => event.type);
}

let users: OnboardedTestUser[];

beforeAll(async () => {
  world = await startHeatPumpWorld();
  users = await world.onboard(3, 0, 'policy-changes');
  const profiles = new UserStore(world.aws.db, world.aws.tableNames.main);
  for (const user of users) {
    vehicles.set(
      user.externalUserId,
      world.sim.control.addDevice(user.poderoUserId, { kind: 'electric_vehicle' }).id,
    );
    await profiles.addDeviceKind(
      user.externalUserId,
      'electric_vehicle',
      new Date(world.clock.now).toISOString(),
    );
  }
  await pass();
}, 120_000);
afterAll(async () => {
  await world?.close();
});

describe('an EV’s weekly charge policy as a tracked change, against the simulator', () => {
  it('a policy the simulator applies ends confirmed at the next pass, which reads it back; its event stored once', async () => {
    const user = users[0] as OnboardedTestUser;
    const answer = await putPolicy(user, week(90));
    expect(answer.mon.charge_percentage).toBe(90);
    expect(answer.change).toMatchObject({ control: 'charge_policy', status: 'pending', fields: week(90) });

    const before = policyReads();
    world.advance(60);
    await pass();
    // Only the vehicle with a policy change open was read back.
    expect(policyReads()).toBe(before + 1);
    expect(await changeOf(user, answer.change.id)).toMatchObject({ status: 'confirmed', reason: null });
    await pass();
    expect(policyReads()).toBe(before + 1);
    expect(await eventsFor(user, answer.change.id)).toEqual(['electric_vehicle.change_confirmed']);
  });

  it('a policy the simulator ignores stays pending while E8 shows the old week, then fails after the timeout', async () => {
    const user = users[1] as OnboardedTestUser;
    await ignoreWrites(user);
    const answer = await putPolicy(user, week(95));
    // The read-back answers the week Podero still has.
    expect(answer.mon.charge_percentage).not.toBe(95);
    world.advance(600);
    await pass();
    expect((await changeOf(user, answer.change.id)).status).toBe('pending');

    world.advance(electricVehicleKind.changeTimeoutSeconds);
    await pass();
    expect(await changeOf(user, answer.change.id)).toMatchObject({ status: 'failed', reason: 'timeout' });
    expect(await eventsFor(user, answer.change.id)).toEqual(['electric_vehicle.change_failed']);
  });

  it('a newer policy supersedes the pending one; the route’s read of the policy confirms the newer, listed first', async () => {
    const user = users[2] as OnboardedTestUser;
    const response = await fetch(
      `${world.sim.baseUrl}/__sim/devices/${paramsOf(user).electric_vehicle_id}/write-fault`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mode: 'delay', delay_seconds: 300 }),
      },
    );
    expect(response.status).toBe(200);
    const older = (await putPolicy(user, week(85))).change;
    world.advance(1);
    const newer = (await putPolicy(user, week(45))).change;
    expect(await changeOf(user, older.id)).toMatchObject({ status: 'superseded', reason: newer.id });

    world.advance(600);
    const read = await world.api(apiEvent('getElectricVehicleChargePolicy', { params: paramsOf(user) }));
    expect(bodyOf<{ mon: { charge_percentage: number } }>(read).mon.charge_percentage).toBe(45);
    expect(await changeOf(user, newer.id)).toMatchObject({ status: 'confirmed' });

    const list = await world.api(apiEvent('listElectricVehicleChanges', { params: paramsOf(user) }));
    expect(bodyOf<{ items: ChangeBody[] }>(list).items.map((c) => [c.id, c.status])).toEqual([
      [newer.id, 'confirmed'],
      [older.id, 'superseded'],
    ]);
    expect(await eventsFor(user, older.id)).toEqual([]);
  });
});
