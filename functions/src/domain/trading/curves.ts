/**
 * The stored curves of a trading day: Podero's optimised and unoptimised load per quarter-hour, their delta
 * (optimised − unoptimised: what the partner bids on the auction) and the expected saving at the forecast
 * prices. Pure.
 */
import type { ForecastPoint } from './market';

export interface CurvePoint {
  readonly start: string;
  readonly optimized_wh: number;
  readonly unoptimized_wh: number;
  /** optimized_wh − unoptimized_wh: positive draws more in that quarter-hour. */
  readonly delta_wh: number;
  /** The forecast price of the quarter-hour (null when the curve names an instant the forecast does not). */
  readonly price_eur_mwh: number | null;
}

export interface CurvesSummary {
  readonly points: CurvePoint[];
  readonly optimized_wh: number;
  readonly unoptimized_wh: number;
  /** (unoptimised cost − optimised cost) at the forecast prices, EUR (Wh × EUR/MWh ÷ 10⁶). */
  readonly expected_saving_eur: number;
}

const canonical = (start: string): string => {
  const at = Date.parse(start);
  return Number.isNaN(at) ? start : new Date(at).toISOString();
};

export function summariseCurves(
  forecast: readonly ForecastPoint[],
  optimized: readonly { start: string; energyWh: number }[],
  unoptimized: readonly { start: string; energyWh: number }[],
): CurvesSummary {
  const prices = new Map(forecast.map((p) => [canonical(p.start), p.price_eur_mwh]));
  const base = new Map(unoptimized.map((p) => [canonical(p.start), p.energyWh]));
  const starts = [...new Set([...optimized.map((p) => canonical(p.start)), ...base.keys()])].sort();
  const opt = new Map(optimized.map((p) => [canonical(p.start), p.energyWh]));
  let optimizedWh = 0;
  let unoptimizedWh = 0;
  let saving = 0;
  const points = starts.map((start) => {
    const o = opt.get(start) ?? 0;
    const u = base.get(start) ?? 0;
    const price = prices.get(start) ?? null;
    optimizedWh += o;
    unoptimizedWh += u;
    if (price !== null) saving += ((u - o) * price) / 1_000_000;
    return {
      start: start.replace('.000Z', 'Z'),
      optimized_wh: o,
      unoptimized_wh: u,
      delta_wh: o - u,
      price_eur_mwh: price,
    };
  });
  return {
    points,
    optimized_wh: optimizedWh,
    unoptimized_wh: unoptimizedWh,
    expected_saving_eur: Math.round(saving * 100) / 100,
  };
}

/**
 * The energy the optimisation moves from one quarter-hour to another over the day: the sum of the positive
 * deltas (equal to the sum of the negative ones when the day's energy is kept). The day's net delta is
 * about zero when load is only shifted, so this, not the net, is the volume the trading desk bids.
 */
export function shiftedWh(points: readonly Pick<CurvePoint, 'delta_wh'>[]): number {
  let shifted = 0;
  for (const point of points) if (point.delta_wh > 0) shifted += point.delta_wh;
  return shifted;
}
