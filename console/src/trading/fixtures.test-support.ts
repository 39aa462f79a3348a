import type { TradingDay } from './chart';

const QUARTER_HOUR_MS = 15 * 60_000;

/** `count` quarter-hours from `firstStartIso` on, priced 40, 41, 42... EUR/MWh. */
export function quarterHours(firstStartIso: string, count: number): TradingDay['prices'] {
  const first = Date.parse(firstStartIso);
  return Array.from({ length: count }, (_, i) => ({
    start: new Date(first + i * QUARTER_HOUR_MS).toISOString(),
    price_eur_mwh: 40 + i,
  }));
}

/** A stored day as the API answers it; curves (optimised 2 kWh, unoptimised 1.5 kWh) when `withCurves`. */
export function tradingDay(
  prices: TradingDay['prices'],
  overrides: Partial<TradingDay> = {},
  withCurves = false,
): TradingDay {
  return {
    price_zone: 'DE_LU',
    delivery_day: '2026-10-25',
    state: withCurves ? 'curves_ready' : 'uploaded',
    reason: null,
    variant: 'guide',
    deadlines: {
      upload_by: '2026-10-24T07:00:00Z',
      curves_expected_at: '2026-10-24T08:30:00Z',
      curves_late_at: '2026-10-24T09:30:00Z',
      confirm_by: '2026-10-24T12:30:00Z',
      confirmation_due_at: '2026-10-24T12:00:00Z',
    },
    upload: { status: 'accepted', attempts: 1, calculation_ready_at: null, uploaded_at: null },
    optimized_wh: withCurves ? prices.length * 2000 : null,
    unoptimized_wh: withCurves ? prices.length * 1500 : null,
    delta_wh: withCurves ? prices.length * 500 : null,
    shifted_wh: withCurves ? prices.length * 500 : null,
    expected_saving_eur: withCurves ? 12.5 : null,
    decision: null,
    podero_confirmation: null,
    next_attempt_at: null,
    last_error: null,
    created_at: '2026-10-23T10:00:00Z',
    updated_at: '2026-10-24T08:31:00Z',
    finished_at: null,
    prices,
    curves: withCurves
      ? prices.map((p) => ({
          start: p.start,
          optimized_wh: 2000,
          unoptimized_wh: 1500,
          delta_wh: 500,
          price_eur_mwh: p.price_eur_mwh,
        }))
      : null,
    ...overrides,
  };
}
