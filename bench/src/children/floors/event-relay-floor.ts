/**
 * Cold-start floor of event-relay's measured first run (scheduled; one standalone event pending in the
 * outbox, one webhook endpoint registered): the SDK clients it needs (DynamoDB document client, EventBridge,
 * SQS) and the same remote calls, issued directly: the outbox index read, the pending item read, the
 * endpoints read, the event put on the bus, a first delivery per endpoint on the webhook queue, the item
 * removed under a condition. No validation, logging or metrics.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { env } from './http';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const eventBridge = new EventBridgeClient({});
const sqs = new SQSClient({});

export const handler = async () => {
  const main = env('MAIN_TABLE_NAME');
  let events = 0;
  const page = await doc.send(
    new QueryCommand({
      TableName: main,
      IndexName: 'outbox',
      KeyConditionExpression: 'outbox_pk = :pk',
      ExpressionAttributeValues: { ':pk': 'PENDING' },
      Limit: 25,
    }),
  );
  let endpoints: Record<string, unknown>[] | undefined;
  for (const hit of page.Items ?? []) {
    const key = { pk: String(hit.pk), sk: String(hit.sk) };
    const item = await doc.send(new GetCommand({ TableName: main, Key: key, ConsistentRead: true }));
    const pending = (item.Item?.outbox ?? []) as string[];
    endpoints ??=
      (
        await doc.send(
          new QueryCommand({
            TableName: main,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': 'WEBHOOKS' },
            ConsistentRead: true,
          }),
        )
      ).Items ?? [];
    const parsed = pending.map((json) => JSON.parse(json) as { type: string; timestamp: string });
    await eventBridge.send(
      new PutEventsCommand({
        Entries: parsed.map((event, i) => ({
          EventBusName: env('EVENT_BUS_NAME'),
          Source: 'podero-bridge',
          DetailType: event.type,
          Detail: pending[i],
          Time: new Date(event.timestamp),
        })),
      }),
    );
    const at = new Date().toISOString();
    const deliveries = parsed.flatMap((event) =>
      (endpoints ?? []).map((endpoint) =>
        JSON.stringify({ webhook_id: endpoint.id, event, attempt: 1, not_before: at }),
      ),
    );
    if (deliveries.length > 0) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: env('WEBHOOK_QUEUE_URL'),
          Entries: deliveries.map((MessageBody, i) => ({ Id: String(i), MessageBody })),
        }),
      );
    }
    await doc.send(
      new DeleteCommand({
        TableName: main,
        Key: key,
        ConditionExpression: 'size(#ob) = :n AND #ob[0] = :first',
        ExpressionAttributeNames: { '#ob': 'outbox' },
        ExpressionAttributeValues: { ':n': pending.length, ':first': pending[0] },
      }),
    );
    events += pending.length;
  }
  return { events };
};
