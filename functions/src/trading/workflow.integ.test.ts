/**
 * The day-ahead loop end to end, per Podero variant: the simulator (its own clock, speaking one variant),
 * dynalite over the real SDK, the api's trading routes and the trading-workflow handler, both on a bridge
 * clock moved with the simulator's. A forecast goes in, the curves come out, the desk confirms; a second day
 * left undecided ends missed; each step leaves its event in the day's outbox for the relay.
 */
import type { FetchLike, TradingVariant } from '@podero-bridge/podero-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, bodyOf } from '../../test-support/api-event';
import { silentLogger, startTestEnvironment, type TestEnvironment } from '../../test-support/environment';
import { loadApiConfig, loadTradingWorkflowConfig } from '../config';
import { ENV } from '../declarations';
import { quarterHoursOf } from '../domain/trading/market';
import { createApiDeps } from '../lambdas/api/deps';
import { makeApiHandler } from '../lambdas/api/handler';
import { createTradingWorkflowDeps } from '../lambdas/tradingWorkflow/deps';
import { makeTradingWorkflowHandler } from '../lambdas/tradingWorkflow/handler';
import { createRecordingMetrics } from '../platform/observability';
import { pendingOutboxOf } from '../storage/outbox';

// D−1 is 2026-10-24 (CEST), D = 2026-10-25: the 100-quarter-hour day.
const START = new Date('2026-10-24T05:00:00Z'); // 07:00 Berlin, before the upload deadline (09:00)
const DAY = '2026-10-25';
const ZONE = 'AT';
const ctx = { awsRequestId: 'run', getRemainingTimeInMillis: () => 120_000 };

interface TradingWorld {
  env: TestEnvironment;
  api: ReturnType<typeof makeApiHandler>;
  run: () => ReturnType<ReturnType<typeof makeTradingWorkflowHandler>>;
  /** A run whose Podero answers every price upload with `status` (a refusal the simulator cannot inject). */
  runRefusingUploads: (status: number) => ReturnType<ReturnType<typeof makeTradingWorkflowHandler>>;
  advanceTo(iso: string): void;
  day(zone: string, day: string): Promise<Record<string, unknown>>;
  outboxTypes(zone: string, day: string): Promise<string[]>;
  simTrade(day: string): { upload_requests: number; confirmation_requests: number; confirmation: unknown };
}

async function startTradingWorld(variant: TradingVariant): Promise<TradingWorld> {
  const env = await startTestEnvironment({
    simulator: { startTime: START, seed: 11, tradingVariant: variant },
  });
  env.sim.control.seed({ users: 3, heatPumpsPerUser: 1, externalIdPrefix: `trading-${variant}` });
  const clock = { now: START.getTime() };
  const now = () => clock.now;
  const variantEnv = { [ENV.poderoTradingVariant]: variant };
  const api = makeApiHandler(
    createApiDeps(loadApiConfig({ ...env.apiEnv, ...variantEnv }), {
      logger: silentLogger('api'),
      metrics: createRecordingMetrics(),
      refresher: env.refresher,
      now,
    }),
  );
  const workflowConfig = loadTradingWorkflowConfig({
    ...env.aws.world.environment('tradingWorkflow', variantEnv),
    ...env.aws.world.awsEnvironment,
  });
  const workflowWith = (fetch?: FetchLike) =>
    makeTradingWorkflowHandler(
      createTradingWorkflowDeps(workflowConfig, {
        logger: silentLogger('trading-workflow'),
        metrics: createRecordingMetrics(),
        refresher: env.refresher,
        poderoRetry: { maxRetries: 0 },
        now,
        ...(fetch ? { fetch } : {}),
      }),
    );
  const handler = workflowWith();
  return {
    env,
    api,
    run: () => handler({ source: 'manual' }, ctx),
    runRefusingUploads: (status) =>
      workflowWith((url, init) =>
        ['PATCH', 'POST'].includes(init.method) && url.includes('/trading/dayahead/prices')
          ? Promise.resolve(
              new Response(JSON.stringify({ detail: 'refused' }), {
                status,
                headers: { 'content-type': 'application/json' },
              }),
            )
          : fetch(url, init),
      )({ source: 'manual' }, ctx),
    advanceTo(iso) {
      const target = Date.parse(iso);
      env.sim.control.advanceClock((target - clock.now) / 1000);
      clock.now = target;
    },
    async day(zone, day) {
      return bodyOf(
        await api(apiEvent('getTradingDay', { params: { price_zone: zone, delivery_day: day } })),
      );
    },
    async outboxTypes(zone, day) {
      const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
      const out = await env.aws.db.send(
        new GetCommand({
          TableName: env.aws.tableNames.main,
          Key: { pk: `TRADING#${zone}`, sk: `DAY#${day}` },
        }),
      );
      return pendingOutboxOf(out.Item).map((json) => (JSON.parse(json) as { type: string }).type);
    },
    simTrade(day) {
      const trade = env.sim.control.trading.snapshot().trades.find((t) => t.delivery_day === day);
      if (!trade) throw new Error(`no trade for ${day} at the simulator`);
      return trade;
    },
  };
}

