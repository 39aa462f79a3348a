/**
 * The one place where podero-bridge's functions, routes, schedules and tables are declared.
 *
 * Both the CDK app (`infra/`) and the local stack (`local`) read these
 * definitions, so a route, schedule or table added here exists in AWS and locally alike.
 * This module is plain data with no runtime dependencies beyond the device kinds' API names (plain data
 * themselves, domain/devices/kind-api.ts): importing it never pulls handler code, AWS SDK clients or zod into
 * the CDK app.
 */

import type { RouteAccess } from './domain/access';
import { type DeviceKindApi, type DeviceOperationId, deviceOperationIds } from './domain/devices/kind-api';
import { deviceKindApis } from './domain/devices/kind-apis';
import type { HistoryBackfillEvent } from './history/event';
import type { SyncEvent } from './sync/event';
import type { TokenRefreshEvent } from './tokens/contract';
import type { TradingWorkflowEvent } from './trading/event';
import type { RelayEvent } from './webhooks/relay-event';

export type FunctionId =
  | 'tokenRefresh'
  | 'api'
  | 'syncPlanner'
  | 'syncWorker'
  | 'eventRelay'
  | 'webhookDelivery'
  | 'erasureWorker'
  | 'tradingWorkflow'
  | 'forecastDrop'
  | 'historyBackfill';
export type TableId = 'main' | 'readings';
export type QueueId = 'webhookDeliveries' | 'syncShards' | 'erasures';
export type BucketId = 'forecastDrops';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route: the roles and the one access rule live in domain/access.ts (plain data and pure
 * functions, mutation-tested); the handler (lambdas/api/auth.ts), the gateway (infra, the local gateway) and
 * the OpenAPI document all read them from there, through here.
 */
export {
  ADMIN_SCOPE,
  accessRule,
  gatewayScopesFor,
  ROLE_SCOPES,
  ROLES,
  type Role,
  type RouteAccess,
  roleCovers,
  roleOfScopes,
} from './domain/access';

/** Environment variable names shared by the functions, the CDK app and the local stack. */
export const ENV = {
  mainTableName: 'MAIN_TABLE_NAME',
  readingsTableName: 'READINGS_TABLE_NAME',
  credentialsSecretId: 'CREDENTIALS_SECRET_ID',
  tokenSecretId: 'TOKEN_SECRET_ID',
  tokenRefreshFunctionName: 'TOKEN_REFRESH_FUNCTION_NAME',
  poderoBaseUrl: 'PODERO_BASE_URL',
  poderoOrgId: 'PODERO_ORG_ID',
  tokenRefreshMarginSeconds: 'TOKEN_REFRESH_MARGIN_SECONDS',
  tokenCacheMaxAgeSeconds: 'TOKEN_CACHE_MAX_AGE_SECONDS',
  syncConcurrency: 'SYNC_CONCURRENCY',
  /** Optional (default 60): heat-pump-sync stops starting users when less than this remains of its timeout. */
  syncSafetyMarginSeconds: 'SYNC_SAFETY_MARGIN_SECONDS',
  readingsRetentionDays: 'READINGS_RETENTION_DAYS',
  /** Optional (default 24): every this many hours the sync asks Podero about every device kind of a user. */
  deviceKindsRecheckHours: 'DEVICE_KINDS_RECHECK_HOURS',
  /** The sync-shards queue: the planner's shards, the workers' continuations. */
  syncShardQueueUrl: 'SYNC_SHARD_QUEUE_URL',
  /**
   * Optional (default: the heat-pump-sync schedule's interval): the stage's sync interval in minutes, the unit of
   * every device kind's stale threshold (domain/devices/health.ts). The CDK app sets the stage's `sync.everyMinutes`.
   */
  syncIntervalMinutes: 'SYNC_INTERVAL_MINUTES',
  /** Optional (default 1000): the most users in one shard of a fleet pass. */
  syncShardSize: 'SYNC_SHARD_SIZE',
  /** Optional (default 0: none): Podero requests per second for the whole stage, shared by every sync worker. */
  syncRateLimitPerSecond: 'SYNC_RATE_LIMIT_PER_SECOND',
  appVersion: 'APP_VERSION',
  /** The deployment stage (dev, prod, ...): a dimension of every custom metric, so one stage's alarms never see another's. */
  stage: 'STAGE',
  /** The stage's custom EventBridge bus every change event is put on. */
  eventBusName: 'EVENT_BUS_NAME',
  /** The webhook delivery queue (SQS) and its dead-letter queue. */
  webhookQueueUrl: 'WEBHOOK_QUEUE_URL',
  webhookDeadLetterQueueUrl: 'WEBHOOK_DEAD_LETTER_QUEUE_URL',
  /** Secrets Manager name prefix of the webhook signing secrets (one secret per endpoint). */
  webhookSecretPrefix: 'WEBHOOK_SECRET_PREFIX',
  /** `true` only in the local stage: webhooks may point at http://127.0.0.1 (a receiver on the laptop). */
  webhookAllowLoopback: 'WEBHOOK_ALLOW_LOOPBACK',
  /** The erasure queue: offboardings' jobs (erasure/erasure.ts), each swept at once and once more later. */
  erasureQueueUrl: 'ERASURE_QUEUE_URL',
  /**
   * Optional (default none): comma-separated origins the API may send an end user's browser back to (the
   * re-authentication's `success_url` / `cancel_url`); anything else is refused.
   */
  returnUrlOrigins: 'RETURN_URL_ORIGINS',
  /** `true` only in the local stage: return URLs may also be on http://127.0.0.1 or localhost (any port). */
  returnUrlAllowLoopback: 'RETURN_URL_ALLOW_LOOPBACK',
  /** Optional (default `reference`): which of Podero's two trading APIs the stage speaks (ADR 0014; `podero conformance`). */
  poderoTradingVariant: 'PODERO_TRADING_VARIANT',
  /** Optional (default `off`): `accept` confirms every day-ahead trade as soon as its curves are stored (ADR 0015). */
  tradingAutoConfirm: 'TRADING_AUTO_CONFIRM',
  /** Optional (default `23:30`): the confirmation deadline on D−1, Europe/Berlin (`14:30` for partners who also trade intraday). */
  tradingConfirmationDeadline: 'TRADING_CONFIRMATION_DEADLINE',
  /** The bucket partners drop price forecast files in (`forecasts/`), and where their results go (`results/`). */
  forecastBucketName: 'FORECAST_BUCKET_NAME',
  /** Optional (default 7): how many days back the history backfill looks for missed quarter-hours. */
  backfillLookbackDays: 'BACKFILL_LOOKBACK_DAYS',
  /** Optional (default 60): the backfill's share of the Podero budget, `/data` requests per run. */
  backfillMaxRequestsPerRun: 'BACKFILL_MAX_REQUESTS_PER_RUN',
  /** Optional (default 90, [INFERRED]: Podero documents none): how long Podero keeps its `/data` series. */
  poderoDataRetentionDays: 'PODERO_DATA_RETENTION_DAYS',
} as const;
export type EnvName = (typeof ENV)[keyof typeof ENV];

