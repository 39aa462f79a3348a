import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FetchLike, PoderoClient, RetryOptions } from '@podero-bridge/podero-client';
import type { FleetConfig } from '../../config';
import type { FunctionId } from '../../declarations';
import { createLambdaClient, createSecretsManagerClient } from '../../platform/aws-clients';
import { createDocumentClient } from '../../platform/dynamodb-client';
import { createPodero } from '../../platform/podero';
import { UpstreamMetrics } from '../../platform/upstream-metrics';
import { type BridgeTokenProvider, createBridgeTokenProvider } from '../../tokens/provider';
import { createLambdaTokenRefresher, type TokenRefresher } from '../../tokens/refresher';
import { createSecretsProvider, createSecretsTokenSource, type TokenSource } from '../../tokens/source';
import { type BaseDeps, type BaseOverrides, createBaseDeps } from './base-deps';

/** What api and heat-pump-sync share: built once per container. */
export interface FleetDeps extends BaseDeps {
  readonly db: DynamoDBDocumentClient;
  readonly tokenProvider: BridgeTokenProvider;
  readonly podero: PoderoClient;
  /** Podero's answers as metrics, published with the invocation's own (api: per request; sync: per run). */
  readonly upstreamMetrics: UpstreamMetrics;
}

export interface FleetOverrides extends BaseOverrides {
  db?: DynamoDBDocumentClient;
  /** The local stack and tests pass an in-process refresher; AWS uses a Lambda invoke. */
  refresher?: TokenRefresher;
  tokenSource?: TokenSource;
  fetch?: FetchLike;
  poderoRetry?: Partial<RetryOptions>;
  poderoTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Wall clock for token expiry, epoch ms (tests). */
  tokenClock?: () => number;
  /** How long a caller waits for a forced token refresh (the api bounds it; the sync does not). */
  tokenRefreshWaitMs?: number;
  /** The current request's deadline, epoch ms: bounds every Podero call and token wait (the api's). */
  deadline?: () => number | undefined;
}

export function createFleetDeps(
  functionId: FunctionId,
  config: FleetConfig,
  overrides: FleetOverrides = {},
): FleetDeps {
  const base = createBaseDeps(functionId, config, overrides);
  const { logger, tracing } = base;
  const tokenSource =
    overrides.tokenSource ??
    createSecretsTokenSource({
      provider: createSecretsProvider(createSecretsManagerClient(config, tracing.instrument)),
      secretId: config.tokenSecretId,
      maxAgeSeconds: config.tokenCacheMaxAgeSeconds,
      logger,
    });
  const refresher =
    overrides.refresher ??
    createLambdaTokenRefresher(
      createLambdaClient(config, tracing.instrument),
      config.tokenRefreshFunctionName,
    );
  const tokenProvider = createBridgeTokenProvider({
    source: tokenSource,
    refresher,
    // Token freshness is judged on the wall clock (Podero's), not on the business clock `now`.
    now: overrides.tokenClock ?? Date.now,
    ...(overrides.tokenRefreshWaitMs !== undefined ? { refreshWaitMs: overrides.tokenRefreshWaitMs } : {}),
    ...(overrides.deadline ? { deadline: overrides.deadline } : {}),
    logger,
  });
  const upstreamMetrics = new UpstreamMetrics();
  return {
    ...base,
    upstreamMetrics,
    db: overrides.db ?? createDocumentClient(config, tracing.instrument),
    tokenProvider,
    podero: createPodero(config, {
      tokenProvider,
      ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
      ...(overrides.poderoRetry ? { retry: overrides.poderoRetry } : {}),
      ...(overrides.poderoTimeoutMs !== undefined ? { timeoutMs: overrides.poderoTimeoutMs } : {}),
      ...(overrides.sleep ? { sleep: overrides.sleep } : {}),
      ...(overrides.deadline ? { deadline: overrides.deadline } : {}),
      observe: upstreamMetrics.observe,
      ...(tracing.poderoSpan ? { span: tracing.poderoSpan } : {}),
    }),
  };
}
