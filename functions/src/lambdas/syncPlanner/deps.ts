import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PlannerConfig } from '../../config';
import { createSqsClient } from '../../platform/aws-clients';
import { createDocumentClient } from '../../platform/dynamodb-client';
import { type BaseDeps, type BaseOverrides, createBaseDeps } from '../shared/base-deps';

export interface PlannerDepsBundle extends BaseDeps {
  readonly config: PlannerConfig;
  readonly db: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
}

export interface PlannerOverrides extends BaseOverrides {
  db?: DynamoDBDocumentClient;
  sqs?: SQSClient;
}

/** Built once per container (cold start); tests and the local stack pass overrides. */
export function createPlannerDeps(
  config: PlannerConfig,
  overrides: PlannerOverrides = {},
): PlannerDepsBundle {
  const base = createBaseDeps('syncPlanner', config, overrides);
  return {
    ...base,
    config,
    db: overrides.db ?? createDocumentClient(config, base.tracing.instrument),
    sqs: overrides.sqs ?? createSqsClient(config, base.tracing.instrument),
  };
}
