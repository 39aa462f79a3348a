import {
  type Env,
  loadApiConfig,
  loadDeliveryConfig,
  loadErasureConfig,
  loadForecastDropConfig,
  loadHistoryBackfillConfig,
  loadPlannerConfig,
  loadRelayConfig,
  loadSyncConfig,
  loadTokenRefreshConfig,
  loadTradingWorkflowConfig,
} from './config';
import { type FunctionId, functionDeclarations } from './declarations';
import type { BackfillRunSummary } from './history/backfill';
import { type ApiDeps, type ApiOverrides, createApiDeps } from './lambdas/api/deps';
import { type ApiHandler, makeApiHandler } from './lambdas/api/handler';
import { createErasureDeps, type ErasureOverrides } from './lambdas/erasureWorker/deps';
import { makeErasureHandler } from './lambdas/erasureWorker/handler';
import { createRelayDeps, type RelayOverrides } from './lambdas/eventRelay/deps';
import { makeRelayHandler } from './lambdas/eventRelay/handler';
import { createForecastDropDeps, type ForecastDropOverrides } from './lambdas/forecastDrop/deps';
import { type ForecastDropSummary, makeForecastDropHandler } from './lambdas/forecastDrop/handler';
import { createHistoryBackfillDeps, type HistoryBackfillOverrides } from './lambdas/historyBackfill/deps';
import { makeHistoryBackfillHandler } from './lambdas/historyBackfill/handler';
import type { SqsBatchResponse } from './lambdas/shared/sqs-batch';
import { createPlannerDeps, type PlannerOverrides } from './lambdas/syncPlanner/deps';
import { makePlannerHandler } from './lambdas/syncPlanner/handler';
import { createSyncDeps, type SyncDeps, type SyncOverrides } from './lambdas/syncWorker/deps';
import { makeSyncHandler, makeSyncWorkerHandler, type SyncContext } from './lambdas/syncWorker/handler';
import {
  createTokenRefreshDeps,
  type TokenRefreshDeps,
  type TokenRefreshOverrides,
} from './lambdas/tokenRefresh/deps';
import { makeTokenRefreshHandler } from './lambdas/tokenRefresh/handler';
import { createTradingWorkflowDeps, type TradingWorkflowOverrides } from './lambdas/tradingWorkflow/deps';
import { makeTradingWorkflowHandler } from './lambdas/tradingWorkflow/handler';
import { createDeliveryDeps, type DeliveryOverrides } from './lambdas/webhookDelivery/deps';
import { makeDeliveryHandler } from './lambdas/webhookDelivery/handler';
import type { PlanSummary } from './sync/planner';
import type { SyncSummary } from './sync/sync';
import type { TokenRefreshResult } from './tokens/contract';
import { createInProcessTokenRefresher, type TokenRefresher } from './tokens/refresher';
import type { AdvanceSummary } from './trading/service';
import type { RelaySummary } from './webhooks/relay';

/**
 * The functions wired together in one process, as they are in AWS but for the one difference a
 * single machine needs: api and heat-pump-sync ask token-refresh for a forced refresh through an
 * in-process call, one at a time (reserved concurrency 1 in AWS), instead of a Lambda invoke.
 * `pnpm dev` (local/), the cross-package tests (test/) and the benchmarks (bench/) all compose the bridge
 * here, so the chain token-refresh deps -> refresher -> api deps -> sync deps exists once.
 */
export interface InProcessOptions {
  /** Each function's environment (built with `environmentFor`, plus AWS endpoints). */
  environment: (id: FunctionId) => Env;
  tokenRefresh?: TokenRefreshOverrides;
  api?: Omit<ApiOverrides, 'refresher'>;
  sync?: Omit<SyncOverrides, 'refresher'>;
  planner?: PlannerOverrides;
  eventRelay?: RelayOverrides;
  webhookDelivery?: DeliveryOverrides;
  erasureWorker?: ErasureOverrides;
  tradingWorkflow?: Omit<TradingWorkflowOverrides, 'refresher'>;
  forecastDrop?: ForecastDropOverrides;
  historyBackfill?: Omit<HistoryBackfillOverrides, 'refresher'>;
  /** Runs around every in-process token-refresh invocation (the local stack labels its log lines). */
  aroundTokenRefresh?: <T>(invoke: () => Promise<T>) => Promise<T>;
}

