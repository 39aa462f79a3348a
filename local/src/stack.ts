import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  composeInProcess,
  createLogger,
  createRecordingMetrics,
  type FleetPassView,
  fleetPassView,
  type PlanSummary,
  SyncPassStore,
} from '@podero-bridge/functions';
import {
  ENV,
  type FunctionId,
  functionDeclarations,
  type QueueId,
  type ScheduleDeclaration,
  scheduleDeclarations,
  type TableId,
} from '@podero-bridge/functions/declarations';
import {
  type EnvironmentOverrides,
  ensureLocalWorld,
  type LocalWorld,
  localWorldNames,
} from '@podero-bridge/functions/testing';
import {
  type ArchivedEvent,
  startDynalite,
  startLocalEventBridge,
  startLocalS3,
  startLocalSecretsManager,
  startLocalSqs,
} from '@podero-bridge/local-aws';
import { type Simulator, type SimulatorOptions, startSimulator } from '@podero-bridge/podero-simulator';
import { createJwtAuthorizer } from './auth/authorizer';
import { generateSigningKey, type SigningKey } from './auth/signing-key';
import { createTokenMinter, type MintToken } from './auth/tokens';
import { bridgeClockOf, type LocalClock } from './clock';
import { localConsoleConfig } from './console/config';
import { consoleSession } from './console/session';
import { CONSOLE_PREFIX, createConsoleSite } from './console/static-site';
import { DEV_AUDIENCE, DEV_ISSUER } from './constants';
import { createLambdaContext, LOCAL_REGION } from './gateway/lambda-context';
import { startLocalGateway } from './gateway/server';
import { type PartLabel, type StackLog, silentLog, withLabel } from './logging';
import { startOutboxPoller, startQueuePoller } from './queue-poller';
import { createScheduler, type ScheduleRun } from './scheduler';

/**
 * The whole system on one machine, in this process: the Podero simulator, dynalite (or an external
 * DynamoDB endpoint), the local Secrets Manager (or an external one), the three functions wired with
 * an in-process token refresher, the local API gateway and the scheduler. `pnpm dev`, `pnpm demo`
 * and the end-to-end tests all start it through `startLocalStack`.
 */

export interface LocalStackOptions {
  host?: string;
  /** 0 (the default) picks a free port; `pnpm dev` passes 3000 / 4010 / 8000 / 4583. */
  apiPort?: number;
  simulatorPort?: number;
  dynamoPort?: number;
  secretsPort?: number;
  /** Use this DynamoDB-compatible endpoint instead of starting dynalite (tables are created there if missing). */
  dynamoEndpoint?: string;
  /** Use this Secrets Manager endpoint instead of the local one (the two secrets are created there if missing). */
  secretsEndpoint?: string;
  /** Keep state in this directory (dynalite files, simulator state, secrets); in memory when absent. */
  persistDir?: string;
  /** Schedule speed-up factor (60: the 15-minute sync runs every 15 s). Default 1. */
  scheduleSpeed?: number;
  /** Run the declared schedules on timers (default true); `runSchedule` works either way. */
  scheduleTimers?: boolean;
  /** Key the gateway trusts and tokens are minted with; a fresh one when absent. */
  signingKey?: SigningKey;
  /** Passed to the simulator (seed, stateIntervalSeconds, startTime, clock, latencyMs...). */
  simulator?: Omit<SimulatorOptions, 'port' | 'host' | 'persistFile' | 'log'>;
  /**
   * Whose time the functions read (src/clock.ts): `simulator` (default), the simulator's clock, so moving it
   * with `POST /__sim/clock` moves the api, the sync, token-refresh and the trading workflow; or `wall`.
   */
  clock?: LocalClock;
  /** Overriding environment values for every function (e.g. SYNC_CONCURRENCY). */
  env?: EnvironmentOverrides;
  /** Powertools log level of the functions; default INFO (tests pass SILENT). */
  functionLogLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** The stack's own messages (`[gateway] GET /health -> 200`...). */
  log?: StackLog;
  /** Physical names; defaults `podero-bridge-local-main` / `-readings`. */
  tableNames?: Record<TableId, string>;
  region?: string;
  /** Serve the operator console built in this directory (`console/dist`) at `/console/`, signed in locally. */
  consoleDir?: string;
  /** W: how many heat-pump-sync-worker run at once (default: the declared maxConcurrency). */
  syncWorkers?: number;
  /** How long a scheduled `heat-pump-sync` waits for its pass to complete before it returns (default 10 min). */
  passWaitMs?: number;
  /**
   * A queue's visibility timeout instead of the declared one (the benchmark's killed worker: its message
   * comes back sooner than the declared 18 minutes).
   */
  visibilityTimeoutSeconds?: { readonly [K in QueueId]?: number };
}

