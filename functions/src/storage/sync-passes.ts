/**
 * The fleet sync's passes in the main table (ADR 0012):
 *
 *   current  pk `SYNC#<sync>`  sk `PASS`                          (the pass being synced, or the last one)
 *   history  pk `SYNC#<sync>`  sk `PASS#<started_at>#<pass_id>`   (a finished pass; kept 7 days)
 *
 * The planner begins a pass with a conditional write on the current item (only when the last one
 * completed, or stopped moving), so two passes never run at once. Each shard settles once (`done` or
 * `failed`) with a condition on its own entry of the `shards` map, adding its figures; whoever settles
 * the last shard completes the pass. Every step is a single-item conditional write: no transactions.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { CONNECTION_STATES } from '../domain/devices/rules';
import { emptyCensus, type FleetCensus } from '../domain/fleet-census';
import type { SyncFigures } from '../domain/sync-figures';
import { sendIfCondition } from './conditional';
import { addFiguresUpdate, figuresItem, figuresOfItem, zeroFiguresUpdate } from './sync-figures';
import { SYNC_PK } from './sync-state';

const PASS_SK = 'PASS';
const PASS_HISTORY_PREFIX = 'PASS#';
const HISTORY_RETENTION_SECONDS = 7 * 86_400;

/** `lost`: still pending when its pass was closed as stalled (its message never came back). */
export type ShardStatus = 'pending' | 'done' | 'failed' | 'lost';

export interface PassRecord {
  passId: string;
  source: string;
  startedAt: string;
  /** Last time a shard settled (or the pass began): what tells a stalled pass from a long one. */
  updatedAt: string;
  status: 'running' | 'completed';
  shardCount: number;
  shards: Record<string, ShardStatus>;
  shardsDone: number;
  shardsFailed: number;
  completedAt: string | null;
  passesCompleted: number;
  lastPassCompletedAt: string | null;
  /** What its shards synced so far (added to as they settle, and by runs that ran out of time). */
  figures: SyncFigures;
  /** The devices its runs saw, per connection state (added to like `figures`). */
  census: FleetCensus;
}

const shardStatusSchema = z.enum(['pending', 'done', 'failed', 'lost']);
const passItemSchema = z.object({
  pass_id: z.string(),
  source: z.string(),
  started_at: z.string(),
  updated_at: z.string(),
  status: z.enum(['running', 'completed']),
  shard_count: z.number().int().min(1),
  shards: z.record(z.string(), shardStatusSchema),
  shards_done: z.number().int().min(0).optional(),
  shards_failed: z.number().int().min(0).optional(),
  completed_at: z.string().nullable().optional(),
  passes_completed: z.number().int().min(0).optional(),
  last_pass_completed_at: z.string().nullable().optional(),
});

function passOf(item: Record<string, unknown>): PassRecord {
  const row = passItemSchema.parse(item);
  return {
    passId: row.pass_id,
    source: row.source,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    status: row.status,
    shardCount: row.shard_count,
    shards: row.shards,
    shardsDone: row.shards_done ?? 0,
    shardsFailed: row.shards_failed ?? 0,
    completedAt: row.completed_at ?? null,
    passesCompleted: row.passes_completed ?? 0,
    lastPassCompletedAt: row.last_pass_completed_at ?? null,
    figures: figuresOfItem(item),
    census: censusOfItem(item),
  };
}

/**
 * The census as the pass item's attributes (`census_<state>`, `census_stale`): top-level numbers, so that a
 * run adds its part with ADD, in the same write that adds its figures. A pass begun before the census was
 * kept reads as zero devices; `census_stale` absent reads as not judged.
 */
const censusAttribute = (state: string) => `census_${state}`;
const censusCount = z.number().int().min(0);
const censusShape: Record<string, z.ZodDefault<z.ZodNumber> | z.ZodOptional<z.ZodNumber>> = {
  census_stale: censusCount.optional(),
};
for (const state of CONNECTION_STATES) censusShape[censusAttribute(state)] = censusCount.default(0);
const censusItemSchema = z.object(censusShape);

function censusOfItem(item: Record<string, unknown>): FleetCensus {
  const row = censusItemSchema.parse(item) as Record<string, number | undefined>;
  const census = emptyCensus();
  for (const state of CONNECTION_STATES) census.connection[state] = row[censusAttribute(state)] ?? 0;
  census.stale = row.census_stale ?? null;
  return census;
}

