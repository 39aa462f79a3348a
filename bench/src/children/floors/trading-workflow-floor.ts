/**
 * Cold-start floor of trading-workflow's measured first run (scheduled, no trading day open: the common
 * run, every five minutes between a day's steps): the SDK client it needs (DynamoDB document client) and
 * the same remote call, issued directly: the open days read. Podero is not called and the token not read
 * when no day is open. No validation, logging or metrics.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { env } from './http';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export const handler = async () => {
  const open = await doc.send(
    new QueryCommand({
      TableName: env('MAIN_TABLE_NAME'),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'TRADING#OPEN' },
    }),
  );
  return { days: open.Items?.length ?? 0 };
};
