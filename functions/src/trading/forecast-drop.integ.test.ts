/**
 * The forecast file drop end to end: files put with the real S3 SDK into the local S3 stand-in, whose
 * object-created notification (S3's event JSON) invokes the trading-forecast-drop handler as S3 → Lambda
 * does; the trading days in dynalite; the trading workflow uploading to the simulator. A good file is
 * uploaded once however often it comes; a file with a gap, the wrong count for a clock-change day, or after
 * the upload deadline is refused with its line named, and leaves no trading day behind.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, startTestEnvironment, type TestEnvironment } from '../../test-support/environment';
import { loadForecastDropConfig, loadTradingWorkflowConfig } from '../config';
import { FORECAST_DROP_PREFIX } from '../declarations';
import { quarterHoursOf } from '../domain/trading/market';
import { createForecastDropDeps } from '../lambdas/forecastDrop/deps';
import { FORECAST_DROP_METRICS, makeForecastDropHandler } from '../lambdas/forecastDrop/handler';
import { createTradingWorkflowDeps } from '../lambdas/tradingWorkflow/deps';
import { makeTradingWorkflowHandler } from '../lambdas/tradingWorkflow/handler';
import { createRecordingMetrics } from '../platform/observability';
import { TradingDayStore } from '../storage/trading-days';
import { type ForecastDropResult, forecastDropResultSchema } from './forecast-drop';

// 07:00 Berlin on 2026-10-24: before the upload deadline (09:00) of 2026-10-25, the 100-quarter-hour day.
const START = new Date('2026-10-24T05:00:00Z');
const ctx = { awsRequestId: 'run', getRemainingTimeInMillis: () => 120_000 };

/** A forecast file as a partner's tool writes it: local Berlin times with their offsets. */
function csvFor(day: string, starts = quarterHoursOf(day)): string {
  const berlin = (iso: string) => {
    const ms = Date.parse(iso);
    const offsetHours =
      Number(
        new Intl.DateTimeFormat('en', { timeZone: 'Europe/Berlin', timeZoneName: 'shortOffset' })
          .formatToParts(ms)
          .find((part) => part.type === 'timeZoneName')
          ?.value.replace('GMT', '') || '0',
      ) || 0;
    const local = new Date(ms + offsetHours * 3_600_000).toISOString().slice(0, 19);
    return `${local}+0${offsetHours}:00`;
  };
  const lines = starts.map((start, i) => `${berlin(start)},${(Math.sin(i / 8) * 80).toFixed(2)}`);
  return ['timestamp,price_eur_mwh', ...lines, ''].join('\r\n');
}

