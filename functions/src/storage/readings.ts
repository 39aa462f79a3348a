/**
 * Device readings in the readings table: one item per device and Podero state timestamp, the kind's
 * reading fields (domain/devices/kinds.ts) as values.
 *
 *   pk `<kind.storage.skPrefix><device id>`   sk `<current_state_last_updated_at as Date#toISOString()>`
 *
 * Keying by the state timestamp makes a reading idempotent: storing the same state twice writes
 * the same item. ISO strings in `toISOString()` form sort lexically in time order, so a Query on
 * the sort key returns readings in time order. `expires_at` (epoch seconds) lets DynamoDB TTL
 * delete a reading after the retention period; an offboarding deletes them at once (`deleteAllOf`).
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { heatPumpKind } from '../domain/devices/heat-pump';
import type { DeviceKindStorage, ReadingValue } from '../domain/devices/kinds';
import { InvalidError } from '../domain/errors';
import { READING_SOURCES, type ReadingSource } from '../domain/readings/history';
import { batchWrite } from './batch-write';
import { sendIfCondition } from './conditional';

/** A device's readings partition: the kind's prefix (`HEATPUMP#` for the first kind) and its id. */
export const readingPk = (deviceId: string, kind: DeviceKindStorage = heatPumpKind.storage): string =>
  `${kind.skPrefix}${deviceId}`;

export type { ReadingValue } from '../domain/devices/kinds';

export interface Reading {
  deviceId: string;
  /** Podero's `current_state_last_updated_at` (ISO). */
  stateAt: string;
  /** When the sync stored it (ISO). */
  recordedAt: string;
  /** The kind's reading fields (DeviceKind.readingFields) Podero's JSON had. */
  values: Record<string, ReadingValue>;
  /** Epoch seconds; DynamoDB TTL removes the reading after this. */
  expiresAt: number;
  /**
   * `backfill`: filled from Podero's `/data` for a quarter-hour the sync missed (its `stateAt` is the
   * quarter-hour's start, its values only the fields the kind's series fills). Absent: the sync's (stored
   * items carry no `source` then, as before sources existed).
   */
  source?: ReadingSource;
}

export function readingExpiry(stateAt: string, retentionDays: number): number {
  return Math.floor(Date.parse(stateAt) / 1000) + retentionDays * 86_400;
}

export function readingItem(
  reading: Reading,
  kind: DeviceKindStorage = heatPumpKind.storage,
): Record<string, unknown> {
  return {
    pk: readingPk(reading.deviceId, kind),
    sk: reading.stateAt,
    [kind.idAttribute]: reading.deviceId,
    state_at: reading.stateAt,
    recorded_at: reading.recordedAt,
    values: reading.values,
    expires_at: reading.expiresAt,
    ...(reading.source === undefined || reading.source === 'sync' ? {} : { source: reading.source }),
  };
}

const readingValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);
/** The device id, under the kind's attribute name. */
const idAttributeSchema = z.string();
const readingItemSchema = z.object({
  state_at: z.string(),
  recorded_at: z.string(),
  values: z.record(z.string(), readingValueSchema),
  expires_at: z.number(),
  source: z.enum(READING_SOURCES).optional(),
});

function parseReadingItem(item: Record<string, unknown>, kind: DeviceKindStorage): Reading {
  const row = readingItemSchema.parse(item);
  return {
    deviceId: idAttributeSchema.parse(item[kind.idAttribute]),
    stateAt: row.state_at,
    recordedAt: row.recorded_at,
    values: row.values,
    expiresAt: row.expires_at,
    ...(row.source ? { source: row.source } : {}),
  };
}

/** The cursor does not decode, belongs to another device, or points outside the range. */
export class InvalidCursorError extends InvalidError {
  constructor(reason: string) {
    super(`cursor is invalid: ${reason}`, {
      summary: 'the cursor is not valid for this request',
      fields: [{ field: 'query.cursor', message: `cursor is invalid: ${reason}` }],
    });
    this.name = 'InvalidCursorError';
  }
}

/** `o`: the order the cursor was issued for (absent in cursors from before `order` existed: ascending). */
const cursorSchema = z.strictObject({
  v: z.literal(1),
  hp: z.string(),
  ts: z.string(),
  o: z.literal('d').optional(),
});

export type ReadingsOrder = 'asc' | 'desc';

const isCanonicalIso = (s: string): boolean => {
  const ms = Date.parse(s);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === s;
};

/** Opaque to callers: base64url of the last returned key. */
export function encodeReadingsCursor(
  deviceId: string,
  stateAt: string,
  order: ReadingsOrder = 'asc',
): string {
  const cursor = { v: 1, hp: deviceId, ts: stateAt, ...(order === 'desc' ? { o: 'd' } : {}) };
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/**
 * Decodes and checks a cursor: it must be our encoding, name this device (a cursor cannot be
 * replayed against another device's readings) and lie inside the requested range.
 */
export function decodeReadingsCursor(
  cursor: string,
  deviceId: string,
  range: ReadingsRange,
  order: ReadingsOrder = 'asc',
): string {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor))
    throw new InvalidCursorError('not a cursor returned by this API');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor returned by this API');
  }
  const parsed = cursorSchema.safeParse(decoded);
  if (!parsed.success || !isCanonicalIso(parsed.data.ts)) {
    throw new InvalidCursorError('not a cursor returned by this API');
  }
  if (parsed.data.hp !== deviceId) throw new InvalidCursorError(`it belongs to another ${heatPumpKind.noun}`);
  if ((parsed.data.o === 'd') !== (order === 'desc'))
    throw new InvalidCursorError('it was issued for the other order');
  if ((range.from && parsed.data.ts < range.from) || (range.to && parsed.data.ts >= range.to)) {
    throw new InvalidCursorError('it lies outside the requested from/to range');
  }
  return parsed.data.ts;
}

