import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsClientConfig, asIs, base, type Instrument } from './aws-clients';

/**
 * The document client, in a module of its own: the DynamoDB SDK has module side effects esbuild keeps, so
 * a function that imported aws-clients.ts for another client (token-refresh: Secrets Manager only)
 * carried the whole DynamoDB client in its bundle (ADR 0013).
 */
export function createDocumentClient(
  config: AwsClientConfig,
  instrument: Instrument = asIs,
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    instrument(new DynamoDBClient(base(config, config.endpoints.dynamodb))),
    {
      marshallOptions: { removeUndefinedValues: true },
    },
  );
}
