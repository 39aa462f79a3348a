import { queueDeclarations } from '../../declarations';
import { coldStartFlag, invocationKeys, withLogKeys } from '../../platform/observability';
import { syncEventSchema } from '../../sync/event';
import { type PlanSummary, SyncPlanner } from '../../sync/planner';
import { ShardQueue } from '../../sync/shard-queue';
import type { TimedContext } from '../shared/context';
import { parseEvent } from '../shared/parse-event';
import type { PlannerDepsBundle } from './deps';

/**
 * A pass is stalled when no shard settled for as long as a shard's message can stay alive: every receive
 * (maxReceiveCount) of a worker running to its timeout, each after the visibility timeout.
 */
export const STALLED_AFTER_MS =
  queueDeclarations.syncShards.maxReceiveCount * queueDeclarations.syncShards.visibilityTimeoutSeconds * 1000;

/** sync-planner: cuts the onboarded users into shards and puts one message per shard on the queue. */
export function makePlannerHandler(
  deps: Pick<PlannerDepsBundle, 'config' | 'logger' | 'metrics' | 'db' | 'sqs' | 'now'>,
): (event: unknown, context: TimedContext) => Promise<PlanSummary> {
  const isColdStart = coldStartFlag();
  const queue = new ShardQueue(deps.sqs, deps.config.shardQueueUrl);
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    const { source } = parseEvent(syncEventSchema, event, 'heat-pump-sync', logger);
    const planner = new SyncPlanner({
      db: deps.db,
      queue,
      config: {
        mainTableName: deps.config.mainTableName,
        shardSize: deps.config.shardSize,
        stalledAfterMs: STALLED_AFTER_MS,
      },
      logger,
      metrics: deps.metrics,
      now: deps.now,
    });
    return planner.plan({ passId: context.awsRequestId, source });
  };
}