/** An update's `ADD` clauses adding `census` to the pass's (nothing for `stale` while it is not judged). */
function addCensusUpdate(census: FleetCensus): { add: string; values: Record<string, number> } {
  const clauses: (readonly [string, string, number])[] = CONNECTION_STATES.map(
    (state, i) => [`${censusAttribute(state)} :census${i}`, `:census${i}`, census.connection[state]] as const,
  );
  if (census.stale !== null) clauses.push(['census_stale :censusStale', ':censusStale', census.stale]);
  return {
    add: clauses.map(([clause]) => clause).join(', '),
    values: Object.fromEntries(clauses.map(([, name, value]) => [name, value])),
  };
}

/**
 * Shard indexes by status, in index order: the map's keys are array indexes, which JavaScript always
 * enumerates in ascending numeric order, whatever order DynamoDB returned them in.
 */
export function shardsWith(pass: Pick<PassRecord, 'shards'>, status: ShardStatus): number[] {
  return Object.entries(pass.shards)
    .filter(([, s]) => s === status)
    .map(([index]) => Number(index));
}

/** The shards whose users this pass did not sync: failed on every receive, or lost. In index order. */
export function failedShardsOf(pass: Pick<PassRecord, 'shards'>): number[] {
  return [...shardsWith(pass, 'failed'), ...shardsWith(pass, 'lost')].sort((a, b) => a - b);
}

/** Every shard has settled: the pass can complete. */
export const isSettled = (pass: PassRecord) => pass.shardsDone + pass.shardsFailed >= pass.shardCount;

