import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
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
  type EnvName,
  environmentFor,
  type FunctionId,
  functionDeclarations,
  type QueueDeclaration,
  type QueueId,
  queueDeclarations,
  type ScheduleDeclaration,
  scheduleDeclarations,
  type TableId,
  tableDeclarations,
} from '@podero-bridge/functions/declarations';
import {
  type ArchivedEvent,
  ensureTables,
  startDynalite,
  startLocalEventBridge,
  startLocalSecretsManager,
  startLocalSqs,
} from '@podero-bridge/local-aws';
import { type Simulator, type SimulatorOptions, startSimulator } from '@podero-bridge/podero-simulator';
import { createJwtAuthorizer } from './auth/authorizer';
import { generateSigningKey, type SigningKey } from './auth/signing-key';
import { createTokenMinter, type MintToken } from './auth/tokens';
import { localConsoleConfig } from './console/config';
import { consoleSession } from './console/session';
import { CONSOLE_PREFIX, createConsoleSite } from './console/static-site';
import { DEV_AUDIENCE, DEV_ISSUER } from './constants';
import { createLambdaContext, LOCAL_REGION, localFunctionName } from './gateway/lambda-context';
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
  /** Extra or overriding environment values for every function (e.g. SYNC_CONCURRENCY). */
  env?: Partial<Record<EnvName, string>>;
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
  visibilityTimeoutSeconds?: Partial<Record<QueueId, number>>;
}

/** What the local `heat-pump-sync` schedule answers: the plan, and the pass once its shards settled. */
export type LocalPassRun = PlanSummary & { pass: FleetPassView | null };

interface LocalQueue {
  url: string;
  arn: string;
  dlqUrl: string;
}

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

export const LOCAL_SECRET_IDS = {
  credentials: 'podero-bridge/local/podero-credentials',
  token: 'podero-bridge/local/podero-token',
} as const;

/** The simulator's default state interval (SIM-CONTRACT: stateIntervalSeconds defaults to 300). */
const DEFAULT_STATE_INTERVAL_SECONDS = 300;

const DEFAULT_TABLE_NAMES: Record<TableId, string> = {
  main: 'podero-bridge-local-main',
  readings: 'podero-bridge-local-readings',
};

/** Log label of each function's output. */
const FUNCTION_LABELS: Record<FunctionId, PartLabel> = {
  api: 'api',
  tokenRefresh: 'token-refresh',
  syncPlanner: 'sync',
  syncWorker: 'sync',
  eventRelay: 'events',
  webhookDelivery: 'webhooks',
  erasureWorker: 'erasure',
};

/** The local event bus, queues and secret prefix (the CDK app names its own per stage). */
export const LOCAL_EVENT_BUS = 'podero-bridge-local-events';
const LOCAL_WEBHOOK_SECRET_PREFIX = 'podero-bridge/local/webhooks/';
/** How often the outbox poll (the local stand-in for the main table's stream) rings event-relay. */
const OUTBOX_POLL_MS = 500;

/** The token secret's value until token-refresh writes the first token (readers treat it as "no token"). */
const TOKEN_SECRET_PLACEHOLDER = JSON.stringify({ note: 'written by token-refresh' });