/** Which resources a function touches; the CDK app turns this into least-privilege grants. */
export interface FunctionAccess {
  readonly tables: Partial<Record<TableId, 'read' | 'readWrite'>>;
  readonly tokenSecret: 'none' | 'read' | 'readWrite';
  /** Only token-refresh reads the client credentials (see docs/ARCHITECTURE.md). */
  readonly credentialsSecret: 'none' | 'read';
  /** Functions this one may invoke synchronously (the fleet asks token-refresh to force a refresh). */
  readonly invokes: readonly FunctionId[];
  /** Queues it sends to, consumes (its trigger), or whose dead-letter queue it sends to. */
  readonly queues?: Partial<Record<QueueId, readonly ('send' | 'consume' | 'sendDeadLetter')[]>>;
  /** Puts events on the stage's event bus. */
  readonly eventBus?: 'put';
  /** The webhook signing secrets: read them (deliveries) or create, rotate and delete them (the API). */
  readonly webhookSecrets?: 'read' | 'manage';
  /** Buckets it reads objects from and writes objects to, each under one key prefix (`forecasts/`). */
  readonly buckets?: Partial<Record<BucketId, { readonly read?: string; readonly write?: string }>>;
}

/**
 * What invokes a function besides its schedules: a queue (an SQS event source mapping: batches, at most
 * `maxConcurrency` at once, failed items reported one by one), or the main table's stream filtered to items
 * with pending change events (in AWS; the local stack polls the outbox instead, dynalite has no streams).
 */
export type FunctionTrigger =
  | {
      readonly kind: 'queue';
      readonly queue: QueueId;
      readonly batchSize: number;
      readonly maxConcurrency: number;
    }
  | { readonly kind: 'outboxStream' }
  /** S3's object-created notifications of a declared bucket, for keys under `prefix` (an asynchronous invoke). */
  | { readonly kind: 'objectCreated'; readonly bucket: BucketId; readonly prefix: string };

export interface FunctionDeclaration {
  readonly id: FunctionId;
  /** Kebab-case name, used for construct ids, log labels and the local stack. */
  readonly name: string;
  readonly description: string;
  /** Handler module, relative to the `functions/` package root; it exports `handler`. */
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Set for token-refresh: exactly one writer of the token secret at any time. */
  readonly reservedConcurrency?: number;
  readonly access: FunctionAccess;
  /** Environment variables this function needs (values are supplied by the CDK app or the local stack). */
  readonly environment: readonly EnvName[];
  /** Node.js flags of this function (see `nodeOptionsOf`). */
  readonly nodeOptions?: readonly string[];
  readonly trigger?: FunctionTrigger;
}

/**
 * The function's `NODE_OPTIONS` (empty: leave the variable unset): read by the CDK app and by the
 * benchmarks, so both run the same flags. `sourceMaps` is the stage's choice (`sourceMaps` in
 * infra/stages.json, off by default): `--enable-source-maps` makes stack traces point at the sources,
 * and costs about 10 ms of every cold start (`pnpm bench cold-start`).
 */
export function nodeOptionsOf(declaration: FunctionDeclaration, options: { sourceMaps: boolean }): string {
  return [...(options.sourceMaps ? ['--enable-source-maps'] : []), ...(declaration.nodeOptions ?? [])].join(
    ' ',
  );
}

/** CloudWatch namespace of every custom metric the functions emit (Powertools metrics). */
export const METRICS_NAMESPACE = 'PoderoBridge';

/** A function's log level: Powertools' and, in AWS, Lambda's application log level (per stage). */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** A value for every declared environment variable name (what the CDK app must give). */
export type EnvironmentValues = Readonly<Record<EnvName, string>>;

/**
 * The function's environment, assembled in one place for the CDK app and the local world (the local stack,
 * the tests, the benchmarks: functions/test-support/local-world.ts): the variables its declaration lists
 * plus the settings every function shares. Both pass a value for every name (EnvironmentValues), so a new
 * variable is a type error in each until it is given. A name set twice is a bug in the caller, so it
 * throws instead of silently keeping one of the values.
 */
export function environmentFor(
  declaration: FunctionDeclaration,
  values: EnvironmentValues,
  options: { sourceMaps: boolean; logLevel?: LogLevel; tracing?: boolean },
): Record<string, string> {
  const nodeOptions = nodeOptionsOf(declaration, options);
  const environment: Record<string, string> = {
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    POWERTOOLS_SERVICE_NAME: declaration.name,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'INFO',
    // Tracer is off outside Lambda anyway; in Lambda it follows the stage, never the X-Ray SDK's guess.
    POWERTOOLS_TRACE_ENABLED: options.tracing ? 'true' : 'false',
  };
  for (const name of declaration.environment) {
    if (name in environment) {
      throw new Error(`environment variable ${name} of ${declaration.name} is set twice`);
    }
    environment[name] = values[name];
  }
  return environment;
}

/** Where partners drop forecast files in the forecast bucket (`forecasts/<zone>/<delivery day>.csv`). */
export const FORECAST_DROP_PREFIX = 'forecasts/';
/** Where the drop writes each file's result (`results/<zone>/<delivery day>.csv.result.json`). */
export const FORECAST_RESULT_PREFIX = 'results/';

/**
 * What a function that calls Podero with the shared token needs: the token's secret, the token-refresh
 * function to ask for a new one, Podero's address and organisation, and how long a read token is kept.
 */
const PODERO_CALLER_ENVIRONMENT = [
  ENV.tokenSecretId,
  ENV.tokenRefreshFunctionName,
  ENV.poderoBaseUrl,
  ENV.poderoOrgId,
  ENV.tokenCacheMaxAgeSeconds,
] as const;

