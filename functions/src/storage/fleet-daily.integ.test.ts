/** The fleet's daily figures and a pass's census on dynalite over the real SDK. */

import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDynamo, type TestDynamo } from '../../test-support/test-dynamo';
import { deviceFiguresOf } from '../domain/devices/kinds';
import { emptyCensus } from '../domain/fleet-census';
import type { SyncFigures } from '../domain/sync-figures';
import { FLEET_DAILY_PK, FLEET_DAILY_RETENTION_DAYS, FleetDailyStore } from './fleet-daily';
import { SyncPassStore } from './sync-passes';

let dynamo: TestDynamo;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startTestDynamo();
  doc = dynamo.doc;
});
afterAll(async () => {
  await dynamo?.close();
});

const freshTable = async () => (await dynamo.freshTables('daily')).main;

const DAY_MS = 86_400_000;
const JULY_12 = Date.parse('2026-07-12T10:00:00Z');
const figures: SyncFigures = { users: 1, ...deviceFiguresOf(), readings_written: 0, failures: 0 };

describe('FleetDailyStore', () => {
  it("keeps the day's last census, the mean and longest pass, and adds the webhook outcomes", async () => {
    // Prepare
    const table = await freshTable();
    const daily = new FleetDailyStore(doc, table);
    // Act
    await daily.recordPass(JULY_12, {
      durationMs: 60_000,
      census: { connection: { connected: 5, reauthentication_required: 1, disconnected: 0 }, stale: null },
    });
    await daily.recordPass(JULY_12 + 3_600_000, {
      durationMs: 120_000,
      census: { connection: { connected: 4, reauthentication_required: 2, disconnected: 1 }, stale: 1 },
    });
    await daily.recordPass(JULY_12 + 7_200_000, {
      durationMs: 30_000,
      census: { connection: { connected: 4, reauthentication_required: 1, disconnected: 2 }, stale: 0 },
    });
    await daily.addWebhookAttempts(JULY_12, { delivered: 7, failed: 2 });
    await daily.addWebhookAttempts(JULY_12 + 1000, { delivered: 3, failed: 0 });
    // Assess
    const [day] = await daily.lastDays(1, JULY_12 + 8 * 3_600_000);
    expect(day).toEqual({
      day: '2026-07-12',
      connection: { connected: 4, reauthentication_required: 1, disconnected: 2 },
      stale: 0,
      passes: 3,
      passDurationMsMean: 70_000,
      passDurationMsMax: 120_000,
      webhooksDelivered: 10,
      webhooksFailed: 2,
    });
    const item = await doc.send(
      new GetCommand({ TableName: table, Key: { pk: FLEET_DAILY_PK, sk: 'DAY#2026-07-12' } }),
    );
    expect(item.Item?.expires_at).toBe(
      Date.parse('2026-07-13T00:00:00Z') / 1000 + FLEET_DAILY_RETENTION_DAYS * 86_400,
    );
  });

  it('answers only the days asked for, oldest first, leaving out days nothing recorded', async () => {
    const daily = new FleetDailyStore(doc, await freshTable());
    for (const daysAgo of [9, 3, 1, 0]) {
      await daily.addWebhookAttempts(JULY_12 - daysAgo * DAY_MS, { delivered: daysAgo + 1, failed: 0 });
    }
    const days = await daily.lastDays(7, JULY_12);
    expect(days.map((d) => d.day)).toEqual(['2026-07-09', '2026-07-11', '2026-07-12']);
    expect(days[0]?.connection).toBeNull();
    expect(days[0]?.passDurationMsMean).toBeNull();
  });

  it('writes nothing for a batch without an attempt', async () => {
    const daily = new FleetDailyStore(doc, await freshTable());
    await daily.addWebhookAttempts(JULY_12, { delivered: 0, failed: 0 });
    expect(await daily.lastDays(1, JULY_12)).toEqual([]);
  });
});

describe("SyncPassStore's census", () => {
  it("adds each run's and shard's devices per state into the pass, and a new pass starts from zero", async () => {
    const passes = new SyncPassStore(doc, await freshTable());
    const at = new Date(JULY_12).toISOString();
    await passes.begin({ passId: 'p1', source: 'test', startedAt: at, shardCount: 2 });
    await passes.addFigures('p1', figures, at, {
      connection: { connected: 2, reauthentication_required: 0, disconnected: 1 },
      stale: null,
    });
    await passes.settleShard('p1', 0, 'done', figures, at, {
      connection: { connected: 1, reauthentication_required: 1, disconnected: 0 },
      stale: 1,
    });
    const settled = await passes.settleShard('p1', 1, 'done', figures, at, emptyCensus());
    expect(settled?.census).toEqual({
      connection: { connected: 3, reauthentication_required: 1, disconnected: 1 },
      stale: 1,
    });
    if (settled) await passes.complete(settled, at);
    await passes.begin({ passId: 'p2', source: 'test', startedAt: at, shardCount: 1 });
    expect((await passes.current())?.census).toEqual(emptyCensus());
  });
});
