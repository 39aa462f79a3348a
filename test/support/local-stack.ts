import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ENV } from '@podero-bridge/functions/declarations';
import { testLogLevel } from '@podero-bridge/functions/testing';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '@podero-bridge/local';

/** The origin of the test partner's own pages (success_url, cancel_url). */
export const PARTNER_ORIGIN = 'https://partner.example';

/**
 * Shared end-to-end fixture: the whole local stack in this process on free loopback ports, quiet,
 * with schedules only run on demand (no timers), plus a document client on its DynamoDB for
 * assertions. Reused by the demo test and by later reliability/security tests.
 */
export interface TestStack {
  readonly stack: LocalStack;
  /** Document client on the stack's DynamoDB endpoint (the real AWS SDK). */
  readonly db: DynamoDBDocumentClient;
  /** Every item of one partition of a table, in key order. */
  queryPartition(table: 'main' | 'readings', pk: string): Promise<Record<string, unknown>[]>;
  /** `fetch` against the gateway with a bearer token minted for `sub` (or an admin token). */
  api(path: string, init?: RequestInit & { sub?: string; admin?: boolean }): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestStack(options: LocalStackOptions = {}): Promise<TestStack> {
  const stack = await startLocalStack({
    functionLogLevel: testLogLevel(), // SILENT unless the leak scan's BRIDGE_TEST_LOG_LEVEL raises it
    scheduleTimers: false,
    ...options,
    // The partner the tests play: its pages are where re-authentication may return the browser.
    env: { [ENV.returnUrlOrigins]: PARTNER_ORIGIN, ...options.env },
  });
  const raw = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: stack.region });
  const db = DynamoDBDocumentClient.from(raw);
  return {
    stack,
    db,
    async queryPartition(table, pk) {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      // Bounded: a test partition never needs more than a few pages.
      for (let page = 0; page < 100; page += 1) {
        const out = await db.send(
          new QueryCommand({
            TableName: stack.tableNames[table],
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(out.Items ?? []));
        startKey = out.LastEvaluatedKey;
        if (startKey === undefined) break;
      }
      return items;
    },
    async api(path, init = {}) {
      const { sub, admin, headers, ...rest } = init;
      const token = sub !== undefined || admin ? await stack.mintToken({ sub, admin }) : undefined;
      return fetch(`${stack.apiUrl}${path}`, {
        ...rest,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(headers ?? {}) },
      });
    },
    async close() {
      raw.destroy();
      await stack.close();
    },
  };
}