export const functionDeclarations = {
  tokenRefresh: {
    id: 'tokenRefresh',
    name: 'token-refresh',
    description:
      'Requests a Podero access token when the stored one is close to expiry (or when forced) and stores it.',
    entry: 'src/lambdas/tokenRefresh/entry.ts',
    memoryMb: 256,
    timeoutSeconds: 30,
    reservedConcurrency: 1,
    access: { tables: {}, tokenSecret: 'readWrite', credentialsSecret: 'read', invokes: [] },
    environment: [
      ENV.credentialsSecretId,
      ENV.tokenSecretId,
      ENV.poderoBaseUrl,
      ENV.tokenRefreshMarginSeconds,
      ENV.appVersion,
      ENV.stage,
    ],
  },
  api: {
    id: 'api',
    name: 'api',
    description: 'The HTTPS API: user onboarding, buildings, onboarding sessions and heat pumps.',
    entry: 'src/lambdas/api/entry.ts',
    memoryMb: 512,
    timeoutSeconds: 29,
    access: {
      tables: { main: 'readWrite', readings: 'read' },
      tokenSecret: 'read',
      credentialsSecret: 'none',
      invokes: ['tokenRefresh'],
      // Test events go straight onto the delivery queue; offboardings queue their erasure.
      queues: { webhookDeliveries: ['send'], erasures: ['send'] },
      webhookSecrets: 'manage',
    },
    environment: [
      ENV.mainTableName,
      ENV.readingsTableName,
      ...PODERO_CALLER_ENVIRONMENT,
      ENV.readingsRetentionDays,
      ENV.syncIntervalMinutes,
      ENV.appVersion,
      ENV.stage,
      ENV.webhookQueueUrl,
      ENV.webhookSecretPrefix,
      ENV.webhookAllowLoopback,
      ENV.erasureQueueUrl,
      ENV.returnUrlOrigins,
      ENV.returnUrlAllowLoopback,
      ENV.poderoTradingVariant,
      ENV.tradingAutoConfirm,
      ENV.tradingConfirmationDeadline,
    ],
  },
  syncPlanner: {
    id: 'syncPlanner',
    name: 'heat-pump-sync',
    description:
      'Plans a fleet pass: cuts the onboarded users into shards and puts one message per shard on the sync-shards queue.',
    entry: 'src/lambdas/syncPlanner/entry.ts',
    memoryMb: 512,
    // Walking 1,000,000 user ids is a few hundred Queries: well inside a minute; room to spare.
    timeoutSeconds: 300,
    // Two planners at once are harmless (a pass begins once), but one is all a schedule needs.
    reservedConcurrency: 1,
    access: {
      tables: { main: 'readWrite' },
      tokenSecret: 'none',
      credentialsSecret: 'none',
      invokes: [],
      queues: { syncShards: ['send'] },
    },
    environment: [ENV.mainTableName, ENV.syncShardQueueUrl, ENV.syncShardSize, ENV.appVersion, ENV.stage],
  },
  syncWorker: {
    id: 'syncWorker',
    name: 'heat-pump-sync-worker',
    description:
      "Syncs one shard of a fleet pass: stores each heat pump's latest snapshot and one reading per state, within the stage's Podero rate ceiling.",
    entry: 'src/lambdas/syncWorker/entry.ts',
    memoryMb: 1024,
    // A shard of 1,000 users at C = 8 and 150 ms is about 20 s; a slow Podero continues in a new message.
    timeoutSeconds: 180,
    // Measured live heap peaks near 50 MB whatever the fleet size (the sync holds a bounded window of
    // users); without a cap V8 lets garbage grow the process past 400 MB before collecting. 128 MB costs
    // a few more major collections, not more GC time (functions/README.md, heat-pump sync: memory).
    nodeOptions: ['--max-old-space-size=128'],
    access: {
      tables: { main: 'readWrite', readings: 'readWrite' },
      tokenSecret: 'read',
      credentialsSecret: 'none',
      invokes: ['tokenRefresh'],
      // A shard out of time is continued in a new message.
      queues: { syncShards: ['consume', 'send'] },
    },
    environment: [
      ENV.mainTableName,
      ENV.readingsTableName,
      ...PODERO_CALLER_ENVIRONMENT,
      ENV.syncConcurrency,
      ENV.syncSafetyMarginSeconds,
      ENV.readingsRetentionDays,
      ENV.deviceKindsRecheckHours,
      ENV.syncIntervalMinutes,
      ENV.syncShardQueueUrl,
      ENV.syncRateLimitPerSecond,
      ENV.appVersion,
      ENV.stage,
    ],
    // One shard per invocation; W workers at once (a stage sets W: `sync.workers` in infra/stages.json).
    trigger: { kind: 'queue', queue: 'syncShards', batchSize: 1, maxConcurrency: 2 },
  },
  eventRelay: {
    id: 'eventRelay',
    name: 'event-relay',
    description:
      'Publishes pending change events from the outbox to the event bus and the webhook delivery queue, in order.',
    entry: 'src/lambdas/eventRelay/entry.ts',
    memoryMb: 256,
    timeoutSeconds: 60,
    // One relay at a time keeps the order per device (webhooks/relay.ts).
    reservedConcurrency: 1,
    access: {
      tables: { main: 'readWrite' },
      tokenSecret: 'none',
      credentialsSecret: 'none',
      invokes: [],
      queues: { webhookDeliveries: ['send'] },
      eventBus: 'put',
    },
    environment: [ENV.mainTableName, ENV.eventBusName, ENV.webhookQueueUrl, ENV.appVersion, ENV.stage],
    trigger: { kind: 'outboxStream' },
  },
  webhookDelivery: {
    id: 'webhookDelivery',
    name: 'webhook-delivery',
    description:
      'Delivers change events to registered webhook endpoints, signed (Standard Webhooks), with retries and a dead-letter queue.',
    entry: 'src/lambdas/webhookDelivery/entry.ts',
    memoryMb: 256,
    // Ten attempts of at most 5 s each in a batch, with room to record them.
    timeoutSeconds: 90,
    access: {
      tables: { main: 'readWrite' },
      tokenSecret: 'none',
      credentialsSecret: 'none',
      invokes: [],
      queues: { webhookDeliveries: ['consume', 'send', 'sendDeadLetter'] },
      webhookSecrets: 'read',
    },
    environment: [
      ENV.mainTableName,
      ENV.webhookQueueUrl,
      ENV.webhookDeadLetterQueueUrl,
      ENV.webhookSecretPrefix,
      ENV.webhookAllowLoopback,
      ENV.appVersion,
      ENV.stage,
    ],
    trigger: { kind: 'queue', queue: 'webhookDeliveries', batchSize: 10, maxConcurrency: 5 },
  },
  erasureWorker: {
    id: 'erasureWorker',
    name: 'erasure',
    description:
      "Erases what an offboarding leaves outside the customer's partition: its devices' readings, the sync's failure record, its re-authentication attempts.",
    entry: 'src/lambdas/erasureWorker/entry.ts',
    memoryMb: 256,
    // A year of 15-minute readings of a few devices is ~100,000 deletes: a few minutes; a job cut short
    // is swept again from the start when its message comes back (deleting is idempotent).
    timeoutSeconds: 600,
    access: {
      tables: { main: 'readWrite', readings: 'readWrite' },
      tokenSecret: 'none',
      credentialsSecret: 'none',
      invokes: [],
      // Sends a job's second sweep to itself, delayed.
      queues: { erasures: ['consume', 'send'] },
    },
    environment: [ENV.mainTableName, ENV.readingsTableName, ENV.erasureQueueUrl, ENV.appVersion, ENV.stage],
    trigger: { kind: 'queue', queue: 'erasures', batchSize: 1, maxConcurrency: 2 },
  },
  tradingWorkflow: {
    id: 'tradingWorkflow',
    name: 'trading-workflow',
    description:
      'Advances every open day-ahead trading day: uploads the forecast, fetches the load curves, confirms the decision, or ends the day missed.',
    entry: 'src/lambdas/tradingWorkflow/entry.ts',
    memoryMb: 256,
    // A handful of days, a few Podero calls each (retried with back-off inside the client).
    timeoutSeconds: 120,
    // One run at a time: two runs could not record a step twice (conditional writes), but could both send it.
    reservedConcurrency: 1,
    access: {
      tables: { main: 'readWrite' },
      tokenSecret: 'read',
      credentialsSecret: 'none',
      invokes: ['tokenRefresh'],
    },
    environment: [
      ENV.mainTableName,
      ENV.readingsTableName,
      ...PODERO_CALLER_ENVIRONMENT,
      ENV.readingsRetentionDays,
      ENV.poderoTradingVariant,
      ENV.tradingAutoConfirm,
      ENV.tradingConfirmationDeadline,
      ENV.appVersion,
      ENV.stage,
    ],
  },
  forecastDrop: {
    id: 'forecastDrop',
    name: 'trading-forecast-drop',
    description:
      'Takes a price forecast file dropped in the forecast bucket through the same rules and service as PUT .../prices, and writes its result beside it under results/.',
    entry: 'src/lambdas/forecastDrop/entry.ts',
    memoryMb: 256,
    // One file of at most 64 KB, a read and a conditional write or two.
    timeoutSeconds: 30,
    access: {
      tables: { main: 'readWrite' },
      tokenSecret: 'none',
      credentialsSecret: 'none',
      invokes: [],
      // It never talks to Podero: the trading workflow uploads what it stores.
      buckets: { forecastDrops: { read: FORECAST_DROP_PREFIX, write: FORECAST_RESULT_PREFIX } },
    },
    environment: [
      ENV.mainTableName,
      ENV.forecastBucketName,
      ENV.poderoTradingVariant,
      ENV.tradingConfirmationDeadline,
      ENV.appVersion,
      ENV.stage,
    ],
    trigger: { kind: 'objectCreated', bucket: 'forecastDrops', prefix: FORECAST_DROP_PREFIX },
  },
  historyBackfill: {
    id: 'historyBackfill',
    name: 'history-backfill',
    description:
      "Fills the quarter-hours the sync missed from Podero's 15-minute series (/data), within Podero's retention and the stage's rate budget, and records what it cannot fill.",
    entry: 'src/lambdas/historyBackfill/entry.ts',
    memoryMb: 256,
    // At most BACKFILL_MAX_REQUESTS_PER_RUN requests (60 by default, a day of one device each); a run that
    // runs out of time stops with its progress stored and the next one continues.
    timeoutSeconds: 300,
    // One run at a time: the walk's cursor has one writer.
    reservedConcurrency: 1,
    access: {
      tables: { main: 'readWrite', readings: 'readWrite' },
      tokenSecret: 'read',
      credentialsSecret: 'none',
      invokes: ['tokenRefresh'],
    },
    environment: [
      ENV.mainTableName,
      ENV.readingsTableName,
      ...PODERO_CALLER_ENVIRONMENT,
      ENV.readingsRetentionDays,
      ENV.syncRateLimitPerSecond,
      ENV.backfillLookbackDays,
      ENV.backfillMaxRequestsPerRun,
      ENV.poderoDataRetentionDays,
      ENV.appVersion,
      ENV.stage,
    ],
  },
} as const satisfies Record<FunctionId, FunctionDeclaration>;

