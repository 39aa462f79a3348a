/**
 * Cold-start floor of the planner's measured first run (a scheduled fleet pass over every onboarded user of
 * the table): the SDK clients it needs (DynamoDB document client, SQS) and the same remote calls, issued
 * directly: the current pass read, the users index walked (keys only), the new pass stored under a
 * condition, one message per shard of SYNC_SHARD_SIZE users on the sync-shards queue. No validation,
 * logging or metrics.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { env } from './http';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const sqs = new SQSClient({});
/** Keys of its own, so the floor shares the tables without touching the planner's pass. */
const PASS = { pk: 'FLOOR#SYNC#pass', sk: 'CURRENT' };

export const handler = async (_event: unknown, context: { awsRequestId: string }) => {
  const main = env('MAIN_TABLE_NAME');
  const shardSize = Number(process.env.SYNC_SHARD_SIZE ?? 1000);
  await doc.send(new GetCommand({ TableName: main, Key: PASS, ConsistentRead: true }));
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: main,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': 'USERS' },
        ProjectionExpression: 'gsi1sk',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) ids.push(String(item.gsi1sk));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const shards: { after: string | null; until: string | null }[] = [];
  for (let i = 0; i < ids.length; i += shardSize) {
    shards.push({ after: i === 0 ? null : (ids[i - 1] ?? null), until: ids[i + shardSize - 1] ?? null });
  }
  const passId = context.awsRequestId;
  await doc.send(
    new PutCommand({
      TableName: main,
      Item: { ...PASS, pass_id: passId, status: 'running', shards: shards.map(() => 'pending') },
    }),
  );
  for (let i = 0; i < shards.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: env('SYNC_SHARD_QUEUE_URL'),
        Entries: shards.slice(i, i + 10).map((shard, j) => ({
          Id: String(j),
          MessageBody: JSON.stringify({ v: 1, pass_id: passId, shard: i + j, ...shard }),
        })),
      }),
    );
  }
  return { pass_id: passId, shards: shards.length, users: ids.length };
};