/** `from` inclusive, `to` exclusive; both ISO strings in `toISOString()` form. */
export interface ReadingsRange {
  from?: string;
  to?: string;
}

export interface ReadingsPage {
  readings: Reading[];
  nextCursor: string | null;
}

export class ReadingsStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The kind whose readings this store reads and writes. */
    private readonly kind: DeviceKindStorage = heatPumpKind.storage,
  ) {}

  /** The newest reading of a device, if any. */
  async latest(deviceId: string): Promise<Reading | undefined> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': readingPk(deviceId, this.kind) },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const [item] = out.Items ?? [];
    return item ? parseReadingItem(item, this.kind) : undefined;
  }

  /** The oldest reading of a device, if any (where its expected history begins). */
  async earliest(deviceId: string): Promise<Reading | undefined> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': readingPk(deviceId, this.kind) },
        Limit: 1,
      }),
    );
    const [item] = out.Items ?? [];
    return item ? parseReadingItem(item, this.kind) : undefined;
  }

  /**
   * The state times of a device's readings in [from, to) with their sources, keys only (coverage needs no
   * values): 92 days at one per 15 minutes is 8,832 keys, a few pages.
   */
  async times(
    deviceId: string,
    range: Required<ReadingsRange>,
  ): Promise<{ at: string; source: ReadingSource }[]> {
    const times: { at: string; source: ReadingSource }[] = [];
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < 200; page++) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#sk': 'sk', '#source': 'source' },
          ExpressionAttributeValues: {
            ':pk': readingPk(deviceId, this.kind),
            ':from': range.from,
            ':to': new Date(Date.parse(range.to) - 1).toISOString(),
          },
          ProjectionExpression: '#sk, #source',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        if (typeof item.sk !== 'string') continue;
        times.push({ at: item.sk, source: item.source === 'backfill' ? 'backfill' : 'sync' });
      }
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    return times;
  }

  /**
   * Stores backfilled readings, each only where no reading of that time exists (a reading is never
   * rewritten: the sync's stays the truth). Returns how many were new; rerunning stores none twice.
   */
  async putBackfilled(readings: readonly Reading[]): Promise<number> {
    let stored = 0;
    for (const reading of readings) {
      const written = await sendIfCondition(() =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: readingItem({ ...reading, source: 'backfill' }, this.kind),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      if (written !== undefined) stored++;
    }
    return stored;
  }

  /**
   * One page of readings in time order. Asks for `limit + 1` items so that the last page never
   * carries a cursor leading to an empty page.
   */
  async list(
    deviceId: string,
    range: ReadingsRange,
    limit: number,
    cursor?: string,
    order: ReadingsOrder = 'asc',
  ): Promise<ReadingsPage> {
    const after = cursor === undefined ? undefined : decodeReadingsCursor(cursor, deviceId, range, order);
    const values: Record<string, string> = { ':pk': readingPk(deviceId, this.kind) };
    let condition = 'pk = :pk';
    // `to` is exclusive; with millisecond ISO keys, "< to" is "<= to - 1 ms", which BETWEEN can express.
    const toInclusive = range.to ? new Date(Date.parse(range.to) - 1).toISOString() : undefined;
    if (range.from && toInclusive) {
      condition += ' AND #sk BETWEEN :from AND :to';
      values[':from'] = range.from;
      values[':to'] = toInclusive;
    } else if (range.from) {
      condition += ' AND #sk >= :from';
      values[':from'] = range.from;
    } else if (toInclusive) {
      condition += ' AND #sk <= :to';
      values[':to'] = toInclusive;
    }

    const items: Reading[] = [];
    let startKey: Record<string, unknown> | undefined =
      after === undefined ? undefined : { pk: readingPk(deviceId, this.kind), sk: after };
    // DynamoDB may stop a page early at 1 MB; keep asking (bounded) until limit + 1 items or the end.
    for (let round = 0; round < 50 && items.length <= limit; round++) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: condition,
          // Only name `#sk` when a range uses it: DynamoDB rejects unused expression names.
          ExpressionAttributeNames: condition.includes('#sk') ? { '#sk': 'sk' } : undefined,
          ExpressionAttributeValues: values,
          ExclusiveStartKey: startKey,
          Limit: limit + 1 - items.length,
          ScanIndexForward: order === 'asc',
        }),
      );
      for (const item of out.Items ?? []) items.push(parseReadingItem(item, this.kind));
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    const page = items.slice(0, limit);
    const last = page.at(-1);
    const hasMore = items.length > limit;
    return {
      readings: page,
      nextCursor: hasMore && last ? encodeReadingsCursor(deviceId, last.stateAt, order) : null,
    };
  }

  /**
   * Deletes every reading of a device, page by page (a year at one per 15 minutes is 35,000 items: an
   * erasure worker's job, not a request's). Returns how many it deleted; throws if some could not be
   * deleted, so the job is retried (deleting is idempotent).
   */
  async deleteAllOf(deviceId: string, owner: string): Promise<number> {
    let deleted = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': readingPk(deviceId, this.kind) },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: startKey,
          // Sees every reading written before it: the erasure's second sweep relies on it.
          ConsistentRead: true,
        }),
      );
      const keys = (page.Items ?? []).map((item) => ({ pk: item.pk, sk: item.sk }));
      const result = await batchWrite(
        this.doc,
        keys.map((Key) => ({ tableName: this.tableName, owner, request: { DeleteRequest: { Key } } })),
      );
      if (result.failedOwners.size > 0)
        throw new Error('could not delete every reading (unprocessed items remain)');
      deleted += keys.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  }
}
