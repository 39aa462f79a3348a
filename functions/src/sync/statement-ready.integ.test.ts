import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../test-support/aws';
import { testApiEnv } from '../../test-support/config';
import { noDevicesOfOtherKinds } from '../../test-support/fake-podero';
import { seedOnboardedUsers } from '../../test-support/seed-users';
import { loadSyncConfig, type SyncConfig } from '../config';
import { ENV, tableDeclarations } from '../declarations';
import { bridgeEventSchema } from '../domain/events/catalogue';
import { makeSyncHandler, type SyncHandlerDeps } from '../lambdas/syncWorker/handler';
import { createLogger, createRecordingMetrics } from '../platform/observability';
import { OutboxStore } from '../storage/outbox';
import { StatementAnnouncementStore } from '../storage/statement-announcements';
import { UserStore } from '../storage/users';
import { StatementReadyAnnouncer } from './statement-ready';

/**
 * `statement.ready` from the sync against dynalite: once per user and month however often the sync passes,
 * after a run that died between its two writes, after the relay drained it, with two announcers racing; none
 * for a user being offboarded; and no DynamoDB call at all on an ordinary pass (issue 39 counts the sync's
 * writes per device). Each user has one heat pump whose state never moves, so the passes' other calls are
 * the same every time.
 */
const ONBOARDED_AT = '2026-02-10T09:00:00.000Z';
/** March closed at 2026-04-01T00:00Z; final a day later. */
const MARCH_FINAL = Date.parse('2026-04-02T00:00:00.000Z');

let aws: LocalAws;
let raw: DynamoDBClient;
let db: DynamoDBDocumentClient;
/** DynamoDB commands sent, by name, while `counting`. */
const calls = new Map<string, number>();
let counting = false;
let suite = 0;

beforeAll(async () => {
  aws = await startLocalAws();
  raw = new DynamoDBClient({ endpoint: aws.dynamo.endpoint, region: aws.region });
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      if (counting) calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
});
afterAll(async () => {
  raw?.destroy();
  await aws?.close();
});

async function world(users: number) {
  suite++;
  const tables = { main: `statement-main-${suite}`, readings: `statement-readings-${suite}` };
  await ensureTables(raw, tables, tableDeclarations);
  const seeded = Array.from({ length: users }, (_, i) => ({
    externalUserId: `st${suite}-${i}`,
    poderoUserId: `10000000-0000-4000-8000-${String(suite * 100 + i).padStart(12, '0')}`,
  }));
  await seedOnboardedUsers(db, tables.main, seeded, { at: ONBOARDED_AT });
  let clock = Date.parse('2026-03-20T12:00:00.000Z');
  const config: SyncConfig = loadSyncConfig(
    testApiEnv({ [ENV.mainTableName]: tables.main, [ENV.readingsTableName]: tables.readings }),
  );
  const deps: SyncHandlerDeps = {
    db,
    config,
    logger: createLogger('syncPlanner', { logLevel: 'SILENT' }),
    metrics: createRecordingMetrics(),
    now: () => clock,
    batchWriteOptions: { sleep: async () => {} },
    podero: {
      ...noDevicesOfOtherKinds,
      // One heat pump whose state never moves: a pass stores nothing new for it.
      heatPumps: {
        list: async (poderoUserId: string) => [
          {
            id: `20000000-0000-4000-8000-${poderoUserId.slice(-12)}`,
            owner: { id: poderoUserId, email: 'x@example.com' },
            deleted_at: null,
            current_state_last_updated_at: '2026-03-01T00:00:00.000Z',
            current_power_consumption_w: 1000,
          },
        ],
      },
    },
  };
  const handler = makeSyncHandler(deps);
  let runs = 0;
  return {
    users: seeded,
    tables,
    /** What the sync hands the announcer (its logger quiet). */
    announcerDeps: { db, config, now: deps.now, logger: { info() {}, warn() {}, error() {} } },
    setClock: (ms: number) => {
      clock = ms;
    },
    /** One whole pass; the DynamoDB commands it sent, by name. */
    async pass(): Promise<Record<string, number>> {
      calls.clear();
      counting = true;
      try {
        const summary = await handler(
          { source: 'schedule' },
          { awsRequestId: `run-${suite}-${++runs}`, getRemainingTimeInMillis: () => 900_000 },
        );
        expect(summary).toMatchObject({ completed_pass: true, failures: 0 });
      } finally {
        counting = false;
      }
      return Object.fromEntries(calls);
    },
    async markers(ext: string) {
      const out = await db.send(
        new QueryCommand({
          TableName: tables.main,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `USER#${ext}`, ':prefix': 'STATEMENT#' },
          ConsistentRead: true,
        }),
      );
      return out.Items ?? [];
    },
    async announcedMonth(ext: string) {
      const out = await db.send(
        new GetCommand({
          TableName: tables.main,
          Key: { pk: `USER#${ext}`, sk: 'PROFILE' },
          ConsistentRead: true,
        }),
      );
      return out.Item?.statement_announced_month;
    },
    /** Plays the relay: every pending statement.ready, published and removed. */
    async drainStatementEvents() {
      const outbox = new OutboxStore(db, tables.main);
      const published = [];
      for (const item of await outbox.pending(100)) {
        const events = item.events.map((json) => bridgeEventSchema.parse(JSON.parse(json)));
        published.push(...events.filter((event) => event.type === 'statement.ready'));
        await outbox.remove(item);
      }
      return published;
    },
  };
}

