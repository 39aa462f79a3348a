/**
 * One "process" of the trading kill-at-each-step test (functions/src/trading/kill-at-each-step.integ.test.ts):
 * one trading-workflow run (TradingService.advanceAll) against the simulator and dynalite the test runs, on the
 * clock the test gives. At the step named in `killAt` it sends itself SIGKILL: nothing after it runs, exactly
 * as a Lambda killed there. Config: one JSON argument.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createPoderoClient, staticTokenProvider, TRADING_VARIANTS } from '@podero-bridge/podero-client';
import * as z from 'zod';
import { DEFAULT_TRADING_CALENDAR } from '../../src/domain/trading/market';
import { createLogger } from '../../src/platform/observability';
import { TradingDayStore } from '../../src/storage/trading-days';
import { TradingService } from '../../src/trading/service';

const config = z
  .object({
    killAt: z.string().nullable(),
    region: z.string(),
    dynamo: z.url(),
    table: z.string(),
    poderoBaseUrl: z.url(),
    orgId: z.string(),
    token: z.string(),
    variant: z.enum(TRADING_VARIANTS),
    nowMs: z.number(),
  })
  .parse(JSON.parse(process.argv[2] ?? '{}'));

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: config.dynamo, region: config.region, credentials }),
  { marshallOptions: { removeUndefinedValues: true } },
);
const podero = createPoderoClient({
  baseUrl: config.poderoBaseUrl,
  orgId: config.orgId,
  tokenProvider: staticTokenProvider(config.token),
  trading: { variant: config.variant },
  retry: { maxRetries: 0 },
});
const summary = await new TradingService({
  store: new TradingDayStore(doc, config.table),
  podero: podero.trading,
  calendar: DEFAULT_TRADING_CALENDAR,
  autoConfirm: 'accept',
  now: () => config.nowMs,
  logger: createLogger('tradingWorkflow', { logLevel: 'SILENT' }),
  step: (name) => {
    if (name === config.killAt) process.kill(process.pid, 'SIGKILL');
  },
}).advanceAll();
process.stdout.write(JSON.stringify(summary));
doc.destroy();
