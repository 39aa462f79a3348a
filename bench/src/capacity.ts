/**
 * 7. Capacity: what one device costs in DynamoDB request units per sync pass, and one API read, as DynamoDB
 * meters them (dynalite computes ConsumedCapacity from item sizes with DynamoDB's rules: writes per 1 KB,
 * reads per 4 KB, eventually consistent reads at half). Every command of the measured function gets
 * `ReturnConsumedCapacity: TOTAL` added by a middleware on its own client, and the answers are summed.
 * The figures feed the cost section of infra/README.md (usage per month = these × passes per month).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient as DocumentClient,
  DynamoDBDocumentClient,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  createApiDeps,
  createLogger,
  createRecordingMetrics,
  createSyncDeps,
  loadApiConfig,
  loadSyncConfig,
  makeApiHandler,
  makeSyncHandler,
} from '@podero-bridge/functions';
import { apiEvent, userClaims } from '@podero-bridge/functions/testing';
import { REGION, startLocalBridge } from './harness/local-bridge';
import { type Benchmark, figure, type Row } from './harness/report';

const USERS = 200;
const PASSES = 3;
const SYNC_EVERY_SECONDS = 15 * 60;

interface ConsumedCapacityLike {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** A document client whose every command reports its consumed capacity into `meter`. */
function meteredClient(endpoint: string, meter: { read: number; write: number }): DynamoDBDocumentClient {
  const raw = new DynamoDBClient({ endpoint, region: REGION });
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: ConsumedCapacityLike | ConsumedCapacityLike[] };
      const write = /Put|Write|Update|Delete/.test(context.commandName ?? '');
      for (const c of [output.ConsumedCapacity ?? []].flat()) {
        const units = c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0);
        if (write) meter.write += units;
        else meter.read += units;
      }
      return result;
    },
    { step: 'initialize', name: 'meterConsumedCapacity' },
  );
  return DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * An item's size as DynamoDB counts it (attribute names and values in UTF-8, binary values by their bytes; a number about one byte per
 * two digits plus one; 3 bytes per map or list plus 1 per element), without the 100 bytes of per-item
 * storage overhead DynamoDB adds for storage billing.
 */
function itemBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((a: number, v) => a + 1 + itemBytes(v), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value).reduce((a, [k, v]) => a + 1 + Buffer.byteLength(k) + itemBytes(v), 0);
  }
  return 0;
}

/** Top-level attributes carry no map overhead. */
const topLevelBytes = (item: Record<string, unknown>) =>
  Object.entries(item).reduce((a, [k, v]) => a + Buffer.byteLength(k) + itemBytes(v), 0);

/**
 * What the event relay does between two passes (it runs on the table's stream and every minute, so a pass 15
 * minutes later finds no pending event of the one before): takes every pending event out of the main table.
 * Not metered (the relay's own cost is per event, not per pass). Answers the events taken, by type.
 */
async function publishPendingEvents(db: DocumentClient, table: string): Promise<Map<string, number>> {
  const types = new Map<string, number>();
  const count = (json: unknown) => {
    const type = typeof json === 'string' ? (JSON.parse(json) as { type?: string }).type : undefined;
    if (type) types.set(type, (types.get(type) ?? 0) + 1);
  };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'attribute_exists(outbox)',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const key = { pk: item.pk, sk: item.sk };
      for (const json of (item.outbox as unknown[] | undefined) ?? []) count(json);
      // A standalone event (`OUTBOX`) goes with its publication; a state item keeps its state.
      if (item.pk === 'OUTBOX') await db.send(new DeleteCommand({ TableName: table, Key: key }));
      else
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: key,
            UpdateExpression: 'REMOVE outbox, outbox_pk, outbox_sk',
          }),
        );
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return types;
}

const mean = (values: readonly number[]) => values.reduce((a, v) => a + v, 0) / Math.max(1, values.length);

