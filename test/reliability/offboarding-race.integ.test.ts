import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bridge, startBridge } from '../support/bridge';
import { apiCall } from '../support/flows';

/**
 * Erasure under any interleaving: every route that reads or writes a user's data, and a sync run, race
 * `DELETE /users/{id}` in many rounds, with Podero answering after random short delays so that the
 * requests overtake each other in different orders. Afterwards nothing may remain under the user's
 * partition: before the fix a single-heat-pump live read re-created `HEATPUMP#…` (with the owner's
 * e-mail) under the deleted user in about one round in twenty.
 */
const ROUNDS = 25;
const API = '/api/partners/v2.0/org/{org_id}/users/{user_id}';

let bridge: Bridge;
let adminToken: string;

beforeAll(async () => {
  bridge = await startBridge({ poderoTimeoutMs: 2_000 });
  adminToken = await bridge.mintToken({ admin: true });
  // Podero answers every read and write after 0-25 ms, so the racers finish in a different order each time.
  bridge.simulator.control.setFaults(
    [
      `GET ${API}/heat-pumps`,
      `GET ${API}/heat-pumps/{heat_pump_id}`,
      `PUT ${API}/heat-pumps/{heat_pump_id}`,
      `POST ${API}/buildings`,
      `PUT ${API}`,
      'POST /api/partners/v2.0/device-onboarding',
      `DELETE ${API}`,
    ].map((route) => ({ route, latency_ms: { min: 0, max: 25 } })),
  );
});
afterAll(async () => {
  await bridge?.close();
});

const call = (method: string, path: string, body?: unknown) =>
  apiCall(bridge.apiUrl, adminToken, method, path, body);

async function itemsUnder(ext: string): Promise<Record<string, unknown>[]> {
  const out = await bridge.aws.db.send(
    new QueryCommand({
      TableName: bridge.tableNames.main,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `USER#${ext}` },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('offboarding races every read and write route', () => {
  it(`leaves nothing under the user in ${ROUNDS} rounds`, async () => {
    const leftovers: { round: number; sks: unknown[] }[] = [];
    const deletes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [user] = bridge.simulator.control.seed({
        users: 1,
        heatPumpsPerUser: 1,
        externalIdPrefix: `race-${round}`,
      }).users;
      const deviceId = user?.heat_pump_ids[0];
      if (!user || !deviceId) throw new Error('seeding failed');
      await bridge.addOnboardedUsers([user]);
      const ext = user.external_user_id;
      const hp = `/users/${ext}/heat-pumps/${deviceId}`;
      const racers: Promise<unknown>[] = [
        call('GET', `${hp}?max_age_seconds=0`),
        call('GET', `${hp}?max_age_seconds=0`),
        call('GET', `/users/${ext}/heat-pumps?max_age_seconds=0`),
        call('PATCH', hp, { is_smart_optimization_active: round % 2 === 0 }),
        call('GET', `${hp}/readings`),
        call('POST', `/users/${ext}/buildings`, { name: `House ${round}` }),
        call('GET', `/users/${ext}/buildings`),
        call('POST', `/users/${ext}/onboarding-sessions`, {
          language: 'en',
          price_zone_default: 'AT',
          success_url: 'https://partner.example/done',
          cancel_url: 'https://partner.example/cancel',
        }),
        call('PATCH', `/users/${ext}`, { first_name: `Round ${round}` }),
        call('GET', `/users/${ext}`),
        bridge.runSync(),
      ];
      // The DELETE starts at a different point of the others' flight in each round.
      const deleted = sleep(round % 12).then(() => call('DELETE', `/users/${ext}`));
      const [deleteResult] = await Promise.all([deleted, Promise.allSettled(racers)]);
      deletes.push(deleteResult.status);
      const items = await itemsUnder(ext);
      if (items.length > 0) leftovers.push({ round, sks: items.map((i) => i.sk) });
    }
    expect(deletes).toEqual(Array.from({ length: ROUNDS }, () => 204));
    expect(leftovers).toEqual([]);
  });
});
