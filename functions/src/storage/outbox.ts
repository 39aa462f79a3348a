/**
 * The event outbox, kept in the main table so that an event is stored in the same single-item write as
 * the state it describes (DynamoDB writes one item atomically; dynalite has no transactions, and the
 * local stack must hold the same guarantee): nothing can store a new state and lose its event.
 *
 * - Embedded: a state item (snapshot, list marker, onboarding session) carries its pending events in an
 *   `outbox` list of JSON strings, appended by the write that stores the state.
 * - Standalone: an event whose subject item goes away (a user offboarded, a device deleted, a sync pass)
 *   is an item of its own, pk `OUTBOX`, sk `EVENT#<event id>` (written before the subject is removed; the
 *   id is the transition's, so a retry writes the same item again).
 *
 * Every item with pending events is in the sparse `outbox` index (`outbox_pk` = `PENDING`, `outbox_sk` =
 * when the first pending event was stored, then the item's key), which the relay drains in that order.
 * The relay removes what it published with a condition on what it read, so events appended meanwhile
 * stay pending. Events are strings here: storage does not know the catalogue (events/ does).
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { OutboxEntry } from '../domain/events/catalogue';
import { sendIfCondition } from './conditional';

export const OUTBOX_INDEX = 'outbox';
export const OUTBOX_PENDING = 'PENDING';
export const OUTBOX_STANDALONE_PK = 'OUTBOX';
/** Standalone events and published-but-unremoved ones do not outlive this (the relay runs every minute). */
export const OUTBOX_STANDALONE_KEEP_SECONDS = 14 * 86_400;

export type { OutboxEntry };

/** The attributes a state item written whole (PutItem, BatchWriteItem) carries for its pending events. */
export function outboxAttributes(
  pending: readonly OutboxEntry[],
  itemKey: { pk: string; sk: string },
): Record<string, unknown> {
  if (pending.length === 0) return {};
  return {
    outbox: pending.map((entry) => entry.json),
    outbox_pk: OUTBOX_PENDING,
    outbox_sk: outboxSortKey(pending[0] as OutboxEntry, itemKey),
  };
}

const outboxSortKey = (first: OutboxEntry, itemKey: { pk: string; sk: string }) =>
  `${first.timestamp}#${itemKey.pk}#${itemKey.sk}`;

/**
 * The UpdateExpression clauses that append events to an item's outbox in the same UpdateItem that
 * stores its state (names and values prefixed `ob`, so they join any other expression).
 */
export function outboxAppend(
  events: readonly OutboxEntry[],
  itemKey: { pk: string; sk: string },
): { set: string[]; names: Record<string, string>; values: Record<string, unknown> } {
  if (events.length === 0) return { set: [], names: {}, values: {} };
  return {
    set: [
      '#ob = list_append(if_not_exists(#ob, :obEmpty), :obNew)',
      '#obPk = :obPk',
      '#obSk = if_not_exists(#obSk, :obSk)',
    ],
    names: { '#ob': 'outbox', '#obPk': 'outbox_pk', '#obSk': 'outbox_sk' },
    values: {
      ':obEmpty': [],
      ':obNew': events.map((entry) => entry.json),
      ':obPk': OUTBOX_PENDING,
      ':obSk': outboxSortKey(events[0] as OutboxEntry, itemKey),
    },
  };
}

const storedEntrySchema = z.object({ id: z.string(), timestamp: z.string() });

/** A stored event JSON string as an entry again (its id and time are in it). */
export function outboxEntryOf(json: string): OutboxEntry {
  const { id, timestamp } = storedEntrySchema.parse(JSON.parse(json));
  return { id, timestamp, json };
}

/** The pending event JSON strings of an item as read (empty when it has none). */
export function pendingOutboxOf(item: Record<string, unknown> | undefined): string[] {
  const raw = item?.outbox;
  return Array.isArray(raw) ? raw.filter((entry): entry is string => typeof entry === 'string') : [];
}

export interface PendingOutboxItem {
  readonly key: { pk: string; sk: string };
  /** The item's pending events, in the order they were stored. */
  readonly events: readonly string[];
  readonly standalone: boolean;
}

const keySchema = z.object({ pk: z.string().min(1), sk: z.string().min(1) });

