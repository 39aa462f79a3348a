import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsClientConfig } from '../config';

/**
 * SDK clients, built once per container by createDeps. The endpoint comes from the parsed config (not
 * from process.env) so several configurations can live in one process (tests, the local stack).
 */
const base = (config: AwsClientConfig, endpoint: string | undefined) => ({
  ...(config.region ? { region: config.region } : {}),
  ...(endpoint ? { endpoint } : {}),
});

export function createDocumentClient(config: AwsClientConfig): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(base(config, config.endpoints.dynamodb)), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createSecretsManagerClient(config: AwsClientConfig): SecretsManagerClient {
  return new SecretsManagerClient(base(config, config.endpoints.secretsManager));
}

export function createLambdaClient(config: AwsClientConfig): LambdaClient {
  return new LambdaClient(base(config, config.endpoints.lambda));
}