export interface QueueDeclaration {
  readonly id: QueueId;
  /** Kebab-case name (construct ids, the local queue's name). */
  readonly name: string;
  readonly description: string;
  /** At least six times the consumer's timeout (what AWS advises for an event source mapping). */
  readonly visibilityTimeoutSeconds: number;
  /** Receives after which a message the consumer keeps failing on moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** How long a dead-lettered message is kept (seconds; SQS allows 14 days at most). */
  readonly deadLetterRetentionSeconds: number;
  /** Environment variable through which functions learn the queue's URL. */
  readonly envVar: EnvName;
  /** Environment variable of its dead-letter queue's URL, for a function that sends there itself. */
  readonly deadLetterEnvVar?: EnvName;
}

export const queueDeclarations = {
  webhookDeliveries: {
    id: 'webhookDeliveries',
    name: 'webhook-deliveries',
    description: 'One message per event and webhook endpoint and attempt (webhooks/queue.ts).',
    visibilityTimeoutSeconds: 6 * 90,
    maxReceiveCount: 5,
    deadLetterRetentionSeconds: 14 * 86_400,
    envVar: ENV.webhookQueueUrl,
    deadLetterEnvVar: ENV.webhookDeadLetterQueueUrl,
  },
  syncShards: {
    id: 'syncShards',
    name: 'sync-shards',
    description: 'One message per shard of a fleet pass (sync/shard-message.ts).',
    visibilityTimeoutSeconds: 6 * 180,
    // A shard failing three times (about 54 minutes apart at most) is dead-lettered and its pass completes without it.
    maxReceiveCount: 3,
    deadLetterRetentionSeconds: 14 * 86_400,
    envVar: ENV.syncShardQueueUrl,
  },
  erasures: {
    id: 'erasures',
    name: 'erasures',
    description: 'One message per sweep of an erasure job (erasure/erasure.ts).',
    visibilityTimeoutSeconds: 6 * 600,
    // A job failing five times is dead-lettered: its record stays `in_progress`, which the operator sees.
    maxReceiveCount: 5,
    deadLetterRetentionSeconds: 14 * 86_400,
    envVar: ENV.erasureQueueUrl,
  },
} as const satisfies Record<QueueId, QueueDeclaration>;