/** What the local `heat-pump-sync` schedule answers: the plan, and the pass once its shards settled. */
export type LocalPassRun = PlanSummary & { pass: FleetPassView | null };

const DEFAULT_PASS_WAIT_MS = 10 * 60_000;
const PASS_POLL_MS = 25;

export interface LocalStack {
  /** The gateway, e.g. http://127.0.0.1:3000. */
  readonly apiUrl: string;
  readonly jwksUrl: string;
  readonly simulatorUrl: string;
  readonly dynamoEndpoint: string;
  readonly secretsEndpoint: string;
  readonly region: string;
  readonly tableNames: Readonly<Record<TableId, string>>;
  readonly secretIds: { readonly credentials: string; readonly token: string };
  readonly sqsEndpoint: string;
  /** The webhook delivery queue and its dead-letter queue (tests and the benchmark send to them directly). */
  readonly queueUrls: {
    readonly webhookDeliveries: string;
    readonly webhookDeadLetters: string;
    readonly syncShards: string;
    readonly syncShardDeadLetters: string;
  };
  /** W: heat-pump-sync-worker's pollers (the event source mapping's maximum concurrency). */
  readonly syncWorkers: number;
  readonly eventBridgeEndpoint: string;
  /** The local S3 (path-style): partners drop forecast files in `forecastBucket` under `forecasts/` here. */
  readonly s3Endpoint: string;
  readonly forecastBucket: string;
  /** Resolves once every forecast file dropped so far has been handled by trading-forecast-drop (tests). */
  forecastDropsSettled(): Promise<void>;
  /** The world the stack runs in: its names, queues, a value for every variable, each function's environment. */
  readonly world: LocalWorld;
  /** Every event put on the local bus, oldest first (the local archive). */
  events(): readonly ArchivedEvent[];
  /** Rings event-relay now and waits for its drain (tests; the poll does it every half second anyway). */
  drainOutbox(): Promise<void>;
  /** The simulator's fake client credentials (printed by `pnpm dev`; not real secrets). */
  readonly credentials: { readonly orgId: string; readonly clientId: string; readonly clientSecret: string };
  readonly signingKey: SigningKey;
  /** The simulator itself, for its control plane (clock, faults, counters) in tests. */
  readonly simulator: Simulator;
  readonly scheduleNames: readonly string[];
  mintToken: MintToken;
  runSchedule(name: string): Promise<ScheduleRun>;
  close(): Promise<void>;
}

/** The local world's name: `podero-bridge-local-main`, `podero-bridge/local/podero-token`... */
const LOCAL_WORLD = 'local';
const LOCAL_NAMES = localWorldNames(LOCAL_WORLD);

export const LOCAL_SECRET_IDS = LOCAL_NAMES.secrets;

/** The simulator's default state interval (SIM-CONTRACT: stateIntervalSeconds defaults to 300). */
const DEFAULT_STATE_INTERVAL_SECONDS = 300;

/** Log label of each function's output. */
const FUNCTION_LABELS: Record<FunctionId, PartLabel> = {
  api: 'api',
  tokenRefresh: 'token-refresh',
  syncPlanner: 'sync',
  syncWorker: 'sync',
  eventRelay: 'events',
  webhookDelivery: 'webhooks',
  erasureWorker: 'erasure',
  tradingWorkflow: 'trading',
  forecastDrop: 'trading',
  historyBackfill: 'sync',
};

/** The local event bus (the CDK app names its own per stage). */
export const LOCAL_EVENT_BUS = LOCAL_NAMES.eventBus;
/** How often the outbox poll (the local stand-in for the main table's stream) rings event-relay. */
const OUTBOX_POLL_MS = 500;

