/**
 * The face of @podero-bridge/functions: what the local runner (local/), the cross-package tests (test/)
 * and the benchmarks (bench/) may use. Everything else in src/ is private to the package. The CDK app
 * reads `./declarations` only; test helpers are `./testing`.
 */
export { type ApiHandler, makeApiHandler } from './api/app';
export { type ApiDeps, type ApiOverrides, createApiDeps } from './api/deps';
export { errorBodySchema } from './api/http';
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
export {
  createSyncDeps,
  makeSyncHandler,
  type SyncContext,
  type SyncDeps,
  type SyncOverrides,
} from './heat-pump-sync/make-handler';
export type { PlanSummary } from './heat-pump-sync/planner';
export { type ShardMessage, shardMessageSchema } from './heat-pump-sync/shard-message';
export { planShards, type ShardRange } from './heat-pump-sync/shards';
export type { SyncSummary } from './heat-pump-sync/sync';
export { type FleetPassView, fleetPassView } from './operator/fleet-pass-view';
export { createLogger, createRecordingMetrics, type MetricsSink } from './platform/observability';
export { type PassHistoryRecord, type PassRecord, SyncPassStore } from './storage/sync-passes';
export { SyncStateStore } from './storage/sync-state';
export { UserStore, userProfileKey } from './storage/users';
export {
  createTokenRefreshDeps,
  type TokenRefreshDeps,
  type TokenRefreshOverrides,
} from './token-refresh/deps';
export {
  type TokenRefreshEvent,
  type TokenRefreshResult,
  type TokenSecret,
  tokenFingerprint,
  tokenSecretSchema,
} from './tokens/contract';
export { makeTokenRefreshHandler } from './tokens/refresh';
export type { TokenRefresher } from './tokens/refresher';
