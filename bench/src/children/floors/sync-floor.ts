/**
 * Cold-start floor of the sync engine's measured first pass (every user of the table, one heat pump each):
 * the SDK clients it needs (DynamoDB document client, Secrets Manager) and the same remote calls, issued
 * directly: take the cursor's lease and read the token at once, one page of users from the users index,
 * Podero's heat-pump list per user (SYNC_CONCURRENCY at a time), the users' stored list markers in one
 * BatchGetItem, a reading and a snapshot per heat pump in BatchWriteItem chunks of 25, the cursor moved,
 * the lease released and the run recorded. No validation, change detection, events or logging.
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
const CURSOR = { pk: 'SYNC#heat-pump-sync', sk: 'CURSOR' };

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
  const page = await doc.send(
    new QueryCommand({
      TableName: main,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'USERS' },
      Limit: Number(process.env.SYNC_CONCURRENCY ?? 8) * 4,
    }),
  );
  const users = (page.Items ?? []).map((item) => ({
    externalUserId: String(item.gsi1sk),
    poderoUserId: String(item.podero_user_id),
  }));
  const base = `${env('PODERO_BASE_URL')}/api/partners/v2.0/org/${env('PODERO_ORG_ID')}/users`;
  const concurrency = Number(process.env.SYNC_CONCURRENCY ?? 8);
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
  if (users.length > 0) {
    await doc.send(
      new BatchGetCommand({
        RequestItems: {
          [main]: {
            Keys: users.map((u) => ({ pk: `USER#${u.externalUserId}`, sk: 'HEATPUMPS' })),
            ConsistentRead: true,
          },
        },
      }),
    );
  }
  const readings = listed.flatMap(({ heatPumps }) =>
    heatPumps.map((hp) => ({ PutRequest: { Item: { pk: hp.id, sk: started, state: hp } } })),
  );
  const snapshots = listed.flatMap(({ externalUserId, heatPumps }) =>
    heatPumps.map((hp) => ({
      PutRequest: { Item: { pk: `USER#${externalUserId}`, sk: `HEATPUMP#${hp.id}`, heat_pump: hp } },
    })),
  );
  type PutRequests = { PutRequest: { Item: Record<string, unknown> } }[];
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
  const last = users.at(-1)?.externalUserId ?? null;
  await doc.send(
    new UpdateCommand({
      TableName: main,
      Key: CURSOR,
      UpdateExpression: 'SET last_external_user_id = :last, pass_started_at = :started',
      ExpressionAttributeValues: { ':last': last, ':started': started },
    }),
  );
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
      Item: { pk: CURSOR.pk, sk: `RUN#${started}#${owner}`, users: users.length, started_at: started },
    }),
  );
  return { users: users.length, failures: 0, completed_pass: true };
};
