/**
 * Cold-start floor of the sync engine's measured first pass (every user of the table, one heat pump each):
 * the SDK clients it needs (DynamoDB document client, Secrets Manager) and the same remote calls, issued
 * directly: take the cursor's lease and read the token at once; then per page of 100 users from the users
 * index, Podero's heat-pump list per user (SYNC_CONCURRENCY at a time), the users' stored list markers and
 * snapshots in BatchGetItem calls of 100 keys, a reading, the list marker and a snapshot per user in BatchWriteItem chunks of 25, the
 * cursor moved; the lease released and the run recorded. No validation, change detection, events or
 * logging. `pnpm bench sync` also runs it over 1,000 and 10,000 users: its CPU per user is the floor of the
 * sync's.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { env, poderoJson } from './http';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const secrets = new SecretsManagerClient({});
/**
 * The floor writes simpler items than the sync does, under keys of its own, so it can share the sync's
 * tables and users (same table sizes) without changing what the sync reads.
 */
const KEY_PREFIX = 'FLOOR#';
const CURSOR = { pk: `${KEY_PREFIX}SYNC#heat-pump-sync`, sk: 'CURSOR' };

export const handler = async () => {
  const main = env('MAIN_TABLE_NAME');
  const readingsTable = env('READINGS_TABLE_NAME');
  const started = new Date().toISOString();
  const owner = crypto.randomUUID();
  const [, secret] = await Promise.all([
    doc.send(
      new UpdateCommand({
        TableName: main,
        Key: CURSOR,
        UpdateExpression: 'SET lease_owner = :owner, lease_expires_at = :until',
        ConditionExpression: 'attribute_not_exists(lease_owner) OR lease_expires_at < :now',
        ExpressionAttributeValues: { ':owner': owner, ':until': Date.now() + 60_000, ':now': Date.now() },
        ReturnValues: 'ALL_NEW',
      }),
    ),
    secrets.send(new GetSecretValueCommand({ SecretId: env('TOKEN_SECRET_ID') })),
  ]);
  const token = (JSON.parse(secret.SecretString ?? '{}') as { access_token: string }).access_token;
  const base = `${env('PODERO_BASE_URL')}/api/partners/v2.0/org/${env('PODERO_ORG_ID')}/users`;
  const concurrency = Number(process.env.SYNC_CONCURRENCY ?? 8);
  let users = 0;
  let startKey: Record<string, unknown> | undefined;
  // The whole users index, a page of 100 (BatchGetItem's most keys) at a time.
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await doc.send(
      new QueryCommand({
        TableName: main,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': 'USERS' },
        Limit: 100,
        ExclusiveStartKey: startKey,
      }),
    );
    const pageUsers = (page.Items ?? []).map((item) => ({
      externalUserId: String(item.gsi1sk),
      poderoUserId: String(item.podero_user_id),
    }));
    users += pageUsers.length;
    await syncPage(pageUsers, { main, readingsTable, base, token, started, concurrency });
    await doc.send(
      new UpdateCommand({
        TableName: main,
        Key: CURSOR,
        UpdateExpression: 'SET last_external_user_id = :last, pass_started_at = :started',
        ExpressionAttributeValues: { ':last': pageUsers.at(-1)?.externalUserId ?? null, ':started': started },
      }),
    );
    startKey = page.LastEvaluatedKey;
    if (!startKey) break;
  }
  await doc.send(
    new UpdateCommand({
      TableName: main,
      Key: CURSOR,
      UpdateExpression: 'REMOVE lease_owner, lease_expires_at',
      ConditionExpression: 'lease_owner = :owner',
      ExpressionAttributeValues: { ':owner': owner },
    }),
  );
  await doc.send(
    new PutCommand({
      TableName: main,
      Item: { pk: CURSOR.pk, sk: `RUN#${started}#${owner}`, users, started_at: started },
    }),
  );
  return { users, failures: 0, completed_pass: true };
};

interface PageContext {
  main: string;
  readingsTable: string;
  base: string;
  token: string;
  started: string;
  concurrency: number;
}

/** One page: the heat-pump lists at Podero, the stored markers in one BatchGetItem, the writes in chunks of 25. */
async function syncPage(
  users: readonly { externalUserId: string; poderoUserId: string }[],
  { main, readingsTable, base, token, started, concurrency }: PageContext,
): Promise<void> {
  if (users.length === 0) return;
  const listed: { externalUserId: string; heatPumps: { id: string }[] }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, users.length) }, async () => {
      for (let user = users[next++]; user !== undefined; user = users[next++]) {
        const heatPumps = (await poderoJson('GET', `${base}/${user.poderoUserId}/heat-pumps`, {
          authorization: `Bearer ${token}`,
        })) as { id: string }[];
        listed.push({ externalUserId: user.externalUserId, heatPumps });
      }
    }),
  );
  // What the sync reads back to compare with: each user's list marker and the snapshot of each listed heat
  // pump, 100 keys (BatchGetItem's most) a call.
  const keys = listed.flatMap(({ externalUserId, heatPumps }) => [
    { pk: `${KEY_PREFIX}USER#${externalUserId}`, sk: 'HEATPUMPS' },
    ...heatPumps.map((hp) => ({ pk: `${KEY_PREFIX}USER#${externalUserId}`, sk: `HEATPUMP#${hp.id}` })),
  ]);
  const reads: Promise<unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    reads.push(
      doc.send(
        new BatchGetCommand({
          RequestItems: { [main]: { Keys: keys.slice(i, i + 100), ConsistentRead: true } },
        }),
      ),
    );
  }
  await Promise.all(reads);
  type PutRequests = { PutRequest: { Item: Record<string, unknown> } }[];
  const readings: PutRequests = listed.flatMap(({ heatPumps }) =>
    heatPumps.map((hp) => ({
      PutRequest: { Item: { pk: `${KEY_PREFIX}${hp.id}`, sk: started, state: hp } },
    })),
  );
  // The marker and the snapshot, as the sync writes both for every user.
  const snapshots: PutRequests = listed.flatMap(({ externalUserId, heatPumps }) => [
    {
      PutRequest: {
        Item: {
          pk: `${KEY_PREFIX}USER#${externalUserId}`,
          sk: 'HEATPUMPS',
          ids: heatPumps.map((h) => h.id),
          fetched_at: started,
        },
      },
    },
    ...heatPumps.map((hp) => ({
      PutRequest: {
        Item: { pk: `${KEY_PREFIX}USER#${externalUserId}`, sk: `HEATPUMP#${hp.id}`, heat_pump: hp },
      },
    })),
  ]);
  const chunks: { table: string; requests: PutRequests }[] = [];
  for (const [table, requests] of [
    [readingsTable, readings],
    [main, snapshots],
  ] as [string, PutRequests][]) {
    for (let i = 0; i < requests.length; i += 25) chunks.push({ table, requests: requests.slice(i, i + 25) });
  }
  await Promise.all(
    chunks.map((chunk) =>
      doc.send(new BatchWriteCommand({ RequestItems: { [chunk.table]: chunk.requests } })),
    ),
  );
}
