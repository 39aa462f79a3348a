/**
 * Writes many items with BatchWriteItem: chunks of 25 (the API's limit), a few chunks in flight,
 * and UnprocessedItems retried with capped exponential backoff and full jitter for a bounded
 * number of attempts. Items that still fail are reported by owner (the sync records those users
 * as failed) instead of failing the whole run.
 */

import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { backoffDelayMs, sleep } from '../platform/backoff';

export const BATCH_WRITE_MAX_ITEMS = 25;

export type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

export interface PendingWrite {
  tableName: string;
  request: WriteRequest;
  /** Who the write belongs to (an external_user_id); failures are reported per owner. */
  owner: string;
}

export interface BatchWriteOptions {
  /** Attempts per chunk, counting the first call. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** BatchWriteItem calls in flight at once. */
  parallelCalls: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const defaultBatchWriteOptions: BatchWriteOptions = {
  maxAttempts: 6,
  baseDelayMs: 50,
  maxDelayMs: 2_000,
  parallelCalls: 4,
  sleep,
  random: Math.random,
};

export interface BatchWriteResult {
  /** BatchWriteItem calls made, retries included. */
  calls: number;
  /** Items written, by table name. */
  written: Map<string, number>;
  /** Owners with at least one item that could not be written, with the reason. */
  failedOwners: Map<string, string>;
}

const keyOf = (w: PendingWrite): string =>
  JSON.stringify([
    w.tableName,
    'PutRequest' in w.request
      ? [w.request.PutRequest.Item.pk, w.request.PutRequest.Item.sk]
      : [w.request.DeleteRequest.Key.pk, w.request.DeleteRequest.Key.sk],
  ]);

export async function batchWrite(
  doc: DynamoDBDocumentClient,
  writes: readonly PendingWrite[],
  options: Partial<BatchWriteOptions> = {},
): Promise<BatchWriteResult> {
  const opts = { ...defaultBatchWriteOptions, ...options };
  const result: BatchWriteResult = { calls: 0, written: new Map(), failedOwners: new Map() };
  const chunks: PendingWrite[][] = [];
  for (let i = 0; i < writes.length; i += BATCH_WRITE_MAX_ITEMS) {
    chunks.push(writes.slice(i, i + BATCH_WRITE_MAX_ITEMS));
  }
  const limit = pLimit(opts.parallelCalls);
  await Promise.all(chunks.map((chunk) => limit(() => writeChunk(doc, chunk, opts, result))));
  return result;
}

/**
 * Writes one chunk of at most 25 items (retries included) and reports it like `batchWrite`. The sync's
 * write pipeline sends chunks as soon as they fill, instead of one big list at the end of a page.
 */
export async function batchWriteChunk(
  doc: DynamoDBDocumentClient,
  chunk: readonly PendingWrite[],
  options: Partial<BatchWriteOptions> = {},
): Promise<BatchWriteResult> {
  if (chunk.length > BATCH_WRITE_MAX_ITEMS)
    throw new RangeError(`a chunk holds at most ${BATCH_WRITE_MAX_ITEMS} items`);
  const result: BatchWriteResult = { calls: 0, written: new Map(), failedOwners: new Map() };
  await writeChunk(doc, [...chunk], { ...defaultBatchWriteOptions, ...options }, result);
  return result;
}

async function writeChunk(
  doc: DynamoDBDocumentClient,
  chunk: PendingWrite[],
  opts: BatchWriteOptions,
  result: BatchWriteResult,
): Promise<void> {
  // Unprocessed items come back as plain requests; find their owners again by table + key.
  const byKey = new Map(chunk.map((w) => [keyOf(w), w]));
  let pending = chunk;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const requestItems: Record<string, WriteRequest[]> = {};
    for (const w of pending) {
      const list = requestItems[w.tableName] ?? [];
      list.push(w.request);
      requestItems[w.tableName] = list;
    }
    let unprocessed: PendingWrite[];
    try {
      result.calls++;
      const out = await doc.send(new BatchWriteCommand({ RequestItems: requestItems }));
      unprocessed = [];
      for (const [tableName, requests] of Object.entries(out.UnprocessedItems ?? {})) {
        for (const request of requests) {
          const w = byKey.get(keyOf({ tableName, request: request as WriteRequest, owner: '' }));
          if (w) unprocessed.push(w);
        }
      }
    } catch (error) {
      // Throttling of the whole call is retried like unprocessed items; anything else is final.
      const name = error instanceof Error ? error.name : 'Error';
      const retryable =
        name === 'ProvisionedThroughputExceededException' ||
        name === 'ThrottlingException' ||
        name === 'RequestLimitExceeded' ||
        name === 'InternalServerError';
      if (!retryable || attempt >= opts.maxAttempts) {
        for (const w of pending) result.failedOwners.set(w.owner, `BatchWriteItem failed: ${name}`);
        return;
      }
      unprocessed = pending;
    }
    const unprocessedSet = new Set(unprocessed);
    for (const w of pending) {
      if (!unprocessedSet.has(w)) result.written.set(w.tableName, (result.written.get(w.tableName) ?? 0) + 1);
    }
    pending = unprocessed;
    if (pending.length === 0) return;
    if (attempt >= opts.maxAttempts) {
      for (const w of pending) {
        result.failedOwners.set(w.owner, `items still unprocessed after ${attempt} BatchWriteItem attempts`);
      }
      return;
    }
    await opts.sleep(backoffDelayMs(attempt, opts));
  }
}