export class SyncPassStore {
  private readonly key = { pk: SYNC_PK, sk: PASS_SK };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async current(): Promise<PassRecord | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }),
    );
    return out.Item && 'pass_id' in out.Item ? passOf(out.Item) : null;
  }

  /**
   * Begins a pass of `shardCount` pending shards unless one is running (the planner completes or closes
   * the last one first). `{ begun: false }` comes with the running pass.
   */
  async begin(pass: {
    passId: string;
    source: string;
    startedAt: string;
    shardCount: number;
  }): Promise<{ begun: true } | { begun: false; running: PassRecord | null }> {
    const shards = Object.fromEntries(
      Array.from({ length: pass.shardCount }, (_, i) => [String(i), 'pending']),
    );
    const zero = zeroFiguresUpdate();
    const out = await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key,
          UpdateExpression: `SET pass_id = :id, #source = :source, started_at = :at, updated_at = :at, #status = :running, shard_count = :n, shards = :shards, shards_done = :zero, shards_failed = :zero, ${zero.set}, completed_at = :null, ${CONNECTION_STATES.map((state) => `${censusAttribute(state)} = :zero`).join(', ')} REMOVE census_stale`,
          ConditionExpression: 'attribute_not_exists(pass_id) OR #status = :completed',
          ExpressionAttributeNames: { '#source': 'source', '#status': 'status', ...zero.names },
          ExpressionAttributeValues: {
            ...zero.values,
            ':id': pass.passId,
            ':source': pass.source,
            ':at': pass.startedAt,
            ':running': 'running',
            ':completed': 'completed',
            ':n': pass.shardCount,
            ':shards': shards,
            ':zero': 0,
            ':null': null,
          },
        }),
      ),
    );
    if (out === undefined) return { begun: false, running: await this.current() };
    return { begun: true };
  }

  /**
   * Settles one shard once, adding its figures; null when it was settled before (a redelivered message)
   * or belongs to a pass that is no longer current. Returns the pass as it is after the write.
   */
  async settleShard(
    passId: string,
    index: number,
    outcome: 'done' | 'failed',
    figures: SyncFigures,
    at: string,
    census: FleetCensus = emptyCensus(),
  ): Promise<PassRecord | null> {
    const add = addFiguresUpdate(figures);
    const seen = addCensusUpdate(census);
    const out = await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key,
          UpdateExpression: `SET shards.#i = :outcome, updated_at = :at ADD ${outcome === 'done' ? 'shards_done' : 'shards_failed'} :one, ${add.add}, ${seen.add}`,
          ConditionExpression: 'pass_id = :pass AND shards.#i = :pending',
          ExpressionAttributeNames: { '#i': String(index), ...add.names },
          ExpressionAttributeValues: {
            ':outcome': outcome,
            ':at': at,
            ':one': 1,
            ...add.values,
            ...seen.values,
            ':pass': passId,
            ':pending': 'pending',
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out?.Attributes ? passOf(out.Attributes) : null;
  }

  /** A run that ended without settling its shard (out of time, Podero out): its figures still count. */
  async addFigures(
    passId: string,
    figures: SyncFigures,
    at: string,
    census: FleetCensus = emptyCensus(),
  ): Promise<void> {
    const add = addFiguresUpdate(figures);
    const seen = addCensusUpdate(census);
    await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key,
          UpdateExpression: `SET updated_at = :at ADD ${add.add}, ${seen.add}`,
          ConditionExpression: 'pass_id = :pass',
          ExpressionAttributeNames: add.names,
          ExpressionAttributeValues: {
            ':at': at,
            ...add.values,
            ...seen.values,
            ':pass': passId,
          },
        }),
      ),
    );
  }

  /** A stalled pass's shards that never settled are marked lost, so the pass can complete. */
  async markPendingLost(pass: PassRecord, at: string): Promise<PassRecord> {
    const pending = shardsWith(pass, 'pending');
    if (pending.length === 0) return pass;
    const names = Object.fromEntries(pending.map((index) => [`#s${index}`, String(index)]));
    const out = await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key,
          UpdateExpression: `SET ${pending.map((index) => `shards.#s${index} = :lost`).join(', ')}, updated_at = :at ADD shards_failed :n`,
          ConditionExpression: `pass_id = :pass AND ${pending.map((index) => `shards.#s${index} = :pending`).join(' AND ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ':lost': 'lost',
            ':pending': 'pending',
            ':pass': pass.passId,
            ':at': at,
            ':n': pending.length,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    // A shard settled meanwhile: read again, the caller decides with the fresh record.
    if (out?.Attributes) return passOf(out.Attributes);
    const fresh = await this.current();
    return fresh !== null && fresh.passId === pass.passId ? this.markPendingLost(fresh, at) : pass;
  }

  /**
   * Marks a settled pass completed (once: true for the one caller that did) and keeps its record in the
   * history. The caller stores `sync.completed` before this, so a crash in between repeats the event
   * under the same id instead of losing it.
   */
  async complete(pass: PassRecord, at: string): Promise<boolean> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: SYNC_PK,
          sk: `${PASS_HISTORY_PREFIX}${pass.startedAt}#${pass.passId}`,
          ...historyItemOf(pass, at),
          expires_at: Math.floor(Date.parse(at) / 1000) + HISTORY_RETENTION_SECONDS,
        },
      }),
    );
    const out = await sendIfCondition(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key,
          UpdateExpression:
            'SET #status = :completed, completed_at = :at, last_pass_completed_at = :at, updated_at = :at ADD passes_completed :one',
          ConditionExpression: 'pass_id = :pass AND #status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':completed': 'completed',
            ':running': 'running',
            ':at': at,
            ':one': 1,
            ':pass': pass.passId,
          },
        }),
      ),
    );
    return out !== undefined;
  }

  /** The latest finished passes, newest first. */
  async history(limit: number): Promise<PassHistoryRecord[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': SYNC_PK, ':prefix': PASS_HISTORY_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(historyOf);
  }
}

/** A completed pass as its history keeps it. */
export interface PassHistoryRecord {
  passId: string;
  source: string;
  startedAt: string;
  completedAt: string;
  shardCount: number;
  /** Failed and lost shards, in index order. */
  failedShards: number[];
  figures: SyncFigures;
}

const historySchema = z.object({
  pass_id: z.string(),
  source: z.string(),
  started_at: z.string(),
  completed_at: z.string(),
  shards: z.number().int(),
  failed_shards: z.array(z.number().int()),
});

function historyOf(item: Record<string, unknown>): PassHistoryRecord {
  const row = historySchema.parse(item);
  return {
    passId: row.pass_id,
    source: row.source,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    shardCount: row.shards,
    failedShards: row.failed_shards,
    figures: figuresOfItem(item),
  };
}

function historyItemOf(pass: PassRecord, at: string): Record<string, unknown> {
  return {
    pass_id: pass.passId,
    source: pass.source,
    started_at: pass.startedAt,
    completed_at: at,
    shards: pass.shardCount,
    failed_shards: failedShardsOf(pass),
    ...figuresItem(pass.figures),
  };
}
