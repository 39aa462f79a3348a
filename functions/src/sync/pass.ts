/**
 * The end of a fleet pass, in one place for the worker that settles the last shard and the planner that
 * finds a pass whose last worker died after settling (or a stalled one): `sync.completed` first, then the
 * pass is marked completed. A crash in between stores the same event again (its id is the pass's start)
 * instead of losing it.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { outboxEntriesOf } from '../domain/events/catalogue';
import { syncCompletedEvent } from '../domain/events/rules';
import { pickSyncFigures } from '../domain/sync-figures';
import type { Clock } from '../platform/clock';
import { type MetricsSink, MetricUnit } from '../platform/observability';
import { FleetDailyStore } from '../storage/fleet-daily';
import { OutboxStore } from '../storage/outbox';
import { failedShardsOf, isSettled, type PassRecord, SyncPassStore } from '../storage/sync-passes';

export interface PassCompletionDeps {
  passes: SyncPassStore;
  outbox: OutboxStore;
  /** The day's fleet figures: the completed pass's census and duration (the console's trends). */
  daily: Pick<FleetDailyStore, 'recordPass'>;
  metrics: MetricsSink;
  now: Clock;
}

/** The stores a pass ends with, on the main table, from the planner's or the worker's dependencies. */
export function passCompletionDeps(deps: {
  readonly db: DynamoDBDocumentClient;
  readonly config: { readonly mainTableName: string };
  readonly metrics: MetricsSink;
  readonly now: Clock;
}): PassCompletionDeps {
  return {
    passes: new SyncPassStore(deps.db, deps.config.mainTableName),
    outbox: new OutboxStore(deps.db, deps.config.mainTableName),
    daily: new FleetDailyStore(deps.db, deps.config.mainTableName),
    metrics: deps.metrics,
    now: deps.now,
  };
}

/** Completes `pass` if every shard has settled; true when this call completed it. */
export async function completeIfSettled(deps: PassCompletionDeps, pass: PassRecord): Promise<boolean> {
  if (pass.status !== 'running' || !isSettled(pass)) return false;
  const at = new Date(deps.now()).toISOString();
  const failedShards = failedShardsOf(pass);
  const [entry] = outboxEntriesOf([
    syncCompletedEvent({
      run_id: pass.passId,
      pass_started_at: pass.startedAt,
      completed_at: at,
      ...pickSyncFigures(pass.figures),
      shards: pass.shardCount,
      failed_shards: failedShards,
    }),
  ]);
  if (entry) await deps.outbox.putStandalone(entry, deps.now());
  const completed = await deps.passes.complete(pass, at);
  if (completed) {
    const durationMs = deps.now() - Date.parse(pass.startedAt);
    deps.metrics.addMetric('SyncPassDuration', MetricUnit.Milliseconds, durationMs);
    // Once per pass, by the one caller that completed it; a lost write costs a day's point, not the pass.
    await deps.daily.recordPass(deps.now(), { durationMs, census: pass.census }).catch(() => {
      deps.metrics.addMetric('FleetDailyWriteFailed', MetricUnit.Count, 1);
    });
    deps.metrics.addMetric('SyncPassFailedShards', MetricUnit.Count, failedShards.length);
  }
  return completed;
}
