/**
 * A second cold-start baseline: a handler that does nothing but one DynamoDB GetItem with the AWS SDK v3
 * (client built at module scope, as our functions do). The gap between it and the minimal handler is the
 * SDK's own cost; the gap between our functions and it is ours.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});

export const handler = async () => {
  await client.send(
    new GetItemCommand({
      TableName: process.env.MAIN_TABLE_NAME,
      Key: { pk: { S: 'USER#none' }, sk: { S: 'PROFILE' } },
    }),
  );
  return { statusCode: 200, body: '{"ok":true}' };
};
