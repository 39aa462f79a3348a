import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type ApiDeps,
  composeInProcess,
  createLogger,
  createRecordingMetrics,
  type SyncContext,
  type SyncSummary,
} from '@podero-bridge/functions';
import { ENV, functionDeclarations } from '@podero-bridge/functions/declarations';
import {
  type EnvironmentOverrides,
  type LocalAws,
  seedOnboardedUsers,
  startLocalAws,
  testLogLevel,
} from '@podero-bridge/functions/testing';
import {
  createJwtAuthorizer,
  createTokenMinter,
  DEV_AUDIENCE,
  DEV_ISSUER,
  generateSigningKey,
  type LocalGateway,
  type MintToken,
  startLocalGateway,
} from '@podero-bridge/local';
import type { RetryOptions } from '@podero-bridge/podero-client';
import { type Simulator, type SimulatorOptions, startSimulator } from '@podero-bridge/podero-simulator';

/**
 * The bridge wired like the local stack (simulator, dynalite, local Secrets Manager, token-refresh behind
 * an in-process refresher, the api behind the local gateway and its JWT authorizer, heat-pump-sync), but
 * with the knobs fault tests need and `startLocalStack` does not expose: a short Podero timeout, a
 * recorded (instant) retry backoff, a DynamoDB client of the test's choosing for the sync, a simulated
 * clock for the sync's lease, and a record of every access token the simulator issued.
 */
export interface BridgeOptions {
  simulator?: Omit<SimulatorOptions, 'port' | 'host'>;
  /** Per-attempt Podero timeout of api and sync; default 400 ms. */
  poderoTimeoutMs?: number;
  poderoRetry?: Partial<RetryOptions>;
  /** The api's request budget and its wait for a forced token refresh (defaults: the deployed values). */
  requestBudgetMs?: number;
  tokenRefreshWaitMs?: number;
  /** Lets the test change the sync's DynamoDB client (e.g. add a middleware) before it is used. */
  configureSyncDynamo?: (client: DynamoDBClient) => void;
  /** Values in place of the world's (validated by the functions' schemas). */
  env?: EnvironmentOverrides;
  /** Called as each Podero request leaves the bridge (`METHOD /path`), before it is sent. */
  onPoderoRequest?: (request: string) => void;
}

export interface Bridge {
  readonly apiUrl: string;
  readonly simulator: Simulator;
  readonly aws: LocalAws;
  readonly tableNames: { readonly main: string; readonly readings: string };
  readonly mintToken: MintToken;
  readonly apiDeps: ApiDeps;
  /** Every access token the simulator issued to token-refresh, in order. */
  readonly issuedTokens: string[];
  /** Every backoff / Retry-After wait the Podero client asked for (none is actually slept). */
  readonly retryWaitsMs: number[];
  /** Podero requests by `METHOD path` as the bridge sent them (401 retries and timeouts included). */
  readonly poderoRequests: string[];
  /** Shifts the sync's clock (lease expiry) without touching the simulator's. */
  advanceSyncClock(ms: number): void;
  /** Runs heat-pump-sync once; `remainingMs` is the context's time budget, read on every check. */
  runSync(context?: Partial<SyncContext>): Promise<SyncSummary>;
  /** Puts `PROFILE` items (the shape UserStore writes) for users that exist at the simulator. */
  addOnboardedUsers(users: readonly { id: string; external_user_id: string }[]): Promise<void>;
  close(): Promise<void>;
}

// SILENT unless BRIDGE_TEST_LOG_LEVEL raises it (the leak scan in `pnpm test` captures DEBUG to files).
const silent = (id: keyof typeof functionDeclarations) => createLogger(id, { logLevel: testLogLevel() });

