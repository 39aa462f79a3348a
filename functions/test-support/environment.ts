import { Logger } from '@aws-lambda-powertools/logger';
import { type Simulator, type SimulatorOptions, startSimulator } from '@podero-bridge/podero-simulator';
import { composeInProcess } from '../src/compose';
import {
  type ApiConfig,
  loadApiConfig,
  loadTokenRefreshConfig,
  type TokenRefreshConfig,
} from '../src/config';
import { ENV } from '../src/declarations';
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
 * Everything a handler test needs, on free loopback ports: dynalite with the declared tables, the local
 * Secrets Manager holding a credentials secret (pointing at the simulator) and an empty token secret,
 * the Podero simulator, token-refresh wired in-process, and a factory for API "containers".
 */
export interface TestEnvironment {
  readonly aws: LocalAws;
  readonly sim: Simulator;
  readonly apiConfig: ApiConfig;
  readonly tokenRefreshConfig: TokenRefreshConfig;
  /** Environment variables equivalent to apiConfig (e.g. for other functions' loadConfig). */
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

let counter = 0;

export async function startTestEnvironment(
  options: {
    simulator?: SimulatorOptions;
    tokenRefresh?: TokenRefreshOverrides;
    sqsClock?: () => number;
  } = {},
): Promise<TestEnvironment> {
  const [aws, sim] = await Promise.all([
    startLocalAws(options.sqsClock ? { sqsClock: options.sqsClock } : {}),
    startSimulator(options.simulator ?? {}),
  ]);
  counter += 1;
  const credentialsSecretId = `podero/credentials-${counter}`;
  const tokenSecretId = `podero/token-${counter}`;
  await aws.createSecret(
    credentialsSecretId,
    JSON.stringify({
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      org_id: sim.orgId,
      base_url: sim.baseUrl,
    }),
  );
  // The stack creates the token secret with a placeholder; readers treat it as "no token yet".
  await aws.createSecret(tokenSecretId, '{}');

  const common = {
    AWS_REGION: aws.region,
    AWS_ENDPOINT_URL_DYNAMODB: aws.dynamo.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.secretsManager.endpoint,
    [ENV.tokenSecretId]: tokenSecretId,
    [ENV.poderoBaseUrl]: sim.baseUrl,
    [ENV.appVersion]: '0.0.0-test',
    ...aws.eventEnv,
  };
  const tokenRefreshEnv = { ...common, [ENV.credentialsSecretId]: credentialsSecretId };
  const tokenRefreshConfig = loadTokenRefreshConfig(tokenRefreshEnv);
  const apiEnv: Record<string, string> = {
    ...common,
    [ENV.mainTableName]: aws.tableNames.main,
    [ENV.readingsTableName]: aws.tableNames.readings,
    [ENV.tokenRefreshFunctionName]: 'token-refresh',
    [ENV.poderoOrgId]: sim.orgId,
    [ENV.tokenCacheMaxAgeSeconds]: '30',
  };
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
    environment: (id) => (id === 'tokenRefresh' ? tokenRefreshEnv : apiEnv),
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
