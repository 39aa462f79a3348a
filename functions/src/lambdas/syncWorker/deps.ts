import type { SQSClient } from '@aws-sdk/client-sqs';
import { createNodeHttpFetch } from '@podero-bridge/podero-client';
import type { SyncConfig } from '../../config';
import { createSqsClient } from '../../platform/aws-clients';
import { sleep as sleepFor } from '../../platform/backoff';
import { createDocumentClient } from '../../platform/dynamodb-client';
import { rateLimitedFetch, SharedRateLimiter } from '../../platform/podero-rate-limit';
import { passThroughTracing } from '../../platform/tracing';
import type { BatchWriteOptions } from '../../storage/batch-write';
import { RateBudgetStore } from '../../storage/rate-budget';
import type { SyncUpstream } from '../../sync/sync';
import { createFleetDeps, type FleetDeps, type FleetOverrides } from '../shared/fleet-deps';

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
