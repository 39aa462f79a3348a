import { TRADING_VARIANTS, type TradingVariant } from '@podero-bridge/podero-client';
import * as z from 'zod';
import {
  ENV,
  type EnvName,
  type FunctionId,
  functionDeclarations,
  scheduleDeclarations,
} from './declarations';
import type { ReturnUrlRules } from './devices/return-urls';
import { CONFIRMATION_DEADLINES, type ConfirmationDeadline } from './domain/trading/market';
import { AUTO_CONFIRM_POLICIES, type AutoConfirmPolicy } from './domain/trading/workflow';
import type { AwsClientConfig } from './platform/aws-clients';

/**
 * Configuration from the environment, parsed once at cold start. One zod schema per declared variable
 * (`envSchemas`: its rule and default live here and nowhere else); a function's configuration is parsed
 * from exactly the names its declaration lists (declarations.ts), so a variable the CDK app does not set
 * for a function cannot be read by it. Loaders take the env object as a parameter (never process.env), so
 * tests and the local stack can build several configurations side by side in one process.
 *
 * Adding a variable: its name and the functions that read it in declarations.ts, its schema here, its
 * value in infra (the stack's EnvironmentValues, a type error until given). The local world
 * (functions/test-support/local-world.ts) gives it its default here, or, for a queue's URL, the URL of the
 * queue it created; a variable with neither is a type error there (docs/ARCHITECTURE.md, "Add a variable").
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const nonEmpty = z.string().trim().min(1);
const httpUrl = z.url({ protocol: /^https?$/ });
/**
 * A variable a stage may leave unset (or empty): the schema applies `fallback`. The fallback is kept on the
 * schema (`envDefault`), so `envDefaults` lists it without a second copy.
 */
const withDefault = <T extends z.ZodType, D extends string>(fallback: D, schema: T) =>
  Object.assign(
    z.preprocess((v) => (v === undefined || v === '' ? fallback : v), schema),
    { envDefault: fallback } as const,
  );
const flag = (fallback: 'true' | 'false') =>
  withDefault(
    fallback,
    z.enum(['true', 'false']).transform((v) => v === 'true'),
  );
/** An origin exactly as the URL standard writes it (`https://app.partner.example`): no path, lower case. */
const origin = httpUrl.refine(
  (v) => URL.canParse(v) && new URL(v).origin === v,
  'must be an origin (scheme://host[:port], lower case, no path or trailing slash)',
);
const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  withDefault(String(fallback), z.coerce.number().int().min(1).max(max));

export const SYNC_CONCURRENCY_DEFAULT = 8;
export const SYNC_SAFETY_MARGIN_SECONDS_DEFAULT = 60;
export const SYNC_SHARD_SIZE_DEFAULT = 1000;
/** The sync schedule's declared interval: the default of SYNC_INTERVAL_MINUTES (a stage may set its own). */
export const SYNC_INTERVAL_MINUTES_DEFAULT = scheduleDeclarations.find(
  (schedule) => schedule.function === 'syncPlanner',
)?.everyMinutes;
if (SYNC_INTERVAL_MINUTES_DEFAULT === undefined) throw new Error('no syncPlanner schedule is declared');

