import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, bodyOf } from '../../test-support/api-event';
import {
  type HeatPumpWorld,
  type OnboardedTestUser,
  startHeatPumpWorld,
} from '../../test-support/device-world';
import {
  CHARGING_CONFIG_CHANGE_TIMEOUT_SECONDS,
  CHARGING_CONFIG_SUBJECT,
} from '../domain/devices/charging-config-change';
import { openChangesSk } from '../storage/open-changes';
import { CHARGING_CONFIG_CHANGE_FLAG, USER_PROFILE_SK } from '../storage/users';

/**
 * The user's charging configuration as a tracked change (issue 35) against the simulator: the PUT records
 * it and reads CC1 back; a mode the simulator applies is confirmed by that read; one it ignores (the
 * user's write fault) stays pending, flagged on the profile so the sync reads CC1 for that user only, and
 * fails at the first pass after the timeout, its event stored once in the subject's open-changes item.
 */
interface ChangeBody {
  id: string;
  control: string;
  status: string;
  reason: string | null;
  fields: Record<string, unknown>;
}

let world: HeatPumpWorld;
let users: OnboardedTestUser[];

const params = (user: OnboardedTestUser) => ({ external_user_id: user.externalUserId });

async function putMode(user: OnboardedTestUser, mode: string) {
  const result = await world.api(apiEvent('updateChargingConfig', { params: params(user), body: { mode } }));
  expect(result.statusCode, result.body).toBe(200);
  return bodyOf<{ mode: string; change: ChangeBody }>(result);
}

async function changeOf(user: OnboardedTestUser, id: string): Promise<ChangeBody> {
  const result = await world.api(
    apiEvent('getChargingConfigChange', { params: { ...params(user), change_id: id } }),
  );
  expect(result.statusCode, result.body).toBe(200);
  return bodyOf<{ change: ChangeBody }>(result).change;
}

async function pass() {
  const summary = await world.sync({ source: 'schedule' }, world.syncContext());
  expect(summary.failures).toBe(0);
}

const configReads = () =>
  world.requests('GET /api/partners/v2.0/org/{org_id}/users/{user_id}/charging-config');

async function itemOf(user: OnboardedTestUser, sk: string) {
  const out = await world.aws.db.send(
    new GetCommand({
      TableName: world.aws.tableNames.main,
      Key: { pk: `USER#${user.externalUserId}`, sk },
    }),
  );
  return out.Item;
}

/** The event types stored for a change in the user's charging-config open-changes item. */
async function eventsFor(user: OnboardedTestUser, changeId: string): Promise<string[]> {
  const item = await itemOf(user, openChangesSk(CHARGING_CONFIG_SUBJECT));
  return ((item?.outbox as string[] | undefined) ?? [])
    .map((json) => JSON.parse(json) as { type: string; data: { change?: { id: string } } })
    .filter((event) => event.data.change?.id === changeId)
    .map((event) => event.type);
}

const flagOf = async (user: OnboardedTestUser) =>
  (await itemOf(user, USER_PROFILE_SK))?.[CHARGING_CONFIG_CHANGE_FLAG] ?? null;

beforeAll(async () => {
  world = await startHeatPumpWorld();
  users = await world.onboard(2, 0, 'config-changes');
  // `spot` needs a car to charge (the simulator refuses it otherwise, as Podero does).
  for (const user of users) world.sim.control.addDevice(user.poderoUserId, { kind: 'electric_vehicle' });
}, 120_000);
afterAll(async () => {
  await world?.close();
});

describe('the charging configuration as a tracked change, against the simulator', () => {
  it('a mode the simulator applies is confirmed by the PUT’s own read-back, with its event; no pass reads CC1 after', async () => {
    const user = users[0] as OnboardedTestUser;
    const answer = await putMode(user, 'spot');
    expect(answer.mode).toBe('spot');
    expect(answer.change).toMatchObject({
      control: 'charging_config',
      fields: { mode: 'spot' },
      status: 'confirmed',
    });
    expect(await eventsFor(user, answer.change.id)).toEqual(['charging_config.change_confirmed']);
    expect(await flagOf(user)).toBeNull();

    const before = configReads();
    world.advance(60);
    await pass();
    expect(configReads()).toBe(before);
  });

  it('a mode the simulator ignores stays pending (the sync reads CC1 for that user only), then fails after the timeout', async () => {
    const user = users[1] as OnboardedTestUser;
    const fault = await fetch(`${world.sim.baseUrl}/__sim/users/${user.poderoUserId}/write-fault`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'ignore' }),
    });
    expect(fault.status).toBe(200);
    const answer = await putMode(user, 'spot');
    // The read-back answers the mode Podero still has.
    expect(answer.mode).toBe('none');
    expect(answer.change.status).toBe('pending');
    expect(await flagOf(user)).toBe(answer.change.id);

    const before = configReads();
    world.advance(600);
    await pass();
    // One read for the flagged user; none for the user whose change was confirmed.
    expect(configReads()).toBe(before + 1);
    expect((await changeOf(user, answer.change.id)).status).toBe('pending');

    world.advance(CHARGING_CONFIG_CHANGE_TIMEOUT_SECONDS);
    await pass();
    expect(await changeOf(user, answer.change.id)).toMatchObject({ status: 'failed', reason: 'timeout' });
    expect(await eventsFor(user, answer.change.id)).toEqual(['charging_config.change_failed']);
    expect(await flagOf(user)).toBeNull();

    const after = configReads();
    await pass();
    expect(configReads()).toBe(after);
    const list = await world.api(apiEvent('listChargingConfigChanges', { params: params(user) }));
    expect(bodyOf<{ items: ChangeBody[] }>(list).items.map((c) => [c.id, c.status])).toEqual([
      [answer.change.id, 'failed'],
    ]);
  });
});