/**
 * The AWS SDK needs credentials even for local endpoints (which do not check signatures). Without
 * any configured, the functions' clients would fail to sign; fake ones are set only when none are.
 */
function ensureSdkCredentials(): void {
  if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
  }
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const {
    host = '127.0.0.1',
    persistDir,
    log = silentLog,
    functionLogLevel = 'INFO',
    region = process.env.AWS_REGION ?? LOCAL_REGION,
  } = options;
  const cleanups: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    cleanups.length = 0;
    if (errors.length > 0) throw new AggregateError(errors, 'local stack: some parts did not close cleanly');
  };
  ensureSdkCredentials();
  if (persistDir !== undefined) await mkdir(persistDir, { recursive: true });

  try {
    // 1. The Podero simulator.
    const simulator = await withLabel('simulator', () =>
      startSimulator({
        ...options.simulator,
        port: options.simulatorPort ?? 0,
        host,
        ...(persistDir ? { persistFile: join(persistDir, 'simulator.json') } : {}),
        log: (line) => log('simulator', line),
      }),
    );
    cleanups.push(() => simulator.close());
    log('simulator', `Podero simulator on ${simulator.baseUrl}`);

    // 2. DynamoDB: dynalite, or an external endpoint; the declared tables either way.
    let dynamoEndpoint = options.dynamoEndpoint;
    if (dynamoEndpoint === undefined) {
      const dynalite = await withLabel('dynamodb', () =>
        startDynalite({
          port: options.dynamoPort ?? 0,
          host,
          ...(persistDir ? { path: join(persistDir, 'dynamodb') } : {}),
        }),
      );
      cleanups.push(() => dynalite.close());
      dynamoEndpoint = dynalite.endpoint;
      log(
        'dynamodb',
        `dynalite on ${dynamoEndpoint}${persistDir ? ` (persisted in ${persistDir})` : ' (in memory)'}`,
      );
    } else {
      log('dynamodb', `using the DynamoDB endpoint ${dynamoEndpoint}`);
    }

    // 3. Secrets Manager: local, or an external endpoint; the two secrets either way.
    let secretsEndpoint = options.secretsEndpoint;
    if (secretsEndpoint === undefined) {
      const secrets = await withLabel('secrets', () =>
        startLocalSecretsManager({
          port: options.secretsPort ?? 0,
          host,
          region,
          ...(persistDir ? { persistFile: join(persistDir, 'secrets.json') } : {}),
        }),
      );
      cleanups.push(() => secrets.close());
      secretsEndpoint = secrets.endpoint;
      log('secrets', `local Secrets Manager on ${secretsEndpoint}`);
    } else {
      log('secrets', `using the Secrets Manager endpoint ${secretsEndpoint}`);
    }
    // 3b. SQS and EventBridge: the declared queues with their dead-letter queues, and the event bus.
    const sqsServer = await startLocalSqs({ host, region });
    cleanups.push(() => sqsServer.close());
    const sqs = new SQSClient({ endpoint: sqsServer.endpoint, region });
    cleanups.push(() => sqs.destroy());
    const eventBridge = await startLocalEventBridge({
      host,
      buses: [LOCAL_EVENT_BUS],
      onEvent: (event) =>
        log('events', `${event.detailType} ${String((event.detail as { id?: unknown }).id)} on ${event.bus}`),
    });
    cleanups.push(() => eventBridge.close());
    log('events', `local SQS on ${sqsServer.endpoint}, local EventBridge on ${eventBridge.endpoint}`);
    // 3c. S3: the declared buckets (the forecast drop's), with object-created notifications delivered below.
    const s3Server = await startLocalS3({
      host,
      region,
      onDeliveryError: (error) =>
        log(
          'trading',
          `a forecast file could not be handled: ${error instanceof Error ? error.message : String(error)}`,
        ),
    });
    cleanups.push(() => s3Server.close());
    log('trading', `local S3 on ${s3Server.endpoint}`);

    // 4. The world: the declared tables, queues and secrets (the credentials follow the simulator, a
    // stored token stays), and each function's environment as the CDK app gives it, on the local endpoints.
    const world = await ensureLocalWorld({
      name: LOCAL_WORLD,
      endpoints: {
        region,
        dynamodb: dynamoEndpoint,
        secretsManager: secretsEndpoint,
        sqs: sqsServer.endpoint,
        eventBridge: eventBridge.endpoint,
        s3: s3Server.endpoint,
      },
      podero: simulator,
      ...(options.tableNames ? { tableNames: options.tableNames } : {}),
      ...(options.visibilityTimeoutSeconds
        ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }
        : {}),
      overrides: {
        // Short enough that a token written by a `pnpm dev:run token-refresh` is seen within seconds.
        [ENV.tokenCacheMaxAgeSeconds]: '5',
        [ENV.appVersion]: 'local',
        ...options.env,
      },
    });
    const tableNames = world.names.tables;
    const { webhookDeliveries: deliveries, syncShards: shards, erasures } = world.queues;
    const queueUrl = deliveries.url;
    const dlqUrl = deliveries.deadLetterUrl;
    log('dynamodb', `tables ready: ${Object.values(tableNames).join(', ')}`);
    const envFor = (id: FunctionId) => world.environment(id);
    const loggerFor = (id: FunctionId) => createLogger(id, { logLevel: functionLogLevel });
    // The business clock and the token clock of the functions that talk to Podero: Podero's (the simulator's)
    // time by default. event-relay, webhook-delivery and erasure keep the wall clock (src/clock.ts says why).
    const bridgeClock = options.clock ?? 'simulator';
    const now = bridgeClockOf(bridgeClock, simulator);
    const onPoderoTime = { now, tokenClock: now };
    // EMF metric blobs would drown the readable logs locally; the sync's summary line carries the numbers.
    const bridge = composeInProcess({
      environment: envFor,
      tokenRefresh: { logger: loggerFor('tokenRefresh'), metrics: createRecordingMetrics(), now },
      // Its webhook routes schedule deliveries for webhook-delivery, which keeps the wall clock.
      api: {
        logger: loggerFor('api'),
        metrics: createRecordingMetrics(),
        ...onPoderoTime,
        webhookClock: () => Date.now(),
      },
      sync: { logger: loggerFor('syncWorker'), metrics: createRecordingMetrics(), ...onPoderoTime },
      planner: { logger: loggerFor('syncPlanner'), metrics: createRecordingMetrics(), now },
      eventRelay: { logger: loggerFor('eventRelay'), metrics: createRecordingMetrics() },
      webhookDelivery: { logger: loggerFor('webhookDelivery'), metrics: createRecordingMetrics() },
      erasureWorker: { logger: loggerFor('erasureWorker'), metrics: createRecordingMetrics() },
      tradingWorkflow: {
        logger: loggerFor('tradingWorkflow'),
        metrics: createRecordingMetrics(),
        ...onPoderoTime,
      },
      // The drop judges the upload deadline on the trading workflow's clock.
      forecastDrop: { logger: loggerFor('forecastDrop'), metrics: createRecordingMetrics(), now },
      // On Podero's (the simulator's) time, as the sync: its gaps are quarter-hours of that clock.
      historyBackfill: {
        logger: loggerFor('historyBackfill'),
        metrics: createRecordingMetrics(),
        ...onPoderoTime,
      },
      aroundTokenRefresh: (invoke) => withLabel('token-refresh', invoke),
    });
    cleanups.push(() => bridge.close());
    const invokeTokenRefresh = (event: unknown) => bridge.tokenRefresh(event);
    const apiHandler = bridge.api;

    // event-relay and webhook-delivery run as in AWS: rung by the outbox (the stream there), fed by the queue.
    let draining: Promise<unknown> = Promise.resolve();
    const drainOutbox = () => {
      draining = draining.then(
        () => withLabel('events', () => bridge.eventRelay({ source: 'local' })),
        () => withLabel('events', () => bridge.eventRelay({ source: 'local' })),
      );
      return draining;
    };
    const outboxPoller = startOutboxPoller({
      everyMs: OUTBOX_POLL_MS,
      relay: drainOutbox,
      log: (message) => log('events', message),
    });
    cleanups.push(() => outboxPoller.close());
    const trigger = functionDeclarations.webhookDelivery.trigger;
    const deliveryPoller = startQueuePoller({
      sqs,
      queueUrl,
      queueArn: deliveries.arn,
      region,
      batchSize: trigger.batchSize,
      maxConcurrency: trigger.maxConcurrency,
      handler: (event) => withLabel('webhooks', () => bridge.webhookDelivery(event)),
      log: (message) => log('sqs', message),
    });
    cleanups.push(() => deliveryPoller.close());
    // heat-pump-sync-worker: W workers, one shard each, as the event source mapping runs them in AWS.
    const workerTrigger = functionDeclarations.syncWorker.trigger;
    const syncWorkers = options.syncWorkers ?? workerTrigger.maxConcurrency;
    const shardPoller = startQueuePoller({
      sqs,
      queueUrl: shards.url,
      queueArn: shards.arn,
      region,
      batchSize: workerTrigger.batchSize,
      maxConcurrency: syncWorkers,
      handler: (event) =>
        withLabel('sync', () =>
          bridge.syncWorker(event, createLambdaContext(functionDeclarations.syncWorker, { region })),
        ),
      log: (message) => log('sqs', message),
    });
    cleanups.push(() => shardPoller.close());
    // erasure: offboardings' jobs, each swept at once and again a few minutes later (a delayed message).
    const erasureTrigger = functionDeclarations.erasureWorker.trigger;
    const erasurePoller = startQueuePoller({
      sqs,
      queueUrl: erasures.url,
      queueArn: erasures.arn,
      region,
      batchSize: erasureTrigger.batchSize,
      maxConcurrency: erasureTrigger.maxConcurrency,
      handler: (event) => withLabel('erasure', () => bridge.erasureWorker(event)),
      log: (message) => log('sqs', message),
    });
    cleanups.push(() => erasurePoller.close());
    // trading-forecast-drop: S3's object-created event for each file dropped under the declared prefix, as
    // the bucket notification invokes it in AWS (an asynchronous invoke: a failure is logged, not retried here).
    const dropTrigger = functionDeclarations.forecastDrop.trigger;
    const forecastBucket = world.names.buckets[dropTrigger.bucket];
    const stopDrops = s3Server.onObjectCreated(forecastBucket, dropTrigger.prefix, (event) =>
      withLabel('trading', () => bridge.forecastDrop(event)),
    );
    cleanups.push(async () => {
      stopDrops();
      await s3Server.settled();
    });
    log('trading', `forecast files: s3://${forecastBucket}/${dropTrigger.prefix}<zone>/<day>.csv`);
    const passes = new SyncPassStore(bridge.deps.sync.db, tableNames.main);
    /** The planner, then the pass its shards make up, once the workers have settled them (bounded). */
    const runFleetPass = async (payload: unknown): Promise<LocalPassRun> => {
      const plan = await bridge.syncPlanner(
        payload,
        createLambdaContext(functionDeclarations.syncPlanner, { region }),
      );
      const deadline = Date.now() + (options.passWaitMs ?? DEFAULT_PASS_WAIT_MS);
      for (;;) {
        const pass = await passes.current();
        const mine = pass !== null && pass.passId === plan.pass_id;
        if (plan.outcome !== 'planned' || (mine && pass.status === 'completed') || Date.now() > deadline) {
          return { ...plan, pass: mine ? fleetPassView(pass) : null };
        }
        await new Promise((resolve) => setTimeout(resolve, PASS_POLL_MS));
      }
    };

    // What the declared schedules target.
    const scheduleTargets: Partial<Record<FunctionId, (payload: unknown) => Promise<unknown>>> = {
      tokenRefresh: (payload) => invokeTokenRefresh(payload),
      syncPlanner: (payload) => withLabel('sync', () => runFleetPass(payload)),
      eventRelay: () => drainOutbox(),
      tradingWorkflow: (payload) => withLabel('trading', () => bridge.tradingWorkflow(payload)),
      historyBackfill: (payload) => withLabel('sync', () => bridge.historyBackfill(payload)),
    };

    // 5. Scheduler and gateway.
    const scheduler = createScheduler<ScheduleDeclaration>({
      schedules: scheduleDeclarations,
      invoke: async (schedule) => {
        const target = scheduleTargets[schedule.function];
        if (target === undefined) throw new Error(`no local target for function ${schedule.function}`);
        return withLabel(FUNCTION_LABELS[schedule.function], () => target(schedule.payload));
      },
      speed: options.scheduleSpeed ?? 1,
      timers: options.scheduleTimers ?? true,
      log: (message) => log('scheduler', message),
    });
    cleanups.push(() => scheduler.close());

    const signingKey = options.signingKey ?? (await generateSigningKey());
    const mintToken = createTokenMinter(signingKey);
    // The console's config names the gateway's own URL, known once it listens.
    let consoleSite: ReturnType<typeof createConsoleSite> | undefined;
    const gateway = await withLabel('gateway', () =>
      startLocalGateway({
        port: options.apiPort ?? 0,
        host,
        functions: {
          api: (event, context) => withLabel('api', () => apiHandler(event, context)),
        },
        authorizer: createJwtAuthorizer({
          jwks: signingKey.jwks,
          issuer: DEV_ISSUER,
          audience: DEV_AUDIENCE,
        }),
        jwks: signingKey.jwks,
        scheduler,
        ...(options.consoleDir === undefined
          ? {}
          : {
              console: {
                serve: (method, path) => consoleSite?.(method, path) ?? Promise.resolve(undefined),
                session: async (method, headers, body) =>
                  consoleSession(
                    method,
                    headers,
                    mintToken,
                    undefined,
                    method === 'POST' ? await body() : '',
                  ),
              },
            }),
        info: {
          simulator_url: simulator.baseUrl,
          state_interval_seconds: options.simulator?.stateIntervalSeconds ?? DEFAULT_STATE_INTERVAL_SECONDS,
          bridge_clock: bridgeClock,
          signing_key_id: signingKey.kid,
          issuer: DEV_ISSUER,
          audience: DEV_AUDIENCE,
        },
        log: (message) => log('gateway', message),
      }),
    );
    cleanups.push(() => gateway.close());
    log('gateway', `API gateway on ${gateway.url}`);
    if (options.consoleDir !== undefined) {
      consoleSite = createConsoleSite({ dir: options.consoleDir, config: localConsoleConfig(gateway.url) });
      log('gateway', `operator console on ${gateway.url}${CONSOLE_PREFIX}`);
    }

    // 6. A token before the first request, like the deployed stack's first hourly run.
    const first = await scheduler.runNow('token-refresh');
    if (!first.ok) throw new Error(`the first token refresh failed: ${String(first.result)}`);
    const firstStatus = (first.result as { status?: unknown } | undefined)?.status;
    log('token-refresh', `token ready (${String(firstStatus)})`);

    return {
      apiUrl: gateway.url,
      jwksUrl: `${gateway.url}/.well-known/jwks.json`,
      simulatorUrl: simulator.baseUrl,
      dynamoEndpoint,
      secretsEndpoint,
      region,
      tableNames,
      secretIds: world.names.secrets,
      sqsEndpoint: sqsServer.endpoint,
      queueUrls: {
        webhookDeliveries: queueUrl,
        webhookDeadLetters: dlqUrl,
        syncShards: shards.url,
        syncShardDeadLetters: shards.deadLetterUrl,
      },
      syncWorkers,
      eventBridgeEndpoint: eventBridge.endpoint,
      s3Endpoint: s3Server.endpoint,
      forecastBucket,
      forecastDropsSettled: () => s3Server.settled(),
      world,
      events: () => eventBridge.events(),
      drainOutbox: async () => {
        await drainOutbox();
      },
      credentials: {
        orgId: simulator.orgId,
        clientId: simulator.clientId,
        clientSecret: simulator.clientSecret,
      },
      signingKey,
      simulator,
      scheduleNames: scheduler.names,
      mintToken,
      runSchedule: (name) => scheduler.runNow(name),
      close: closeAll,
    };
  } catch (error) {
    await closeAll().catch(() => {});
    throw error;
  }
}
