/**
 * The fleet sync's planner (the scheduled sync; ADR 0012): cuts the onboarded users into
 * shards of at most `shardSize` (shards.ts), begins a pass with them (storage/sync-passes.ts) and puts one
 * message per shard on the sync-shards queue, which the sync's worker consumes with at most W workers
 * at once. A pass still running is left alone (two passes never overlap); one whose shards stopped
 * settling is closed (its unsettled shards `lost`) before the next begins, and one whose last worker died
 * after settling the last shard is completed here.
 */

import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SYNC_NAMES } from '../domain/devices/kinds';
import type { Clock } from '../platform/clock';
import { type MetricsSink, MetricUnit, type RequestLogger } from '../platform/observability';
import { type PassRecord, type SyncPassStore, shardsWith } from '../storage/sync-passes';
import { USERS_GSI, USERS_GSI_PK } from '../storage/users';
import { completeIfSettled, type PassCompletionDeps, passCompletionDeps } from './pass';
import type { ShardQueue } from './shard-queue';
import { ShardPlanner } from './shards';

export interface PlannerSettings {
  mainTableName: string;
  shardSize: number;
  /** A running pass none of whose shards settled for this long is closed as stalled. */
  stalledAfterMs: number;
}

export interface PlannerDeps {
  db: DynamoDBDocumentClient;
  queue: Pick<ShardQueue, 'enqueue'>;
  config: PlannerSettings;
  logger: Pick<RequestLogger, 'info' | 'warn'>;
  metrics: MetricsSink;
  now: Clock;
}

export interface PlanSummary {
  pass_id: string | null;
  source: string;
  /** `planned`: a pass began; `pass_running`: the last one is still being synced. */
  outcome: 'planned' | 'pass_running';
  users: number;
  shards: number;
  /** The pass this run closed or completed first (a stalled one, or one whose last worker died). */
  closed_pass_id: string | null;
  duration_ms: number;
}

/** Keys only, a page at a time: 1,000,000 users is a few hundred Queries of ids. */
async function* walkUserIds(db: DynamoDBDocumentClient, tableName: string): AsyncGenerator<string> {
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < 1_000_000; page++) {
    const out = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: USERS_GSI,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': USERS_GSI_PK },
        ProjectionExpression: 'gsi1sk',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) if (typeof item.gsi1sk === 'string') yield item.gsi1sk;
    startKey = out.LastEvaluatedKey;
    if (!startKey) return;
  }
}

export class SyncPlanner {
  private readonly passes: SyncPassStore;
  private readonly completion: PassCompletionDeps;

  constructor(private readonly deps: PlannerDeps) {
    this.completion = passCompletionDeps(deps);
    this.passes = this.completion.passes;
  }

  async plan(input: { passId: string; source: string }): Promise<PlanSummary> {
    const startedMs = this.deps.now();
    const summary = (fields: Omit<PlanSummary, 'source' | 'duration_ms'>): PlanSummary =>
      this.finish({ ...fields, source: input.source, duration_ms: this.deps.now() - startedMs });
    const closed = await this.settleCurrent(startedMs);
    if (closed.running !== null) return summary(this.stillRunning(closed.running, startedMs, closed.passId));

    const planner = new ShardPlanner(this.deps.config.shardSize);
    for await (const id of walkUserIds(this.deps.db, this.deps.config.mainTableName)) planner.add(id);
    const shards = planner.shards();
    const begun = await this.passes.begin({
      passId: input.passId,
      source: input.source,
      startedAt: new Date(startedMs).toISOString(),
      shardCount: shards.length,
    });
    // Another planner began one in between (two schedules overlapping).
    if (!begun.begun) return summary(this.stillRunning(begun.running, startedMs, closed.passId));
    await this.deps.queue.enqueue(
      shards.map((s) => ({ v: 1, pass_id: input.passId, shard: s.index, after: s.after, until: s.until })),
    );
    this.deps.metrics.addMetric('SyncPassShards', MetricUnit.Count, shards.length);
    this.deps.metrics.addMetric('SyncPassUsers', MetricUnit.Count, planner.users);
    return summary({
      pass_id: input.passId,
      outcome: 'planned',
      users: planner.users,
      shards: shards.length,
      closed_pass_id: closed.passId,
    });
  }

  /**
   * The current pass, brought to an end where it can be: a stalled one (no shard settled for
   * `stalledAfterMs`: its unsettled shards' messages ran out of receives without a worker settling them)
   * gets those shards marked lost; a settled one is completed. What is still running afterwards is returned.
   */
  private async settleCurrent(nowMs: number): Promise<{ running: PassRecord | null; passId: string | null }> {
    let current = await this.passes.current();
    if (current === null || current.status === 'completed') return { running: null, passId: null };
    const staleBefore = new Date(nowMs - this.deps.config.stalledAfterMs).toISOString();
    if (current.updatedAt < staleBefore) {
      this.deps.logger.warn('closing a stalled sync pass', {
        pass_id: current.passId,
        pending_shards: shardsWith(current, 'pending').length,
      });
      current = await this.passes.markPendingLost(current, new Date(nowMs).toISOString());
    }
    if (await completeIfSettled(this.completion, current)) return { running: null, passId: current.passId };
    const fresh = await this.passes.current();
    return { running: fresh?.status === 'running' ? fresh : null, passId: null };
  }

  /** The pass is still running: nothing planned; its age so far feeds the pass-duration alarm. */
  private stillRunning(
    running: PassRecord | null,
    nowMs: number,
    closedPassId: string | null,
  ): Omit<PlanSummary, 'source' | 'duration_ms'> {
    if (running) {
      this.deps.metrics.addMetric(
        'SyncPassDuration',
        MetricUnit.Milliseconds,
        nowMs - Date.parse(running.startedAt),
      );
    }
    return {
      pass_id: running?.passId ?? null,
      outcome: 'pass_running',
      users: 0,
      shards: running?.shardCount ?? 0,
      closed_pass_id: closedPassId,
    };
  }

  private finish(summary: PlanSummary): PlanSummary {
    this.deps.logger.info(`${SYNC_NAMES.logLabel} plan`, { summary });
    this.deps.metrics.publishStoredMetrics();
    return summary;
  }
}
