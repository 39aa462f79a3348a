import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  type EnsuredQueue,
  ensureBuckets,
  ensureQueues,
  ensureSecrets,
  ensureTables,
} from '@podero-bridge/local-aws';
import { envDefaults, validateEnvironmentValues } from '../src/config';
import {
  type BucketDeclaration,
  type BucketId,
  bucketDeclarations,
  ENV,
  type EnvironmentValues,
  type EnvName,
  environmentFor,
  type FunctionId,
  functionDeclarations,
  type LogLevel,
  type QueueDeclaration,
  type QueueId,
  queueDeclarations,
  type TableDeclaration,
  type TableId,
  tableDeclarations,
} from '../src/declarations';

/**
 * One local world: the tables, queues and secrets the declarations name, created on given local endpoints,
 * and a value for every declared variable. `pnpm dev` (local/src/stack.ts), the cross-package tests
 * (test/support/), the functions' own test support (aws.ts, environment.ts, config.ts) and the benchmarks
 * (bench/src/harness/) all build their world here, so a new table, queue or variable reaches each of them
 * without an edit: a table or queue from its declaration (its `envVar`), any other variable from its
 * schema's default (config.ts), and a variable with neither is a type error in `localEnvironmentValues`.
 *
 * It lives in functions/test-support (exported as `@podero-bridge/functions/testing`) because it needs the
 * declarations and the config schemas, and packages/local-aws may import nothing of this repository
 * (docs/ARCHITECTURE.md): local-aws keeps the declaration-agnostic mechanics (`ensureTables`,
 * `ensureQueues`, `ensureSecrets`), this module applies them to the declarations.
 */

/** Values to put in place of the world's own (a test's settings, the local stack's `--env`). */
export type EnvironmentOverrides = { readonly [K in EnvName]?: string };

/** Where the world's services listen (local stand-ins, or any endpoint speaking the AWS protocol). */
export interface LocalEndpoints {
  readonly region: string;
  readonly dynamodb: string;
  readonly secretsManager: string;
  readonly sqs: string;
  readonly eventBridge: string;
  /** A function's Lambda client (the world's functions refresh tokens in process); unset when absent. */
  readonly lambda?: string;
  /** S3 (the local stand-in): the declared buckets are created there; without it, none is. */
  readonly s3?: string;
}

