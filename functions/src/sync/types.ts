/** The sync engine's settings, dependencies, inputs and summary (a leaf: run.ts and sync.ts both read it). */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChargingConfigUpstream } from '../devices/charging-config';
import type { ChangeReadBacksUpstream, DeviceUpstream } from '../domain/devices/kinds';
import type { FleetCensus } from '../domain/fleet-census';
import type { SyncFigures } from '../domain/sync-figures';
import type { Clock } from '../platform/clock';
import type { MetricsSink, RequestLogger } from '../platform/observability';
import type { BatchWriteOptions } from '../storage/batch-write';
import type { SnapshotLoaderOptions } from './snapshot-loader';

export interface SyncSettings {
  mainTableName: string;
  readingsTableName: string;
  readingsRetentionDays: number;
  /** The stage's sync interval (SYNC_INTERVAL_MINUTES): the unit of every kind's stale threshold. */
  syncIntervalMs: number;
  syncConcurrency: number;
  safetyMarginMs: number;
  userPageSize: number;
  /** Default OUTAGE_STOP_THRESHOLD_DEFAULT. */
  outageStopThreshold?: number;
  /** How often every kind is asked about for a user (domain/devices/kind-plan.ts); default DEVICE_KINDS_RECHECK_MS_DEFAULT. */
  deviceKindsRecheckMs?: number;
}

/** A day: kinds are discovered when an onboarding session completes, the recheck finds the others. */
export const DEVICE_KINDS_RECHECK_MS_DEFAULT = 24 * 3_600_000;

/**
 * The Podero client calls the engine makes: every kind's (domain/devices/kinds.ts), and CC1 for a user
 * with a pending charging-configuration change (sync/charging-config.ts).
 */
export type SyncUpstream = DeviceUpstream &
  ChangeReadBacksUpstream & { chargingConfig: Pick<ChargingConfigUpstream['chargingConfig'], 'get'> };

/**
 * The sync's dependencies: one bag, under these names, from the worker's deps factory
 * (lambdas/syncWorker/deps.ts, whose bundle extends it) through the shard worker and the run down to the
 * write pipeline. A layer that needs less takes a `Pick<>` of it, never a renamed copy.
 */
export interface SyncRunDeps {
  readonly db: DynamoDBDocumentClient;
  readonly podero: SyncUpstream;
  /** The sync's part of its function's configuration (SyncConfig satisfies it). */
  readonly config: SyncSettings;
  readonly logger: Pick<RequestLogger, 'info' | 'warn' | 'error'>;
  readonly metrics: MetricsSink;
  readonly now: Clock;
  readonly batchWriteOptions?: Partial<BatchWriteOptions>;
  readonly snapshotLoaderOptions?: Partial<SnapshotLoaderOptions>;
}

export interface SyncRunInput {
  /** Unique per invocation (the Lambda request id): the lease owner. */
  runId: string;
  source: string;
  /** How much time the run has left, in ms (its function passes the invocation's remaining time). */
  remainingTimeMs: () => number;
  /** The part of the walk this run covers; default the whole walk (`WHOLE_WALK`). */
  scope?: SyncScope;
}

/**
 * The range of the user walk one run covers and what happens when it reaches the range's end. The engine
 * is the same for both shapes (ADR 0012): the whole walk (a scheduled run that spans invocations through
 * its cursor) and one shard of a fleet pass (a worker's run; the pass completes when its last shard does).
 */
export interface SyncScope {
  /** Sort key of the item holding this range's lease and cursor (`CURSOR`, or `shardProgressKey`). */
  readonly progressKey: string;
  /** The walk starts after this id (exclusive); null: at the first user. */
  readonly after: string | null;
  /** ...and ends at this id (inclusive); null: at the last user. */
  readonly until: string | null;
  /**
   * Called once the walk has reached the range's end, before the cursor is reset; `passStartedAt` is when
   * the range's first run began. Whole walk: stores `sync.completed`. Shard: settles the shard.
   */
  readonly completed?: (
    figures: SyncFigures,
    passStartedAt: string | null,
    census: FleetCensus,
  ) => Promise<void>;
}

export type SyncStopReason =
  | 'completed_pass'
  | 'time_budget'
  | 'upstream_outage'
  | 'lease_held'
  | 'lease_lost';

/**
 * What a run did, as its function returns and logs it (`summary`): the sync's figures plus the run's own
 * (writes, calls, time, why it stopped).
 */
export interface SyncSummary extends SyncFigures {
  run_id: string;
  source: string;
  snapshots_written: number;
  batch_write_calls: number;
  duration_ms: number;
  completed_pass: boolean;
  stopped: SyncStopReason;
  /** The last external_user_id processed in the current pass (null after a completed pass). */
  cursor: string | null;
  /** The devices of the users this run planned, per connection state (the fleet's daily trend). */
  census: FleetCensus;
}
