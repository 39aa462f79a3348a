/** The sync engine's settings, dependencies, inputs and figures (a leaf: run.ts and sync.ts both read it). */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeviceFigures, DeviceUpstream } from '../domain/devices/kinds';
import type { MetricsSink, RequestLogger } from '../platform/observability';
import type { BatchWriteOptions } from '../storage/batch-write';
import type { SnapshotLoaderOptions } from './snapshot-loader';

export interface SyncSettings {
  mainTableName: string;
  readingsTableName: string;
  readingsRetentionDays: number;
  syncConcurrency: number;
  safetyMarginMs: number;
  userPageSize: number;
  /** Default OUTAGE_STOP_THRESHOLD_DEFAULT. */
  outageStopThreshold?: number;
}

/** The Podero client calls the engine makes: every kind's (domain/devices/kinds.ts). */
export type SyncUpstream = DeviceUpstream;

export interface SyncRunDeps {
  db: DynamoDBDocumentClient;
  podero: SyncUpstream;
  settings: SyncSettings;
  logger: Pick<RequestLogger, 'info' | 'warn'>;
  metrics: MetricsSink;
  now: () => number;
  batchWriteOptions?: Partial<BatchWriteOptions>;
  snapshotLoaderOptions?: Partial<SnapshotLoaderOptions>;
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

/** What a run did, as the scope's completion receives it. */
export interface SyncRangeFigures {
  users: number;
  devices: DeviceFigures;
  readingsWritten: number;
  failures: number;
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
  readonly completed?: (figures: SyncRangeFigures, passStartedAt: string | null) => Promise<void>;
}

export type SyncStopReason =
  | 'completed_pass'
  | 'time_budget'
  | 'upstream_outage'
  | 'lease_held'
  | 'lease_lost';

/** The run's figures; the devices counted are one field per kind (DeviceKind.figure). */
export interface SyncSummary extends DeviceFigures {
  run_id: string;
  source: string;
  users: number;
  readings_written: number;
  snapshots_written: number;
  failures: number;
  batch_write_calls: number;
  duration_ms: number;
  completed_pass: boolean;
  stopped: SyncStopReason;
  /** The last external_user_id processed in the current pass (null after a completed pass). */
  cursor: string | null;
}