export const capacityBenchmark: Benchmark = {
  name: 'capacity',
  title: 'DynamoDB request units per device and sync pass, and per API read (DynamoDB metering rules)',
  async run(ctx) {
    const bridge = await startLocalBridge({ simulator: { latencyMs: 0 } });
    try {
      const tables = await bridge.createTables('capacity');
      const users = await bridge.seedUsers(tables, USERS, { prefix: 'bench-capacity' });
      await bridge.refreshToken();
      const meter = { read: 0, write: 0 };
      const db = meteredClient(bridge.dynamoEndpoint, meter);
      const quiet = {
        logger: createLogger('syncPlanner', { logLevel: 'SILENT' }),
        metrics: createRecordingMetrics(),
      };
      const sync = makeSyncHandler(
        createSyncDeps(loadSyncConfig(bridge.env('syncWorker', tables)), { ...quiet, db }),
      );
      const context = {
        awsRequestId: 'capacity',
        functionName: 'heat-pump-sync',
        getRemainingTimeInMillis: () => 600_000,
      };

      const passes: { read: number; write: number; devices: number; readings: number; events: string }[] = [];
      for (let pass = 0; pass < PASSES; pass++) {
        ctx.log(`sync pass ${pass + 1}/${PASSES}`);
        // A pass every 15 minutes: the devices' readings and states move on in between.
        if (pass > 0) bridge.sim.control.advanceClock(SYNC_EVERY_SECONDS);
        meter.read = 0;
        meter.write = 0;
        const summary = await sync({ source: 'schedule' }, context);
        if (!summary.completed_pass || summary.failures > 0)
          throw new Error(`pass ${pass + 1}: ${JSON.stringify(summary)}`);
        const events = await publishPendingEvents(bridge.db, tables.main);
        passes.push({
          read: meter.read,
          write: meter.write,
          devices: summary.heat_pumps,
          readings: summary.readings_written,
          events: [...events].map(([type, n]) => `${n} ${type}`).join(', ') || 'none',
        });
      }
      // The first pass creates everything; the later ones are the steady state every 15 minutes.
      const steady = passes.slice(1);
      const perDevice = (kind: 'read' | 'write') =>
        steady.reduce((a, p) => a + p[kind] / p.devices, 0) / steady.length;

      const api = makeApiHandler(
        createApiDeps(loadApiConfig(bridge.env('api', tables)), {
          logger: createLogger('api', { logLevel: 'SILENT' }),
          metrics: createRecordingMetrics(),
          db,
        }),
      );
      const user = users[0];
      if (!user) throw new Error('no user seeded');
      const read = async (maxAge: string) => {
        meter.read = 0;
        meter.write = 0;
        const res = await api(
          apiEvent('listHeatPumps', {
            params: { external_user_id: user.externalUserId },
            query: { max_age_seconds: maxAge },
            claims: userClaims(user.externalUserId),
          }),
        );
        if (res.statusCode !== 200) throw new Error(`list answered ${res.statusCode}`);
        return { read: meter.read, write: meter.write };
      };
      const live = await read('0');
      const cached = await read('3600');

      const scan = async (table: string) =>
        (await bridge.db.send(new ScanCommand({ TableName: table }))).Items ?? [];
      const readingBytes = mean((await scan(tables.readings)).map(topLevelBytes));
      const snapshotBytes = mean(
        (await scan(tables.main))
          .filter((item) => String(item.sk).startsWith('HEATPUMP#'))
          .map(topLevelBytes),
      );

      const rows: Row[] = [
        figure('sync', 'write units per device and pass', 'WRU', perDevice('write')),
        figure('sync', 'read units per device and pass', 'RRU', perDevice('read')),
        figure('sync', 'first pass: write units per device', 'WRU', (passes[0]?.write ?? 0) / USERS),
        figure('storage', 'reading item', 'B', readingBytes),
        figure('storage', 'heat-pump snapshot item', 'B', snapshotBytes),
        figure('api', 'cached list: read / write units', 'RU', cached.read + cached.write),
        figure('api', 'live list: read units', 'RRU', live.read),
        figure('api', 'live list: write units', 'WRU', live.write),
      ];
      return {
        rows,
        notes: [
          `capacity: ${USERS} users with one heat pump each, ${PASSES} sync passes (the first creates the snapshots; the figures per pass are the mean of the later ones); then GET /users/{id}/heat-pumps live (max_age_seconds=0) and from cache. Units as dynalite meters them (DynamoDB's rules); on-demand tables bill exactly these. Between passes the pending events are taken out as the relay would (unmetered).`,
          `capacity: produced per pass: ${passes.map((p, i) => `pass ${i + 1}: ${p.readings} readings, events ${p.events}`).join('; ')}`,
        ],
      };
    } finally {
      await bridge.close();
    }
  },
};
