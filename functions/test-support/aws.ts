import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type LocalEndpoint,
  type LocalEventBridge,
  type LocalS3,
  type LocalSecretsManager,
  type LocalSqs,
  startDynalite,
  startLocalEventBridge,
  startLocalS3,
  startLocalSecretsManager,
  startLocalSqs,
} from '@podero-bridge/local-aws';
import {
  type EnvironmentOverrides,
  ensureLocalWorld,
  type LocalPodero,
  type LocalWorld,
  localWorldNames,
  OFFLINE_ORG_ID,
} from './local-world';

/**
 * dynalite, the local Secrets Manager, SQS, EventBridge and S3 on free loopback ports, with the one local world
 * on them (local-world.ts): the declared tables, queues and secrets and a value for every variable.
 */
export interface LocalAws {
  readonly dynamo: LocalEndpoint;
  readonly secretsManager: LocalSecretsManager;
  readonly tableNames: { readonly main: string; readonly readings: string };
  /** Document client on the local dynalite (for assertions and seeding). */
  readonly db: DynamoDBDocumentClient;
  readonly secrets: SecretsManagerClient;
  readonly region: string;
  readonly sqs: LocalSqs;
  readonly eventBridge: LocalEventBridge;
  /** The local S3 (the declared buckets are created there: the forecast drop's). */
  readonly s3: LocalS3;
  /** The world: names, queues, a value for every declared variable, each function's environment. */
  readonly world: LocalWorld;
  /** The sync-shards queue and its dead-letter queue (redrive as declared). */
  readonly shardQueues: { readonly queue: string; readonly deadLetters: string };
  createSecret(name: string, value: string): Promise<void>;
  close(): Promise<void>;
}

/** Where a world without a simulator points its Podero (nothing answers there). */
const NO_PODERO: LocalPodero = {
  baseUrl: 'http://127.0.0.1:9',
  orgId: OFFLINE_ORG_ID,
  clientId: 'test-client',
  clientSecret: 'test-client-secret',
};

/** Every test world has servers of its own, so all share one name (`podero-bridge-test-main`...). */
const TEST_WORLD = 'test';

/**
 * `sqsClock`: the local SQS's clock (visibility timeouts, delays), for tests that move time. `podero`: the
 * simulator the world's credentials secret and variables point at (none answers by default).
 */
export async function startLocalAws(
  options: { sqsClock?: () => number; podero?: LocalPodero; overrides?: EnvironmentOverrides } = {},
): Promise<LocalAws> {
  const region = 'eu-central-1';
  const name = TEST_WORLD;
  const [dynamo, secretsManager, sqsServer, eventBridge, s3] = await Promise.all([
    startDynalite(),
    startLocalSecretsManager({ region }),
    startLocalSqs({ region, ...(options.sqsClock ? { clock: options.sqsClock } : {}) }),
    startLocalEventBridge({ buses: [localWorldNames(name).eventBus] }),
    startLocalS3({ region }),
  ]);
  const closeServers = () =>
    Promise.all([dynamo.close(), secretsManager.close(), sqsServer.close(), eventBridge.close(), s3.close()]);
  let world: LocalWorld;
  try {
    world = await ensureLocalWorld({
      name,
      endpoints: {
        region,
        dynamodb: dynamo.endpoint,
        secretsManager: secretsManager.endpoint,
        sqs: sqsServer.endpoint,
        eventBridge: eventBridge.endpoint,
        s3: s3.endpoint,
      },
      podero: options.podero ?? NO_PODERO,
      ...(options.overrides ? { overrides: options.overrides } : {}),
    });
  } catch (error) {
    await closeServers();
    throw error;
  }
  const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region });
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const secrets = new SecretsManagerClient({ endpoint: secretsManager.endpoint, region });
  return {
    dynamo,
    secretsManager,
    tableNames: world.names.tables,
    db,
    secrets,
    region,
    sqs: sqsServer,
    eventBridge,
    s3,
    world,
    shardQueues: { queue: world.queues.syncShards.url, deadLetters: world.queues.syncShards.deadLetterUrl },
    async createSecret(secretName, value) {
      await secrets.send(new CreateSecretCommand({ Name: secretName, SecretString: value }));
    },
    async close() {
      raw.destroy();
      secrets.destroy();
      await closeServers();
    },
  };
}
