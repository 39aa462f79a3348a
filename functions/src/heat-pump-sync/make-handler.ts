import type { SyncConfig } from '../config';
import { createFleetDeps, type FleetDeps, type FleetOverrides } from '../platform/fleet-deps';
import { coldStartFlag, invocationKeys, withLogKeys } from '../platform/observability';
import type { BatchWriteOptions } from '../storage/batch-write';
import { syncEventSchema } from './event';
import { runHeatPumpSync, type SyncSummary, type SyncUpstream } from './sync';

export { type SyncEvent, syncEventSchema } from './event';

/** The part of the Lambda context the sync needs; tests pass a fake with a simulated time budget. */
export interface SyncContext {
  readonly awsRequestId: string;
  readonly functionName?: string;
  getRemainingTimeInMillis(): number;
}

export class InvalidSyncEventError extends Error {
  override readonly name = 'InvalidSyncEventError';
}

export interface SyncDeps extends FleetDeps {
  readonly config: SyncConfig;
  /** Defaults to the Podero client; tests may narrow it. */
  readonly upstream: SyncUpstream;
  readonly batchWriteOptions?: Partial<BatchWriteOptions>;
}

export interface SyncOverrides extends FleetOverrides {
  batchWriteOptions?: Partial<BatchWriteOptions>;
}

/** Built once per container (cold start); tests and the local stack pass overrides. */
export function createSyncDeps(config: SyncConfig, overrides: SyncOverrides = {}): SyncDeps {
  const fleet = createFleetDeps('heatPumpSync', config, overrides);
  return {
    ...fleet,
    config,
    upstream: fleet.podero,
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
    const parsed = syncEventSchema.safeParse(event);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => i.path.join('.') || '(event)').join(', ');
      logger.error('invalid heat-pump-sync event', { fields });
      throw new InvalidSyncEventError(`invalid heat-pump-sync event: ${fields}`);
    }
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
          source: parsed.data.source,
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
