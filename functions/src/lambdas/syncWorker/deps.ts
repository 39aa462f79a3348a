import type { SQSClient } from '@aws-sdk/client-sqs';
import { createNodeHttpFetch, type PoderoClient } from '@podero-bridge/podero-client';
import type { SyncConfig } from '../../config';
import { createSqsClient } from '../../platform/aws-clients';
import { sleep as sleepFor } from '../../platform/backoff';
import { createDocumentClient } from '../../platform/dynamodb-client';
import { rateLimitedFetch, SharedRateLimiter } from '../../platform/podero-rate-limit';
import { passThroughTracing } from '../../platform/tracing';
import type { BatchWriteOptions } from '../../storage/batch-write';
import { RateBudgetStore } from '../../storage/rate-budget';
import type { SyncRunDeps } from '../../sync/sync';
import { createFleetDeps, type FleetDeps, type FleetOverrides } from '../shared/fleet-deps';

/**
 * The sync worker's bundle: the sync's dependencies (SyncRunDeps, under the same names, so the handler hands
 * them on as they are) widened to what the container holds, plus its queue client. The logger is the
 * function's; each invocation hands the run that logger with its own keys added (withLogKeys).
 */
export interface SyncDeps extends FleetDeps, Omit<SyncRunDeps, 'logger'> {
  readonly config: SyncConfig;
  readonly podero: PoderoClient;
  readonly sqs: SQSClient;
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
    sqs: overrides.sqs ?? createSqsClient(config, tracing.instrument),
    ...(overrides.batchWriteOptions ? { batchWriteOptions: overrides.batchWriteOptions } : {}),
  };
}
