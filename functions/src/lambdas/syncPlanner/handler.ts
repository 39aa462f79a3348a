import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PlannerConfig } from '../../config';
import { queueDeclarations } from '../../declarations';
import { createSqsClient } from '../../platform/aws-clients';
import { createDocumentClient } from '../../platform/dynamodb-client';
import {
  coldStartFlag,
  createLogger,
  createMetrics,
  invocationKeys,
  type MetricsSink,
  withLogKeys,
} from '../../platform/observability';
import { passThroughTracing, type Tracing } from '../../platform/tracing';
import { parseSyncFunctionEvent, syncEventSchema } from '../../sync/event';
import { type PlanSummary, SyncPlanner } from '../../sync/planner';
import { ShardQueue } from '../../sync/shard-queue';
import type { SyncContext } from '../syncWorker/handler';

export interface PlannerDepsBundle {
  readonly config: PlannerConfig;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  readonly tracing: Tracing;
  readonly db: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly now: () => number;
}

export interface PlannerOverrides {
  logger?: Logger;
  metrics?: MetricsSink;
  tracing?: Tracing;
  db?: DynamoDBDocumentClient;
  sqs?: SQSClient;
  now?: () => number;
}

export function createPlannerDeps(
  config: PlannerConfig,
  overrides: PlannerOverrides = {},
): PlannerDepsBundle {
  const tracing = overrides.tracing ?? passThroughTracing;
  return {
    config,
    tracing,
    logger: overrides.logger ?? createLogger('heatPumpSync'),
    metrics: overrides.metrics ?? createMetrics('heatPumpSync', config.stage),
    db: overrides.db ?? createDocumentClient(config, tracing.instrument),
    sqs: overrides.sqs ?? createSqsClient(config, tracing.instrument),
    now: overrides.now ?? Date.now,
  };
}

/**
 * A pass is stalled when no shard settled for as long as a shard's message can stay alive: every receive
 * (maxReceiveCount) of a worker running to its timeout, each after the visibility timeout.
 */
export const STALLED_AFTER_MS =
  queueDeclarations.syncShards.maxReceiveCount * queueDeclarations.syncShards.visibilityTimeoutSeconds * 1000;

export function makePlannerHandler(
  deps: Pick<PlannerDepsBundle, 'config' | 'logger' | 'metrics' | 'db' | 'sqs' | 'now'>,
): (event: unknown, context: SyncContext) => Promise<PlanSummary> {
  const isColdStart = coldStartFlag();
  const queue = new ShardQueue(deps.sqs, deps.config.shardQueueUrl);
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    const { source } = parseSyncFunctionEvent(syncEventSchema, event, 'heat-pump-sync', logger);
    const planner = new SyncPlanner({
      db: deps.db,
      queue,
      settings: {
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
