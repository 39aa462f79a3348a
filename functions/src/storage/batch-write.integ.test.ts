import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalEndpoint, startDynalite } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDeclarations } from '../declarations';
import { batchWrite, type PendingWrite } from './batch-write';

let dynalite: LocalEndpoint;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
const tables = { main: 'bw-main', readings: 'bw-readings' };
/** Test knob: how many of the next BatchWriteItem calls drop their last item into UnprocessedItems. */
let callsToThrottle = 0;
let batchCalls: number[] = [];

beforeAll(async () => {
  dynalite = await startDynalite();
  client = new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'eu-central-1' });
  await ensureTables(client, tables, tableDeclarations);
  // Counts real BatchWriteItem calls and, on demand, behaves like DynamoDB under throttling:
  // the last item of a call is not sent and comes back as UnprocessedItems.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      const input = args.input as { RequestItems: Record<string, unknown[]> };
      batchCalls.push(Object.values(input.RequestItems).reduce((n, r) => n + r.length, 0));
      if (callsToThrottle <= 0) return next(args);
      callsToThrottle--;
      const [table, requests] = Object.entries(input.RequestItems).at(-1) ?? [];
      if (!table || !requests || requests.length === 0) return next(args);
      const held = requests.at(-1);
      const trimmed = { ...input.RequestItems, [table]: requests.slice(0, -1) };
      if (trimmed[table]?.length === 0) delete trimmed[table];
      const out =
        Object.keys(trimmed).length === 0
          ? { output: { $metadata: {}, UnprocessedItems: {} }, response: {} }
          : await next({ ...args, input: { ...input, RequestItems: trimmed } });
      const output = out.output as { UnprocessedItems?: Record<string, unknown[]> };
      output.UnprocessedItems = { ...(output.UnprocessedItems ?? {}), [table]: [held] };
      return out;
    },
    { step: 'initialize', name: 'countAndThrottleBatchWrites' },
  );
  doc = DynamoDBDocumentClient.from(client);
});
afterAll(async () => {
  client?.destroy();
  await dynalite?.close();
});

const reading = (i: number, owner = `user-${i % 7}`): PendingWrite => ({
  tableName: tables.readings,
  owner,
  request: { PutRequest: { Item: { pk: 'HEATPUMP#x', sk: new Date(i * 1000).toISOString(), n: i } } },
});

describe('batchWrite', () => {
  it('writes 60 items across two tables in 3 calls of at most 25', async () => {
    batchCalls = [];
    const writes = [
      ...Array.from({ length: 50 }, (_, i) => reading(i)),
      ...Array.from({ length: 10 }, (_, i) => ({
        tableName: tables.main,
        owner: 'user-x',
        request: { PutRequest: { Item: { pk: `USER#${i}`, sk: 'HEATPUMPS', n: i } } },
      })),
    ];
    const result = await batchWrite(doc, writes, { sleep: async () => {} });
    expect(batchCalls.sort()).toEqual([10, 25, 25]);
    expect(result.calls).toBe(3);
    expect(result.written.get(tables.readings)).toBe(50);
    expect(result.written.get(tables.main)).toBe(10);
    expect(result.failedOwners.size).toBe(0);
  });

  it('retries UnprocessedItems with backoff until written', async () => {
    batchCalls = [];
    callsToThrottle = 2;
    const delays: number[] = [];
    const writes = Array.from({ length: 5 }, (_, i) => reading(1000 + i));
    const result = await batchWrite(doc, writes, {
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.999,
      baseDelayMs: 100,
    });
    expect(batchCalls).toEqual([5, 1, 1]);
    expect(delays).toEqual([99, 199]);
    expect(result.failedOwners.size).toBe(0);
    const stored = await doc.send(new ScanCommand({ TableName: tables.readings }));
    const ns = (stored.Items ?? []).map((item) => item.n);
    for (let i = 1000; i < 1005; i++) expect(ns).toContain(i);
  });

  it('gives up after maxAttempts and reports the owner of the unwritten item', async () => {
    batchCalls = [];
    callsToThrottle = 10;
    const writes = [reading(2000, 'alice'), reading(2001, 'bob')];
    const result = await batchWrite(doc, writes, { sleep: async () => {}, maxAttempts: 3 });
    callsToThrottle = 0;
    expect(batchCalls).toEqual([2, 1, 1]);
    expect([...result.failedOwners.keys()]).toEqual(['bob']);
    expect(result.written.get(tables.readings)).toBe(1);
  });
});