/** The rule (and default) of every declared variable. */
export const envSchemas = {
  [ENV.mainTableName]: nonEmpty.min(3),
  [ENV.readingsTableName]: nonEmpty.min(3),
  [ENV.credentialsSecretId]: nonEmpty,
  [ENV.tokenSecretId]: nonEmpty,
  [ENV.tokenRefreshFunctionName]: nonEmpty,
  [ENV.poderoBaseUrl]: httpUrl,
  [ENV.poderoOrgId]: z.uuid(),
  [ENV.tokenRefreshMarginSeconds]: positiveInt(7200),
  /** Seconds a read of the token secret is cached per container (Powertools parameters maxAge). */
  [ENV.tokenCacheMaxAgeSeconds]: positiveInt(30),
  [ENV.syncConcurrency]: positiveInt(SYNC_CONCURRENCY_DEFAULT, 64),
  [ENV.syncSafetyMarginSeconds]: positiveInt(SYNC_SAFETY_MARGIN_SECONDS_DEFAULT, 600),
  [ENV.readingsRetentionDays]: positiveInt(400),
  [ENV.deviceKindsRecheckHours]: positiveInt(24, 24 * 90),
  [ENV.syncIntervalMinutes]: positiveInt(SYNC_INTERVAL_MINUTES_DEFAULT, 1440),
  [ENV.syncShardQueueUrl]: httpUrl,
  [ENV.syncShardSize]: positiveInt(SYNC_SHARD_SIZE_DEFAULT, 100_000),
  /** 0: no ceiling. Podero documents no limit; a partner sets one after talking to its account manager. */
  [ENV.syncRateLimitPerSecond]: withDefault('0', z.coerce.number().int().min(0).max(100_000)),
  /** Deployed builds set APP_VERSION; a local or test run without it reports a dev version. */
  [ENV.appVersion]: withDefault('0.0.0-dev', nonEmpty),
  /** Deployed stacks set their stage; local and test runs report `local`. */
  [ENV.stage]: withDefault(
    'local',
    z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a stage name (a-z, 0-9, -)'),
  ),
  [ENV.eventBusName]: nonEmpty,
  [ENV.webhookQueueUrl]: httpUrl,
  [ENV.webhookDeadLetterQueueUrl]: httpUrl,
  /** A Secrets Manager name prefix ending in `/`. */
  [ENV.webhookSecretPrefix]: z
    .string()
    .regex(/^[A-Za-z0-9/_+=.@-]{1,400}\/$/, 'must be a secret name prefix ending in /'),
  /** Only the local stack sets it: deployed stages refuse loopback webhook URLs. */
  [ENV.webhookAllowLoopback]: flag('false'),
  /** Comma-separated; none by default, so a stage that names none takes no re-authentication return URL. */
  [ENV.returnUrlOrigins]: withDefault(
    '',
    z
      .string()
      .transform((v) => (v.trim() === '' ? [] : v.split(',').map((entry) => entry.trim())))
      .pipe(z.array(origin)),
  ),
  [ENV.erasureQueueUrl]: httpUrl,
  /** Only the local stack sets it: deployed stages refuse loopback return URLs. */
  [ENV.returnUrlAllowLoopback]: flag('false'),
  [ENV.poderoTradingVariant]: withDefault('reference', z.enum(TRADING_VARIANTS)),
  [ENV.tradingAutoConfirm]: withDefault('off', z.enum(AUTO_CONFIRM_POLICIES)),
  [ENV.tradingConfirmationDeadline]: withDefault('23:30', z.enum(CONFIRMATION_DEADLINES)),
  [ENV.backfillLookbackDays]: positiveInt(7, 400),
  [ENV.backfillMaxRequestsPerRun]: positiveInt(60, 10_000),
  [ENV.poderoDataRetentionDays]: positiveInt(90, 3650),
  [ENV.forecastBucketName]: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3-63 of a-z 0-9 . -)'),
} as const satisfies Record<EnvName, z.ZodType>;

/** The declared variables whose schema has a default (a stage, or the local world, may leave them as is). */
export type DefaultedEnvName = {
  [K in EnvName]: (typeof envSchemas)[K] extends { readonly envDefault: string } ? K : never;
}[EnvName];

/** The default of every variable that has one, as its schema applies it (the local world starts from these). */
export const envDefaults = Object.fromEntries(
  Object.entries(envSchemas).flatMap(([name, schema]) =>
    'envDefault' in schema ? [[name, schema.envDefault]] : [],
  ),
) as Readonly<Record<DefaultedEnvName, string>>;

const everyVariable = z.object(envSchemas);

/**
 * Checks a value for every declared variable against its schema (the rules live here and nowhere else);
 * the error names every bad variable, never its value. The local world validates its map with it.
 */
export function validateEnvironmentValues(values: Readonly<Record<EnvName, string>>): void {
  const result = everyVariable.safeParse(values);
  if (!result.success) {
    const names = [...new Set(result.error.issues.map((issue) => String(issue.path[0] ?? '?')))];
    throw new ConfigError(
      `invalid environment values: ${names.map((name) => `${name} is invalid`).join('; ')}`,
    );
  }
}

/** Service endpoints for the local stack and tests; absent in AWS. Passed explicitly to each SDK client. */
export type { AwsClientConfig };

const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), httpUrl.optional());
const awsShape = {
  AWS_REGION: z.string().optional(),
  AWS_ENDPOINT_URL_DYNAMODB: optionalUrl,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: optionalUrl,
  AWS_ENDPOINT_URL_LAMBDA: optionalUrl,
  AWS_ENDPOINT_URL_SQS: optionalUrl,
  AWS_ENDPOINT_URL_EVENTBRIDGE: optionalUrl,
  AWS_ENDPOINT_URL_S3: optionalUrl,
};

type DeclaredName<F extends FunctionId> = (typeof functionDeclarations)[F]['environment'][number];
type Declared<F extends FunctionId> = { [K in DeclaredName<F>]: z.output<(typeof envSchemas)[K]> };