describe('statement.ready from the sync', () => {
  it('announces a month once, a day after it closed (UTC), with ids and the month only, and caches it on the profile', async () => {
    const w = await world(2);
    const [first] = w.users;
    if (!first) throw new Error('no user');

    await w.pass(); // March 20th: February (onboarded on the 10th) is final.
    expect((await w.markers(first.externalUserId)).map((m) => m.sk)).toEqual(['STATEMENT#2026-02']);
    expect(await w.announcedMonth(first.externalUserId)).toBe('2026-02');
    w.setClock(MARCH_FINAL - 1);
    await w.pass(); // March closed, not yet a day ago: nothing new.
    expect(await w.announcedMonth(first.externalUserId)).toBe('2026-02');
    w.setClock(MARCH_FINAL);
    await w.pass();
    await w.pass(); // Again: nothing new.

    const markers = await w.markers(first.externalUserId);
    expect(markers.map((m) => m.sk)).toEqual(['STATEMENT#2026-02', 'STATEMENT#2026-03']);
    expect(await w.announcedMonth(first.externalUserId)).toBe('2026-03');
    const events = await w.drainStatementEvents();
    expect(events).toHaveLength(4); // two users, two months
    const march = events.find(
      (e) =>
        'external_user_id' in e.data &&
        e.data.external_user_id === first.externalUserId &&
        'month' in e.data &&
        e.data.month === '2026-03',
    );
    expect(march).toMatchObject({
      type: 'statement.ready',
      timestamp: new Date(MARCH_FINAL).toISOString(),
      data: {
        external_user_id: first.externalUserId,
        month: '2026-03',
        time_zone: 'UTC',
        from: '2026-03-01T00:00:00.000Z',
        to: '2026-04-01T00:00:00.000Z',
      },
    });
    // Ids and the month only: no name, email or figure.
    expect(Object.keys(march?.data ?? {}).sort()).toEqual([
      'external_user_id',
      'from',
      'month',
      'time_zone',
      'to',
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
  });

  it('adds no DynamoDB call to an ordinary pass: it costs what a pass cost while the month ran', async () => {
    const w = await world(3);
    await w.pass(); // stores the heat pumps, announces February
    const whileMarchRuns = await w.pass();
    w.setClock(MARCH_FINAL + 3_600_000);
    const announcing = await w.pass();
    const ordinary = await w.pass();

    expect(ordinary).toEqual(whileMarchRuns);
    expect(ordinary.GetItemCommand).toBeUndefined();
    // The announcing pass, per user: a conditional PutItem (the marker and its event), a consistent GetItem
    // (still onboarded?) and an UpdateItem (the profile's cache); the device kinds' recheck is the sync's own.
    expect(announcing.PutItemCommand).toBe((ordinary.PutItemCommand ?? 0) + 3);
    expect(announcing.GetItemCommand).toBe(3);
    expect(await w.markers(w.users[0]?.externalUserId ?? '')).toHaveLength(2);
  });

  it('stores no second event after a run that died between the marker and the cache, nor after the relay drained the first', async () => {
    const w = await world(1);
    const [user] = w.users;
    if (!user) throw new Error('no user');
    w.setClock(MARCH_FINAL);
    await w.pass();
    expect(await w.drainStatementEvents()).toHaveLength(1);

    // As if the cache write had been lost: the next pass meets the marker, stores nothing, moves the cache.
    await db.send(
      new UpdateCommand({
        TableName: w.tables.main,
        Key: { pk: `USER#${user.externalUserId}`, sk: 'PROFILE' },
        UpdateExpression: 'REMOVE statement_announced_month',
      }),
    );
    await w.pass();
    expect(await w.drainStatementEvents()).toEqual([]);
    expect(await w.announcedMonth(user.externalUserId)).toBe('2026-03');
    expect(await w.markers(user.externalUserId)).toHaveLength(1);
  });

  it('stores one event when two announcers race for the same user and month', async () => {
    const w = await world(1);
    const [user] = w.users;
    if (!user) throw new Error('no user');
    w.setClock(MARCH_FINAL);
    const walked = {
      externalUserId: user.externalUserId,
      poderoUserId: user.poderoUserId,
      onboardedAt: ONBOARDED_AT,
    };
    await Promise.all([
      new StatementReadyAnnouncer(w.announcerDeps).afterUserSynced(walked),
      new StatementReadyAnnouncer(w.announcerDeps).afterUserSynced(walked),
    ]);
    expect(await w.drainStatementEvents()).toHaveLength(1);
    expect(await w.announcedMonth(user.externalUserId)).toBe('2026-03');
  });

  it('leaves no marker and no event for a user being offboarded while the sync announced', async () => {
    const w = await world(1);
    const [user] = w.users;
    if (!user) throw new Error('no user');
    w.setClock(MARCH_FINAL);
    // The walk read the user; the offboarding marked them before the announcement's write.
    expect(await new UserStore(db, w.tables.main).beginOffboarding(user.externalUserId)).toBe(true);
    await new StatementReadyAnnouncer(w.announcerDeps).afterUserSynced({
      externalUserId: user.externalUserId,
      poderoUserId: user.poderoUserId,
      onboardedAt: ONBOARDED_AT,
    });
    expect(await w.markers(user.externalUserId)).toEqual([]);
    expect(await w.drainStatementEvents()).toEqual([]);
  });

  it('keeps a month announced when the marker was there already (the store answers false)', async () => {
    const w = await world(1);
    const [user] = w.users;
    if (!user) throw new Error('no user');
    const store = new StatementAnnouncementStore(db, w.tables.main);
    const entry = { id: 'evt_000000000000000000000001', timestamp: '2026-04-02T00:00:00.000Z', json: '{}' };
    expect(await store.putMarker(user.externalUserId, '2026-03', entry, MARCH_FINAL)).toBe(true);
    expect(await store.putMarker(user.externalUserId, '2026-03', entry, MARCH_FINAL)).toBe(false);
  });
});