export interface BucketDeclaration {
  readonly id: BucketId;
  /** Kebab-case name (construct ids, the local bucket's name). */
  readonly name: string;
  readonly description: string;
  /** Environment variable through which functions learn the bucket's name. */
  readonly envVar: EnvName;
  /** Days after which every object (a dropped file, its result) is deleted (S3 lifecycle expiry). */
  readonly expireAfterDays: number;
}

export const bucketDeclarations = {
  forecastDrops: {
    id: 'forecastDrops',
    name: 'forecast-drops',
    description:
      'Price forecast files dropped by the partner (forecasts/) and the result of each (results/); no personal data.',
    envVar: ENV.forecastBucketName,
    // A file matters until its delivery day's upload deadline (a day or two); a month leaves room to look back.
    expireAfterDays: 30,
  },
} as const satisfies Record<BucketId, BucketDeclaration>;

export interface RouteDeclaration {
  /** Stable id, used as the OpenAPI operationId and to dispatch inside the handler. */
  readonly operationId: string;
  readonly method: HttpMethod;
  /** API Gateway path syntax: `{name}` for a path parameter. */
  readonly path: string;
  readonly function: FunctionId;
  readonly access: RouteAccess;
  readonly summary: string;
}

/**
 * The API's CORS preflight, answered by API Gateway itself on a stage with browser origins (the console's, and
 * `cors.allowOrigins`): the request headers a browser may send, and how long it may keep the answer. Infra
 * configures them, the OpenAPI document describes them.
 */
export const CORS_ALLOW_HEADERS = [
  'authorization',
  'content-type',
  'idempotency-key',
  'x-correlation-id',
] as const;
export const CORS_MAX_AGE_SECONDS = 3600;

/**
 * Defined as `"false"` (esbuild `define`) when a function is bundled for a stage without tracing: the X-Ray
 * SDK's import in platform/tracing.ts is then dead code, and the bundle does not carry it (a fifth of
 * token-refresh's bundle, measured in ADR 0013). Undefined everywhere else (tests, the local stack, a
 * tracing stage): the SDK is bundled and loaded when tracing is on.
 */
export const XRAY_BUNDLE_DEFINE = 'process.env.BRIDGE_BUNDLE_XRAY';

const userPath = '/users/{external_user_id}';
const tradingDayPath = '/trading/day-ahead/{price_zone}/days/{delivery_day}';

type DeviceRouteDeclaration<A extends DeviceKindApi> = RouteDeclaration & {
  readonly operationId: DeviceOperationId<A>;
};

/**
 * A device kind's routes (domain/devices/kind-api.ts names them): its resource and controls, then its history
 * (readings, statistics, savings). Two groups because the re-authentication callback has sat between them
 * since the first kind, and the routes' order is the OpenAPI document's and the template's.
 */
export function deviceRouteDeclarations<A extends DeviceKindApi>(
  api: A,
): { resource: DeviceRouteDeclaration<A>[]; history: DeviceRouteDeclaration<A>[] } {
  const ids = deviceOperationIds(api);
  const list = `${userPath}/${api.resource}`;
  const one = `${list}/{${api.idParam}}`;
  const route = (
    operationId: string,
    method: HttpMethod,
    path: string,
    summary: string,
    access: RouteAccess = 'self-or-viewer',
  ): DeviceRouteDeclaration<A> => ({
    operationId: operationId as DeviceOperationId<A>,
    method,
    path,
    function: 'api',
    access,
    summary,
  });
  return {
    resource: [
      route(ids.list, 'GET', list, `The user's ${api.nounPlural}, cached or live`),
      route(ids.get, 'GET', one, `One ${api.noun}, cached or live`),
      ...api.controls.map((control) =>
        route(
          control.operationId,
          control.method,
          `${one}${control.path}`,
          control.summary,
          'self-or-support',
        ),
      ),
      route(
        ids.delete,
        'DELETE',
        one,
        `Offboard one ${api.noun}: soft delete at Podero, snapshot removed, readings erased by a queued job (idempotent)`,
        'self-or-admin',
      ),
      ...(api.reauthentication
        ? [
            route(
              ids.reauthentication,
              'POST',
              `${one}/reauthentication`,
              `Start re-authenticating ${api.aNoun} whose manufacturer connection lapsed`,
              'self-or-support',
            ),
          ]
        : []),
    ],
    history: [
      route(ids.readings, 'GET', `${one}/readings`, 'Stored readings in time order, paginated'),
      route(
        ids.coverage,
        'GET',
        `${one}/readings/coverage`,
        'Coverage of the stored readings per UTC day (quarter-hours with a reading), and what the backfill could not fill',
      ),
      route(
        ids.changes,
        'GET',
        `${one}/changes`,
        `The ${api.noun}'s tracked changes (control writes until seen applied), newest first, paginated`,
      ),
      route(ids.change, 'GET', `${one}/changes/{change_id}`, `One tracked change of ${api.aNoun}`),
      ...(api.statistics
        ? [
            route(
              ids.statistics,
              'GET',
              `${one}/statistics`,
              'Savings and consumption of the current day, week, month, quarter or year (cached)',
            ),
          ]
        : []),
      ...(api.savings
        ? [
            route(
              ids.savings,
              'GET',
              `${one}/savings`,
              'Savings and consumption per period between two instants (cached)',
            ),
          ]
        : []),
    ],
  };
}

const [firstKindApi, ...laterKindApis] = deviceKindApis;

/**
 * A charging control's declaration (one element, spread: its operation id stays a literal type). Reading is
 * a viewer's; every write is a device control, a support agent's.
 */
