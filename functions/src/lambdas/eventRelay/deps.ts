import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RelayConfig } from '../../config';
import { createEventBridgeClient, createSqsClient } from '../../platform/aws-clients';
import { createDocumentClient } from '../../platform/dynamodb-client';
import type { RelayStep } from '../../webhooks/relay';
import { type BaseDeps, type BaseOverrides, createBaseDeps } from '../shared/base-deps';

export interface RelayDepsBundle extends BaseDeps {
  readonly config: RelayConfig;
  readonly db: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly eventBridge: EventBridgeClient;
  readonly step?: (step: RelayStep) => void;
}

export interface RelayOverrides extends BaseOverrides {
  db?: DynamoDBDocumentClient;
  /** Tests: a crash point (webhooks/relay.ts RelayStep). */
  step?: (step: RelayStep) => void;
}

/** Built once per container (cold start). */
export function createRelayDeps(config: RelayConfig, overrides: RelayOverrides = {}): RelayDepsBundle {
  const base = createBaseDeps('eventRelay', config, overrides);
  return {
    ...base,
    config,
    db: overrides.db ?? createDocumentClient(config, base.tracing.instrument),
    sqs: createSqsClient(config, base.tracing.instrument),
    eventBridge: createEventBridgeClient(config, base.tracing.instrument),
    ...(overrides.step ? { step: overrides.step } : {}),
  };
}
