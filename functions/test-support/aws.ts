import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ensureTables,
  type LocalEndpoint,
  type LocalEventBridge,
  type LocalSecretsManager,
  type LocalSqs,
  startDynalite,
  startLocalEventBridge,
  startLocalSecretsManager,
  startLocalSqs,
} from '@podero-bridge/local-aws';
import { ENV, queueDeclarations, tableDeclarations } from '../src/declarations';

/** dynalite + the local Secrets Manager on free loopback ports, with the tables created. */
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
  /**
   * The variables of the event bus, the webhook queues and the secret prefix (for the functions that
   * declare them), plus the SQS and EventBridge endpoints.
   */
  readonly eventEnv: Readonly<Record<string, string>>;
  /** The sync-shards queue and its dead-letter queue (redrive as declared). */
  readonly shardQueues: { readonly queue: string; readonly deadLetters: string };
  createSecret(name: string, value: string): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

/** `sqsClock`: the local SQS's clock (visibility timeouts, delays), for tests that move time. */
export async function startLocalAws(options: { sqsClock?: () => number } = {}): Promise<LocalAws> {
  const region = 'eu-central-1';
  const [dynamo, secretsManager, sqsServer, eventBridge] = await Promise.all([
    startDynalite(),
    startLocalSecretsManager({ region }),
    startLocalSqs({ region, ...(options.sqsClock ? { clock: options.sqsClock } : {}) }),
    startLocalEventBridge({ buses: ['test-events'] }),
  ]);
  const sqs = new SQSClient({ endpoint: sqsServer.endpoint, region });
  const queueUrl = async (name: string, attributes?: Record<string, string>) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl ?? '';
  // The shard queue as the CDK app declares it: visibility timeout and redrive to its dead-letter queue.
  const shardDecl = queueDeclarations.syncShards;
  const shardDeadLetters = await queueUrl('sync-shards-dlq');
  const shardDeadLetterArn =
    (
      await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: shardDeadLetters, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn ?? '';
  const shardQueue = await queueUrl('sync-shards', {
    VisibilityTimeout: String(shardDecl.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: shardDeadLetterArn,
      maxReceiveCount: shardDecl.maxReceiveCount,
    }),
  });
  const eventEnv = {
    AWS_ENDPOINT_URL_SQS: sqsServer.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
    [ENV.eventBusName]: 'test-events',
    [ENV.webhookQueueUrl]: await queueUrl('webhook-deliveries'),
    [ENV.webhookDeadLetterQueueUrl]: await queueUrl('webhook-deliveries-dlq'),
    [ENV.webhookSecretPrefix]: 'podero-bridge/test/webhooks/',
    [ENV.webhookAllowLoopback]: 'true',
    [ENV.syncShardQueueUrl]: shardQueue,
    [ENV.erasureQueueUrl]: await queueUrl('erasures'),
  };
  sqs.destroy();
  const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region });
  counter += 1;
  const tableNames = {
    main: `main-${process.pid}-${counter}`,
    readings: `readings-${process.pid}-${counter}`,
  };
  await ensureTables(raw, tableNames, tableDeclarations);
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const secrets = new SecretsManagerClient({ endpoint: secretsManager.endpoint, region });
  return {
    dynamo,
    secretsManager,
    tableNames,
    db,
    secrets,
    region,
    sqs: sqsServer,
    eventBridge,
    eventEnv,
    shardQueues: { queue: shardQueue, deadLetters: shardDeadLetters },
    async createSecret(name, value) {
      await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    },
    async close() {
      raw.destroy();
      secrets.destroy();
      await Promise.all([dynamo.close(), secretsManager.close(), sqsServer.close(), eventBridge.close()]);
    },
  };
}
