import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ensureTables,
  type LocalEndpoint,
  type LocalSecretsManager,
  startDynalite,
  startLocalSecretsManager,
} from '@podero-bridge/local-aws';
import { tableDeclarations } from '../src/declarations';

/** dynalite + the local Secrets Manager on free loopback ports, with the tables created. */
export interface LocalAws {
  readonly dynamo: LocalEndpoint;
  readonly secretsManager: LocalSecretsManager;
  readonly tableNames: { readonly main: string; readonly readings: string };
  /** Document client on the local dynalite (for assertions and seeding). */
  readonly db: DynamoDBDocumentClient;
  readonly secrets: SecretsManagerClient;
  readonly region: string;
  createSecret(name: string, value: string): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

export async function startLocalAws(): Promise<LocalAws> {
  const region = 'eu-central-1';
  const [dynamo, secretsManager] = await Promise.all([startDynalite(), startLocalSecretsManager({ region })]);
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
    async createSecret(name, value) {
      await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    },
    async close() {
      raw.destroy();
      secrets.destroy();
      await Promise.all([dynamo.close(), secretsManager.close()]);
    },
  };
}
