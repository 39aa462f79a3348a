import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../test-support/aws';
import { readingItem } from '../storage/readings';
import { WritePipeline } from './write-pipeline';

let aws: LocalAws;
/** BatchWriteItem calls sent, and the number of items in each. */
let callSizes: number[] = [];
/** While set, BatchWriteItem calls wait for it: the database is slow. */
let gate: Promise<void> | null = null;

beforeAll(async () => {
  aws = await startLocalAws();
  aws.db.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchWriteItemCommand') {
        const requests = (args.input as { RequestItems: Record<string, unknown[]> }).RequestItems;
        callSizes.push(Object.values(requests).reduce((n, items) => n + items.length, 0));
        if (gate) await gate;
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordBatchWrites' },
  );
});
afterAll(async () => {
  await aws?.close();
});

function readingWrite(owner: string, i: number) {
  return {
    tableName: aws.tableNames.readings,
    owner,
    request: {
      PutRequest: {
        Item: readingItem({
          deviceId: `hp-${owner}`,
          stateAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
          recordedAt: '2026-01-01T00:00:00.000Z',
          values: { indoor_actual_temperature: 20 },
          expiresAt: 2_000_000_000,
        }),
      },
    },
  };
}

describe('WritePipeline under a slow database', () => {
  it('holds partial batches while every call slot is busy, so idle flushes coalesce instead of sending one item per call', async () => {
    callSizes = [];
    let open = () => {};
    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const settled: string[] = [];
    const pipeline = new WritePipeline(
      {
        db: aws.db as DynamoDBDocumentClient,
        config: { readingsTableName: aws.tableNames.readings, mainTableName: aws.tableNames.main },
        batchWriteOptions: { parallelCalls: 1 },
      },
      {
        // Always idle, as a run whose window is full: every flush may send a partial batch.
        isIdle: () => true,
        onProgress: () => {},
        onFatal: (error) => {
          throw error;
        },
      },
    );
    const users = Array.from({ length: 60 }, (_, i) => `user-${i}`);
    for (const [i, owner] of users.entries()) {
      pipeline.add({ readings: [readingWrite(owner, i)], main: [] }, (error) => {
        expect(error).toBeUndefined();
        settled.push(owner);
      });
      pipeline.flush();
    }
    // One call went out with the first user and waits; the other 59 users wait in the buffer.
    for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(callSizes).toEqual([1]);
    gate = null;
    open();
    for (let turn = 0; turn < 2000 && settled.length < users.length; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(settled.sort()).toEqual([...users].sort());
    expect(callSizes).toEqual([1, 25, 25, 9]);
    expect(pipeline.totals.readingsWritten).toBe(60);
  });
});