function chargingRoute<const Id extends string>(
  operationId: Id,
  method: HttpMethod,
  path: string,
  summary: string,
): [RouteDeclaration & { readonly operationId: Id }] {
  const access = method === 'GET' ? 'self-or-viewer' : 'self-or-support';
  return [{ operationId, method, path, function: 'api', access, summary }];
}

export const routeDeclarations = [
  {
    operationId: 'getHealth',
    method: 'GET',
    path: '/health',
    function: 'api',
    access: 'public',
    summary: 'Liveness and version',
  },
  {
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    function: 'api',
    access: 'public',
    summary: 'This API as OpenAPI 3.1',
  },
  {
    operationId: 'createUser',
    method: 'POST',
    path: '/users',
    function: 'api',
    access: 'self-or-admin',
    summary: 'Onboard a user to Podero (idempotent per external_user_id)',
  },
  {
    operationId: 'getUser',
    method: 'GET',
    path: userPath,
    function: 'api',
    access: 'self-or-viewer',
    summary: 'Get an onboarded user',
  },
  {
    operationId: 'updateUser',
    method: 'PATCH',
    path: userPath,
    function: 'api',
    access: 'self-or-admin',
    summary: 'Update a user (partial)',
  },
  {
    operationId: 'deleteUser',
    method: 'DELETE',
    path: userPath,
    function: 'api',
    access: 'admin',
    summary: 'Offboard a user: delete at Podero and remove our records',
  },
  {
    operationId: 'getUserErasure',
    method: 'GET',
    path: `${userPath}/erasure`,
    function: 'api',
    access: 'viewer',
    summary: "Whether an offboarding's erasure (readings, failure record, re-authentications) has finished",
  },
  {
    operationId: 'createBuilding',
    method: 'POST',
    path: `${userPath}/buildings`,
    function: 'api',
    access: 'self-or-admin',
    summary: 'Create a building for the user',
  },
  {
    operationId: 'listBuildings',
    method: 'GET',
    path: `${userPath}/buildings`,
    function: 'api',
    access: 'self-or-viewer',
    summary: "List the user's buildings",
  },
  {
    operationId: 'createOnboardingSession',
    method: 'POST',
    path: `${userPath}/onboarding-sessions`,
    function: 'api',
    access: 'self-or-support',
    summary: 'Open a Connect UI onboarding session',
  },
  {
    operationId: 'getOnboardingSession',
    method: 'GET',
    path: `${userPath}/onboarding-sessions/{session_id}`,
    function: 'api',
    access: 'self-or-viewer',
    summary: 'State of an onboarding session',
  },
  ...deviceRouteDeclarations(firstKindApi).resource,
  {
    operationId: 'completeReauthentication',
    method: 'GET',
    path: '/reauthentication/callback',
    function: 'api',
    access: 'public',
    summary:
      "Where Podero's Connect UI returns the browser: records the outcome, then redirects to the partner",
  },
  ...deviceRouteDeclarations(firstKindApi).history,
  {
    operationId: 'listEnergyContracts',
    method: 'GET',
    path: `${userPath}/energy-contracts`,
    function: 'api',
    access: 'viewer',
    summary: "The user's energy contracts (tariffs Podero optimises against)",
  },
  {
    operationId: 'createEnergyContract',
    method: 'POST',
    path: `${userPath}/energy-contracts`,
    function: 'api',
    access: 'admin',
    summary: 'Set a tariff for the user (all buildings, or one)',
  },
  {
    operationId: 'updateEnergyContract',
    method: 'PATCH',
    path: `${userPath}/energy-contracts/{contract_id}`,
    function: 'api',
    access: 'admin',
    summary: 'Change an energy contract (partial)',
  },
  {
    operationId: 'listUsers',
    method: 'GET',
    path: '/users',
    function: 'api',
    access: 'viewer',
    summary: 'The fleet, page by page: users with their devices by connection state and sync failures',
  },
  {
    operationId: 'getUserSummary',
    method: 'GET',
    path: `${userPath}/summary`,
    function: 'api',
    access: 'viewer',
    summary: 'One customer at a glance: devices, connection, last readings, open sessions, sync',
  },
  {
    operationId: 'getSyncStatus',
    method: 'GET',
    path: '/sync/status',
    function: 'api',
    access: 'viewer',
    summary: "The heat-pump sync's latest runs and the users whose sync fails",
  },
  {
    operationId: 'getFleetDays',
    method: 'GET',
    path: '/fleet/days',
    function: 'api',
    access: 'viewer',
    summary:
      "The fleet's daily figures for trends: devices per connection state, stale devices, sync pass duration, webhook outcomes",
  },
  {
    operationId: 'getBackfillStatus',
    method: 'GET',
    path: '/history/backfill',
    function: 'api',
    access: 'viewer',
    summary:
      "The history backfill's progress, and per device what it filled and what it could not fill and why",
  },
  {
    operationId: 'getOrganisationSavings',
    method: 'GET',
    path: '/savings',
    function: 'api',
    access: 'viewer',
    summary: "The organisation's savings over every device between two instants (cached)",
  },
  {
    operationId: 'listAuditEntries',
    method: 'GET',
    path: '/audit',
    function: 'api',
    access: 'viewer',
    summary: 'The audit trail: every write through the API with its actor, newest first, paginated',
  },
  {
    operationId: 'listUserAuditEntries',
    method: 'GET',
    path: `${userPath}/audit`,
    function: 'api',
    access: 'viewer',
    summary: 'The writes about one customer, with their actors, newest first, paginated',
  },
  {
    operationId: 'getUserTimeline',
    method: 'GET',
    path: `${userPath}/timeline`,
    function: 'api',
    access: 'self-or-viewer',
    summary:
      "The customer's timeline: its change events with their webhook deliveries, and the writes about it, newest first, paginated",
  },
  {
    operationId: 'listWebhooks',
    method: 'GET',
    path: '/webhooks',
    function: 'api',
    access: 'admin',
    summary: 'The registered webhook endpoints',
  },
  {
    operationId: 'createWebhook',
    method: 'POST',
    path: '/webhooks',
    function: 'api',
    access: 'admin',
    summary: 'Register an endpoint for change events (signed, retried); the secret is shown once',
  },
  {
    operationId: 'getWebhook',
    method: 'GET',
    path: '/webhooks/{webhook_id}',
    function: 'api',
    access: 'admin',
    summary: 'One webhook endpoint',
  },
  {
    operationId: 'updateWebhook',
    method: 'PATCH',
    path: '/webhooks/{webhook_id}',
    function: 'api',
    access: 'admin',
    summary: 'Change an endpoint: URL, event types, description, enabled (partial)',
  },
  {
    operationId: 'deleteWebhook',
    method: 'DELETE',
    path: '/webhooks/{webhook_id}',
    function: 'api',
    access: 'admin',
    summary: 'Delete an endpoint and its secret',
  },
  {
    operationId: 'testWebhook',
    method: 'POST',
    path: '/webhooks/{webhook_id}/test',
    function: 'api',
    access: 'admin',
    summary: 'Send a webhook.test event to the endpoint',
  },
  {
    operationId: 'rotateWebhookSecret',
    method: 'POST',
    path: '/webhooks/{webhook_id}/rotate-secret',
    function: 'api',
    access: 'admin',
    summary: 'A new signing secret; the old one keeps signing for 24 hours',
  },
  {
    operationId: 'listWebhookDeliveries',
    method: 'GET',
    path: '/webhooks/{webhook_id}/deliveries',
    function: 'api',
    access: 'admin',
    summary: 'Recent delivery attempts: event, status code, duration, next attempt',
  },
  {
    operationId: 'getWebhookDelivery',
    method: 'GET',
    path: '/webhooks/{webhook_id}/deliveries/{delivery_id}',
    function: 'api',
    access: 'admin',
    summary: "One delivery attempt: the request's headers and body, the answer's status and excerpt, error",
  },
  {
    operationId: 'resendWebhookEvent',
    method: 'POST',
    path: '/webhooks/{webhook_id}/events/{event_id}/resend',
    function: 'api',
    access: 'admin',
    summary: 'Send an event to the endpoint again, with its original webhook-id',
  },
  {
    operationId: 'replayWebhookDeadLetters',
    method: 'POST',
    path: '/webhooks/{webhook_id}/dead-letters/replay',
    function: 'api',
    access: 'admin',
    summary: "Send the endpoint's dead-lettered deliveries again, with their original webhook-ids",
  },
  {
    operationId: 'putTradingPrices',
    method: 'PUT',
    path: `${tradingDayPath}/prices`,
    function: 'api',
    access: 'admin',
    summary: "A delivery day's price forecast for a zone (idempotent; refused after the upload deadline)",
  },
  {
    operationId: 'listTradingDays',
    method: 'GET',
    path: '/trading/day-ahead/{price_zone}/days',
    function: 'api',
    access: 'viewer',
    summary: "The zone's trading days, newest first, paginated",
  },
  {
    operationId: 'getTradingDay',
    method: 'GET',
    path: tradingDayPath,
    function: 'api',
    access: 'viewer',
    summary: 'A trading day: its state, forecast, curves, delta, expected saving and deadlines',
  },
  {
    operationId: 'getTradingDayCurvesCsv',
    method: 'GET',
    path: `${tradingDayPath}/curves.csv`,
    function: 'api',
    access: 'viewer',
    summary: "The day's curves and delta per quarter-hour as CSV, for the bidding tool",
  },
  {
    operationId: 'confirmTradingDay',
    method: 'POST',
    path: `${tradingDayPath}/confirmation`,
    function: 'api',
    access: 'admin',
    summary:
      "The trading desk's decision on the day's trade (accepted true or false), once, before the deadline",
  },
  // The kinds after the first come last, each whole: the document and the template grew by them only.
  ...laterKindApis.flatMap((api) => {
    const routes = deviceRouteDeclarations(api);
    return [...routes.resource, ...routes.history];
  }),
  // Every device of a user, and the charging controls (lambdas/api/routes/charging.ts): below the kinds'
  // own routes, named like Podero's resources.
  {
    operationId: 'listDevices',
    method: 'GET',
    path: `${userPath}/devices`,
    function: 'api',
    access: 'self-or-viewer',
    summary: 'Every device of the user, of every kind, each with its `type`; cached or live',
  },
  ...chargingRoute(
    'boostElectricVehicle',
    'POST',
    `${userPath}/electric-vehicles/{electric_vehicle_id}/boost`,
    'Boost an electric vehicle: charge now when plugged in, else arm the boost for the next plug-in',
  ),
  ...chargingRoute(
    'disarmElectricVehicleBoost',
    'DELETE',
    `${userPath}/electric-vehicles/{electric_vehicle_id}/boost`,
    'Disarm an armed boost (idempotent; a boost under way goes on until unplugged)',
  ),
  ...chargingRoute(
    'getElectricVehicleChargePolicy',
    'GET',
    `${userPath}/electric-vehicles/{electric_vehicle_id}/charge-policy`,
    "An electric vehicle's weekly charge policy, live",
  ),
  ...chargingRoute(
    'updateElectricVehicleChargePolicy',
    'PUT',
    `${userPath}/electric-vehicles/{electric_vehicle_id}/charge-policy`,
    "Set an electric vehicle's weekly charge policy (all seven days)",
  ),
  ...chargingRoute(
    'listElectricVehicleSessions',
    'GET',
    `${userPath}/electric-vehicles/{electric_vehicle_id}/sessions`,
    "An electric vehicle's completed charging sessions between two days, paginated",
  ),
  ...chargingRoute(
    'getElectricVehicleCurrentSession',
    'GET',
    `${userPath}/electric-vehicles/{electric_vehicle_id}/sessions/current`,
    "An electric vehicle's charging session under way, if any",
  ),
  ...chargingRoute(
    'boostWallbox',
    'POST',
    `${userPath}/wallboxes/{wallbox_id}/boost`,
    'Boost a wallbox: full rate now when a car is plugged in, else armed for the next plug-in',
  ),
  ...chargingRoute(
    'cancelWallboxBoost',
    'DELETE',
    `${userPath}/wallboxes/{wallbox_id}/boost`,
    'Cancel a wallbox boost under way and disarm an armed one (idempotent)',
  ),
  ...chargingRoute(
    'createWallboxClaimToken',
    'POST',
    `${userPath}/wallboxes/claim-tokens`,
    "A one-time claim token for an installer's app to connect a wallbox (shown once)",
  ),
  ...chargingRoute(
    'getChargingConfig',
    'GET',
    `${userPath}/charging-config`,
    "The user's charging configuration (the steering mode EV charging follows), live",
  ),
  ...chargingRoute(
    'updateChargingConfig',
    'PUT',
    `${userPath}/charging-config`,
    "Change the user's charging configuration's mode",
  ),
  ...chargingRoute(
    'listChargingConfigChanges',
    'GET',
    `${userPath}/charging-config/changes`,
    "The charging configuration's tracked changes (writes until seen applied), newest first, paginated",
  ),
  ...chargingRoute(
    'getChargingConfigChange',
    'GET',
    `${userPath}/charging-config/changes/{change_id}`,
    "One tracked change of the user's charging configuration",
  ),
  // The monthly savings statement (lambdas/api/routes/statements.ts): last, so the document grew by it only.
  {
    operationId: 'listStatements',
    method: 'GET',
    path: `${userPath}/statements`,
    function: 'api',
    access: 'self-or-viewer',
    summary: 'The months a savings statement exists for, from the onboarding month to the current one',
  },
  {
    operationId: 'getStatement',
    method: 'GET',
    path: `${userPath}/statements/{month}`,
    function: 'api',
    access: 'self-or-viewer',
    summary:
      "A month's savings statement per device and in total: consumption, baseline, cost at the customer's contract, saving, and each figure's data coverage (JSON or CSV)",
  },
] as const satisfies readonly RouteDeclaration[];