/** The Podero the world talks to (the simulator): its URL, org and client credentials. */
export interface LocalPodero {
  readonly baseUrl: string;
  readonly orgId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Every physical name of a world, derived from its name (`local`: what `pnpm dev` has always used). */
export interface LocalWorldNames {
  readonly tables: Readonly<Record<TableId, string>>;
  readonly queues: Readonly<Record<QueueId, string>>;
  readonly buckets: Readonly<Record<BucketId, string>>;
  readonly secrets: { readonly credentials: string; readonly token: string };
  readonly eventBus: string;
  readonly webhookSecretPrefix: string;
  readonly tokenRefreshFunction: string;
}

export function localWorldNames(
  name: string,
  tableNames: { readonly [K in TableId]?: string } = {},
): LocalWorldNames {
  const resource = (suffix: string) => `podero-bridge-${name}-${suffix}`;
  return {
    tables: mapIds(tableDeclarations, (id) => tableNames[id] ?? resource(id)),
    queues: mapIds(queueDeclarations, (id) => resource(queueDeclarations[id].name)),
    buckets: mapIds(bucketDeclarations, (id) => resource(bucketDeclarations[id].name)),
    secrets: {
      credentials: `podero-bridge/${name}/podero-credentials`,
      token: `podero-bridge/${name}/podero-token`,
    },
    eventBus: resource('events'),
    webhookSecretPrefix: `podero-bridge/${name}/webhooks/`,
    tokenRefreshFunction: resource(functionDeclarations.tokenRefresh.name),
  };
}

/** The token secret's value until token-refresh writes the first token (readers treat it as "no token"). */
export const TOKEN_SECRET_PLACEHOLDER = JSON.stringify({ note: 'written by token-refresh' });

type TableEnvName = (typeof tableDeclarations)[TableId]['envVar'];
type BucketEnvName = (typeof bucketDeclarations)[BucketId]['envVar'];
type QueueEnvName =
  | (typeof queueDeclarations)[QueueId]['envVar']
  | {
      [Q in QueueId]: (typeof queueDeclarations)[Q] extends { readonly deadLetterEnvVar: infer N }
        ? N
        : never;
    }[QueueId];

/** The table variables (each table's `envVar`) for these physical names: a world's, or a benchmark's fresh pair. */
export function tableValuesOf(tables: Readonly<Record<TableId, string>>): Record<TableEnvName, string> {
  return Object.fromEntries(
    (Object.values(tableDeclarations) as TableDeclaration[]).map((decl) => [decl.envVar, tables[decl.id]]),
  ) as Record<TableEnvName, string>;
}

export interface LocalEnvironmentInput {
  readonly names: LocalWorldNames;
  readonly queueUrls: Readonly<Record<QueueId, { readonly url: string; readonly deadLetterUrl: string }>>;
  readonly podero: Pick<LocalPodero, 'baseUrl' | 'orgId'>;
  readonly overrides?: EnvironmentOverrides;
}

/**
 * A value for every declared variable (pure: no I/O), validated by the functions' own schemas. The object
 * literal is checked against `EnvironmentValues`: a declared variable that is neither a table's or a
 * queue's `envVar`, nor has a default in config.ts, nor is named below is a compile error here.
 */
export function localEnvironmentValues(input: LocalEnvironmentInput): EnvironmentValues {
  const { names, queueUrls, podero } = input;
  const tableValues = tableValuesOf(names.tables);
  const queueValues = Object.fromEntries(
    (Object.values(queueDeclarations) as QueueDeclaration[]).flatMap((decl) => [
      [decl.envVar, queueUrls[decl.id].url],
      ...(decl.deadLetterEnvVar ? [[decl.deadLetterEnvVar, queueUrls[decl.id].deadLetterUrl]] : []),
    ]),
  ) as Record<QueueEnvName, string>;
  const bucketValues = Object.fromEntries(
    (Object.values(bucketDeclarations) as BucketDeclaration[]).map((decl) => [
      decl.envVar,
      names.buckets[decl.id],
    ]),
  ) as Record<BucketEnvName, string>;
  const values: EnvironmentValues = {
    // What a stage that leaves a setting unset gets (the schemas' defaults).
    ...envDefaults,
    // The resources this world created.
    ...tableValues,
    ...queueValues,
    ...bucketValues,
    [ENV.credentialsSecretId]: names.secrets.credentials,
    [ENV.tokenSecretId]: names.secrets.token,
    [ENV.tokenRefreshFunctionName]: names.tokenRefreshFunction,
    [ENV.eventBusName]: names.eventBus,
    [ENV.webhookSecretPrefix]: names.webhookSecretPrefix,
    [ENV.poderoBaseUrl]: podero.baseUrl,
    [ENV.poderoOrgId]: podero.orgId,
    // The local stage only: a receiver on this machine (http://127.0.0.1:<port>) may get webhooks, and
    // re-authentication may return to pages on this machine; deployed stages refuse both.
    [ENV.webhookAllowLoopback]: 'true',
    [ENV.returnUrlAllowLoopback]: 'true',
    ...input.overrides,
  };
  validateEnvironmentValues(values);
  return values;
}

export interface LocalWorldOptions {
  /** Names every resource (`podero-bridge-<name>-main`, `podero-bridge/<name>/podero-token`...). */
  readonly name: string;
  readonly endpoints: LocalEndpoints;
  readonly podero: LocalPodero;
  /** Physical table names instead of the derived ones (a benchmark's stacks side by side). */
  readonly tableNames?: { readonly [K in TableId]?: string };
  /** A queue's visibility timeout instead of the declared one (a benchmark's killed consumer). */
  readonly visibilityTimeoutSeconds?: { readonly [K in QueueId]?: number };
  readonly overrides?: EnvironmentOverrides;
}

export interface LocalWorld {
  readonly names: LocalWorldNames;
  readonly queues: Readonly<Record<QueueId, EnsuredQueue>>;
  /** A value for every declared variable. */
  readonly values: EnvironmentValues;
  /** `AWS_REGION` and the `AWS_ENDPOINT_URL_*` of the world's services. */
  readonly awsEnvironment: Readonly<Record<string, string>>;
  /**
   * Function `id`'s environment as the CDK app gives it (`environmentFor`: its declared variables and the
   * shared settings), pointed at the world's endpoints; `overrides` replace values (validated).
   */
  environment(
    id: FunctionId,
    overrides?: EnvironmentOverrides,
    options?: { logLevel?: LogLevel; sourceMaps?: boolean },
  ): Record<string, string>;
}

/** The world's endpoints as the AWS SDK reads them from a function's environment. */
export function awsEnvironmentOf(endpoints: LocalEndpoints): Record<string, string> {
  return {
    AWS_REGION: endpoints.region,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge,
    ...(endpoints.lambda ? { AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda } : {}),
    ...(endpoints.s3 ? { AWS_ENDPOINT_URL_S3: endpoints.s3 } : {}),
  };
}

/** The world over values already made (no I/O): its functions' environments. */
export function localWorldOf(
  names: LocalWorldNames,
  queues: Readonly<Record<QueueId, EnsuredQueue>>,
  values: EnvironmentValues,
  endpoints: LocalEndpoints,
): LocalWorld {
  const awsEnvironment = awsEnvironmentOf(endpoints);
  return {
    names,
    queues,
    values,
    awsEnvironment,
    environment(id, overrides, options = {}) {
      const merged = overrides ? { ...values, ...overrides } : values;
      if (overrides) validateEnvironmentValues(merged);
      return {
        ...environmentFor(functionDeclarations[id], merged, {
          sourceMaps: options.sourceMaps ?? false,
          ...(options.logLevel ? { logLevel: options.logLevel } : {}),
        }),
        ...awsEnvironment,
      };
    },
  };
}

/**
 * Creates the declared tables, the declared queues (each with its dead-letter queue), the declared buckets
 * (when the endpoints name S3) and the two token secrets on `endpoints` (idempotent: a persisted world is reused; the credentials follow the simulator,
 * a stored token stays), and returns the world with a value for every declared variable.
 */
export async function ensureLocalWorld(options: LocalWorldOptions): Promise<LocalWorld> {
  const { endpoints, podero } = options;
  const names = localWorldNames(options.name, options.tableNames);
  const region = endpoints.region;
  const dynamo = new DynamoDBClient({ endpoint: endpoints.dynamodb, region });
  const sqs = new SQSClient({ endpoint: endpoints.sqs, region });
  const secrets = new SecretsManagerClient({ endpoint: endpoints.secretsManager, region });
  const s3 = endpoints.s3
    ? new S3Client({ endpoint: endpoints.s3, region, forcePathStyle: true })
    : undefined;
  try {
    const [queues] = await Promise.all([
      ensureQueues(sqs, names.queues, queueDeclarations, {
        ...(options.visibilityTimeoutSeconds
          ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }
          : {}),
      }),
      ensureTables(dynamo, names.tables, tableDeclarations),
      ensureSecrets(secrets, [
        {
          name: names.secrets.credentials,
          value: JSON.stringify({
            client_id: podero.clientId,
            client_secret: podero.clientSecret,
            org_id: podero.orgId,
            base_url: podero.baseUrl,
          }),
          replace: true,
        },
        { name: names.secrets.token, value: TOKEN_SECRET_PLACEHOLDER, replace: false },
      ]),
      s3 ? ensureBuckets(s3, Object.values(names.buckets)) : undefined,
    ]);
    const values = localEnvironmentValues({
      names,
      queueUrls: queues,
      podero,
      ...(options.overrides ? { overrides: options.overrides } : {}),
    });
    return localWorldOf(names, queues, values, endpoints);
  } finally {
    dynamo.destroy();
    sqs.destroy();
    secrets.destroy();
    s3?.destroy();
  }
}

