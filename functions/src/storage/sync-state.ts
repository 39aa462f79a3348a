/**
 * State of the device sync in the main table (`SYNC_NAMES.partition`: `SYNC#` and the sync's name):
 *
 *   cursor   pk `SYNC#<sync>`  sk `CURSOR`                     (position, lease, pass counters)
 *   shard    pk `SYNC#<sync>`  sk `SHARD#<pass_id>#<index>`     (the same, for one shard of a pass; kept 2 days)
 *   failure  pk `SYNC#<sync>`  sk `FAILURE#<external_user_id>` (last failure per user)
 *   run      pk `SYNC#<sync>`  sk `RUN#<started_at>#<run_id>`   (what one run did; kept 7 days)
 *
 * The cursor item doubles as a lease: a run takes it with a conditional update, so two runs never
 * walk the fleet at once (a 15-minute schedule and a 15-minute timeout can overlap), and every
 * cursor write is conditional on still holding the lease. No transactions are needed.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { SYNC_NAMES } from '../domain/devices/kinds';
import type { SyncFigures } from '../domain/sync-figures';
import { sendIfCondition } from './conditional';
import { figuresItem, figuresOfItem } from './sync-figures';

export const SYNC_PK = SYNC_NAMES.partition;
export const SYNC_CURSOR_SK = 'CURSOR';
export const SYNC_FAILURE_SK_PREFIX = 'FAILURE#';
export const SYNC_RUN_SK_PREFIX = 'RUN#';
/** Run records answer "what did the last passes do": a week of them is plenty (672 at 15 minutes). */
const RUN_RETENTION_SECONDS = 7 * 86_400;

/** What one run did, as GET /sync/status shows it. */
export interface SyncRunRecord {
  runId: string;
  source: string;
  startedAt: string;
  durationMs: number;
  figures: SyncFigures;
  completedPass: boolean;
  stopped: string;
}

const runItemSchema = z.object({
  run_id: z.string(),
  source: z.string(),
  started_at: z.string(),
  duration_ms: z.number(),
  completed_pass: z.boolean(),
  stopped: z.string(),
});
/** Failure records are diagnostics; TTL clears the ones nobody looked at. */
const FAILURE_RETENTION_SECONDS = 30 * 86_400;

export interface SyncCursor {
  /** The last external_user_id of the current pass that was fully processed; null at a pass start. */
  lastExternalUserId: string | null;
  passStartedAt: string | null;
  passesCompleted: number;
  lastPassCompletedAt: string | null;
}

const cursorItemSchema = z.object({
  last_external_user_id: z.string().nullable().optional(),
  pass_started_at: z.string().nullable().optional(),
  passes_completed: z.number().int().nonnegative().optional(),
  last_pass_completed_at: z.string().nullable().optional(),
});

export interface SyncFailure {
  externalUserId: string;
  errorCode: string;
  message: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
}

const failureItemSchema = z.object({
  external_user_id: z.string(),
  error_code: z.string(),
  message: z.string(),
  attempts: z.number(),
  first_failed_at: z.string(),
  last_failed_at: z.string(),
});

/** Another run holds the lease, or took it over after ours expired. */
const ALL_USERS = { after: null, until: null } as const;

export class SyncLeaseLostError extends Error {
  constructor() {
    super(`the ${SYNC_NAMES.logLabel} lease is held by another run`);
    this.name = 'SyncLeaseLostError';
  }
}

/** Progress items of shards outlive their pass by long enough to answer "what happened to shard n". */
const SHARD_PROGRESS_RETENTION_SECONDS = 2 * 86_400;

/** The progress item's sort key of one shard of a pass (its lease and cursor). */
export const shardProgressKey = (passId: string, index: number) => `SHARD#${passId}#${index}`;

export class SyncStateStore {
  private readonly cursorKey: { pk: string; sk: string };

