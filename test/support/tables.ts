import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Full-table scans for "nothing was written" assertions: every item of every table, sorted by table
 * and key, as one comparable value. Bounded (a test table never holds more than a few thousand items).
 */
export type TableDump = Record<string, Record<string, unknown>[]>;

const MAX_PAGES = 200;

export async function scanTable(
  db: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await db.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
    if (startKey === undefined) break;
  }
  const key = (item: Record<string, unknown>) => `${String(item.pk)}\u0000${String(item.sk)}`;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export async function dumpTables(
  db: DynamoDBDocumentClient,
  tableNames: Readonly<Record<string, string>>,
): Promise<TableDump> {
  const dump: TableDump = {};
  for (const [id, name] of Object.entries(tableNames)) dump[id] = await scanTable(db, name);
  return dump;
}

/**
 * A dump without the audit trail (functions/src/storage/audit.ts). A write that fails or is refused after its
 * request's shape was accepted is recorded there as an attempt by design (ADR 0016: who tried what, and how
 * it ended); the suites that assert "nothing written" mean the customer's data, which must stay as it was.
 */
export function withoutAuditTrail(dump: TableDump): TableDump {
  return Object.fromEntries(
    Object.entries(dump).map(([table, items]) => [
      table,
      items.filter((item) => item.entity !== 'audit_entry'),
    ]),
  );
}

/** A document client on a DynamoDB endpoint (local dynalite), for seeding and assertions. */
export function documentClient(endpoint: string, region: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
