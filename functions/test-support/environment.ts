import { Logger } from '@aws-lambda-powertools/logger';
import { type Simulator, type SimulatorOptions, startSimulator } from '@podero-bridge/podero-simulator';
import { composeInProcess } from '../src/compose';
import {
  type ApiConfig,
  loadApiConfig,
  loadTokenRefreshConfig,
  type TokenRefreshConfig,
} from '../src/config';
import { type ApiDeps, type ApiOverrides, createApiDeps } from '../src/lambdas/api/deps';
import { type ApiHandler, makeApiHandler } from '../src/lambdas/api/handler';
import type { TokenRefreshOverrides } from '../src/lambdas/tokenRefresh/deps';
import { createRecordingMetrics } from '../src/platform/observability';
import type { TokenRefreshEvent, TokenRefreshResult } from '../src/tokens/contract';
import type { TokenRefresher } from '../src/tokens/refresher';
import { type LocalAws, startLocalAws } from './aws';
import { testLogLevel } from './log-level';

/** SILENT by default; `BRIDGE_TEST_LOG_LEVEL` raises it for the whole-suite leak scan (see log-level.ts). */
export const silentLogger = (serviceName = 'test') => new Logger({ serviceName, logLevel: testLogLevel() });

/**
 * Everything a handler test needs, on free loopback ports: the one local world (local-world.ts: the
 * declared tables and queues, a credentials secret pointing at the simulator and a placeholder token),
 * the Podero simulator, token-refresh wired in-process, and a factory for API "containers".
 */
export interface TestEnvironment {
  readonly aws: LocalAws;
  readonly sim: Simulator;
  readonly apiConfig: ApiConfig;
  readonly tokenRefreshConfig: TokenRefreshConfig;
  /** Every variable of the world and its endpoints (a superset of the api's: any function's loadConfig takes it). */
  readonly apiEnv: Record<string, string>;
  /** token-refresh's handler (one instance: the only writer). */
  readonly invokeTokenRefresh: (
    event: TokenRefreshEvent,
    context?: { getRemainingTimeInMillis(): number },
  ) => Promise<TokenRefreshResult>;
  /** Shared by every container, like token-refresh's reserved concurrency of 1. */
  readonly refresher: TokenRefresher;
  /** A new API container: its own SDK clients, token cache and Podero client. */
  createApiDeps(overrides?: ApiOverrides): ApiDeps;
  createApiHandler(overrides?: ApiOverrides): ApiHandler;
  close(): Promise<void>;
}

export async function startTestEnvironment(
  options: {
    simulator?: SimulatorOptions;
    tokenRefresh?: TokenRefreshOverrides;
    sqsClock?: () => number;
  } = {},
): Promise<TestEnvironment> {
  // The simulator first: the world's credentials secret and Podero variables point at it.
  const sim = await startSimulator(options.simulator ?? {});
  let aws: LocalAws;
  try {
    aws = await startLocalAws({ podero: sim, ...(options.sqsClock ? { sqsClock: options.sqsClock } : {}) });
  } catch (error) {
    await sim.close();
    throw error;
  }
  const tokenRefreshEnv = aws.world.environment('tokenRefresh');
  const tokenRefreshConfig = loadTokenRefreshConfig(tokenRefreshEnv);
  // Every variable (a superset of the api's): other functions' loaders take what they declare from it.
  const apiEnv: Record<string, string> = { ...aws.world.values, ...aws.world.awsEnvironment };
  const apiConfig = loadApiConfig(apiEnv);

  // The one in-process composition (token-refresh behind the shared refresher); every further API
  // "container" is a new set of api deps around the same refresher.
  const apiOverrides: ApiOverrides = {
    logger: silentLogger('api'),
    metrics: createRecordingMetrics(),
    // Keep retries quick in tests; behaviour (what is retried) stays the client's.
    poderoRetry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 10 },
  };
  const bridge = composeInProcess({
    environment: (id) => aws.world.environment(id),
    tokenRefresh: {
      logger: silentLogger('token-refresh'),
      metrics: createRecordingMetrics(),
      ...options.tokenRefresh,
    },
    api: apiOverrides,
  });
  const { refresher } = bridge;
  const invokeTokenRefresh = bridge.tokenRefresh;

  const newDeps = (overrides: ApiOverrides = {}) =>
    createApiDeps(apiConfig, { ...apiOverrides, ...overrides, refresher });

  return {
    aws,
    sim,
    apiConfig,
    tokenRefreshConfig,
    apiEnv,
    invokeTokenRefresh,
    refresher,
    createApiDeps: newDeps,
    createApiHandler: (overrides) => makeApiHandler(newDeps(overrides)),
    async close() {
      bridge.close();
      await Promise.all([aws.close(), sim.close()]);
    },
  };
}