const forecast = (day: string) => ({
  prices: quarterHoursOf(day).map((start, i) => ({ start, price_eur_mwh: Math.round(80 * Math.sin(i / 8)) })),
});

for (const variant of ['guide', 'reference'] as const) {
  describe(`the day-ahead loop against the simulator (${variant})`, () => {
    let world: TradingWorld;
    beforeAll(async () => {
      world = await startTradingWorld(variant);
    }, 60_000);
    afterAll(async () => {
      await world?.env.close();
    });

    it('takes a forecast once, uploads it once, stores the curves, and confirms the desk’s decision', async () => {
      const params = { price_zone: ZONE, delivery_day: DAY };
      const put = await world.api(apiEvent('putTradingPrices', { params, body: forecast(DAY) }));
      expect(put.statusCode).toBe(201);
      const again = await world.api(apiEvent('putTradingPrices', { params, body: forecast(DAY) }));
      expect(again.statusCode).toBe(200);
      const bad = await world.api(
        apiEvent('putTradingPrices', { params, body: { prices: forecast(DAY).prices.slice(0, 96) } }),
      );
      expect(bad.statusCode).toBe(400);
      expect(JSON.stringify(bodyOf(bad))).toContain('body.prices');

      await world.run();
      expect(await world.day(ZONE, DAY)).toMatchObject({ state: 'uploaded', upload: { attempts: 1 } });
      // A different forecast after the upload is refused; the same one is still answered.
      const other = forecast(DAY);
      other.prices[0] = { start: other.prices[0]?.start ?? '', price_eur_mwh: 999 };
      expect((await world.api(apiEvent('putTradingPrices', { params, body: other }))).statusCode).toBe(409);

      // Before 10:30 Berlin the curves are not ready: the day waits.
      world.advanceTo('2026-10-24T08:00:00Z');
      await world.run();
      expect((await world.day(ZONE, DAY)).state).toBe('uploaded');
      world.advanceTo('2026-10-24T08:31:00Z');
      await world.run();
      const ready = await world.day(ZONE, DAY);
      expect(ready).toMatchObject({ state: 'curves_ready', decision: null });
      const curves = ready.curves as { delta_wh: number; optimized_wh: number; unoptimized_wh: number }[];
      expect(curves).toHaveLength(100);
      expect(curves.every((p) => p.delta_wh === p.optimized_wh - p.unoptimized_wh)).toBe(true);
      expect(typeof ready.expected_saving_eur).toBe('number');

      const csv = await world.api(apiEvent('getTradingDayCurvesCsv', { params }));
      expect(csv.headers?.['content-type']).toBe('text/csv; charset=utf-8');
      expect(String(csv.body).split('\r\n')[0]).toBe(
        'start,price_eur_mwh,optimized_wh,unoptimized_wh,delta_wh',
      );
      expect(String(csv.body).trim().split('\r\n')).toHaveLength(101);

      const decided = await world.api(apiEvent('confirmTradingDay', { params, body: { accepted: true } }));
      expect(decided.statusCode).toBe(200);
      const contrary = await world.api(apiEvent('confirmTradingDay', { params, body: { accepted: false } }));
      expect(contrary.statusCode).toBe(409);
      await world.run();
      await world.run();
      const confirmed = await world.day(ZONE, DAY);
      expect(confirmed).toMatchObject({
        state: 'confirmed',
        decision: { accepted: true, by: 'desk' },
        podero_confirmation: variant === 'guide' ? 'sent' : 'unsupported',
      });
      const trade = world.simTrade(DAY);
      expect(trade.upload_requests).toBe(1);
      expect(trade.confirmation_requests).toBe(variant === 'guide' ? 1 : 0);
      expect(await world.outboxTypes(ZONE, DAY)).toEqual([
        'trading.prices_uploaded',
        'trading.curves_ready',
        'trading.confirmation_due',
        'trading.confirmed',
      ]);
    });

    it('ends an undecided day missed at its confirmation deadline, with its event', async () => {
      const day = '2026-10-26';
      world.advanceTo('2026-10-25T06:00:00Z'); // 07:00 CET on D−1 (the clocks went back overnight)
      const put = await world.api(
        apiEvent('putTradingPrices', {
          params: { price_zone: ZONE, delivery_day: day },
          body: forecast(day),
        }),
      );
      expect(put.statusCode).toBe(201);
      expect((bodyOf(put) as { deadlines: { upload_by: string } }).deadlines.upload_by).toBe(
        '2026-10-25T08:00:00Z',
      );
      await world.run();
      world.advanceTo('2026-10-25T10:00:00Z');
      const summary = await world.run();
      expect((await world.day(ZONE, day)).state).toBe('curves_ready');
      expect(summary.confirmationsDue).toBe(0);
      world.advanceTo('2026-10-25T22:00:00Z'); // 23:00 CET: inside the 60-minute margin
      expect((await world.run()).confirmationsDue).toBe(1);
      world.advanceTo('2026-10-25T22:30:00Z'); // 23:30 CET: the deadline
      const last = await world.run();
      expect(last.missed).toBe(1);
      expect(await world.day(ZONE, day)).toMatchObject({
        state: 'missed',
        reason: 'no decision before the confirmation deadline',
      });
      expect((await world.outboxTypes(ZONE, day)).at(-1)).toBe('trading.missed');
      expect(world.simTrade(day).confirmation).toBeNull();

      const history = bodyOf(
        await world.api(apiEvent('listTradingDays', { params: { price_zone: ZONE }, query: { limit: '1' } })),
      ) as { items: { delivery_day: string }[]; next_cursor: string | null };
      expect(history.items.map((d) => d.delivery_day)).toEqual([day]);
      expect(history.next_cursor).toBe(day);
    });

    it('ends a day Podero refuses for good failed, with one trading.failed event in the same write', async () => {
      const day = '2026-10-27';
      const params = { price_zone: ZONE, delivery_day: day };
      world.advanceTo('2026-10-26T06:00:00Z'); // 07:00 CET on D−1
      expect(
        (await world.api(apiEvent('putTradingPrices', { params, body: forecast(day) }))).statusCode,
      ).toBe(201);
      // A 4xx is a refusal for good (a 5xx would be retried inside the window).
      await world.runRefusingUploads(422);
      await world.run(); // a final day is not advanced again: still one event
      expect(await world.day(ZONE, day)).toMatchObject({
        state: 'failed',
        reason: expect.stringContaining('Podero refused the prices_received step'),
      });
      const types = await world.outboxTypes(ZONE, day);
      expect(types.filter((type) => type === 'trading.failed')).toHaveLength(1);
      expect(types.at(-1)).toBe('trading.failed');
    });

    it('refuses a forecast after the upload deadline and a zone on another clock', async () => {
      const late = await world.api(
        apiEvent('putTradingPrices', {
          params: { price_zone: ZONE, delivery_day: DAY },
          body: forecast(DAY),
        }),
      );
      // 2026-10-25's forecast is already stored and identical: answered as stored, even late.
      expect(late.statusCode).toBe(200);
      const tooLate = await world.api(
        apiEvent('putTradingPrices', {
          params: { price_zone: 'DE_LU', delivery_day: '2026-10-26' },
          body: forecast('2026-10-26'),
        }),
      );
      expect(tooLate.statusCode).toBe(409);
      const uk = await world.api(
        apiEvent('putTradingPrices', {
          params: { price_zone: 'UK', delivery_day: '2026-10-30' },
          body: forecast('2026-10-30'),
        }),
      );
      expect(uk.statusCode).toBe(400);
      expect(JSON.stringify(bodyOf(uk))).toContain('price_zone');
    });
  });
}