export type TokenRefreshInvoke = (
  event: unknown,
  context?: { getRemainingTimeInMillis(): number },
) => Promise<TokenRefreshResult>;

export interface InProcessBridge {
  /** token-refresh's handler (one instance: the only writer of the token). */
  readonly tokenRefresh: TokenRefreshInvoke;
  /** What api and heat-pump-sync use to force a refresh. */
  readonly refresher: TokenRefresher;
  readonly api: ApiHandler;
  /**
   * The sync engine over the whole walk in one invocation (its cursor spans invocations): what the engine's
   * own tests drive. Deployed stages run fleet passes: `syncPlanner` then `syncWorker` per shard.
   */
  readonly sync: (event: unknown, context: SyncContext) => Promise<SyncSummary>;
  /** heat-pump-sync: plans a fleet pass onto the sync-shards queue. */
  readonly syncPlanner: (event: unknown, context: SyncContext) => Promise<PlanSummary>;
  /** heat-pump-sync-worker: one SQS batch of shards in, the ones to come back out. */
  readonly syncWorker: (event: unknown, context: SyncContext) => Promise<SqsBatchResponse>;
  /** event-relay's handler: drains the outbox (the local stack calls it on a short poll). */
  readonly eventRelay: (
    event: unknown,
    context?: { awsRequestId?: string; getRemainingTimeInMillis(): number },
  ) => Promise<RelaySummary>;
  /** webhook-delivery's handler: an SQS batch in, the failed items out. */
  readonly webhookDelivery: (
    event: unknown,
    context?: { awsRequestId?: string },
  ) => Promise<SqsBatchResponse>;
  /** erasure's handler: an SQS batch of erasure sweeps in, the failed items out. */
  readonly erasureWorker: (event: unknown, context?: { awsRequestId?: string }) => Promise<SqsBatchResponse>;
  /** trading-workflow's handler: advances every open day-ahead trading day. */
  readonly tradingWorkflow: (event: unknown, context?: { awsRequestId?: string }) => Promise<AdvanceSummary>;
  /** trading-forecast-drop's handler: S3's object-created event of dropped forecast files in, their outcome out. */
  readonly forecastDrop: (
    event: unknown,
    context?: { awsRequestId?: string },
  ) => Promise<ForecastDropSummary>;
  /** history-backfill's handler: one bounded run of the backfill (a local run has 300 s, as in AWS). */
  readonly historyBackfill: (
    event: unknown,
    context?: { awsRequestId?: string },
  ) => Promise<BackfillRunSummary>;
  readonly deps: { readonly tokenRefresh: TokenRefreshDeps; readonly api: ApiDeps; readonly sync: SyncDeps };
  /** Destroys the SDK clients the composition created. */
  close(): void;
}