describe('the forecast file drop against the local S3, dynalite and the simulator', () => {
  let env: TestEnvironment;
  let s3: S3Client;
  let bucket: string;
  const clock = { now: START.getTime() };
  const delivered: unknown[] = [];
  const failures: unknown[] = [];
  const metrics = createRecordingMetrics();
  let handler: ReturnType<typeof makeForecastDropHandler>;
  let runWorkflow: () => Promise<unknown>;
  let store: TradingDayStore;

  beforeAll(async () => {
    env = await startTestEnvironment({ simulator: { startTime: START, seed: 5 } });
    env.sim.control.seed({ users: 2, heatPumpsPerUser: 1, externalIdPrefix: 'drop' });
    const dropEnv = { ...env.aws.world.environment('forecastDrop'), ...env.aws.world.awsEnvironment };
    const config = loadForecastDropConfig(dropEnv);
    bucket = config.forecastBucketName;
    const deps = createForecastDropDeps(config, {
      logger: silentLogger('trading-forecast-drop'),
      metrics,
      now: () => clock.now,
    });
    handler = makeForecastDropHandler(deps);
    // As the bucket notification invokes the function in AWS.
    env.aws.s3.onObjectCreated(bucket, FORECAST_DROP_PREFIX, async (event) => {
      delivered.push(event);
      await handler(event).catch((error: unknown) => failures.push(error));
    });
    const workflow = makeTradingWorkflowHandler(
      createTradingWorkflowDeps(
        loadTradingWorkflowConfig({
          ...env.aws.world.environment('tradingWorkflow'),
          ...env.aws.world.awsEnvironment,
        }),
        {
          logger: silentLogger('trading-workflow'),
          metrics: createRecordingMetrics(),
          refresher: env.refresher,
          poderoRetry: { maxRetries: 0 },
          now: () => clock.now,
        },
      ),
    );
    runWorkflow = () => workflow({ source: 'manual' }, ctx);
    store = new TradingDayStore(env.aws.db, env.aws.tableNames.main);
    s3 = new S3Client({
      endpoint: env.aws.s3.endpoint,
      region: env.aws.region,
      forcePathStyle: true,
      credentials: { accessKeyId: 'partner', secretAccessKey: 'partner' },
    });
  }, 60_000);
  afterAll(async () => {
    s3?.destroy();
    await env?.close();
  });

  const drop = async (key: string, body: string) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/csv' }));
    await env.aws.s3.settled();
    expect(failures).toEqual([]);
  };
  const resultOf = (key: string): ForecastDropResult => {
    const object = env.aws.s3.object(bucket, key.replace(/^forecasts\//, 'results/').concat('.result.json'));
    if (!object) throw new Error(`no result for ${key}`);
    return forecastDropResultSchema.parse(JSON.parse(object.body.toString('utf8')));
  };
  const uploadsOf = (day: string) =>
    env.sim.control.trading.snapshot().trades.find((t) => t.delivery_day === day)?.upload_requests ?? 0;

  it('uploads a good file once at the simulator, however often it is dropped or its event delivered', async () => {
    const key = 'forecasts/AT/2026-10-25.csv';
    const file = csvFor('2026-10-25');
    await drop(key, file);
    expect(resultOf(key)).toMatchObject({
      status: 'accepted',
      outcome: 'created',
      price_zone: 'AT',
      delivery_day: '2026-10-25',
      quarter_hours: 100,
      errors: [],
    });
    const stored = await store.get({ zone: 'AT', day: '2026-10-25' });
    expect(stored?.forecast[0]?.start).toBe('2026-10-24T22:00:00Z');

    // The same file dropped again, and S3 delivering its last notification twice.
    await drop(key, file);
    await handler(delivered.at(-1));
    expect(resultOf(key)).toMatchObject({ status: 'accepted', outcome: 'unchanged' });

    await runWorkflow();
    await runWorkflow();
    expect(uploadsOf('2026-10-25')).toBe(1);
    expect((await store.get({ zone: 'AT', day: '2026-10-25' }))?.state).toBe('uploaded');
    expect(metrics.recorded.filter((m) => m.name === FORECAST_DROP_METRICS.accepted)).toHaveLength(3);
  });

  it('refuses a file with a gap, naming the line, and writes no trading day', async () => {
    const key = 'forecasts/BE/2026-10-26.csv';
    const starts = quarterHoursOf('2026-10-26');
    await drop(key, csvFor('2026-10-26', [...starts.slice(0, 40), ...starts.slice(41)]));
    const result = resultOf(key);
    expect(result).toMatchObject({ status: 'refused', code: 'invalid_forecast', quarter_hours: 95 });
    // The count first; then quarter-hour 41, missing: line 42 (after the header) holds the next one.
    expect(result.errors[0]).toMatchObject({ field: 'file', message: expect.stringContaining('got 95') });
    expect(result.errors[1]).toMatchObject({ field: 'line 42 (timestamp)' });
    expect(await store.get({ zone: 'BE', day: '2026-10-26' })).toBeNull();
  });

  it('refuses 96 quarter-hours for the autumn clock change (100), and writes no trading day', async () => {
    const key = 'forecasts/DE_LU/2026-10-25.csv';
    const ordinaryDay = quarterHoursOf('2026-10-26').map((start) =>
      new Date(Date.parse(start) - 86_400_000).toISOString(),
    );
    await drop(key, csvFor('2026-10-25', ordinaryDay));
    expect(resultOf(key)).toMatchObject({ status: 'refused', code: 'invalid_forecast' });
    expect(resultOf(key).errors).toContainEqual({
      field: 'file',
      message: 'the delivery day 2026-10-25 has 100 quarter-hours in Europe/Berlin, got 96',
    });
    expect(await store.get({ zone: 'DE_LU', day: '2026-10-25' })).toBeNull();
  });

  it('refuses a file after its upload deadline, and writes no trading day', async () => {
    const key = 'forecasts/AT/2026-10-24.csv';
    await drop(key, csvFor('2026-10-24'));
    expect(resultOf(key)).toMatchObject({ status: 'refused', code: 'upload_deadline_passed' });
    expect(await store.get({ zone: 'AT', day: '2026-10-24' })).toBeNull();
    expect(uploadsOf('2026-10-24')).toBe(0);
    expect(metrics.recorded.filter((m) => m.name === FORECAST_DROP_METRICS.refused)).toHaveLength(3);
  });
});
