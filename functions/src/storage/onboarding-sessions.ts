/**
 * Onboarding sessions in the main table: pk `USER#<external_user_id>`, sk `ONBOARDING#<session id>`.
 * Recording the session under the user is what lets GET .../onboarding-sessions/{id} refuse a session
 * id that belongs to someone else. Items expire by TTL 30 days after the session does.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { sendIfCondition } from './conditional';
import { type OutboxEntry, outboxAppend } from './outbox';
import { userPk } from './users';

export const ONBOARDING_SK_PREFIX = 'ONBOARDING#';
const RETENTION_AFTER_EXPIRY_SECONDS = 30 * 24 * 3600;

export const onboardingStateSchema = z.enum(['pending', 'completed', 'expired']);
export type OnboardingState = z.infer<typeof onboardingStateSchema>;

export const onboardingRecordSchema = z.object({
  id: z.string(),
  authentication_url: z.string(),
  expiration_date: z.string().nullable(),
  building_id: z.string().nullable(),
  state: onboardingStateSchema,
  device_id: z.string().nullable(),
  /**
   * The user's device ids when the session was opened: a device not among them that is authenticated
   * later is the one this session connected, should Podero leave `object_id` null ([INFERRED] field).
   * Absent in records written before it existed.
   */
  known_device_ids: z.array(z.string()).nullable().optional(),
  /** The kind of the device connected (`heat_pump`, `electric_vehicle`, ...); absent in older records. */
  device_kind: z.string().nullable().optional(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type OnboardingRecord = z.infer<typeof onboardingRecordSchema>;

/** End of the session's validity: Podero gives a date; the session is valid through that whole day (UTC). */
export function sessionValidUntilMs(expirationDate: string | null): number | undefined {
  if (!expirationDate) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(expirationDate)
    ? Date.parse(`${expirationDate}T23:59:59.999Z`)
    : Date.parse(expirationDate);
  return Number.isNaN(ms) ? undefined : ms;
}

export class OnboardingSessionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Stores the session; returns its sort key (a write that may create: see UserStore.removeUnlessOnboarded). */
  async put(externalUserId: string, record: OnboardingRecord): Promise<string> {
    const sk = `${ONBOARDING_SK_PREFIX}${record.id}`;
    const validUntil =
      sessionValidUntilMs(record.expiration_date) ?? Date.parse(record.created_at) + 2 * 86_400_000;
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: userPk(externalUserId),
          sk,
          entity: 'onboarding_session',
          ...record,
          expires_at: Math.ceil(validUntil / 1000) + RETENTION_AFTER_EXPIRY_SECONDS,
        },
      }),
    );
    return sk;
  }

  /** Every session recorded under the user, oldest first (the operator's summary). */
  async listForUser(externalUserId: string): Promise<OnboardingRecord[]> {
    const records: OnboardingRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < 20; page++) {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': userPk(externalUserId), ':prefix': ONBOARDING_SK_PREFIX },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const parsed = onboardingRecordSchema.safeParse(item);
        if (parsed.success) records.push(parsed.data);
      }
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    return records.sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  async get(externalUserId: string, sessionId: string): Promise<OnboardingRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: userPk(externalUserId), sk: `${ONBOARDING_SK_PREFIX}${sessionId}` },
      }),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, entity: _e, expires_at: _x, ...rest } = out.Item;
    return onboardingRecordSchema.parse(rest);
  }

  /**
   * Records the state a pending session settled in, with its change event in the same write (only if the
   * session is still stored and still pending: of two polls racing, one records it).
   */
  async updateState(
    externalUserId: string,
    sessionId: string,
    state: OnboardingState,
    deviceId: string | null,
    updatedAt: string,
    events: readonly OutboxEntry[] = [],
    deviceKind: string | null = null,
  ): Promise<void> {
    const key = { pk: userPk(externalUserId), sk: `${ONBOARDING_SK_PREFIX}${sessionId}` };
    const append = outboxAppend(events, key);
    await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${['#state = :state', 'device_id = :device', 'device_kind = :kind', 'updated_at = :at', ...append.set].join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #state = :pending',
          ExpressionAttributeNames: { '#state': 'state', ...append.names },
          ExpressionAttributeValues: {
            ':state': state,
            ':device': deviceId,
            ':kind': deviceKind,
            ':at': updatedAt,
            ':pending': 'pending',
            ...append.values,
          },
        }),
      ),
    );
  }
}