export type OperationId = (typeof routeDeclarations)[number]['operationId'];

export interface ScheduleDeclaration {
  /** Kebab-case name; also the `source` the handler sees in its payload. */
  readonly name: string;
  readonly description: string;
  readonly function: FunctionId;
  /** Default interval; a stage may override the sync interval. */
  readonly everyMinutes: number;
  /** The event the schedule delivers; the target handler validates it with its own zod schema. */
  readonly payload: Readonly<Record<string, string | number | boolean>>;
}

/**
 * The event each scheduled function takes: the input types of the handlers' own zod schemas (type-only
 * imports, erased at run time, so the CDK app still pulls no handler code). A payload the handler would
 * refuse is a compile error here, not a failed invocation in AWS.
 */
interface ScheduleEvents {
  tokenRefresh: TokenRefreshEvent;
  syncPlanner: SyncEvent;
  eventRelay: RelayEvent;
  tradingWorkflow: TradingWorkflowEvent;
  historyBackfill: HistoryBackfillEvent;
}
type ScheduleOf<F extends keyof ScheduleEvents> = ScheduleDeclaration & {
  readonly function: F;
  readonly payload: ScheduleEvents[F];
};

export const scheduleDeclarations = [
  {
    name: 'token-refresh',
    description: 'Refresh the Podero access token before it expires.',
    function: 'tokenRefresh',
    everyMinutes: 60,
    payload: { source: 'schedule', force: false },
  } as const satisfies ScheduleOf<'tokenRefresh'>,
  {
    name: 'heat-pump-sync',
    description: "Store every onboarded user's heat-pump snapshots and readings.",
    function: 'syncPlanner',
    everyMinutes: 15,
    payload: { source: 'schedule' },
  } as const satisfies ScheduleOf<'syncPlanner'>,
  {
    name: 'event-relay',
    description:
      'Drain the event outbox (the safety net: the main table stream rings event-relay as soon as an event is stored).',
    function: 'eventRelay',
    everyMinutes: 1,
    payload: { source: 'schedule' },
  } as const satisfies ScheduleOf<'eventRelay'>,
  {
    name: 'trading-workflow',
    description: 'Advance the open day-ahead trading days (upload, curves, confirmation, missed).',
    function: 'tradingWorkflow',
    everyMinutes: 5,
    payload: { source: 'schedule' },
  } as const satisfies ScheduleOf<'tradingWorkflow'>,
  {
    name: 'history-backfill',
    description:
      "Fill the readings' missed quarter-hours from Podero's /data (a bounded run; the next continues).",
    function: 'historyBackfill',
    everyMinutes: 30,
    payload: { source: 'schedule' },
  } as const satisfies ScheduleOf<'historyBackfill'>,
] as const satisfies readonly ScheduleDeclaration[];

