/**
 * The sync's passes and runs as `GET /sync/status` shows them (and the local stack's scheduled `heat-pump-sync`
 * answers). Their figures are the response's fields under their own names (domain/sync-figures.ts): spread,
 * never renamed.
 */
import { pickSyncFigures } from '../domain/sync-figures';
import { failedShardsOf, type PassHistoryRecord, type PassRecord } from '../storage/sync-passes';
import type { SyncRunRecord } from '../storage/sync-state';
import type { SyncStatus } from './schemas';

export type FleetPassView = NonNullable<SyncStatus['fleet_pass']>;
type PassHistoryView = SyncStatus['passes'][number];
type RunView = SyncStatus['runs'][number];

/** The current (or last) fleet pass. */
export function fleetPassView(pass: PassRecord): FleetPassView {
  return {
    pass_id: pass.passId,
    status: pass.status,
    started_at: pass.startedAt,
    completed_at: pass.completedAt,
    shards: pass.shardCount,
    shards_done: pass.shardsDone,
    failed_shards: failedShardsOf(pass),
    ...pickSyncFigures(pass.figures),
  };
}

/** A completed fleet pass, from its history. */
export function passHistoryView(pass: PassHistoryRecord): PassHistoryView {
  return {
    pass_id: pass.passId,
    started_at: pass.startedAt,
    completed_at: pass.completedAt,
    shards: pass.shardCount,
    failed_shards: pass.failedShards,
    ...pickSyncFigures(pass.figures),
  };
}

/** One run (a worker on one shard, or a whole-walk run). */
export function runView(run: SyncRunRecord): RunView {
  return {
    run_id: run.runId,
    source: run.source,
    started_at: run.startedAt,
    duration_ms: run.durationMs,
    ...pickSyncFigures(run.figures),
    completed_pass: run.completedPass,
    stopped: run.stopped,
  };
}