export async function startBridge(options: BridgeOptions = {}): Promise<Bridge> {
  const simulator = await startSimulator({ ...options.simulator, port: 0, host: '127.0.0.1' });
  // The one local world, its credentials pointing at the simulator.
  const aws = await startLocalAws({
    podero: simulator,
    overrides: { [ENV.tokenCacheMaxAgeSeconds]: '5', [ENV.appVersion]: 'reliability-test', ...options.env },
  });

  const issuedTokens: string[] = [];
  const recordingTokenFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (response.ok && String(input instanceof Request ? input.url : input).includes('/oauth2/token/')) {
      const body = (await response.clone().json()) as { access_token?: unknown };
      if (typeof body.access_token === 'string') issuedTokens.push(body.access_token);
    }
    return response;
  };
  const poderoRequests: string[] = [];
  const recordingFetch: typeof fetch = (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const request = `${init?.method ?? 'GET'} ${url.pathname}`;
    poderoRequests.push(request);
    options.onPoderoRequest?.(request);
    return fetch(input, init);
  };

  const retryWaitsMs: number[] = [];
  const fleetOverrides = {
    metrics: createRecordingMetrics(),
    fetch: recordingFetch,
    poderoTimeoutMs: options.poderoTimeoutMs ?? 400,
    poderoRetry: options.poderoRetry ?? {},
    sleep: async (ms: number) => {
      retryWaitsMs.push(ms);
    },
  };
  const syncDynamo = new DynamoDBClient({ endpoint: aws.dynamo.endpoint, region: aws.region });
  options.configureSyncDynamo?.(syncDynamo);
  let syncClockOffsetMs = 0;
  const bridge = composeInProcess({
    environment: (id) => aws.world.environment(id),
    tokenRefresh: {
      logger: silent('tokenRefresh'),
      metrics: createRecordingMetrics(),
      fetch: recordingTokenFetch,
    },
    api: {
      ...fleetOverrides,
      logger: silent('api'),
      userCreation: { pollMs: 10 },
      ...(options.requestBudgetMs !== undefined ? { requestBudgetMs: options.requestBudgetMs } : {}),
      ...(options.tokenRefreshWaitMs !== undefined ? { tokenRefreshWaitMs: options.tokenRefreshWaitMs } : {}),
    },
    sync: {
      ...fleetOverrides,
      logger: silent('syncPlanner'),
      db: DynamoDBDocumentClient.from(syncDynamo, { marshallOptions: { removeUndefinedValues: true } }),
      now: () => Date.now() + syncClockOffsetMs,
      batchWriteOptions: { sleep: async () => {} },
    },
  });
  const { api, sync, tokenRefresh } = bridge;
  const apiDeps = bridge.deps.api;

  const key = await generateSigningKey();
  let gateway: LocalGateway;
  try {
    gateway = await startLocalGateway({
      functions: { api: (event, context) => api(event, context) },
      authorizer: createJwtAuthorizer({ jwks: key.jwks, issuer: DEV_ISSUER, audience: DEV_AUDIENCE }),
      jwks: key.jwks,
    });
    // A token before the first request, as the deployed stack's hourly schedule provides.
    await tokenRefresh({ source: 'schedule', force: false });
  } catch (error) {
    await Promise.allSettled([simulator.close(), aws.close()]);
    throw error;
  }

  let runs = 0;
  return {
    apiUrl: gateway.url,
    simulator,
    aws,
    tableNames: aws.tableNames,
    mintToken: createTokenMinter(key),
    apiDeps,
    issuedTokens,
    retryWaitsMs,
    poderoRequests,
    advanceSyncClock(ms) {
      syncClockOffsetMs += ms;
    },
    runSync(context = {}) {
      runs += 1;
      return sync(
        { source: 'manual' },
        {
          awsRequestId: context.awsRequestId ?? `sync-run-${runs}`,
          getRemainingTimeInMillis:
            context.getRemainingTimeInMillis ??
            (() => functionDeclarations.syncPlanner.timeoutSeconds * 1000),
        },
      );
    },
    async addOnboardedUsers(users) {
      await seedOnboardedUsers(
        aws.db,
        aws.tableNames.main,
        users.map((user) => ({ externalUserId: user.external_user_id, poderoUserId: user.id })),
        { emailDomain: 'sim.example' },
      );
    },
    async close() {
      await gateway.close();
      syncDynamo.destroy();
      bridge.close();
      await Promise.allSettled([simulator.close(), aws.close()]);
    },
  };
}