/**
 * Parses the variables function `id` declares (plus the AWS endpoints); the error names every missing or
 * bad variable, never its value.
 */
function parseDeclared<F extends FunctionId>(id: F, env: Env): Declared<F> & AwsClientConfig {
  const names: readonly EnvName[] = functionDeclarations[id].environment;
  const shape = { ...awsShape, ...Object.fromEntries(names.map((name) => [name, envSchemas[name]])) };
  // Parsed once per container: zod's JIT would generate and compile a fast path (new Function) that no
  // second parse ever uses, on every function's cold start.
  const result = z.object(shape).safeParse(env, { jitless: true });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      return env[name] === undefined || env[name] === ''
        ? `${name} is missing`
        : `${name} is invalid: ${issue.message}`;
    });
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  const parsed = result.data as Record<string, unknown>;
  const aws = parsed as z.output<z.ZodObject<typeof awsShape>>;
  return {
    ...(parsed as Declared<F>),
    region: aws.AWS_REGION,
    endpoints: {
      dynamodb: aws.AWS_ENDPOINT_URL_DYNAMODB,
      secretsManager: aws.AWS_ENDPOINT_URL_SECRETS_MANAGER,
      lambda: aws.AWS_ENDPOINT_URL_LAMBDA,
      sqs: aws.AWS_ENDPOINT_URL_SQS,
      eventBridge: aws.AWS_ENDPOINT_URL_EVENTBRIDGE,
      s3: aws.AWS_ENDPOINT_URL_S3,
    },
  };
}

/** What every function's configuration carries: its AWS endpoints, its version and its stage. */
export interface FunctionBasics extends AwsClientConfig {
  readonly appVersion: string;
  readonly stage: string;
}

function basicsOf(
  parsed: AwsClientConfig & { readonly [ENV.appVersion]: string; readonly [ENV.stage]: string },
): FunctionBasics {
  return {
    region: parsed.region,
    endpoints: parsed.endpoints,
    appVersion: parsed[ENV.appVersion],
    stage: parsed[ENV.stage],
  };
}

/**
 * What api and heat-pump-sync share: tables, the token secret (read only), the function to ask for a
 * forced refresh, and Podero's base URL and org id. The base URL and org id come from the environment
 * (not from the credentials secret, which only token-refresh may read), so the CDK app sets them from the
 * stage config.
 */
export interface FleetConfig extends FunctionBasics {
  readonly mainTableName: string;
  readonly readingsTableName: string;
  readonly tokenSecretId: string;
  readonly tokenRefreshFunctionName: string;
  readonly poderoBaseUrl: string;
  readonly poderoOrgId: string;
  readonly tokenCacheMaxAgeSeconds: number;
  readonly readingsRetentionDays: number;
  /** Which trading API Podero speaks (api and trading-workflow set it; the client's default otherwise). */
  readonly tradingVariant?: TradingVariant;
}

/** The variables api and heat-pump-sync-worker both declare (but the sync interval: each reads it on its own). */
type FleetNames = Exclude<DeclaredName<'api'> & DeclaredName<'syncWorker'>, typeof ENV.syncIntervalMinutes>;

function fleetConfig(parsed: Pick<Declared<'syncWorker'>, FleetNames> & AwsClientConfig): FleetConfig {
  return {
    ...basicsOf(parsed),
    mainTableName: parsed[ENV.mainTableName],
    readingsTableName: parsed[ENV.readingsTableName],
    tokenSecretId: parsed[ENV.tokenSecretId],
    tokenRefreshFunctionName: parsed[ENV.tokenRefreshFunctionName],
    poderoBaseUrl: parsed[ENV.poderoBaseUrl],
    poderoOrgId: parsed[ENV.poderoOrgId],
    tokenCacheMaxAgeSeconds: parsed[ENV.tokenCacheMaxAgeSeconds],
    readingsRetentionDays: parsed[ENV.readingsRetentionDays],
  };
}

/** Where the webhook routes keep secrets and send test events, and whether loopback URLs are allowed. */
export interface WebhookSettings {
  readonly webhookQueueUrl: string;
  readonly webhookSecretPrefix: string;
  readonly webhookAllowLoopback: boolean;
}

/** The stage's day-ahead trading settings (ADR 0015): read by the api (forecasts, decisions) and the workflow. */
export interface TradingSettings {
  readonly tradingAutoConfirm: AutoConfirmPolicy;
  readonly tradingConfirmationDeadline: ConfirmationDeadline;
}

