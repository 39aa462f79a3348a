/**
 * Cold-start floor of the erasure worker's measured first invocation (an SQS batch of one job: the first
 * sweep of an offboarded customer with one heat pump, its last sweep still ahead): the SDK clients it
 * needs (DynamoDB document client, SQS) and the same remote calls, issued directly: the job read, the
 * customer's profile read, its partition's keys read, the device's readings looked up under each of the four
 * device kinds, the sync's failure record deleted, the sweep recorded and the job's last sweep queued
 * (delayed). No validation, logging or metrics.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { env } from './http';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const sqs = new SQSClient({});
/** The device kinds whose readings an erasure deletes (heat pumps, EVs, wallboxes, batteries). */
const KIND_PREFIXES = ['HP', 'EV', 'WB', 'BAT'] as const;

export const handler = async (event: { Records: { messageId: string; body: string }[] }) => {
  const main = env('MAIN_TABLE_NAME');
  const readings = env('READINGS_TABLE_NAME');
  for (const record of event.Records) {
    const message = JSON.parse(record.body) as {
      external_user_id: string;
      job_id: string;
      device_ids: string[];
    };
    const ext = message.external_user_id;
    const jobKey = { pk: `ERASURE#${ext}`, sk: message.job_id };
    await doc.send(new GetCommand({ TableName: main, Key: jobKey, ConsistentRead: true }));
    await doc.send(
      new GetCommand({ TableName: main, Key: { pk: `USER#${ext}`, sk: 'PROFILE' }, ConsistentRead: true }),
    );
    await doc.send(
      new QueryCommand({
        TableName: main,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `USER#${ext}` },
        ProjectionExpression: 'sk',
        ConsistentRead: true,
      }),
    );
    for (const deviceId of message.device_ids) {
      for (const kind of KIND_PREFIXES) {
        await doc.send(
          new QueryCommand({
            TableName: readings,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `${kind}#${deviceId}` },
            ProjectionExpression: 'pk, sk',
          }),
        );
      }
    }
    await doc.send(new DeleteCommand({ TableName: main, Key: { pk: 'FLOOR#SYNC', sk: `FAILURE#${ext}` } }));
    await doc.send(
      new UpdateCommand({
        TableName: main,
        Key: jobKey,
        UpdateExpression: 'SET sweeps = :one, readings_deleted = :zero',
        ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: env('ERASURE_QUEUE_URL'),
        MessageBody: record.body,
        DelaySeconds: 900,
      }),
    );
  }
  return { batchItemFailures: [] };
};
