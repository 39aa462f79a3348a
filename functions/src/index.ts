/**
 * The face of @podero-bridge/functions: what the local runner (local/), the cross-package tests (test/)
 * and the benchmarks (bench/) may use. Everything else in src/ is private to the package. The CDK app
 * reads `./declarations` only; test helpers are `./testing`.
 */

export {
  composeInProcess,
  type InProcessBridge,
  type InProcessOptions,
  type TokenRefreshInvoke,
} from './compose';
export {
  type ApiConfig,
  ConfigError,
  type Env,
  loadApiConfig,
  loadSyncConfig,
  loadTokenRefreshConfig,
  type SyncConfig,
  type TokenRefreshConfig,
} from './config';
export { parseSearchQuery } from './domain/search-terms';
export { type ApiDeps, type ApiOverrides, createApiDeps } from './lambdas/api/deps';
export { type ApiHandler, makeApiHandler } from './lambdas/api/handler';
export { errorBodySchema } from './lambdas/api/http';
export { createLogger } from './lambdas/shared/observability';
export { createSyncDeps, type SyncDeps, type SyncOverrides } from './lambdas/syncWorker/deps';
export { makeSyncHandler, type SyncContext } from './lambdas/syncWorker/handler';
export {
  createTokenRefreshDeps,
  type TokenRefreshDeps,
  type TokenRefreshOverrides,
} from './lambdas/tokenRefresh/deps';
export { makeTokenRefreshHandler } from './lambdas/tokenRefresh/handler';
export { type FleetPassView, fleetPassView } from './operator/fleet-pass-view';
export { createRecordingMetrics, type MetricsSink } from './platform/observability';
export { type PassHistoryRecord, type PassRecord, SyncPassStore } from './storage/sync-passes';
export { SyncStateStore } from './storage/sync-state';
export { UserSearchStore } from './storage/user-search';
export { UserStore, userProfileKey } from './storage/users';
export type { PlanSummary } from './sync/planner';
export { type ShardMessage, shardMessageSchema } from './sync/shard-message';
export { planShards, type ShardRange } from './sync/shards';
export type { SyncSummary } from './sync/sync';
export {
  type TokenRefreshEvent,
  type TokenRefreshResult,
  type TokenSecret,
  tokenFingerprint,
  tokenSecretSchema,
} from './tokens/contract';
export type { TokenRefresher } from './tokens/refresher';
