import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';

/** Where the SDK clients go (parsed from the environment by config.ts: a local endpoint, or AWS's). */
export interface AwsClientConfig {
  readonly region: string | undefined;
  readonly endpoints: {
    readonly dynamodb: string | undefined;
    readonly secretsManager: string | undefined;
    readonly lambda: string | undefined;
    readonly sqs: string | undefined;
    readonly eventBridge: string | undefined;
    readonly s3: string | undefined;
  };
}

/**
 * SDK clients, built once per container by createDeps. The endpoint comes from the parsed config (not
 * from process.env) so several configurations can live in one process (tests, the local stack).
 */
export const base = (config: AwsClientConfig, endpoint: string | undefined) => ({
  ...(config.region ? { region: config.region } : {}),
  ...(endpoint ? { endpoint } : {}),
});

/** Tracing's `instrument` (a subsegment per SDK call), or nothing. */
export type Instrument = <Client extends object>(client: Client) => Client;
export const asIs: Instrument = (client) => client;

export function createSecretsManagerClient(
  config: AwsClientConfig,
  instrument: Instrument = asIs,
): SecretsManagerClient {
  return instrument(new SecretsManagerClient(base(config, config.endpoints.secretsManager)));
}

export function createLambdaClient(config: AwsClientConfig, instrument: Instrument = asIs): LambdaClient {
  return instrument(new LambdaClient(base(config, config.endpoints.lambda)));
}

export function createSqsClient(config: AwsClientConfig, instrument: Instrument = asIs): SQSClient {
  return instrument(new SQSClient(base(config, config.endpoints.sqs)));
}

export function createEventBridgeClient(
  config: AwsClientConfig,
  instrument: Instrument = asIs,
): EventBridgeClient {
  return instrument(new EventBridgeClient(base(config, config.endpoints.eventBridge)));
}
