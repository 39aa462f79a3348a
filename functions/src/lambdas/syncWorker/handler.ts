import type { SQSClient } from '@aws-sdk/client-sqs';
import { createNodeHttpFetch } from '@podero-bridge/podero-client';
import type { SyncConfig } from '../../config';
import { queueDeclarations } from '../../declarations';
import { createSqsClient } from '../../platform/aws-clients';
import { sleep as sleepFor } from '../../platform/backoff';
import { createDocumentClient } from '../../platform/dynamodb-client';
import { coldStartFlag, invocationKeys, withLogKeys } from '../../platform/observability';
import { rateLimitedFetch, SharedRateLimiter } from '../../platform/podero-rate-limit';
import { passThroughTracing } from '../../platform/tracing';
import type { BatchWriteOptions } from '../../storage/batch-write';
import { RateBudgetStore } from '../../storage/rate-budget';
import { parseSyncFunctionEvent, syncEventSchema } from '../../sync/event';
import { shardEventSchema } from '../../sync/shard-message';
import { ShardQueue } from '../../sync/shard-queue';
import { runHeatPumpSync, type SyncSummary, type SyncUpstream } from '../../sync/sync';
import { DELETES_MESSAGE, ShardWorker } from '../../sync/worker';
import { createFleetDeps, type FleetDeps, type FleetOverrides } from '../shared/fleet-deps';

export { InvalidSyncEventError, type SyncEvent, syncEventSchema } from '../../sync/event';

/** The part of the Lambda context the sync needs; tests pass a fake with a simulated time budget. */
export interface SyncContext {
  readonly awsRequestId: string;
  readonly functionName?: string;
  getRemainingTimeInMillis(): number;
}

export interface SyncDeps extends FleetDeps {
  readonly config: SyncConfig;
  /** Defaults to the Podero client; tests may narrow it. */
  readonly upstream: SyncUpstream;
  readonly sqs: SQSClient;
  readonly batchWriteOptions?: Partial<BatchWriteOptions>;
}

export interface SyncOverrides extends FleetOverrides {
  batchWriteOptions?: Partial<BatchWriteOptions>;
  sqs?: SQSClient;
}

/**
 * Built once per container (cold start); tests and the local stack pass overrides. With a rate ceiling,
 * every Podero attempt goes through the stage's shared budget (platform/podero-rate-limit.ts).
 */
export function createSyncDeps(config: SyncConfig, overrides: SyncOverrides = {}): SyncDeps {
  const tracing = overrides.tracing ?? passThroughTracing;
  const db = overrides.db ?? createDocumentClient(config, tracing.instrument);
  const sleep = overrides.sleep ?? sleepFor;
  const fetch =
    config.rateLimitPerSecond > 0
      ? rateLimitedFetch(
          overrides.fetch ?? createNodeHttpFetch(),
          new SharedRateLimiter(
            new RateBudgetStore(db, config.mainTableName),
            {
              ceiling: config.rateLimitPerSecond,
              chunk: Math.min(config.syncConcurrency, config.rateLimitPerSecond),
            },
            // Wall clock: the budget's seconds are everyone's seconds.
            { now: Date.now, sleep },
          ),
        )
      : overrides.fetch;
  const fleet = createFleetDeps('syncWorker', config, {
    ...overrides,
    tracing,
    db,
    ...(fetch ? { fetch } : {}),
  });
  return {
    ...fleet,
    config,
    upstream: fleet.podero,
    sqs: overrides.sqs ?? createSqsClient(config, tracing.instrument),
    ...(overrides.batchWriteOptions ? { batchWriteOptions: overrides.batchWriteOptions } : {}),
  };
}

/** What the handler uses of SyncDeps (tests build just this). */
export type SyncHandlerDeps = Pick<
  SyncDeps,
  'db' | 'config' | 'upstream' | 'logger' | 'metrics' | 'now' | 'batchWriteOptions'
> &
  Partial<Pick<SyncDeps, 'upstreamMetrics'>>;

export function makeSyncHandler(
  deps: SyncHandlerDeps,
): (event: unknown, context: SyncContext) => Promise<SyncSummary> {
  const isColdStart = coldStartFlag();
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    const { source } = parseSyncFunctionEvent(syncEventSchema, event, 'heat-pump-sync', logger);
    try {
      return await runHeatPumpSync(
        {
          db: deps.db,
          podero: deps.upstream,
          settings: deps.config,
          logger,
          metrics: deps.metrics,
          now: () => deps.now().getTime(),
          ...(deps.batchWriteOptions ? { batchWriteOptions: deps.batchWriteOptions } : {}),
        },
        {
          runId: context.awsRequestId,
          source,
          remainingTimeMs: () => context.getRemainingTimeInMillis(),
        },
      );
    } finally {
      // Podero's answers during the run, as their own metrics (the run published its summary already).
      if (deps.upstreamMetrics) {
        deps.upstreamMetrics.flushInto(deps.metrics);
        deps.metrics.publishStoredMetrics();
      }
    }
  };
}

/** What the worker handler uses of SyncDeps. */
export type SyncWorkerHandlerDeps = SyncHandlerDeps & Pick<SyncDeps, 'sqs'>;

/**
 * heat-pump-sync-worker: the SQS event source mapping's batch (one shard per message), each message
 * processed by ShardWorker; the ones to come back are reported as batch item failures.
 */
export function makeSyncWorkerHandler(
  deps: SyncWorkerHandlerDeps,
): (event: unknown, context: SyncContext) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const isColdStart = coldStartFlag();
  const queue = new ShardQueue(deps.sqs, deps.config.shardQueueUrl);
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    const { Records } = parseSyncFunctionEvent(shardEventSchema, event, 'heat-pump-sync-worker', logger);
    const worker = new ShardWorker({
      db: deps.db,
      podero: deps.upstream,
      settings: deps.config,
      queue,
      maxReceiveCount: queueDeclarations.syncShards.maxReceiveCount,
      logger,
      metrics: deps.metrics,
      now: () => deps.now().getTime(),
      ...(deps.batchWriteOptions ? { batchWriteOptions: deps.batchWriteOptions } : {}),
    });
    const batchItemFailures: { itemIdentifier: string }[] = [];
    try {
      for (const record of Records) {
        const outcome = await worker.process(
          {
            messageId: record.messageId,
            body: record.body,
            receiveCount: record.attributes.ApproximateReceiveCount,
          },
          {
            runId: `${context.awsRequestId}:${record.messageId}`,
            remainingTimeMs: () => context.getRemainingTimeInMillis(),
          },
        );
        if (!DELETES_MESSAGE.has(outcome)) batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    } finally {
      if (deps.upstreamMetrics) {
        deps.upstreamMetrics.flushInto(deps.metrics);
        deps.metrics.publishStoredMetrics();
      }
    }
    return { batchItemFailures };
  };
}