  /**
   * `progressKey`: whose lease and cursor this store moves: the whole walk's (`CURSOR`, the default) or
   * one shard's (`shardProgressKey`).
   */
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    progressKey: string = SYNC_CURSOR_SK,
  ) {
    this.cursorKey = { pk: SYNC_PK, sk: progressKey };
    this.expiresAt =
      progressKey === SYNC_CURSOR_SK
        ? undefined
        : (nowMs: number) => Math.floor(nowMs / 1000) + SHARD_PROGRESS_RETENTION_SECONDS;
  }

  private readonly expiresAt: ((nowMs: number) => number) | undefined;

  /**
   * Takes the lease until `leaseExpiresAt` (epoch ms) unless another unexpired lease exists.
   * Returns the stored cursor, or null when another run holds the lease.
   */
  async acquireLease(owner: string, nowMs: number, leaseExpiresAtMs: number): Promise<SyncCursor | null> {
    const out = await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.cursorKey,
          UpdateExpression: `SET lease_owner = :owner, lease_expires_at = :exp${this.expiresAt ? ', expires_at = :ttl' : ''}`,
          ConditionExpression: 'attribute_not_exists(lease_expires_at) OR lease_expires_at < :now',
          ExpressionAttributeValues: {
            ':owner': owner,
            ':exp': leaseExpiresAtMs,
            ':now': nowMs,
            ...(this.expiresAt ? { ':ttl': this.expiresAt(nowMs) } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (out === undefined) return null;
    const row = cursorItemSchema.parse(out.Attributes ?? {});
    return {
      lastExternalUserId: row.last_external_user_id ?? null,
      passStartedAt: row.pass_started_at ?? null,
      passesCompleted: row.passes_completed ?? 0,
      lastPassCompletedAt: row.last_pass_completed_at ?? null,
    };
  }

  /** Persists the position; fails with SyncLeaseLostError if this run no longer holds the lease. */
  async saveCursor(owner: string, cursor: SyncCursor): Promise<void> {
    const written = await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.cursorKey,
          UpdateExpression:
            'SET last_external_user_id = :last, pass_started_at = :started, passes_completed = :passes, last_pass_completed_at = :completed',
          ConditionExpression: 'lease_owner = :owner',
          ExpressionAttributeValues: {
            ':owner': owner,
            ':last': cursor.lastExternalUserId,
            ':started': cursor.passStartedAt,
            ':passes': cursor.passesCompleted,
            ':completed': cursor.lastPassCompletedAt,
          },
        }),
      ),
    );
    if (written === undefined) throw new SyncLeaseLostError();
  }

  async releaseLease(owner: string): Promise<void> {
    await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.cursorKey,
          UpdateExpression: 'REMOVE lease_owner, lease_expires_at',
          ConditionExpression: 'lease_owner = :owner',
          ExpressionAttributeValues: { ':owner': owner },
        }),
      ),
    );
  }

  async getCursor(): Promise<SyncCursor | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: this.cursorKey, ConsistentRead: true }),
    );
    if (!out.Item) return null;
    const row = cursorItemSchema.parse(out.Item);
    return {
      lastExternalUserId: row.last_external_user_id ?? null,
      passStartedAt: row.pass_started_at ?? null,
      passesCompleted: row.passes_completed ?? 0,
      lastPassCompletedAt: row.last_pass_completed_at ?? null,
    };
  }

  /** Records (or counts again) a user's failure. `message` must already be safe to store. */
  async recordFailure(externalUserId: string, errorCode: string, message: string, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: SYNC_PK, sk: `${SYNC_FAILURE_SK_PREFIX}${externalUserId}` },
        UpdateExpression:
          'SET external_user_id = :ext, error_code = :code, message = :msg, last_failed_at = :at, first_failed_at = if_not_exists(first_failed_at, :at), expires_at = :exp ADD attempts :one',
        ExpressionAttributeValues: {
          ':ext': externalUserId,
          ':code': errorCode,
          ':msg': message,
          ':at': at,
          ':exp': Math.floor(Date.parse(at) / 1000) + FAILURE_RETENTION_SECONDS,
          ':one': 1,
        },
      }),
    );
  }

  async recordRun(run: SyncRunRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: SYNC_PK,
          sk: `${SYNC_RUN_SK_PREFIX}${run.startedAt}#${run.runId}`,
          run_id: run.runId,
          source: run.source,
          started_at: run.startedAt,
          duration_ms: run.durationMs,
          ...figuresItem(run.figures),
          completed_pass: run.completedPass,
          stopped: run.stopped,
          expires_at: Math.floor(Date.parse(run.startedAt) / 1000) + RUN_RETENTION_SECONDS,
        },
      }),
    );
  }

  /** The latest runs, newest first. */
  async latestRuns(limit: number): Promise<SyncRunRecord[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': SYNC_PK, ':prefix': SYNC_RUN_SK_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((item) => {
      const row = runItemSchema.parse(item);
      return {
        runId: row.run_id,
        source: row.source,
        startedAt: row.started_at,
        durationMs: row.duration_ms,
        figures: figuresOfItem(item),
        completedPass: row.completed_pass,
        stopped: row.stopped,
      };
    });
  }

  async clearFailure(externalUserId: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: SYNC_PK, sk: `${SYNC_FAILURE_SK_PREFIX}${externalUserId}` },
      }),
    );
  }

  /**
   * The failure records, all of them or those of the users in a range of the walk (`after` exclusive,
   * `until` inclusive, null for open): a shard reads only its own.
   */
  async listFailures(
    range: { after: string | null; until: string | null } = ALL_USERS,
  ): Promise<SyncFailure[]> {
    const failures: SyncFailure[] = [];
    let startKey: Record<string, unknown> | undefined;
    const from = `${SYNC_FAILURE_SK_PREFIX}${range.after ?? ''}`;
    // The next sort key after every id the range holds: `FAILURE#<until>` itself, or past the prefix.
    const to =
      range.until === null ? `${SYNC_FAILURE_SK_PREFIX}\uffff` : `${SYNC_FAILURE_SK_PREFIX}${range.until}`;
    for (let page = 0; page < 1000; page++) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': SYNC_PK, ':from': from, ':to': to },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const row = failureItemSchema.parse(item);
        // BETWEEN includes its lower bound: `after` itself belongs to the previous range.
        if (range.after !== null && row.external_user_id === range.after) continue;
        failures.push({
          externalUserId: row.external_user_id,
          errorCode: row.error_code,
          message: row.message,
          attempts: row.attempts,
          firstFailedAt: row.first_failed_at,
          lastFailedAt: row.last_failed_at,
        });
      }
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    return failures;
  }
}
