import { DescribeTableCommand, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables, type LocalEndpoint, startDynalite, type TableDeclarationLike } from './index';

const decls = {
  main: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalSecondaryIndexes: [
      {
        indexName: 'gsi1',
        partitionKey: { name: 'gsi1pk', type: 'S' },
        sortKey: { name: 'gsi1sk', type: 'S' },
      },
    ],
    timeToLiveAttribute: 'expires_at',
  },
  readings: { partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
} as const satisfies Record<string, TableDeclarationLike>;

describe('startDynalite + ensureTables', () => {
  let dynamo: LocalEndpoint;
  let client: DynamoDBClient;
  beforeAll(async () => {
    dynamo = await startDynalite();
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'eu-central-1' });
  });
  afterAll(async () => {
    client.destroy();
    await dynamo.close();
  });

  it('listens on a free loopback port', () => {
    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(dynamo.port).toBeGreaterThan(0);
  });

  it('creates the declared tables with their GSIs, and is idempotent under concurrent calls', async () => {
    const names = { main: 'test-main', readings: 'test-readings' };
    await Promise.all([ensureTables(client, names, decls), ensureTables(client, names, decls)]);
    await ensureTables(client, names, decls);

    const main = await client.send(new DescribeTableCommand({ TableName: 'test-main' }));
    expect(main.Table?.TableStatus).toBe('ACTIVE');
    expect(main.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(main.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['gsi1']);
    expect(main.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');

    await client.send(
      new PutItemCommand({
        TableName: 'test-main',
        Item: { pk: { S: 'USER#a' }, sk: { S: 'PROFILE' }, gsi1pk: { S: 'USERS' }, gsi1sk: { S: 'a' } },
      }),
    );
    const byGsi = await client.send(
      new QueryCommand({
        TableName: 'test-main',
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'USERS' } },
      }),
    );
    expect(byGsi.Items?.map((i) => i.pk?.S)).toEqual(['USER#a']);
  });

  it('refuses a table name DynamoDB would reject', async () => {
    await expect(ensureTables(client, { readings: 'ab' }, { readings: decls.readings })).rejects.toThrow(
      /at least 3 characters/,
    );
  });
});
