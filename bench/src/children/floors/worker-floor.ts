/**
 * Cold-start floor of heat-pump-sync-worker's measured first invocation (the SQS entry: one shard holding
 * every user of the table, the pass's only shard): the SDK clients it needs and the same remote calls,
 * issued directly: the current pass read, the shard synced as sync-floor.ts syncs a whole walk (the cursor's
 * lease and the token, the users' pages, Podero's lists, the batched reads and writes), then the shard
 * settled and the pass completed. The SQS client is created, as the worker creates it for continuations
 * (a shard that runs out of time). No validation, logging or metrics.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { env } from './http';
import { handler as syncWholeWalk } from './sync-floor';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
// Created at import as the worker's is; a floor shard never runs out of time, so it sends nothing.
export const sqs = new SQSClient({});
const PASS = { pk: 'FLOOR#SYNC#pass', sk: 'CURRENT' };

interface SqsEvent {
  Records: { messageId: string; body: string }[];
}

export const handler = async (event: SqsEvent) => {
  const main = env('MAIN_TABLE_NAME');
  for (const record of event.Records) {
    const message = JSON.parse(record.body) as { pass_id: string; shard: number };
    await doc.send(new GetCommand({ TableName: main, Key: PASS, ConsistentRead: true }));
    const summary = await syncWholeWalk();
    const at = new Date().toISOString();
    await doc.send(
      new UpdateCommand({
        TableName: main,
        Key: PASS,
        UpdateExpression: 'SET shards[0] = :done, #users = :users, updated_at = :at',
        ExpressionAttributeNames: { '#users': 'users' },
        ExpressionAttributeValues: { ':done': 'done', ':users': summary.users, ':at': at },
      }),
    );
    await doc.send(
      new UpdateCommand({
        TableName: main,
        Key: PASS,
        UpdateExpression: 'SET #status = :completed, completed_at = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':completed': 'completed', ':at': at },
      }),
    );
    await doc.send(
      new PutCommand({
        TableName: main,
        Item: { pk: PASS.pk, sk: `HISTORY#${at}#${message.pass_id}`, users: summary.users },
      }),
    );
  }
  return { batchItemFailures: [] };
};
