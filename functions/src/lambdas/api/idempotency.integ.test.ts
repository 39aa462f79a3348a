import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminClaims, apiEvent, bodyOf, type Claims, userClaims } from '../../../test-support/api-event';
import {
  type HeatPumpWorld,
  type OnboardedTestUser,
  startHeatPumpWorld,
} from '../../../test-support/device-world';
import { IDEMPOTENCY_TTL_SECONDS } from './idempotency';

const BUILDINGS_POST = 'POST /api/partners/v2.0/org/{org_id}/users/{user_id}/buildings';
const USERS_POST = 'POST /api/partners/v2.0/org/{org_id}/users';

let world: HeatPumpWorld;
let alice: OnboardedTestUser;
let bob: OnboardedTestUser;

beforeAll(async () => {
  world = await startHeatPumpWorld();
  [alice, bob] = (await world.onboard(2, 0, 'idempotency')) as [OnboardedTestUser, OnboardedTestUser];
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => {
  world.sim.control.clearFaults();
});

let keys = 0;
const freshKey = () => `key-${Date.now()}-${++keys}`;

const createBuilding = (
  user: OnboardedTestUser,
  body: unknown,
  key: string | undefined,
  claims: Claims = userClaims(user.externalUserId),
) =>
  world.api(
    apiEvent('createBuilding', {
      params: { external_user_id: user.externalUserId },
      body,
      claims,
      ...(key === undefined ? {} : { headers: { 'Idempotency-Key': key } }),
    }),
  );

/** Buildings Podero created (its 200s: a 401 answered to an expired token and retried is no creation). */
const buildingsAtPodero = () => world.sim.control.counters().requests[BUILDINGS_POST]?.['200'] ?? 0;

describe('Idempotency-Key on POST', () => {
  it('without a key, a repeated POST creates twice (the behaviour the key exists to prevent)', async () => {
    const before = buildingsAtPodero();
    await createBuilding(alice, { name: 'No key' }, undefined);
    await createBuilding(alice, { name: 'No key' }, undefined);
    expect(buildingsAtPodero()).toBe(before + 2);
  });

  it('a retry after the caller gave up on a slow Podero waits for the first, and gets its answer: one Podero call', async () => {
    const key = freshKey();
    world.sim.control.setFaults([{ route: BUILDINGS_POST, latency_ms: 800, count: 1 }]);
    const before = buildingsAtPodero();
    const first = createBuilding(alice, { name: 'Slow house' }, key);
    // The caller's own HTTP client timed out after 200 ms and retries with the same key.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const retry = await createBuilding(alice, { name: 'Slow house' }, key);
    const original = await first;
    expect(original.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(bodyOf(retry)).toEqual(bodyOf(original));
    expect(retry.headers?.['idempotent-replayed']).toBe('true');
    expect(original.headers?.['idempotent-replayed']).toBeUndefined();
    expect(buildingsAtPodero()).toBe(before + 1);

    // Later repeats replay from the record at once, with the same status and body.
    const later = await createBuilding(alice, { name: 'Slow house' }, key);
    expect(later.statusCode).toBe(201);
    expect(bodyOf(later)).toEqual(bodyOf(original));
    expect(buildingsAtPodero()).toBe(before + 1);
  });

  it('concurrent duplicates reach Podero once and all get the same answer', async () => {
    const key = freshKey();
    const before = buildingsAtPodero();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => createBuilding(bob, { name: 'Concurrent' }, key)),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201, 201, 201]);
    const bodies = answers.map((a) => JSON.stringify(bodyOf(a)));
    expect(new Set(bodies).size).toBe(1);
    expect(answers.filter((a) => a.headers?.['idempotent-replayed'] === 'true')).toHaveLength(4);
    expect(buildingsAtPodero()).toBe(before + 1);
  });

  it('refuses the same key with another body (422 naming the header) without calling Podero', async () => {
    const key = freshKey();
    expect((await createBuilding(alice, { name: 'First', town: 'Wien' }, key)).statusCode).toBe(201);
    const before = buildingsAtPodero();
    const reused = await createBuilding(alice, { name: 'Second', town: 'Wien' }, key);
    expect(reused.statusCode).toBe(422);
    expect(bodyOf(reused)).toMatchObject({
      error: { code: 'idempotency_key_reused', details: [{ field: 'header.idempotency-key' }] },
    });
    // Key order inside the body does not make it another request.
    const reordered = await createBuilding(alice, { town: 'Wien', name: 'First' }, key);
    expect(reordered.statusCode).toBe(201);
    expect(buildingsAtPodero()).toBe(before);
  });

  it('scopes keys to the caller: an admin reusing a user’s key is another request', async () => {
    const key = freshKey();
    const before = buildingsAtPodero();
    await createBuilding(alice, { name: 'Scoped' }, key);
    const asAdmin = await createBuilding(alice, { name: 'Scoped' }, key, adminClaims());
    expect(asAdmin.statusCode).toBe(201);
    expect(asAdmin.headers?.['idempotent-replayed']).toBeUndefined();
    expect(buildingsAtPodero()).toBe(before + 2);
  });

  it('refuses a key reused for POST /users naming another user: 422, no second user', async () => {
    const key = freshKey();
    const createUser = (externalUserId: string) =>
      world.api(
        apiEvent('createUser', {
          body: { external_user_id: externalUserId, email: `${externalUserId}@example.com` },
          headers: { 'Idempotency-Key': key },
        }),
      );
    const usersAtPodero = () => world.sim.control.counters().requests[USERS_POST]?.['200'] ?? 0;
    expect((await createUser('idem-reuse-first')).statusCode).toBe(201);
    const before = usersAtPodero();
    const reused = await createUser('idem-reuse-second');
    expect(reused.statusCode).toBe(422);
    expect(bodyOf(reused)).toMatchObject({
      error: { code: 'idempotency_key_reused', details: [{ field: 'header.idempotency-key' }] },
    });
    expect(usersAtPodero()).toBe(before);
    const second = await world.api(
      apiEvent('getUser', { params: { external_user_id: 'idem-reuse-second' } }),
    );
    expect(second.statusCode).toBe(404);
  });

  it('refuses an admin’s key reused for another user’s building: 422 without calling Podero', async () => {
    const key = freshKey();
    const asAdmin = adminClaims();
    expect((await createBuilding(alice, { name: 'Admin made' }, key, asAdmin)).statusCode).toBe(201);
    const before = buildingsAtPodero();
    const reused = await createBuilding(bob, { name: 'Admin made' }, key, asAdmin);
    expect(reused.statusCode).toBe(422);
    expect(bodyOf(reused)).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    expect(buildingsAtPodero()).toBe(before);
    // The first request still replays.
    const again = await createBuilding(alice, { name: 'Admin made' }, key, asAdmin);
    expect(again.headers?.['idempotent-replayed']).toBe('true');
  });

  it('stores no webhook secret: a replay of POST /webhooks or rotate-secret answers `secret: null`', async () => {
    const key = freshKey();
    const register = () =>
      world.api(
        apiEvent('createWebhook', {
          body: { url: 'http://127.0.0.1:9/hooks' },
          headers: { 'Idempotency-Key': key },
        }),
      );
    const first = await register();
    expect(first.statusCode).toBe(201);
    const created = bodyOf<{ id: string; secret: string }>(first);
    expect(created.secret).toMatch(/^whsec_/);
    const rotate = () =>
      world.api(
        apiEvent('rotateWebhookSecret', {
          params: { webhook_id: created.id },
          headers: { 'Idempotency-Key': key },
        }),
      );
    const rotated = await rotate();
    expect(rotated.statusCode).toBe(200);
    const newSecret = bodyOf<{ secret: string }>(rotated).secret;
    expect(newSecret).toMatch(/^whsec_/);

    const replayed = await register();
    expect(replayed.statusCode).toBe(201);
    expect(replayed.headers?.['idempotent-replayed']).toBe('true');
    expect(bodyOf(replayed)).toEqual({ ...created, secret: null });
    const rotatedAgain = await rotate();
    expect(rotatedAgain.statusCode).toBe(200);
    expect(rotatedAgain.headers?.['idempotent-replayed']).toBe('true');
    expect(bodyOf(rotatedAgain)).toEqual({ ...bodyOf(rotated), secret: null });

    // The raw items: both answers are stored (so this could fail), neither secret is.
    const { Items = [] } = await world.aws.db.send(new ScanCommand({ TableName: world.aws.tableNames.main }));
    const records = Items.filter((item) => String(item.sk).startsWith('REQUEST#'));
    const stored = JSON.stringify(records);
    expect(stored).toContain(created.id);
    expect(stored).toContain(
      bodyOf<{ previous_secret_expires_at: string }>(rotated).previous_secret_expires_at,
    );
    const raw = JSON.stringify(Items);
    expect(raw).not.toContain(created.secret);
    expect(raw).not.toContain(newSecret);
    expect(raw).not.toContain('whsec_');
  });

  it('forgets a key after 24 h', async () => {
    const key = freshKey();
    await createBuilding(alice, { name: 'Yesterday' }, key);
    world.advance(IDEMPOTENCY_TTL_SECONDS + 1);
    const before = buildingsAtPodero();
    const today = await createBuilding(alice, { name: 'Today' }, key);
    expect(today.statusCode).toBe(201);
    expect(buildingsAtPodero()).toBe(before + 1);
  });

  it('gives a failed request’s key up, so the retry runs again', async () => {
    const key = freshKey();
    world.sim.control.setFaults([{ route: BUILDINGS_POST, status: 500, count: 1 }]);
    const failed = await createBuilding(alice, { name: 'Retry me' }, key);
    expect(failed.statusCode).toBe(502);
    const before = buildingsAtPodero();
    const retried = await createBuilding(alice, { name: 'Retry me' }, key);
    expect(retried.statusCode).toBe(201);
    expect(retried.headers?.['idempotent-replayed']).toBeUndefined();
    expect(buildingsAtPodero()).toBe(before + 1);
  });

  it('refuses a malformed key naming the header, and ignores the header on other methods', async () => {
    for (const key of ['', 'has space', 'x'.repeat(256), 'ümlaut']) {
      const res = await createBuilding(alice, { name: 'Bad key' }, key);
      expect(res.statusCode, JSON.stringify(key)).toBe(400);
      expect(JSON.stringify(bodyOf(res))).toContain('header.idempotency-key');
    }
    const read = await world.api(
      apiEvent('listBuildings', {
        params: { external_user_id: alice.externalUserId },
        headers: { 'Idempotency-Key': 'has space' },
      }),
    );
    expect(read.statusCode).toBe(200);
  });

  it('erases the stored answers when the user is offboarded', async () => {
    const [carol] = (await world.onboard(1, 0, 'idempotency-gone')) as [OnboardedTestUser];
    await createBuilding(carol, { name: 'Gone soon' }, freshKey());
    const partition = async () =>
      (
        await world.aws.db.send(
          new (
            await import('@aws-sdk/lib-dynamodb')
          ).QueryCommand({
            TableName: world.aws.tableNames.main,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `USER#${carol.externalUserId}` },
          }),
        )
      ).Items ?? [];
    expect((await partition()).some((item) => String(item.sk).startsWith('REQUEST#'))).toBe(true);
    const offboarded = await world.api(
      apiEvent('deleteUser', { params: { external_user_id: carol.externalUserId }, claims: adminClaims() }),
    );
    expect(offboarded.statusCode).toBe(204);
    expect(await partition()).toEqual([]);
  });
});
