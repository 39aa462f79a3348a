import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { listenLocally } from './listen';

export interface StartDynaliteOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** LevelDB directory to persist into; in-memory when absent. */
  path?: string;
}

export interface LocalEndpoint {
  /** e.g. `http://127.0.0.1:8000` */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** Starts dynalite (an in-process DynamoDB-compatible server) bound to loopback. */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<LocalEndpoint> {
  const { port = 0, host = '127.0.0.1', path } = options;
  // Table state changes are instant: tests and the local stack should not wait for CREATING -> ACTIVE.
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const listening = await listenLocally(server, port, host);
  return {
    endpoint: `http://${host}:${listening.port}`,
    port: listening.port,
    close: listening.close,
  };
}

/**
 * The shape of `tableDeclarations` in functions/src/declarations.ts, restated structurally so that this
 * package does not depend on @podero-bridge/functions (which depends on this one for its tests).
 */
export interface KeyAttributeLike {
  readonly name: string;
  readonly type: 'S' | 'N';
}
export interface TableDeclarationLike {
  readonly partitionKey: KeyAttributeLike;
  readonly sortKey?: KeyAttributeLike;
  readonly globalSecondaryIndexes?: readonly {
    readonly indexName: string;
    readonly partitionKey: KeyAttributeLike;
    readonly sortKey?: KeyAttributeLike;
    /** `keysOnly` projects the table and index keys only; `all` (the default) every attribute. */
    readonly projection?: 'all' | 'keysOnly';
  }[];
  /** Ignored locally: dynalite has no UpdateTimeToLive (the CDK table enables TTL in AWS). */
  readonly timeToLiveAttribute?: string;
}

export function createTableInput(tableName: string, decl: TableDeclarationLike): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  const keySchema = (pk: KeyAttributeLike, sk?: KeyAttributeLike) => {
    attributes.set(pk.name, pk.type);
    if (sk) attributes.set(sk.name, sk.type);
    return [
      { AttributeName: pk.name, KeyType: 'HASH' as const },
      ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
    ];
  };
  const tableKeys = keySchema(decl.partitionKey, decl.sortKey);
  const gsis = (decl.globalSecondaryIndexes ?? []).map((gsi) => ({
    IndexName: gsi.indexName,
    KeySchema: keySchema(gsi.partitionKey, gsi.sortKey),
    Projection: { ProjectionType: gsi.projection === 'keysOnly' ? ('KEYS_ONLY' as const) : ('ALL' as const) },
  }));
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: tableKeys,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    ...(gsis.length > 0 ? { GlobalSecondaryIndexes: gsis } : {}),
  };
}

async function describe(client: DynamoDBClient, tableName: string) {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  return (await describe(client, tableName))?.TableStatus;
}

/**
 * A table kept from an earlier local run that lacks an index declared since: dynalite cannot add an index
 * to a table, so the table is rebuilt with its items (a local table holds a developer's few items).
 */
async function rebuildWithIndexes(
  client: DynamoDBClient,
  tableName: string,
  decl: TableDeclarationLike,
): Promise<void> {
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  await client.send(new CreateTableCommand(createTableInput(tableName, decl)));
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0 && attempt < 10; attempt++) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}

/**
 * Creates every declared table that does not exist yet and waits until all are ACTIVE. Idempotent, and
 * safe when two callers race (a ResourceInUseException means the other one created it).
 */
export async function ensureTables<Id extends string>(
  client: DynamoDBClient,
  names: Record<Id, string>,
  decls: Record<Id, TableDeclarationLike>,
  { timeoutMs = 10_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const ids = Object.keys(names) as Id[];
  await Promise.all(
    ids.map(async (id) => {
      const tableName = names[id];
      if (tableName.length < 3) throw new Error(`table name for "${id}" must have at least 3 characters`);
      const existing = await describe(client, tableName);
      const declaredIndexes = (decls[id].globalSecondaryIndexes ?? []).map((gsi) => gsi.indexName);
      const presentIndexes = new Set((existing?.GlobalSecondaryIndexes ?? []).map((gsi) => gsi.IndexName));
      if (existing !== undefined && declaredIndexes.some((name) => !presentIndexes.has(name))) {
        await rebuildWithIndexes(client, tableName, decls[id]);
      } else if (existing === undefined) {
        try {
          await client.send(new CreateTableCommand(createTableInput(tableName, decls[id])));
        } catch (error) {
          if (!(error instanceof ResourceInUseException)) throw error;
        }
      }
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if ((await tableStatus(client, tableName)) === 'ACTIVE') return;
        if (Date.now() > deadline)
          throw new Error(`table ${tableName} did not become ACTIVE in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }),
  );
}
