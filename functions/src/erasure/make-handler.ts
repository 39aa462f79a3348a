import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { ErasureConfig } from '../config';
import { createSqsClient } from '../platform/aws-clients';
import { createDocumentClient } from '../platform/dynamodb-client';
import {
  coldStartFlag,
  createLogger,
  createMetrics,
  invocationKeys,
  type MetricsSink,
  withLogKeys,
} from '../platform/observability';
import { passThroughTracing, type Tracing } from '../platform/tracing';
import { ErasureStore } from '../storage/erasures';
import { ReadingsStore } from '../storage/readings';
import { SyncStateStore } from '../storage/sync-state';
import { UserStore } from '../storage/users';
import type { SqsBatchResponse } from '../webhooks/make-delivery-handler';
import { type ErasureMessage, ErasureQueue, ErasureService, erasureMessageSchema } from './erasure';

export interface ErasureDepsBundle {
  readonly config: ErasureConfig;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  readonly tracing: Tracing;
  readonly db: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly now: () => Date;
  readonly settleMs?: number;
}

export interface ErasureOverrides {
  logger?: Logger;
  metrics?: MetricsSink;
  tracing?: Tracing;
  db?: DynamoDBDocumentClient;
  now?: () => Date;
  /** Tests: how long after a job's first sweep its last one runs (ERASURE_SETTLE_SECONDS otherwise). */
  settleMs?: number;
}

export function createErasureDeps(
  config: ErasureConfig,
  overrides: ErasureOverrides = {},
): ErasureDepsBundle {
  const tracing = overrides.tracing ?? passThroughTracing;
  return {
    config,
    tracing,
    logger: overrides.logger ?? createLogger('erasure'),
    metrics: overrides.metrics ?? createMetrics('erasure', config.stage),
    db: overrides.db ?? createDocumentClient(config, tracing.instrument),
    sqs: createSqsClient(config, tracing.instrument),
    now: overrides.now ?? (() => new Date()),
    ...(overrides.settleMs === undefined ? {} : { settleMs: overrides.settleMs }),
  };
}

/** The erasure service over one set of deps: what the worker runs, and what the API requests jobs of. */
export function erasureServiceOf(
  deps: Pick<ErasureDepsBundle, 'db' | 'sqs' | 'now' | 'settleMs'> & {
    config: Pick<ErasureConfig, 'mainTableName' | 'readingsTableName' | 'erasureQueueUrl'>;
  },
): ErasureService {
  const { db, config } = deps;
  return new ErasureService({
    jobs: new ErasureStore(db, config.mainTableName),
    readings: new ReadingsStore(db, config.readingsTableName),
    users: new UserStore(db, config.mainTableName),
    syncState: new SyncStateStore(db, config.mainTableName),
    queue: new ErasureQueue(deps.sqs, config.erasureQueueUrl),
    db,
    mainTableName: config.mainTableName,
    now: deps.now,
    ...(deps.settleMs === undefined ? {} : { settleMs: deps.settleMs }),
  });
}

/** The part of an SQS event the worker reads (Lambda's event source mapping shape). */
const sqsEventSchema = z.object({
  Records: z.array(
    z.looseObject({ messageId: z.string().min(1), body: z.string(), eventSource: z.literal('aws:sqs') }),
  ),
});

export class InvalidErasureEventError extends Error {
  override readonly name = 'InvalidErasureEventError';
}

/**
 * The SQS handler: one sweep per message. A sweep that failed (the table throttled, the queue refused) is
 * reported in `batchItemFailures` and comes back after the visibility timeout; a body that is not an
 * erasure message fails every receive and ends in the dead-letter queue.
 */
export function makeErasureHandler(
  deps: ErasureDepsBundle,
): (event: unknown, context?: { awsRequestId?: string }) => Promise<SqsBatchResponse> {
  const isColdStart = coldStartFlag();
  const erasure = erasureServiceOf(deps);
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    const parsed = sqsEventSchema.safeParse(event);
    if (!parsed.success) {
      logger.error('invalid erasure event', {
        fields: parsed.error.issues.map((i) => i.path.join('.')).join(', '),
      });
      throw new InvalidErasureEventError('invalid erasure event');
    }
    const failures: { itemIdentifier: string }[] = [];
    for (const record of parsed.data.Records) {
      let message: ErasureMessage;
      try {
        message = erasureMessageSchema.parse(JSON.parse(record.body));
      } catch {
        logger.error('not an erasure message', { message_id: record.messageId });
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        await erasure.process(message);
      } catch (error) {
        logger.error('erasure sweep failed', {
          message_id: record.messageId,
          error_name: (error as Error).name,
        });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    deps.metrics.publishStoredMetrics();
    return { batchItemFailures: failures };
  };
}
