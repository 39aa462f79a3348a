/**
 * Buildings in the main table: pk `USER#<external_user_id>`, sk `BUILDING#<podero building id>`.
 * The Podero JSON is kept verbatim as a string (unknown fields and nulls round-trip).
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { userPk } from './users';

export const BUILDING_SK_PREFIX = 'BUILDING#';

export interface BuildingRecord {
  id: string;
  building: Record<string, unknown>;
  created_at: string;
}

const itemSchema = z.object({ building_id: z.string(), building_json: z.string(), created_at: z.string() });
const buildingJsonSchema = z.record(z.string(), z.unknown());

const fromItem = (item: Record<string, unknown>): BuildingRecord => {
  const parsed = itemSchema.parse(item);
  return {
    id: parsed.building_id,
    building: buildingJsonSchema.parse(JSON.parse(parsed.building_json)),
    created_at: parsed.created_at,
  };
};

export class BuildingStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Stores the building; returns its sort key (a write that may create: see UserStore.removeUnlessOnboarded). */
  async put(externalUserId: string, record: BuildingRecord): Promise<string> {
    const sk = `${BUILDING_SK_PREFIX}${record.id}`;
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: userPk(externalUserId),
          sk,
          entity: 'building',
          building_id: record.id,
          building_json: JSON.stringify(record.building),
          created_at: record.created_at,
        },
      }),
    );
    return sk;
  }

  async get(externalUserId: string, buildingId: string): Promise<BuildingRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: userPk(externalUserId), sk: `${BUILDING_SK_PREFIX}${buildingId}` },
      }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async list(externalUserId: string): Promise<BuildingRecord[]> {
    const records: BuildingRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': userPk(externalUserId), ':prefix': BUILDING_SK_PREFIX },
          ExclusiveStartKey: startKey,
        }),
      );
      records.push(...(page.Items ?? []).map(fromItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }
}
