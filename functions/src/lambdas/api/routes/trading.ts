/** Day-ahead trading routes (admin): adapters over ../../../trading/service.ts (ADR 0015). */
import {
  tradingDayListSchema,
  tradingDayPathSchema,
  tradingDaySchema,
  tradingDaySummaryOf,
  tradingDayViewOf,
  tradingDecisionSchema,
  tradingHistoryQuerySchema,
  tradingPricesSchema,
  tradingZonePathSchema,
} from '../../../trading/schemas';
import { toCsv } from '../csv';
import { defineRoute, errorResponse } from './types';

const adminErrors = {
  400: errorResponse('Invalid path, query or body (details name the field: a day, a quarter-hour, a price)'),
  401: errorResponse('No valid token'),
  403: errorResponse('Admin only'),
};
const withDay = { ...adminErrors, 404: errorResponse('No forecast was ever given for this zone and day') };

export const putTradingPrices = defineRoute({
  operationId: 'putTradingPrices',
  params: tradingDayPathSchema,
  body: tradingPricesSchema,
  responses: {
    201: { description: 'Stored; the workflow uploads it to Podero', schema: tradingDaySchema },
    200: {
      description: 'The same forecast again (answered as stored), or a new one before anything was sent',
      schema: tradingDaySchema,
    },
    ...adminErrors,
    409: errorResponse(
      'The upload deadline has passed (`upload_deadline_passed`), or another forecast was already sent (`forecast_already_uploaded`)',
    ),
  },
  handle: async ({ params, body, deps, logger }) => {
    const { created, day } = await deps.services.trading.submitPrices(
      params.price_zone,
      params.delivery_day,
      body.prices,
    );
    logger.info('trading forecast stored', {
      price_zone: params.price_zone,
      delivery_day: params.delivery_day,
      created,
    });
    return { status: created ? 201 : 200, body: tradingDayViewOf(day) };
  },
});

export const listTradingDays = defineRoute({
  operationId: 'listTradingDays',
  params: tradingZonePathSchema,
  query: tradingHistoryQuerySchema,
  responses: {
    200: { description: 'One page, newest day first', schema: tradingDayListSchema },
    ...adminErrors,
  },
  handle: async ({ params, query, deps }) => {
    const page = await deps.services.trading.history(params.price_zone, query.limit, query.cursor);
    return {
      status: 200,
      body: { items: page.items.map(tradingDaySummaryOf), next_cursor: page.nextCursor },
    };
  },
});

export const getTradingDay = defineRoute({
  operationId: 'getTradingDay',
  params: tradingDayPathSchema,
  responses: { 200: { description: 'The day as stored', schema: tradingDaySchema }, ...withDay },
  handle: async ({ params, deps }) => ({
    status: 200,
    body: tradingDayViewOf(await deps.services.trading.get(params.price_zone, params.delivery_day)),
  }),
});

export const getTradingDayCurvesCsv = defineRoute({
  operationId: 'getTradingDayCurvesCsv',
  params: tradingDayPathSchema,
  responses: {
    200: {
      description:
        'One row per quarter-hour: start (UTC), price_eur_mwh, optimized_wh, unoptimized_wh, delta_wh (no rows before the curves are ready)',
      text: 'text/csv',
    },
    ...withDay,
  },
  handle: async ({ params, deps }) => {
    const day = await deps.services.trading.get(params.price_zone, params.delivery_day);
    const text = toCsv(
      ['start', 'price_eur_mwh', 'optimized_wh', 'unoptimized_wh', 'delta_wh'],
      (day.curves ?? []).map((p) => [p.start, p.price_eur_mwh, p.optimized_wh, p.unoptimized_wh, p.delta_wh]),
    );
    return {
      status: 200,
      text,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="curves-${day.price_zone}-${day.delivery_day}.csv"`,
      },
    };
  },
});

export const confirmTradingDay = defineRoute({
  operationId: 'confirmTradingDay',
  params: tradingDayPathSchema,
  body: tradingDecisionSchema,
  responses: {
    200: {
      description:
        'The decision is recorded (the same decision again answers the same); the workflow sends it to Podero on its next run',
      schema: tradingDaySchema,
    },
    ...withDay,
    409: errorResponse(
      'Out of turn (`decision_refused`): the curves are not ready, the deadline passed, or the other decision was taken',
    ),
  },
  handle: async ({ params, body, deps, logger }) => {
    const day = await deps.services.trading.decide(params.price_zone, params.delivery_day, body.accepted);
    logger.info('trading decision recorded', {
      price_zone: params.price_zone,
      delivery_day: params.delivery_day,
      accepted: body.accepted,
    });
    return { status: 200, body: tradingDayViewOf(day) };
  },
});
