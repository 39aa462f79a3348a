import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ForecastDropConfig } from '../../config';
import { FORECAST_DROP_PREFIX, FORECAST_RESULT_PREFIX } from '../../declarations';
import { tradingCalendarOf } from '../../domain/trading/market';
import { createDocumentClient } from '../../platform/dynamodb-client';
import { createS3Client } from '../../platform/s3-client';
import { TradingDayStore } from '../../storage/trading-days';
import { ForecastDrop } from '../../trading/forecast-drop';
import { S3ForecastFiles } from '../../trading/forecast-files';
import { ForecastIntake } from '../../trading/forecast-intake';
import { type BaseDeps, type BaseOverrides, createBaseDeps } from '../shared/base-deps';

export interface ForecastDropDepsBundle extends BaseDeps {
  readonly config: ForecastDropConfig;
  readonly db: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly drop: ForecastDrop;
}

export interface ForecastDropOverrides extends BaseOverrides {
  db?: DynamoDBDocumentClient;
  s3?: S3Client;
}

/** Built once per container (cold start); tests and the local stack pass overrides. */
export function createForecastDropDeps(
  config: ForecastDropConfig,
  overrides: ForecastDropOverrides = {},
): ForecastDropDepsBundle {
  const base = createBaseDeps('forecastDrop', config, overrides);
  const db = overrides.db ?? createDocumentClient(config, base.tracing.instrument);
  const s3 = overrides.s3 ?? createS3Client(config, base.tracing.instrument);
  return {
    ...base,
    config,
    db,
    s3,
    drop: new ForecastDrop({
      intake: new ForecastIntake({
        store: new TradingDayStore(db, config.mainTableName),
        calendar: tradingCalendarOf(config.tradingConfirmationDeadline),
        variant: config.tradingVariant,
        now: base.now,
      }),
      files: new S3ForecastFiles(s3, config.forecastBucketName),
      prefixes: { drop: FORECAST_DROP_PREFIX, results: FORECAST_RESULT_PREFIX },
      now: base.now,
    }),
  };
}