/** Creates `id` with `value`, or replaces its value when it differs (the local stack owns these secrets). */
async function ensureSecret(
  client: SecretsManagerClient,
  id: string,
  value: string,
  replace: boolean,
): Promise<void> {
  try {
    const current = await client.send(new GetSecretValueCommand({ SecretId: id }));
    if (replace && current.SecretString !== value) {
      await client.send(new PutSecretValueCommand({ SecretId: id, SecretString: value }));
    }
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    try {
      await client.send(new CreateSecretCommand({ Name: id, SecretString: value }));
    } catch (createError) {
      if (!(createError instanceof ResourceExistsException)) throw createError;
    }
  }
}

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
  const tableNames = { ...DEFAULT_TABLE_NAMES, ...options.tableNames };
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
    const dynamo = new DynamoDBClient({ endpoint: dynamoEndpoint, region });
    cleanups.push(() => dynamo.destroy());
    await ensureTables(dynamo, tableNames, tableDeclarations);
    log('dynamodb', `tables ready: ${Object.values(tableNames).join(', ')}`);

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
    const secretsClient = new SecretsManagerClient({ endpoint: secretsEndpoint, region });
    cleanups.push(() => secretsClient.destroy());
    const credentialsValue = JSON.stringify({
      client_id: simulator.clientId,
      client_secret: simulator.clientSecret,
      org_id: simulator.orgId,
      base_url: simulator.baseUrl,
    });
    // The credentials follow the simulator (its port may differ between runs); the token stays.
    await ensureSecret(secretsClient, LOCAL_SECRET_IDS.credentials, credentialsValue, true);
    await ensureSecret(secretsClient, LOCAL_SECRET_IDS.token, TOKEN_SECRET_PLACEHOLDER, false);

    // 3b. SQS and EventBridge: the webhook delivery queue with its dead-letter queue, and the event bus.
    const sqsServer = await startLocalSqs({ host, region });
    cleanups.push(() => sqsServer.close());
    const sqs = new SQSClient({ endpoint: sqsServer.endpoint, region });
    cleanups.push(() => sqs.destroy());
    // Every declared queue with its dead-letter queue, as the CDK app creates them.
    const createQueue = async (decl: QueueDeclaration): Promise<LocalQueue> => {
      const name = `podero-bridge-local-${decl.name}`;
      const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl ?? '';
      const arnOf = async (url: string) =>
        (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
          .Attributes?.QueueArn ?? '';
      const url =
        (
          await sqs.send(
            new CreateQueueCommand({
              QueueName: name,
              Attributes: {
                VisibilityTimeout: String(
                  options.visibilityTimeoutSeconds?.[decl.id] ?? decl.visibilityTimeoutSeconds,
                ),
                RedrivePolicy: JSON.stringify({
                  deadLetterTargetArn: await arnOf(dlqUrl),
                  maxReceiveCount: decl.maxReceiveCount,
                }),
              },
            }),
          )
        ).QueueUrl ?? '';
      return { url, arn: await arnOf(url), dlqUrl };
    };
    const deliveries = await createQueue(queueDeclarations.webhookDeliveries);
    const shards = await createQueue(queueDeclarations.syncShards);
    const erasures = await createQueue(queueDeclarations.erasures);
    const queueUrl = deliveries.url;
    const dlqUrl = deliveries.dlqUrl;
    const eventBridge = await startLocalEventBridge({
      host,
      buses: [LOCAL_EVENT_BUS],
      onEvent: (event) =>
        log('events', `${event.detailType} ${String((event.detail as { id?: unknown }).id)} on ${event.bus}`),
    });
    cleanups.push(() => eventBridge.close());
    log('events', `local SQS on ${sqsServer.endpoint}, local EventBridge on ${eventBridge.endpoint}`);

    // 4. The functions, configured from their declared environment like the CDK app does.
    const values: Partial<Record<EnvName, string>> = {
      [ENV.mainTableName]: tableNames.main,
      [ENV.readingsTableName]: tableNames.readings,
      [ENV.credentialsSecretId]: LOCAL_SECRET_IDS.credentials,
      [ENV.tokenSecretId]: LOCAL_SECRET_IDS.token,
      [ENV.tokenRefreshFunctionName]: localFunctionName(functionDeclarations.tokenRefresh),
      [ENV.poderoBaseUrl]: simulator.baseUrl,
      [ENV.poderoOrgId]: simulator.orgId,
      // Short enough that a token written by a `pnpm dev:run token-refresh` is seen within seconds.
      [ENV.tokenCacheMaxAgeSeconds]: '5',
      [ENV.appVersion]: 'local',
      [ENV.stage]: 'local',
      [ENV.eventBusName]: LOCAL_EVENT_BUS,
      [ENV.webhookQueueUrl]: queueUrl,
      [ENV.webhookDeadLetterQueueUrl]: dlqUrl,
      [ENV.syncShardQueueUrl]: shards.url,
      [ENV.erasureQueueUrl]: erasures.url,
      [ENV.webhookSecretPrefix]: LOCAL_WEBHOOK_SECRET_PREFIX,
      // The local stage only: a receiver on this machine (http://127.0.0.1:<port>) may get webhooks.
      [ENV.webhookAllowLoopback]: 'true',
      // The local stage only: re-authentication may return to pages on this machine (the gateway's own
      // /__local/ landing pages, a partner app under development); other origins come through `env`.
      [ENV.returnUrlAllowLoopback]: 'true',
      ...options.env,
    };
    // What the CDK app gives each function (the same environmentFor), pointed at the local services.
    const envFor = (id: FunctionId): Record<string, string> => ({
      ...environmentFor(functionDeclarations[id], values, { sourceMaps: false }),
      AWS_REGION: region,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsEndpoint,
      AWS_ENDPOINT_URL_SQS: sqsServer.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
    });
    const loggerFor = (id: FunctionId) => createLogger(id, { logLevel: functionLogLevel });
    // EMF metric blobs would drown the readable logs locally; the sync's summary line carries the numbers.
    const bridge = composeInProcess({
      environment: envFor,
      tokenRefresh: { logger: loggerFor('tokenRefresh'), metrics: createRecordingMetrics() },
      api: { logger: loggerFor('api'), metrics: createRecordingMetrics() },
      sync: { logger: loggerFor('syncWorker'), metrics: createRecordingMetrics() },
      planner: { logger: loggerFor('syncPlanner'), metrics: createRecordingMetrics() },
      eventRelay: { logger: loggerFor('eventRelay'), metrics: createRecordingMetrics() },
      webhookDelivery: { logger: loggerFor('webhookDelivery'), metrics: createRecordingMetrics() },
      erasureWorker: { logger: loggerFor('erasureWorker'), metrics: createRecordingMetrics() },
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
                session: (method, headers) => consoleSession(method, headers, mintToken),
              },
            }),
        info: {
          simulator_url: simulator.baseUrl,
          state_interval_seconds: options.simulator?.stateIntervalSeconds ?? DEFAULT_STATE_INTERVAL_SECONDS,
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
      secretIds: LOCAL_SECRET_IDS,
      sqsEndpoint: sqsServer.endpoint,
      queueUrls: {
        webhookDeliveries: queueUrl,
        webhookDeadLetters: dlqUrl,
        syncShards: shards.url,
        syncShardDeadLetters: shards.dlqUrl,
      },
      syncWorkers,
      eventBridgeEndpoint: eventBridge.endpoint,
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
