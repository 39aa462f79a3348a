/**
 * The DynamoDB work of the live heat-pump list, as its floors issue it (the cold-start floor in
 * api-floor.ts and the request floor in overhead.ts): the user's items in one Query before Podero is
 * called, the list marker and each snapshot written back after.
 */
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export function queryUserItems(doc: DynamoDBDocumentClient, table: string, pk: string) {
  return doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
      ExpressionAttributeValues: { ':pk': pk, ':first': 'HEATPUMP', ':last': 'PROFILE' },
      ConsistentRead: true,
    }),
  );
}

export async function writeListBack(
  doc: DynamoDBDocumentClient,
  table: string,
  pk: string,
  heatPumps: readonly { id: string }[],
): Promise<void> {
  const now = new Date().toISOString();
  await Promise.all([
    doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk, sk: 'HEATPUMPS' },
        UpdateExpression: 'SET ids = :ids, fetched_at = :now',
        ExpressionAttributeValues: { ':ids': heatPumps.map((h) => h.id), ':now': now },
      }),
    ),
    ...heatPumps.map((device) =>
      doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk, sk: `HEATPUMP#${device.id}` },
          UpdateExpression: 'SET heat_pump = :hp, fetched_at = :now',
          ExpressionAttributeValues: { ':hp': device, ':now': now },
        }),
      ),
    ),
  ]);
}
