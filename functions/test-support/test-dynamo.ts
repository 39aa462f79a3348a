import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables, startDynalite } from '@podero-bridge/local-aws';
import { tableDeclarations } from '../src/declarations';
import { createDocumentClient } from '../src/platform/dynamodb-client';

const REGION = 'eu-central-1';

/** dynalite for one test file, its clients, and the declared tables on demand. */
export interface TestDynamo {
  readonly raw: DynamoDBClient;
  /** Marshals as the functions' own document client does (platform/dynamodb-client.ts). */
  readonly doc: DynamoDBDocumentClient;
  /** A new pair of declared tables (`<label>-main-<n>`, `<label>-readings-<n>`), fresh for each call. */
  freshTables(label: string): Promise<{ main: string; readings: string }>;
  close(): Promise<void>;
}

/**
 * The storage and service integ tests' one way to stand up DynamoDB: each file had its own copy of starting
 * dynalite, building the two clients, creating tables from the declarations and closing it all.
 */
export async function startTestDynamo(): Promise<TestDynamo> {
  const dynalite = await startDynalite();
  const raw = new DynamoDBClient({ endpoint: dynalite.endpoint, region: REGION });
  const doc = createDocumentClient({
    region: REGION,
    endpoints: {
      dynamodb: dynalite.endpoint,
      secretsManager: undefined,
      lambda: undefined,
      sqs: undefined,
      eventBridge: undefined,
      s3: undefined,
    },
  });
  let tableCounter = 0;
  return {
    raw,
    doc,
    async freshTables(label) {
      tableCounter += 1;
      const tables = { main: `${label}-main-${tableCounter}`, readings: `${label}-readings-${tableCounter}` };
      await ensureTables(raw, tables, tableDeclarations);
      return tables;
    },
    async close() {
      doc.destroy();
      raw.destroy();
      await dynalite.close();
    },
  };
}
