import type { SyncConfig } from '../../config';
import { queueDeclarations } from '../../declarations';
import { coldStartFlag, invocationKeys, withLogKeys } from '../../platform/observability';
import { syncEventSchema } from '../../sync/event';
import { shardEventSchema } from '../../sync/shard-message';
import { ShardQueue } from '../../sync/shard-queue';
import { runHeatPumpSync, type SyncRunDeps, type SyncSummary } from '../../sync/sync';
import { DELETES_MESSAGE, ShardWorker } from '../../sync/worker';
import type { TimedContext } from '../shared/context';
import { parseEvent } from '../shared/parse-event';
import { processSqsBatch, type SqsBatchResponse } from '../shared/sqs-batch';
import type { SyncDeps } from './deps';

export type { SyncEvent } from '../../sync/event';
export { syncEventSchema };

/** The part of the Lambda context the sync needs; tests pass a fake with a simulated time budget. */
export type SyncContext = TimedContext;

/**
 * What the handler uses of SyncDeps (tests build just this): the sync's dependencies, with the function's
 * logger (each invocation adds its keys to it) and Podero's metrics.
 */
export type SyncHandlerDeps = Pick<
  SyncRunDeps,
  'db' | 'podero' | 'config' | 'metrics' | 'now' | 'batchWriteOptions' | 'snapshotLoaderOptions'
> &
  Pick<SyncDeps, 'logger'> &
  Partial<Pick<SyncDeps, 'upstreamMetrics'>>;

/** Podero's answers during the run, as their own metrics (the run published its summary already). */
function flushUpstreamMetrics(deps: SyncHandlerDeps): void {
  if (deps.upstreamMetrics) {
    deps.upstreamMetrics.flushInto(deps.metrics);
    deps.metrics.publishStoredMetrics();
  }
}

/**
 * The sync engine over the whole user walk in one invocation (its cursor spans invocations): what
 * whole-walk-entry.ts runs and the engine's own tests drive. Deployed stages run fleet passes instead.
 */
export function makeSyncHandler(
  deps: SyncHandlerDeps,
): (event: unknown, context: SyncContext) => Promise<SyncSummary> {
  const isColdStart = coldStartFlag();
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    const { source } = parseEvent(syncEventSchema, event, 'heat-pump-sync', logger);
    try {
      return await runHeatPumpSync(
        { ...deps, logger },
        {
          runId: context.awsRequestId,
          source,
          remainingTimeMs: () => context.getRemainingTimeInMillis(),
        },
      );
    } finally {
      flushUpstreamMetrics(deps);
    }
  };
}

/** What the worker handler uses of SyncDeps: its queue besides. */
export type SyncWorkerHandlerDeps = SyncHandlerDeps &
  Pick<SyncDeps, 'sqs'> & { readonly config: Pick<SyncConfig, 'shardQueueUrl'> };

/**
 * sync-worker: the SQS event source mapping's batch (one shard per message), each message processed by
 * ShardWorker in order; the ones to come back are reported as batch item failures. An error thrown while
 * processing fails the invocation (the message comes back, and Lambda's Errors metric counts it).
 */
export function makeSyncWorkerHandler(
  deps: SyncWorkerHandlerDeps,
): (event: unknown, context: SyncContext) => Promise<SqsBatchResponse> {
  const isColdStart = coldStartFlag();
  const queue = new ShardQueue(deps.sqs, deps.config.shardQueueUrl);
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    const { Records } = parseEvent(shardEventSchema, event, 'heat-pump-sync-worker', logger);
    const worker = new ShardWorker({
      ...deps,
      logger,
      queue,
      maxReceiveCount: queueDeclarations.syncShards.maxReceiveCount,
    });
    try {
      return await processSqsBatch(Records, async (record) => {
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
        return DELETES_MESSAGE.has(outcome) ? 'done' : 'retry';
      });
    } finally {
      flushUpstreamMetrics(deps);
    }
  };
}