/** `rate(...)` expression for EventBridge Scheduler, from a minute interval. */
export function rateExpression(everyMinutes: number): string {
  if (!Number.isInteger(everyMinutes) || everyMinutes < 1) {
    throw new Error(`schedule interval must be a whole number of minutes >= 1, got ${everyMinutes}`);
  }
  if (everyMinutes % 60 === 0) {
    const hours = everyMinutes / 60;
    return `rate(${hours} ${hours === 1 ? 'hour' : 'hours'})`;
  }
  return `rate(${everyMinutes} ${everyMinutes === 1 ? 'minute' : 'minutes'})`;
}

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface TableDeclaration {
  readonly id: TableId;
  readonly description: string;
  /** Environment variable through which functions learn the physical table name. */
  readonly envVar: EnvName;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly {
    readonly indexName: string;
    readonly partitionKey: KeyAttribute;
    readonly sortKey: KeyAttribute;
    /** What the index holds besides its keys (default all attributes). */
    readonly projection?: 'all' | 'keysOnly';
  }[];
  /** Attribute holding an epoch-seconds expiry; DynamoDB TTL deletes the item after it. */
  readonly timeToLiveAttribute?: string;
  /** A DynamoDB stream of new images (AWS only; what rings event-relay for the main table). */
  readonly stream?: 'newImage';
}

/** Key design and access patterns: functions/README.md. */
export const tableDeclarations = {
  main: {
    id: 'main',
    description:
      'Users, buildings, onboarding sessions, heat-pump snapshots, sync cursor and failures, the event outbox, webhook endpoints and deliveries.',
    envVar: ENV.mainTableName,
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalSecondaryIndexes: [
      {
        indexName: 'gsi1',
        partitionKey: { name: 'gsi1pk', type: 'S' },
        sortKey: { name: 'gsi1sk', type: 'S' },
      },
      {
        // Sparse: only items with pending change events (storage/outbox.ts), drained by event-relay.
        indexName: 'outbox',
        partitionKey: { name: 'outbox_pk', type: 'S' },
        sortKey: { name: 'outbox_sk', type: 'S' },
        projection: 'keysOnly',
      },
    ],
    timeToLiveAttribute: 'expires_at',
    stream: 'newImage',
  },
  readings: {
    id: 'readings',
    description: 'Heat-pump readings, one per state timestamp, expiring after the retention period.',
    envVar: ENV.readingsTableName,
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalSecondaryIndexes: [],
    timeToLiveAttribute: 'expires_at',
  },
} as const satisfies Record<TableId, TableDeclaration>;