/** A world nothing listens for (unit tests of configuration): its values, on unreachable endpoints. */
export const OFFLINE_ORG_ID = '4e3f1a52-7c1b-4f3e-9d2a-5b8c6d7e8f90';
const OFFLINE_URL = 'http://127.0.0.1:9';

export function offlineLocalWorld(name = 'test', overrides?: EnvironmentOverrides): LocalWorld {
  const names = localWorldNames(name);
  const queues = mapIds(queueDeclarations, (id): EnsuredQueue => {
    const url = `${OFFLINE_URL}/000000000000/${names.queues[id]}`;
    const arn = `arn:aws:sqs:eu-central-1:000000000000:${names.queues[id]}`;
    return { url, arn, deadLetterUrl: `${url}-dlq`, deadLetterArn: `${arn}-dlq` };
  });
  const values = localEnvironmentValues({
    names,
    queueUrls: queues,
    podero: { baseUrl: OFFLINE_URL, orgId: OFFLINE_ORG_ID },
    ...(overrides ? { overrides } : {}),
  });
  return localWorldOf(names, queues, values, {
    region: 'eu-central-1',
    dynamodb: OFFLINE_URL,
    secretsManager: OFFLINE_URL,
    sqs: OFFLINE_URL,
    eventBridge: OFFLINE_URL,
  });
}

function mapIds<Id extends string, T>(decls: Record<Id, unknown>, value: (id: Id) => T): Record<Id, T> {
  return Object.fromEntries((Object.keys(decls) as Id[]).map((id) => [id, value(id)])) as Record<Id, T>;
}
