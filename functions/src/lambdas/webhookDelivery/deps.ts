import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryConfig } from '../../config';
import { createSecretsManagerClient, createSqsClient } from '../../platform/aws-clients';
import { createDocumentClient } from '../../platform/dynamodb-client';
import { createSecretsProvider } from '../../tokens/source';
import type { DeliveryStep } from '../../webhooks/delivery';
import { PenaltyBox } from '../../webhooks/penalty-box';
import { WebhookSigningKeys } from '../../webhooks/secrets';
import { createWebhookSender, type WebhookSender } from '../../webhooks/sender';
import type { Resolve } from '../../webhooks/url-rules';
import { type BaseDeps, type BaseOverrides, createBaseDeps } from '../shared/base-deps';

export interface DeliveryDepsBundle extends BaseDeps {
  readonly config: DeliveryConfig;
  readonly db: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly keys: Pick<WebhookSigningKeys, 'signingSecrets'>;
  readonly send: WebhookSender;
  /** One per container: it outlives a batch. */
  readonly penalties: PenaltyBox;
  readonly resolve?: Resolve;
  readonly step?: (step: DeliveryStep) => void;
}

export interface DeliveryOverrides extends BaseOverrides {
  db?: DynamoDBDocumentClient;
  send?: WebhookSender;
  resolve?: Resolve;
  /** Seconds a read signing secret is reused (default webhooks/secrets.ts SECRET_CACHE_SECONDS). */
  secretCacheSeconds?: number;
  step?: (step: DeliveryStep) => void;
}

/** Built once per container (cold start). */
export function createDeliveryDeps(
  config: DeliveryConfig,
  overrides: DeliveryOverrides = {},
): DeliveryDepsBundle {
  const base = createBaseDeps('webhookDelivery', config, overrides);
  const { tracing } = base;
  const rules = { allowLoopback: config.webhookAllowLoopback };
  return {
    ...base,
    config,
    db: overrides.db ?? createDocumentClient(config, tracing.instrument),
    sqs: createSqsClient(config, tracing.instrument),
    keys: new WebhookSigningKeys(
      createSecretsProvider(createSecretsManagerClient(config, tracing.instrument)),
      config.webhookSecretPrefix,
      overrides.secretCacheSeconds,
    ),
    send: overrides.send ?? createWebhookSender(rules),
    penalties: new PenaltyBox(),
    ...(overrides.resolve ? { resolve: overrides.resolve } : {}),
    ...(overrides.step ? { step: overrides.step } : {}),
  };
}
