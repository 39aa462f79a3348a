import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { coldStartFlag, invocationKeys, withLogKeys } from '../../platform/observability';
import type { DropOutcome } from '../../trading/forecast-drop';
import { parseEvent } from '../shared/parse-event';
import type { ForecastDropDepsBundle } from './deps';

/** The metrics the drop publishes per file (infra: Monitoring alarms on refused files). */
export const FORECAST_DROP_METRICS = {
  accepted: 'TradingForecastFilesAccepted',
  refused: 'TradingForecastFilesRefused',
} as const;

/**
 * S3's object-created notification as Lambda receives it (event version 2.x), the fields the drop reads.
 * The key is URL-encoded as S3 sends it (a space as `+`).
 */
export const s3ObjectCreatedEventSchema = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal('aws:s3'),
        eventVersion: z.string().regex(/^2\./),
        eventName: z.string().startsWith('ObjectCreated:'),
        userIdentity: z.object({ principalId: z.string() }).optional(),
        s3: z.object({
          bucket: z.object({ name: z.string().min(3) }),
          object: z.object({
            key: z.string().min(1),
            size: z.number().int().min(0),
            eTag: z.string().min(1),
            sequencer: z.string().optional(),
          }),
        }),
      }),
    )
    .min(1),
});

/** S3's key encoding in events: application/x-www-form-urlencoded (`+` is a space). */
export const decodeS3EventKey = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

export interface ForecastDropSummary {
  readonly files: readonly { readonly key: string; readonly status: DropOutcome['status'] }[];
}

/**
 * trading-forecast-drop: takes each dropped file in (trading/forecast-drop.ts). A refused file is an answer,
 * not a failure: its result is written, logged and counted, and the invocation succeeds. Only our own
 * failures (S3 or DynamoDB unreachable) throw, and Lambda's asynchronous retries run the file again, which
 * is safe: the same file again changes nothing.
 */
export function makeForecastDropHandler(
  deps: Pick<ForecastDropDepsBundle, 'logger' | 'metrics' | 'drop' | 'config'>,
): (event: unknown, context?: { awsRequestId?: string }) => Promise<ForecastDropSummary> {
  const isColdStart = coldStartFlag();
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    const { Records } = parseEvent(s3ObjectCreatedEventSchema, event, 'trading-forecast-drop', logger);
    const files: { key: string; status: DropOutcome['status'] }[] = [];
    for (const record of Records) {
      const bucket = record.s3.bucket.name;
      if (bucket !== deps.config.forecastBucketName) {
        // A notification of another bucket is a wiring mistake: fail loudly rather than read it.
        logger.error('notification of another bucket', { bucket });
        throw new Error(`trading-forecast-drop takes ${deps.config.forecastBucketName} only, not ${bucket}`);
      }
      const key = decodeS3EventKey(record.s3.object.key);
      const outcome = await deps.drop.take({ key, etag: record.s3.object.eTag, size: record.s3.object.size });
      files.push({ key, status: outcome.status });
      const fields = {
        key,
        etag: record.s3.object.eTag,
        size: record.s3.object.size,
        // Who dropped it (S3's principal id), in lieu of the bucket's access logs (infra/README.md).
        principal_id: record.userIdentity?.principalId,
      };
      if (outcome.status === 'superseded') {
        logger.info('forecast file superseded by a newer one before it was read', fields);
        continue;
      }
      const { result } = outcome;
      const summary = {
        ...fields,
        result_key: outcome.resultKey,
        price_zone: result.price_zone,
        delivery_day: result.delivery_day,
        quarter_hours: result.quarter_hours,
      };
      if (outcome.status === 'accepted') {
        deps.metrics.addMetric(FORECAST_DROP_METRICS.accepted, MetricUnit.Count, 1);
        logger.info('forecast file accepted', { ...summary, outcome: result.outcome });
      } else {
        deps.metrics.addMetric(FORECAST_DROP_METRICS.refused, MetricUnit.Count, 1);
        logger.warn('forecast file refused', { ...summary, code: result.code, errors: result.errors });
      }
    }
    deps.metrics.publishStoredMetrics();
    return { files };
  };
}
