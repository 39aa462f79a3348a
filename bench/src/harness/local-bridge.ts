import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createLogger,
  createRecordingMetrics,
  createTokenRefreshDeps,
  loadTokenRefreshConfig,
  makeTokenRefreshHandler,
  type TokenRefreshResult,
  UserStore,
} from '@podero-bridge/functions';
import { ENV, type FunctionId, type TableId, tableDeclarations } from '@podero-bridge/functions/declarations';
import {
  type EnvironmentOverrides,
  ensureLocalWorld,
  localWorldNames,
  seedOnboardedUsers,
  tableValuesOf,
} from '@podero-bridge/functions/testing';
import {
  ensureTables,
  type LocalSecretsManager,
  startLocalEventBridge,
  startLocalSecretsManager,
  startLocalSqs,
} from '@podero-bridge/local-aws';
import { type Simulator, type SimulatorOptions, startSimulator } from '@podero-bridge/podero-simulator';
import { z } from 'zod';
import { type DynaliteProcess, startDynaliteProcess } from './local-aws';
import { childBaseEnv } from './processes';

export const REGION = 'eu-central-1';
/** The benchmarks' local world (local-world.ts): `podero-bridge-bench-…`, `podero-bridge/bench/…`. */
const BENCH_WORLD = 'bench';
export const SECRET_IDS = localWorldNames(BENCH_WORLD).secrets;
/** Answers nothing: a function that tries to invoke token-refresh through Lambda fails fast, never reaches AWS. */
const DEAD_LAMBDA_ENDPOINT = 'http://127.0.0.1:9';

export type TableNames = Readonly<Record<TableId, string>>;

/** The e-mail domain of seeded users' profiles: reserved, so no seeded address can reach anyone. */
export const SEEDED_EMAIL_DOMAIN = 'bench.invalid';

export interface SeededBridgeUser {
  readonly externalUserId: string;
  readonly poderoUserId: string;
  readonly deviceIds: readonly string[];
}

/**
 * Everything a function needs, on this machine: the Podero simulator (in this process), dynalite (its own
 * process), the local Secrets Manager, SQS and EventBridge (in this process), and the one local world on them
 * (the declared tables, queues and secrets). Functions get the same environment variables the CDK app gives
 * them (`environmentFor` over a value for every variable), plus local endpoints.
 */
export interface LocalBridge {
  readonly sim: Simulator;
  readonly dynamoEndpoint: string;
  readonly secretsEndpoint: string;
  readonly db: DynamoDBDocumentClient;
  readonly secrets: SecretsManagerClient;
  /** A fresh pair of tables (the sync walks every user of its table, so each user count gets its own). */
  createTables(label: string): Promise<TableNames>;
  /** The function's environment as the CDK app sets it (declared names only), pointed at the local endpoints. */
  env(id: FunctionId, tables: TableNames, extra?: EnvironmentOverrides): Record<string, string>;
  /** Creates users at the simulator (`POST /__sim/seed`) and their onboarded profiles in `tables`. */
  seedUsers(
    tables: TableNames,
    count: number,
    options: { prefix: string; heatPumpsPerUser?: number },
  ): Promise<SeededBridgeUser[]>;
  /** Runs token-refresh in this process (scheduled, or forced) and returns its summary. */
  refreshToken(event?: unknown): Promise<TokenRefreshResult>;
  close(): Promise<void>;
}

const seedResponseSchema = z.object({
  users: z.array(
    z.object({ id: z.string(), external_user_id: z.string(), heat_pump_ids: z.array(z.string()) }),
  ),
});

let tableCounter = 0;