export interface ApiConfig extends FleetConfig, WebhookSettings, TradingSettings {
  readonly tradingVariant: TradingVariant;
  readonly erasureQueueUrl: string;
  /** Where the re-authentication callback may send the browser (devices/return-urls.ts). */
  readonly returnUrls: ReturnUrlRules;
  /** The stage's sync interval: the unit of the devices' stale threshold in the API's health (ms). */
  readonly syncIntervalMs: number;
}

export function loadApiConfig(env: Env): ApiConfig {
  const parsed = parseDeclared('api', env);
  return {
    ...fleetConfig(parsed),
    webhookQueueUrl: parsed[ENV.webhookQueueUrl],
    webhookSecretPrefix: parsed[ENV.webhookSecretPrefix],
    webhookAllowLoopback: parsed[ENV.webhookAllowLoopback],
    erasureQueueUrl: parsed[ENV.erasureQueueUrl],
    returnUrls: {
      origins: parsed[ENV.returnUrlOrigins],
      allowLoopback: parsed[ENV.returnUrlAllowLoopback],
    },
    tradingVariant: parsed[ENV.poderoTradingVariant],
    tradingAutoConfirm: parsed[ENV.tradingAutoConfirm],
    tradingConfirmationDeadline: parsed[ENV.tradingConfirmationDeadline],
    syncIntervalMs: parsed[ENV.syncIntervalMinutes] * 60_000,
  };
}

export interface TradingWorkflowConfig extends FleetConfig, TradingSettings {
  readonly tradingVariant: TradingVariant;
}

/** trading-workflow: the fleet's Podero access plus the trading settings. */
export function loadTradingWorkflowConfig(env: Env): TradingWorkflowConfig {
  const parsed = parseDeclared('tradingWorkflow', env);
  return {
    ...fleetConfig(parsed),
    tradingVariant: parsed[ENV.poderoTradingVariant],
    tradingAutoConfirm: parsed[ENV.tradingAutoConfirm],
    tradingConfirmationDeadline: parsed[ENV.tradingConfirmationDeadline],
  };
}

export interface HistoryBackfillConfig extends FleetConfig {
  /** Podero requests per second for the whole stage (0: none): the backfill claims from the same budget. */
  readonly rateLimitPerSecond: number;
  readonly backfillLookbackDays: number;
  readonly backfillMaxRequestsPerRun: number;
  readonly poderoDataRetentionDays: number;
}

/** history-backfill: the fleet's Podero access, the stage's rate ceiling and the backfill's bounds. */
export function loadHistoryBackfillConfig(env: Env): HistoryBackfillConfig {
  const parsed = parseDeclared('historyBackfill', env);
  return {
    ...fleetConfig(parsed),
    rateLimitPerSecond: parsed[ENV.syncRateLimitPerSecond],
    backfillLookbackDays: parsed[ENV.backfillLookbackDays],
    backfillMaxRequestsPerRun: parsed[ENV.backfillMaxRequestsPerRun],
    poderoDataRetentionDays: parsed[ENV.poderoDataRetentionDays],
  };
}

export interface ForecastDropConfig extends FunctionBasics {
  readonly mainTableName: string;
  readonly forecastBucketName: string;
  readonly tradingVariant: TradingVariant;
  readonly tradingConfirmationDeadline: ConfirmationDeadline;
}

/** trading-forecast-drop: the main table, its bucket, and what a stored trading day records (variant, deadline). */
export function loadForecastDropConfig(env: Env): ForecastDropConfig {
  const parsed = parseDeclared('forecastDrop', env);
  return {
    ...basicsOf(parsed),
    mainTableName: parsed[ENV.mainTableName],
    forecastBucketName: parsed[ENV.forecastBucketName],
    tradingVariant: parsed[ENV.poderoTradingVariant],
    tradingConfirmationDeadline: parsed[ENV.tradingConfirmationDeadline],
  };
}

export interface ErasureConfig extends FunctionBasics {
  readonly mainTableName: string;
  readonly readingsTableName: string;
  readonly erasureQueueUrl: string;
}

/** The erasure worker. */
export function loadErasureConfig(env: Env): ErasureConfig {
  const parsed = parseDeclared('erasureWorker', env);
  return {
    ...basicsOf(parsed),
    mainTableName: parsed[ENV.mainTableName],
    readingsTableName: parsed[ENV.readingsTableName],
    erasureQueueUrl: parsed[ENV.erasureQueueUrl],
  };
}

