/** The trading routes' bodies and answers (zod: validated on the way in, documented in OpenAPI). */
import * as z from 'zod';
import { shiftedWh } from '../domain/trading/curves';
import { deliveryDaySchema, tradingZoneSchema } from '../domain/trading/market';
import { TRADING_STATES } from '../domain/trading/workflow';
import type { TradingDay } from '../storage/trading-days';

export const tradingZonePathSchema = z.object({ price_zone: tradingZoneSchema });
export const tradingDayPathSchema = z.object({
  price_zone: tradingZoneSchema,
  delivery_day: deliveryDaySchema,
});

export const tradingPricesSchema = z
  .strictObject({
    prices: z
      .array(
        z.strictObject({
          start: z.iso.datetime({ offset: true }).meta({
            description: "The quarter-hour's start, an instant (UTC `Z` or with its offset)",
          }),
          price_eur_mwh: z.number().meta({ description: 'EUR/MWh; negative prices are allowed' }),
        }),
      )
      .min(1)
      .max(100)
      .meta({
        description:
          'Every quarter-hour of the delivery day in Europe/Berlin, in order: 96, or 92/100 on the days the clocks change',
      }),
  })
  .meta({ id: 'TradingPrices' });

export const tradingDecisionSchema = z
  .strictObject({
    accepted: z
      .boolean()
      .meta({ description: 'true: the optimised volume was bought; false: the trade is rejected' }),
  })
  .meta({ id: 'TradingDecision' });

export const tradingHistoryQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: deliveryDaySchema.optional().meta({ description: 'The `next_cursor` of the previous page' }),
});

const instant = z.string().meta({ description: 'ISO-8601 instant (UTC)' });
const deadlinesSchema = z
  .object({
    upload_by: instant,
    curves_expected_at: instant,
    curves_late_at: instant,
    confirm_by: instant,
    confirmation_due_at: instant,
  })
  .meta({ description: 'Europe/Berlin wall-clock times on D−1, as UTC instants' });

const summaryShape = {
  price_zone: z.string(),
  delivery_day: z.string(),
  state: z.enum(TRADING_STATES),
  reason: z.string().nullable().meta({ description: 'Why the day ended missed or failed' }),
  variant: z
    .enum(['reference', 'guide'])
    .meta({ description: "Podero's trading API the day was sent through" }),
  deadlines: deadlinesSchema,
  upload: z.object({
    status: z.string().nullable(),
    attempts: z.number().int(),
    calculation_ready_at: instant.nullable(),
    uploaded_at: instant.nullable(),
  }),
  optimized_wh: z.number().nullable(),
  unoptimized_wh: z.number().nullable(),
  delta_wh: z.number().nullable().meta({ description: 'optimized_wh − unoptimized_wh over the day' }),
  shifted_wh: z.number().nullable().meta({
    description:
      'Energy the optimisation moves between quarter-hours: the sum of the positive per-quarter-hour deltas (the net delta is about zero when load is only shifted)',
  }),
  expected_saving_eur: z.number().nullable().meta({ description: 'At the forecast prices' }),
  decision: z.object({ accepted: z.boolean(), by: z.enum(['desk', 'auto']), at: instant }).nullable(),
  podero_confirmation: z.enum(['sent', 'unsupported']).nullable().meta({
    description:
      '`sent`: Podero holds the confirmation; `unsupported`: the reference API has no confirmation endpoint, the decision is recorded here only (ADR 0014)',
  }),
  next_attempt_at: instant.nullable(),
  last_error: z.string().nullable(),
  created_at: instant,
  updated_at: instant,
  finished_at: instant.nullable(),
};

export const tradingDaySummarySchema = z.object(summaryShape).meta({ id: 'TradingDaySummary' });

export const tradingDaySchema = z
  .object({
    ...summaryShape,
    prices: z.array(z.object({ start: instant, price_eur_mwh: z.number() })),
    curves: z
      .array(
        z.object({
          start: instant,
          optimized_wh: z.number(),
          unoptimized_wh: z.number(),
          delta_wh: z.number(),
          price_eur_mwh: z.number().nullable(),
        }),
      )
      .nullable()
      .meta({ description: 'Per quarter-hour, once Podero calculated them' }),
  })
  .meta({ id: 'TradingDay' });

export const tradingDayListSchema = z
  .object({ items: z.array(tradingDaySummarySchema), next_cursor: z.string().nullable() })
  .meta({ id: 'TradingDayList' });

export type TradingDaySummaryView = z.infer<typeof tradingDaySummarySchema>;
export type TradingDayView = z.infer<typeof tradingDaySchema>;

export function tradingDaySummaryOf(day: TradingDay): TradingDaySummaryView {
  return {
    price_zone: day.price_zone,
    delivery_day: day.delivery_day,
    state: day.state,
    reason: day.reason,
    variant: day.variant,
    deadlines: day.deadlines,
    upload: {
      status: day.upload_status,
      attempts: day.upload_attempts,
      calculation_ready_at: day.calculation_ready_at,
      uploaded_at: day.uploaded_at,
    },
    optimized_wh: day.optimized_wh,
    unoptimized_wh: day.unoptimized_wh,
    delta_wh:
      day.optimized_wh !== null && day.unoptimized_wh !== null ? day.optimized_wh - day.unoptimized_wh : null,
    shifted_wh: day.curves === null ? null : shiftedWh(day.curves),
    expected_saving_eur: day.expected_saving_eur,
    decision: day.decision,
    podero_confirmation: day.podero_confirmation,
    next_attempt_at: day.next_attempt_at,
    last_error: day.last_error,
    created_at: day.created_at,
    updated_at: day.updated_at,
    finished_at: day.finished_at,
  };
}

export function tradingDayViewOf(day: TradingDay): TradingDayView {
  return { ...tradingDaySummaryOf(day), prices: day.forecast, curves: day.curves };
}
