import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OutboxStore, outboxEntryOf } from '../src/storage/outbox';

/**
 * One pending standalone `user.onboarded` event about `externalUserId` in `table`'s outbox, written by the
 * outbox's own store (so a benchmark or test that wants the relay to find work holds no copy of its item).
 */
export async function putPendingEvent(
  db: DynamoDBDocumentClient,
  table: string,
  externalUserId: string,
  nowMs = Date.now(),
): Promise<void> {
  const event = {
    id: `evt_${randomBytes(12).toString('hex')}`,
    type: 'user.onboarded',
    timestamp: new Date(nowMs).toISOString(),
    data: { external_user_id: externalUserId },
  };
  await new OutboxStore(db, table).putStandalone(outboxEntryOf(JSON.stringify(event)), nowMs);
}
