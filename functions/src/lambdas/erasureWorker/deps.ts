import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ErasureConfig } from '../../config';
import { createSqsClient } from '../../platform/aws-clients';
import { createDocumentClient } from '../../platform/dynamodb-client';
import { type BaseDeps, type BaseOverrides, createBaseDeps } from '../shared/base-deps';

export interface ErasureDepsBundle extends BaseDeps {
  readonly config: ErasureConfig;
  readonly db: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly settleMs?: number;
}

export interface ErasureOverrides extends BaseOverrides {
  db?: DynamoDBDocumentClient;
  /** Tests: how long after a job's first sweep its last one runs (ERASURE_SETTLE_SECONDS otherwise). */
  settleMs?: number;
}

/** Built once per container (cold start); tests and the local stack pass overrides. */
export function createErasureDeps(
  config: ErasureConfig,
  overrides: ErasureOverrides = {},
): ErasureDepsBundle {
  const base = createBaseDeps('erasureWorker', config, overrides);
  return {
    ...base,
    config,
    db: overrides.db ?? createDocumentClient(config, base.tracing.instrument),
    sqs: createSqsClient(config, base.tracing.instrument),
    ...(overrides.settleMs === undefined ? {} : { settleMs: overrides.settleMs }),
  };
}
