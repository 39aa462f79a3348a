/**
 * The open (pending) tracked changes of a user's devices of one kind, and each device's latest change
 * (domain/devices/changes.ts OpenChanges), in one item of the main table:
 *
 *   open changes   pk `USER#<external_user_id>`  sk `OPENCHANGES#<kind>`   (`OPENCHANGES#heat_pump`)
 *
 * Not on the device snapshots: the sync rewrites those whole with BatchWriteItem, without a condition
 * (ADR 0004), so a change the API recorded between the sync's read and its write would be lost, and its
 * history item left `pending` for good. This item is only ever written with a condition on its `version`
 * (read, changed, written back unless someone wrote in between: then read again), so no writer drops what
 * another added. The events of the changes a write settles are appended to the item's outbox in the same
 * write (storage/outbox.ts). The sync reads the item in its batched reads (one key per user and kind, as
 * the list marker), the API beside the snapshot; offboarding the user erases it with the partition.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { CHANGE_STATUSES, NO_OPEN_CHANGES, type OpenChanges } from '../domain/devices/changes';
import { sendIfCondition } from './conditional';
import { openChangeJson, parseOpenChange } from './device-changes';
import { type OutboxEntry, outboxAppend } from './outbox';
import { userPk } from './users';

export const OPEN_CHANGES_SK_PREFIX = 'OPENCHANGES#';

export const openChangesSk = (kind: string): string => `${OPEN_CHANGES_SK_PREFIX}${kind}`;

/** The open changes as read, with the version a write back must find (0: the item does not exist). */
export interface VersionedOpenChanges {
  readonly changes: OpenChanges;
  readonly version: number;
}

export const NO_VERSIONED_OPEN_CHANGES: VersionedOpenChanges = { changes: NO_OPEN_CHANGES, version: 0 };

const lastSchema = z.record(z.string(), z.object({ id: z.string(), status: z.enum(CHANGE_STATUSES) }));

const itemSchema = z.object({
  open_changes: z.array(z.string()),
  last_changes: z.string(),
  version: z.number().int().nonnegative(),
});

export function parseOpenChangesItem(item: Record<string, unknown> | undefined): VersionedOpenChanges {
  if (item === undefined) return NO_VERSIONED_OPEN_CHANGES;
  const row = itemSchema.parse(item);
  return {
    changes: {
      open: row.open_changes.map(parseOpenChange),
      last: lastSchema.parse(JSON.parse(row.last_changes)),
    },
    version: row.version,
  };
}

export class OpenChangesStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(externalUserId: string, kind: string): Promise<VersionedOpenChanges> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: userPk(externalUserId), sk: openChangesSk(kind) },
        ConsistentRead: true,
      }),
    );
    return parseOpenChangesItem(out.Item);
  }

  /**
   * Writes `changes` (and appends `events` to the item's outbox) unless the item moved on since it was
   * read at `readVersion`. `create: false` (a settlement) never creates the item: an offboarding that
   * erased the user's partition meanwhile is not undone. True when written.
   */
  async write(
    externalUserId: string,
    kind: string,
    changes: OpenChanges,
    readVersion: number,
    events: readonly OutboxEntry[] = [],
    create = true,
  ): Promise<boolean> {
    // Nothing was there to settle, and a settlement does not create the item.
    if (readVersion === 0 && !create) return false;
    const key = { pk: userPk(externalUserId), sk: openChangesSk(kind) };
    const append = outboxAppend(events, key);
    const condition = readVersion === 0 ? 'attribute_not_exists(pk)' : '#version = :read';
    const out = await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${[
            'entity = :entity',
            'external_user_id = :user',
            '#kind = :kind',
            'open_changes = :open',
            'last_changes = :last',
            '#version = :next',
            ...append.set,
          ].join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#version': 'version', '#kind': 'kind', ...append.names },
          ExpressionAttributeValues: {
            ':entity': 'open_changes',
            ':user': externalUserId,
            ':kind': kind,
            ':open': changes.open.map(openChangeJson),
            ':last': JSON.stringify(changes.last),
            ':next': readVersion + 1,
            ...(readVersion === 0 ? {} : { ':read': readVersion }),
            ...append.values,
          },
        }),
      ),
    );
    return out !== undefined;
  }
}