export async function startLocalBridge(
  options: { simulator?: Omit<SimulatorOptions, 'port' | 'host'> } = {},
): Promise<LocalBridge> {
  // The SDK clients of in-process functions sign requests; local endpoints accept any credentials.
  process.env.AWS_ACCESS_KEY_ID ??= 'bench-local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-local';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
    closers.length = 0;
  };
  try {
    const sim = await startSimulator({ port: 0, host: '127.0.0.1', log: () => {}, ...options.simulator });
    closers.push(() => sim.close());
    const dynalite: DynaliteProcess = await startDynaliteProcess();
    closers.push(() => dynalite.close());
    const secretsServer: LocalSecretsManager = await startLocalSecretsManager({ region: REGION });
    closers.push(() => secretsServer.close());
    const sqsServer = await startLocalSqs({ region: REGION });
    closers.push(() => sqsServer.close());
    const eventBridge = await startLocalEventBridge({ buses: [localWorldNames(BENCH_WORLD).eventBus] });
    closers.push(() => eventBridge.close());

    const raw = new DynamoDBClient({ endpoint: dynalite.endpoint, region: REGION });
    closers.push(() => raw.destroy());
    const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    const secrets = new SecretsManagerClient({ endpoint: secretsServer.endpoint, region: REGION });
    closers.push(() => secrets.destroy());

    const world = await ensureLocalWorld({
      name: BENCH_WORLD,
      endpoints: {
        region: REGION,
        dynamodb: dynalite.endpoint,
        secretsManager: secretsServer.endpoint,
        sqs: sqsServer.endpoint,
        eventBridge: eventBridge.endpoint,
        lambda: DEAD_LAMBDA_ENDPOINT,
      },
      podero: sim,
      overrides: { [ENV.appVersion]: 'bench' },
    });
    const env: LocalBridge['env'] = (id, tables, extra = {}) => ({
      ...childBaseEnv(),
      // What the CDK app gives the function, with the default stage's settings ("sourceMaps": false).
      ...world.environment(id, { ...tableValuesOf(tables), ...extra }),
    });

    const controlTables: TableNames = world.names.tables;
    const tokenRefresh = makeTokenRefreshHandler(
      createTokenRefreshDeps(loadTokenRefreshConfig(env('tokenRefresh', controlTables)), {
        logger: createLogger('tokenRefresh', { logLevel: 'SILENT' }),
        metrics: createRecordingMetrics(),
        secrets,
      }),
    );

    return {
      sim,
      dynamoEndpoint: dynalite.endpoint,
      secretsEndpoint: secretsServer.endpoint,
      db,
      secrets,
      async createTables(label) {
        tableCounter += 1;
        const names = {
          main: `bench-${label}-${tableCounter}-main`,
          readings: `bench-${label}-${tableCounter}-readings`,
        };
        await ensureTables(raw, names, tableDeclarations);
        return names;
      },
      env,
      async seedUsers(tables, count, { prefix, heatPumpsPerUser = 1 }) {
        const response = await fetch(`${sim.baseUrl}/__sim/seed`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            users: count,
            heat_pumps_per_user: heatPumpsPerUser,
            external_id_prefix: prefix,
          }),
        });
        if (!response.ok) throw new Error(`POST /__sim/seed answered ${response.status}`);
        const seeded = seedResponseSchema.parse(await response.json()).users;
        await seedOnboardedUsers(
          db,
          tables.main,
          seeded.map((user) => ({ externalUserId: user.external_user_id, poderoUserId: user.id })),
          { emailDomain: SEEDED_EMAIL_DOMAIN },
        );
        const check = await new UserStore(db, tables.main).listPage({ limit: 5 });
        if (check.users.length === 0 && seeded.length > 0) {
          throw new Error(
            'seeded profiles are not read back as onboarded users: the profile item shape changed',
          );
        }
        return seeded.map((user) => ({
          externalUserId: user.external_user_id,
          poderoUserId: user.id,
          deviceIds: user.heat_pump_ids,
        }));
      },
      refreshToken: (event = { source: 'schedule', force: false }) => tokenRefresh(event),
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

/** Overwrites the stored token (e.g. with one about to expire, so the next scheduled refresh fetches). */
export async function putTokenSecret(
  secrets: SecretsManagerClient,
  value: Record<string, unknown>,
  secretId: string = SECRET_IDS.token,
): Promise<void> {
  await secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(value) }));
}