export interface RelayConfig extends FunctionBasics {
  readonly mainTableName: string;
  readonly eventBusName: string;
  readonly webhookQueueUrl: string;
}

export function loadRelayConfig(env: Env): RelayConfig {
  const parsed = parseDeclared('eventRelay', env);
  return {
    ...basicsOf(parsed),
    mainTableName: parsed[ENV.mainTableName],
    eventBusName: parsed[ENV.eventBusName],
    webhookQueueUrl: parsed[ENV.webhookQueueUrl],
  };
}

export interface DeliveryConfig extends FunctionBasics, WebhookSettings {
  readonly mainTableName: string;
  readonly webhookDeadLetterQueueUrl: string;
}

export function loadDeliveryConfig(env: Env): DeliveryConfig {
  const parsed = parseDeclared('webhookDelivery', env);
  return {
    ...basicsOf(parsed),
    mainTableName: parsed[ENV.mainTableName],
    webhookQueueUrl: parsed[ENV.webhookQueueUrl],
    webhookDeadLetterQueueUrl: parsed[ENV.webhookDeadLetterQueueUrl],
    webhookSecretPrefix: parsed[ENV.webhookSecretPrefix],
    webhookAllowLoopback: parsed[ENV.webhookAllowLoopback],
  };
}

export interface SyncConfig extends FleetConfig {
  /** Users whose heat pumps are fetched from Podero at once. */
  readonly syncConcurrency: number;
  /** Stop starting users when less than this remains of the invocation (ms): room to finish, write and save the cursor. */
  readonly safetyMarginMs: number;
  /** Users read from the gsi1 walk per page; the cursor is saved every this many finished users. */
  readonly userPageSize: number;
  /** The sync-shards queue (continuations of shards out of time). */
  readonly shardQueueUrl: string;
  /** Podero requests per second for the whole stage; 0: no ceiling (and no shared budget to claim from). */
  readonly rateLimitPerSecond: number;
  /** How often every device kind of a user is asked about (domain/devices/kind-plan.ts), ms. */
  readonly deviceKindsRecheckMs: number;
  /** The stage's sync interval: the unit of the devices' stale threshold (ms). */
  readonly syncIntervalMs: number;
}

/** The sync engine's configuration: heat-pump-sync-worker's variables (it runs the engine over a shard). */
export function loadSyncConfig(env: Env): SyncConfig {
  const parsed = parseDeclared('syncWorker', env);
  const concurrency = parsed[ENV.syncConcurrency];
  return {
    ...fleetConfig(parsed),
    shardQueueUrl: parsed[ENV.syncShardQueueUrl],
    rateLimitPerSecond: parsed[ENV.syncRateLimitPerSecond],
    syncConcurrency: concurrency,
    safetyMarginMs: parsed[ENV.syncSafetyMarginSeconds] * 1000,
    syncIntervalMs: parsed[ENV.syncIntervalMinutes] * 60_000,
    deviceKindsRecheckMs: parsed[ENV.deviceKindsRecheckHours] * 3_600_000,
    // A few rounds of the concurrency per page (the next page is read ahead): enough to keep Podero
    // busy, small enough that a kill between cursor saves repeats little work.
    userPageSize: Math.max(25, concurrency * 4),
  };
}

export interface PlannerConfig extends FunctionBasics {
  readonly mainTableName: string;
  readonly shardQueueUrl: string;
  readonly shardSize: number;
}

/** heat-pump-sync, the planner of fleet passes. */
export function loadPlannerConfig(env: Env): PlannerConfig {
  const parsed = parseDeclared('syncPlanner', env);
  return {
    ...basicsOf(parsed),
    mainTableName: parsed[ENV.mainTableName],
    shardQueueUrl: parsed[ENV.syncShardQueueUrl],
    shardSize: parsed[ENV.syncShardSize],
  };
}

export interface TokenRefreshConfig extends FunctionBasics {
  readonly credentialsSecretId: string;
  readonly tokenSecretId: string;
  /** Used when the credentials secret has no `base_url`. */
  readonly poderoBaseUrl: string;
  readonly refreshMarginSeconds: number;
}

export function loadTokenRefreshConfig(env: Env): TokenRefreshConfig {
  const parsed = parseDeclared('tokenRefresh', env);
  return {
    ...basicsOf(parsed),
    credentialsSecretId: parsed[ENV.credentialsSecretId],
    tokenSecretId: parsed[ENV.tokenSecretId],
    poderoBaseUrl: parsed[ENV.poderoBaseUrl],
    refreshMarginSeconds: parsed[ENV.tokenRefreshMarginSeconds],
  };
}
