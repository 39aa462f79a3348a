/**
 * The end of a fleet pass, in one place for the worker that settles the last shard and the planner that
 * finds a pass whose last worker died after settling (or a stalled one): `sync.completed` first, then the
 * pass is marked completed. A crash in between stores the same event again (its id is the pass's start)
 * instead of losing it.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { outboxEntriesOf } from '../domain/events/catalogue';
import { syncCompletedEvent } from '../domain/events/rules';
import { type MetricsSink, MetricUnit } from '../platform/observability';
import { OutboxStore } from '../storage/outbox';
import { failedShardsOf, isSettled, type PassRecord, SyncPassStore } from '../storage/sync-passes';

export interface PassCompletionDeps {
  passes: SyncPassStore;
  outbox: OutboxStore;
  metrics: MetricsSink;
  now: () => number;
}

/** The stores a pass ends with, on the main table (the planner's and the worker's). */
export function passCompletionDeps(
  db: DynamoDBDocumentClient,
  mainTableName: string,
  metrics: MetricsSink,
  now: () => number,
): PassCompletionDeps {
  return {
    passes: new SyncPassStore(db, mainTableName),
    outbox: new OutboxStore(db, mainTableName),
    metrics,
    now,
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
      users: pass.users,
      ...pass.devices,
      readings_written: pass.readingsWritten,
      failures: pass.failures,
      shards: pass.shardCount,
      failed_shards: failedShards,
    }),
  ]);
  if (entry) await deps.outbox.putStandalone(entry, deps.now());
  const completed = await deps.passes.complete(pass, at);
  if (completed) {
    deps.metrics.addMetric(
      'SyncPassDuration',
      MetricUnit.Milliseconds,
      deps.now() - Date.parse(pass.startedAt),
    );
    deps.metrics.addMetric('SyncPassFailedShards', MetricUnit.Count, failedShards.length);
  }
  return completed;
}
