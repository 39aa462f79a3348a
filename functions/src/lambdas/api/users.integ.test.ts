import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminClaims, apiEvent, bodyOf, userClaims } from '../../../test-support/api-event';
import { startTestEnvironment, type TestEnvironment } from '../../../test-support/environment';
import type { ApiHandler } from './handler';

const USERS_CREATE = 'POST /api/partners/v2.0/org/{org_id}/users';

describe('user routes against dynalite and the simulator', () => {
  let env: TestEnvironment;
  let handler: ApiHandler;
  let n = 0;
  const ext = () => `customer-${++n}`;
  const create = (externalUserId: string, extra: Record<string, unknown> = {}, claims = adminClaims()) =>
    handler(
      apiEvent('createUser', {
        body: { external_user_id: externalUserId, email: `${externalUserId}@example.com`, ...extra },
        claims,
      }),
    );
  const poderoCreates = () => env.sim.control.counters().requests[USERS_CREATE]?.['200'] ?? 0;

  beforeAll(async () => {
    env = await startTestEnvironment();
    handler = env.createApiHandler();
  });
  afterAll(async () => env.close());
  beforeEach(() => env.sim.control.clearFaults());

  it('creates a user at Podero and stores it (201), then answers a repeat with 200 and the same user', async () => {
    const id = ext();
    const first = await create(id, { first_name: 'Ada', country: 'DE' });
    expect(first.statusCode).toBe(201);
    const user = bodyOf(first);
    expect(user).toMatchObject({
      external_user_id: id,
      email: `${id}@example.com`,
      first_name: 'Ada',
      country: 'DE',
    });
    expect(user.podero_user_id).toMatch(/^[0-9a-f-]{36}$/);

    const again = await create(id, { first_name: 'Ada', country: 'DE' });
    expect(again.statusCode).toBe(200);
    expect(bodyOf(again)).toEqual(user);

    const stored = await env.aws.db.send(
      new GetCommand({ TableName: env.aws.tableNames.main, Key: { pk: `USER#${id}`, sk: 'PROFILE' } }),
    );
    expect(stored.Item).toMatchObject({
      gsi1pk: 'USERS',
      gsi1sk: id,
      podero_user_id: user.podero_user_id,
      status: 'active',
    });
  });

  it('creates exactly one Podero user and one record under 20 concurrent POSTs from separate containers', async () => {
    const id = ext();
    const before = poderoCreates();
    const containers = Array.from({ length: 20 }, () => env.createApiHandler());
    const results = await Promise.all(
      containers.map((h) =>
        h(apiEvent('createUser', { body: { external_user_id: id, email: `${id}@example.com` } })),
      ),
    );
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    expect(new Set(results.map((r) => bodyOf(r).podero_user_id)).size).toBe(1);
    expect(poderoCreates() - before).toBe(1);
    const items = await env.aws.db.send(
      new QueryCommand({
        TableName: env.aws.tableNames.main,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `USER#${id}` },
      }),
    );
    // One profile, and the customer search's terms it lists (each once: the 19 others found them written).
    const [profile, ...rest] = (items.Items ?? []).filter((item) => !String(item.sk).startsWith('TERM#'));
    expect(rest).toEqual([]);
    const terms = (items.Items ?? []).filter((item) => String(item.sk).startsWith('TERM#'));
    expect(terms.map((item) => String(item.sk).slice('TERM#'.length)).sort()).toEqual(
      String(profile?.search_terms).split(' ').sort(),
    );
  });

  it('answers 503 creation_in_progress while another request holds a live lease, and takes over an expired one', async () => {
    const id = ext();
    const deps = env.createApiDeps({ userCreation: { waitMs: 120, pollMs: 20 } });
    expect(await deps.users.acquireCreationLease(id, 'other-request', Date.now(), 60_000)).toBe(true);
    const { makeApiHandler } = await import('./handler');
    const impatient = makeApiHandler(deps);
    const busy = await impatient(
      apiEvent('createUser', { body: { external_user_id: id, email: `${id}@example.com` } }),
    );
    expect(busy.statusCode).toBe(503);
    expect(busy.headers?.['retry-after']).toBe('1');
    expect(bodyOf(busy)).toMatchObject({ error: { code: 'creation_in_progress' } });

    // A crashed holder: its lease ran out, so the next request takes over and finishes the job.
    const crashed = ext();
    expect(
      await deps.users.acquireCreationLease(crashed, 'crashed-request', Date.now() - 120_000, 60_000),
    ).toBe(true);
    const res = await impatient(
      apiEvent('createUser', { body: { external_user_id: crashed, email: `${crashed}@example.com` } }),
    );
    expect(res.statusCode).toBe(201);
    expect(await deps.users.get(crashed)).toMatchObject({ external_user_id: crashed });
  });

  it('links an existing Podero user by external id instead of creating a second one', async () => {
    const id = ext();
    const seeded = env.sim.control.seed({ users: 1, heatPumpsPerUser: 0, externalIdPrefix: `${id}-pre` });
    const existing = seeded.users[0];
    if (!existing?.external_user_id) throw new Error('seed failed');
    const before = poderoCreates();
    const res = await create(existing.external_user_id);
    expect(res.statusCode).toBe(201);
    expect(bodyOf(res).podero_user_id).toBe(existing.id);
    expect(poderoCreates()).toBe(before);
  });

  it('returns 409 when the external_user_id exists with a different email', async () => {
    const id = ext();
    expect((await create(id)).statusCode).toBe(201);
    const res = await handler(
      apiEvent('createUser', { body: { external_user_id: id, email: 'other@example.com' } }),
    );
    expect(res.statusCode).toBe(409);
    expect(bodyOf(res)).toMatchObject({ error: { code: 'conflict', details: [{ field: 'body.email' }] } });
  });

  it('lets an end user onboard only themself', async () => {
    const id = ext();
    expect((await create(id, {}, userClaims(id))).statusCode).toBe(201);
    const other = await create(ext(), {}, userClaims(id));
    expect(other.statusCode).toBe(403);
    expect(bodyOf(other)).toMatchObject({ error: { code: 'forbidden' } });
  });

  it.each([
    ['unknown field', { external_user_id: 'x1', email: 'x1@example.com', role: 'admin' }, 'body.role'],
    ['bad email', { external_user_id: 'x2', email: 'not-an-email' }, 'body.email'],
    ['wrong type', { external_user_id: 'x3', email: 'x3@example.com', first_name: 42 }, 'body.first_name'],
    ['unsafe external id', { external_user_id: 'a b/c', email: 'x4@example.com' }, 'body.external_user_id'],
    ['missing email', { external_user_id: 'x5' }, 'body.email'],
    ['bad country', { external_user_id: 'x6', email: 'x6@example.com', country: 'Germany' }, 'body.country'],
  ])('rejects a body with %s (400 naming the field) and writes nothing', async (_label, body, field) => {
    const before = poderoCreates();
    const res = await handler(apiEvent('createUser', { body }));
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res)).toMatchObject({ error: { code: 'validation_error' } });
    expect(
      bodyOf<{ error: { details: { field: string }[] } }>(res).error.details.map((d) => d.field),
    ).toContain(field);
    expect(poderoCreates()).toBe(before);
  });

  it('rejects malformed JSON, duplicate keys, a missing body and a non-JSON content type', async () => {
    const malformed = await handler(apiEvent('createUser', { body: '{"external_user_id": "m1",' }));
    expect(malformed.statusCode).toBe(400);
    expect(bodyOf(malformed)).toMatchObject({ error: { details: [{ field: 'body' }] } });

    const dup = await handler(
      apiEvent('createUser', {
        body: '{"external_user_id":"m2","email":"a@example.com","email":"b@example.com"}',
      }),
    );
    expect(dup.statusCode).toBe(400);
    expect(bodyOf(dup)).toMatchObject({
      error: { details: [{ field: 'body.email', message: 'duplicate key' }] },
    });

    const missing = await handler(apiEvent('createUser', {}));
    expect(missing.statusCode).toBe(400);

    const form = await handler(
      apiEvent('createUser', {
        body: '{"external_user_id":"m3","email":"m3@example.com"}',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(form.statusCode).toBe(415);
    expect(bodyOf(form)).toMatchObject({ error: { details: [{ field: 'header.content-type' }] } });
  });

  it('accepts a base64-encoded JSON body, and refuses one over 64 KB with 413', async () => {
    const id = ext();
    const encoded = Buffer.from(
      JSON.stringify({ external_user_id: id, email: `${id}@example.com` }),
    ).toString('base64');
    const ok = await handler(apiEvent('createUser', { body: encoded, isBase64Encoded: true }));
    expect(ok.statusCode).toBe(201);

    const huge = JSON.stringify({
      external_user_id: 'big',
      email: 'big@example.com',
      first_name: 'x'.repeat(70_000),
    });
    const tooLarge = await handler(apiEvent('createUser', { body: huge }));
    expect(tooLarge.statusCode).toBe(413);
    expect(bodyOf(tooLarge)).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('gets a user (200), 404 for an unknown one, and 403 for another end user', async () => {
    const id = ext();
    await create(id);
    const own = await handler(
      apiEvent('getUser', { params: { external_user_id: id }, claims: userClaims(id) }),
    );
    expect(own.statusCode).toBe(200);
    expect(bodyOf(own)).toMatchObject({ external_user_id: id });
    const missing = await handler(apiEvent('getUser', { params: { external_user_id: 'nobody-here' } }));
    expect(missing.statusCode).toBe(404);
    expect(bodyOf(missing)).toMatchObject({ error: { code: 'not_found' } });
    const other = await handler(
      apiEvent('getUser', { params: { external_user_id: id }, claims: userClaims('someone-else') }),
    );
    expect(other.statusCode).toBe(403);
  });

  it("maps Podero's 409 for an e-mail another user has to 409 email_in_use, on create and on update, writing nothing", async () => {
    const first = ext();
    expect((await create(first)).statusCode).toBe(201);
    const second = ext();
    const taken = await create(second, { email: `${first}@example.com` });
    expect(taken.statusCode).toBe(409);
    expect(bodyOf(taken)).toMatchObject({
      error: { code: 'email_in_use', details: [{ field: 'body.email' }] },
    });
    const stored = await env.aws.db.send(
      new GetCommand({ TableName: env.aws.tableNames.main, Key: { pk: `USER#${second}`, sk: 'PROFILE' } }),
    );
    expect(stored.Item).toBeUndefined();

    const third = ext();
    expect((await create(third)).statusCode).toBe(201);
    const updated = await handler(
      apiEvent('updateUser', {
        params: { external_user_id: third },
        body: { email: `${first}@example.com` },
      }),
    );
    expect(updated.statusCode).toBe(409);
    expect(bodyOf(updated)).toMatchObject({ error: { code: 'email_in_use' } });
  });

  it('patches a user at Podero (partial PUT) and in our record; null clears a field', async () => {
    const id = ext();
    await create(id, { first_name: 'Ada', town: 'Wien' });
    const res = await handler(
      apiEvent('updateUser', {
        params: { external_user_id: id },
        body: { last_name: 'Lovelace', town: null },
        claims: userClaims(id),
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace', town: null });
    const got = bodyOf(await handler(apiEvent('getUser', { params: { external_user_id: id } })));
    expect(got).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace', town: null });

    const empty = await handler(apiEvent('updateUser', { params: { external_user_id: id }, body: {} }));
    expect(empty.statusCode).toBe(400);
    const unknown = await handler(
      apiEvent('updateUser', { params: { external_user_id: id }, body: { external_user_id: 'x' } }),
    );
    expect(unknown.statusCode).toBe(400);
    const notFound = await handler(
      apiEvent('updateUser', { params: { external_user_id: 'nobody-here' }, body: { last_name: 'X' } }),
    );
    expect(notFound.statusCode).toBe(404);
  });

  it('deletes a user (admin only): gone at Podero and in our table; a retry is 404', async () => {
    const id = ext();
    const user = bodyOf(await create(id));
    await handler(apiEvent('createBuilding', { params: { external_user_id: id }, body: { name: 'Home' } }));
    const forbidden = await handler(
      apiEvent('deleteUser', { params: { external_user_id: id }, claims: userClaims(id) }),
    );
    expect(forbidden.statusCode).toBe(403);

    const res = await handler(apiEvent('deleteUser', { params: { external_user_id: id } }));
    expect(res.statusCode).toBe(204);
    expect(res.body).toBeUndefined();
    const items = await env.aws.db.send(
      new QueryCommand({
        TableName: env.aws.tableNames.main,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `USER#${id}` },
      }),
    );
    expect(items.Items).toEqual([]);
    const list = await handler(apiEvent('getUser', { params: { external_user_id: id } }));
    expect(list.statusCode).toBe(404);
    const podero = await fetch(
      `${env.sim.baseUrl}/api/partners/v2.0/org/${env.sim.orgId}/users/${String(user.podero_user_id)}`,
      {
        headers: { authorization: `Bearer ${await env.createApiDeps().tokenProvider.getToken()}` },
      },
    );
    expect(podero.status).toBe(404);
    expect((await handler(apiEvent('deleteUser', { params: { external_user_id: id } }))).statusCode).toBe(
      404,
    );
  });

  it('finishes an offboarding that failed half-way on a repeated DELETE; meanwhile the user is gone to every route', async () => {
    const id = ext();
    expect((await create(id)).statusCode).toBe(201);
    const building = await handler(
      apiEvent('createBuilding', { params: { external_user_id: id }, body: { name: 'Home' } }),
    );
    expect(building.statusCode).toBe(201);
    // As if a DELETE had marked the user and then died before its sweep.
    const deps = env.createApiDeps();
    expect(await deps.users.beginOffboarding(id)).toBe(true);

    const get = await handler(apiEvent('getUser', { params: { external_user_id: id } }));
    expect(get.statusCode).toBe(404);
    const patch = await handler(
      apiEvent('updateUser', { params: { external_user_id: id }, body: { first_name: 'Late' } }),
    );
    expect(patch.statusCode).toBe(404);
    const again = await create(id);
    expect(again.statusCode).toBe(409);
    expect(bodyOf(again)).toMatchObject({ error: { code: 'offboarding_in_progress' } });
    // Out of the sync's walk already.
    expect((await deps.users.listPage({ limit: 100 })).users.map((u) => u.external_user_id)).not.toContain(
      id,
    );

    const finished = await handler(apiEvent('deleteUser', { params: { external_user_id: id } }));
    expect(finished.statusCode).toBe(204);
    const left = await env.aws.db.send(
      new QueryCommand({
        TableName: env.apiConfig.mainTableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `USER#${id}` },
      }),
    );
    expect(left.Items ?? []).toEqual([]);
    expect((await create(id)).statusCode).toBe(201);
  });

  it('removes what a write created when the user was offboarded meanwhile, and keeps it otherwise', async () => {
    const id = ext();
    expect((await create(id)).statusCode).toBe(201);
    const deps = env.createApiDeps();
    const user = await deps.users.get(id);
    if (!user) throw new Error('no user');
    const sk = await deps.buildings.put(id, {
      id: 'b-1',
      building: { name: 'x' },
      created_at: user.created_at,
    });
    expect(await deps.users.removeUnlessOnboarded(id, user.podero_user_id, [sk])).toBe(true);
    expect(await deps.buildings.get(id, 'b-1')).toBeDefined();
    // Another Podero user under the same external id (re-onboarded): not ours to keep.
    expect(await deps.users.removeUnlessOnboarded(id, 'another-podero-id', [sk])).toBe(false);
    expect(await deps.buildings.get(id, 'b-1')).toBeUndefined();
  });

  it('answers 500 with a request id and no internals when our own storage fails', async () => {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
    const broken = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', region: 'eu-central-1', maxAttempts: 1 }),
    );
    const res = await env.createApiHandler({ db: broken })(
      apiEvent('getUser', { params: { external_user_id: 'anyone' }, requestId: 'req-500' }),
    );
    broken.destroy();
    expect(res.statusCode).toBe(500);
    expect(bodyOf(res)).toEqual({
      error: { code: 'internal_error', message: 'internal error', request_id: 'req-500' },
    });
  });

  it('maps Podero 429 to 503 with Retry-After, 5xx and timeouts to 502, and writes nothing', async () => {
    const id = ext();
    env.sim.control.setFaults([{ route: USERS_CREATE, status: 429, retry_after_seconds: 7 }]);
    const limited = await create(id);
    expect(limited.statusCode).toBe(503);
    expect(limited.headers?.['retry-after']).toBe('7');
    expect(bodyOf(limited)).toMatchObject({ error: { code: 'upstream_rate_limited' } });

    env.sim.control.setFaults([{ route: USERS_CREATE, status: 500 }]);
    const failed = await create(id);
    expect(failed.statusCode).toBe(502);
    expect(bodyOf(failed)).toMatchObject({ error: { code: 'upstream_error' } });
    expect(bodyOf<{ error: { request_id?: string } }>(failed).error.request_id).toBeTruthy();

    env.sim.control.setFaults([{ route: USERS_CREATE, timeout: true }]);
    const slow = env.createApiHandler({ poderoTimeoutMs: 200 });
    const timedOut = await slow(
      apiEvent('createUser', { body: { external_user_id: id, email: `${id}@example.com` } }),
    );
    expect(timedOut.statusCode).toBe(502);
    expect(bodyOf(timedOut)).toMatchObject({ error: { code: 'upstream_timeout' } });

    const stored = await env.aws.db.send(
      new GetCommand({ TableName: env.aws.tableNames.main, Key: { pk: `USER#${id}`, sk: 'PROFILE' } }),
    );
    expect(stored.Item).toBeUndefined();

    // Once Podero recovers the same request succeeds (the lease was released). The timed-out create may
    // have reached Podero: the lookup by external id then links that user instead of creating another.
    env.sim.control.clearFaults();
    const ok = await create(id);
    expect(ok.statusCode).toBe(201);
  });
});