export function composeInProcess(options: InProcessOptions): InProcessBridge {
  const around = options.aroundTokenRefresh ?? ((invoke) => invoke());
  const tokenRefreshDeps = createTokenRefreshDeps(
    loadTokenRefreshConfig(options.environment('tokenRefresh')),
    options.tokenRefresh,
  );
  const handler = makeTokenRefreshHandler(tokenRefreshDeps);
  const tokenRefresh: TokenRefreshInvoke = (event, context) => around(() => handler(event, context));
  const refresher = createInProcessTokenRefresher((event) => tokenRefresh(event));
  const apiDeps = createApiDeps(loadApiConfig(options.environment('api')), { ...options.api, refresher });
  const syncDeps = createSyncDeps(loadSyncConfig(options.environment('syncWorker')), {
    ...options.sync,
    refresher,
  });
  const plannerDeps = createPlannerDeps(
    loadPlannerConfig(options.environment('syncPlanner')),
    options.planner,
  );
  const relayDeps = createRelayDeps(loadRelayConfig(options.environment('eventRelay')), options.eventRelay);
  const deliveryDeps = createDeliveryDeps(
    loadDeliveryConfig(options.environment('webhookDelivery')),
    options.webhookDelivery,
  );
  const erasureDeps = createErasureDeps(
    loadErasureConfig(options.environment('erasureWorker')),
    options.erasureWorker,
  );
  const tradingDeps = createTradingWorkflowDeps(
    loadTradingWorkflowConfig(options.environment('tradingWorkflow')),
    { ...options.tradingWorkflow, refresher },
  );
  const tradingHandler = makeTradingWorkflowHandler(tradingDeps);
  const backfillDeps = createHistoryBackfillDeps(
    loadHistoryBackfillConfig(options.environment('historyBackfill')),
    { ...options.historyBackfill, refresher },
  );
  const backfillHandler = makeHistoryBackfillHandler(backfillDeps);
  const forecastDropDeps = createForecastDropDeps(
    loadForecastDropConfig(options.environment('forecastDrop')),
    options.forecastDrop,
  );
  return {
    tokenRefresh,
    refresher,
    api: makeApiHandler(apiDeps),
    sync: makeSyncHandler(syncDeps),
    syncPlanner: makePlannerHandler(plannerDeps),
    syncWorker: makeSyncWorkerHandler(syncDeps),
    eventRelay: makeRelayHandler(relayDeps),
    webhookDelivery: makeDeliveryHandler(deliveryDeps),
    erasureWorker: makeErasureHandler(erasureDeps),
    tradingWorkflow: (event, context) =>
      tradingHandler(event, {
        awsRequestId: context?.awsRequestId ?? 'local',
        getRemainingTimeInMillis: () => 120_000,
      }),
    forecastDrop: makeForecastDropHandler(forecastDropDeps),
    historyBackfill: (event, context) => {
      // The deployed function's own timeout (declarations.ts), as Lambda would give it.
      const deadline = Date.now() + functionDeclarations.historyBackfill.timeoutSeconds * 1000;
      return backfillHandler(event, {
        awsRequestId: context?.awsRequestId ?? 'local',
        getRemainingTimeInMillis: () => deadline - Date.now(),
      });
    },
    deps: { tokenRefresh: tokenRefreshDeps, api: apiDeps, sync: syncDeps },
    close() {
      // Clients handed in by the caller are the caller's to close.
      if (!options.tokenRefresh?.secrets) tokenRefreshDeps.secrets.destroy();
      if (!options.api?.db) apiDeps.db.destroy();
      if (!options.sync?.db) syncDeps.db.destroy();
      if (!options.sync?.sqs) syncDeps.sqs.destroy();
      if (!options.planner?.db) plannerDeps.db.destroy();
      if (!options.planner?.sqs) plannerDeps.sqs.destroy();
      for (const client of apiDeps.ownedClients) client.destroy();
      if (!options.eventRelay?.db) relayDeps.db.destroy();
      relayDeps.sqs.destroy();
      relayDeps.eventBridge.destroy();
      if (!options.webhookDelivery?.db) deliveryDeps.db.destroy();
      deliveryDeps.sqs.destroy();
      if (!options.erasureWorker?.db) erasureDeps.db.destroy();
      erasureDeps.sqs.destroy();
      if (!options.tradingWorkflow?.db) tradingDeps.db.destroy();
      if (!options.forecastDrop?.db) forecastDropDeps.db.destroy();
      if (!options.historyBackfill?.db) backfillDeps.db.destroy();
      if (!options.forecastDrop?.s3) forecastDropDeps.s3.destroy();
    },
  };
}