export class OutboxStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** A standalone event (see the module comment); writing the same id again is harmless. */
  async putStandalone(entry: OutboxEntry, nowMs: number): Promise<void> {
    const key = { pk: OUTBOX_STANDALONE_PK, sk: `EVENT#${entry.id}` };
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        // A retry of a write whose event is still pending must not add it twice.
        UpdateExpression:
          'SET entity = :entity, #ob = :events, #obPk = :pk, #obSk = if_not_exists(#obSk, :sk), expires_at = :exp',
        ExpressionAttributeNames: { '#ob': 'outbox', '#obPk': 'outbox_pk', '#obSk': 'outbox_sk' },
        ExpressionAttributeValues: {
          ':entity': 'outbox_event',
          ':events': [entry.json],
          ':pk': OUTBOX_PENDING,
          ':sk': outboxSortKey(entry, key),
          ':exp': Math.floor(nowMs / 1000) + OUTBOX_STANDALONE_KEEP_SECONDS,
        },
      }),
    );
  }

  /**
   * Before items that may carry pending events are deleted (a device forgotten, a user offboarded): their
   * events become standalone items, so the deletion does not take them along.
   */
  async rescue(keys: readonly { pk: string; sk: string }[], nowMs: number): Promise<void> {
    for (const key of keys) {
      const out = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: key,
          ConsistentRead: true,
          ProjectionExpression: 'outbox',
        }),
      );
      await this.rescueEvents(pendingOutboxOf(out.Item), nowMs);
    }
  }

  /** Pending event JSON strings (as read from an item about to go) written as standalone events. */
  async rescueEvents(pending: readonly string[], nowMs: number): Promise<void> {
    for (const json of pending) await this.putStandalone(outboxEntryOf(json), nowMs);
  }

  /**
   * The oldest items with pending events, in outbox order. The index is eventually consistent, so each
   * item is read again from the table (strongly) for its current events; an item whose events were
   * removed meanwhile is skipped.
   */
  async pending(limit: number): Promise<PendingOutboxItem[]> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: OUTBOX_INDEX,
        KeyConditionExpression: 'outbox_pk = :pk',
        ExpressionAttributeValues: { ':pk': OUTBOX_PENDING },
        Limit: limit,
      }),
    );
    const items: PendingOutboxItem[] = [];
    for (const hit of page.Items ?? []) {
      const key = keySchema.parse({ pk: hit.pk, sk: hit.sk });
      const out = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      const events = pendingOutboxOf(out.Item);
      if (events.length === 0) continue;
      items.push({ key, events, standalone: key.pk === OUTBOX_STANDALONE_PK });
    }
    return items;
  }

  /**
   * Removes the events the relay published from `item` (as it read them). When nothing was appended since,
   * the item leaves the outbox; otherwise only the published prefix goes and the rest stay pending. A
   * state item rewritten meanwhile (its list replaced) is left as it is: its events are published again
   * under the same ids, which receivers deduplicate.
   */
  async remove(item: PendingOutboxItem): Promise<void> {
    const count = item.events.length;
    const first = item.events[0];
    if (item.standalone) {
      await sendIfCondition(() =>
        this.db.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: item.key,
            ConditionExpression: 'size(#ob) = :n AND #ob[0] = :first',
            ExpressionAttributeNames: { '#ob': 'outbox' },
            ExpressionAttributeValues: { ':n': count, ':first': first },
          }),
        ),
      );
      return;
    }
    const whole = await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: item.key,
          UpdateExpression: 'REMOVE #ob, #obPk, #obSk',
          ConditionExpression: 'size(#ob) = :n AND #ob[0] = :first',
          ExpressionAttributeNames: { '#ob': 'outbox', '#obPk': 'outbox_pk', '#obSk': 'outbox_sk' },
          ExpressionAttributeValues: { ':n': count, ':first': first },
        }),
      ),
    );
    if (whole !== undefined) return;
    await sendIfCondition(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: item.key,
          // Highest index first: DynamoDB removes the listed indexes of the list as it was, dynalite one after
          // the other (each removal shifting the rest); in this order both remove the same elements.
          UpdateExpression: `REMOVE ${item.events.map((_, i) => `#ob[${count - 1 - i}]`).join(', ')}`,
          ConditionExpression: 'size(#ob) > :n AND #ob[0] = :first',
          ExpressionAttributeNames: { '#ob': 'outbox' },
          ExpressionAttributeValues: { ':n': count, ':first': first },
        }),
      ),
    );
  }
}
