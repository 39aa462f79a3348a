import type { Schemas } from '../api/client';
import type { ChartSpec, PlotData } from '../readings';
import { MARKET_TIME_ZONE } from './calendar';

/**
 * A trading day as one chart: the optimised and the unoptimised load curve (kWh per quarter-hour, left axis)
 * and the forecast price (EUR/MWh, right axis), on the forecast's quarter-hours: 96, or 92 and 100 on the
 * days the clocks change. Before Podero calculated the curves, the price line is drawn alone.
 */
export type TradingDay = Schemas['TradingDay'];

export const TRADING_CHART: ChartSpec = {
  id: 'trading-curves',
  title: 'Load curves and forecast price',
  unit: 'kWh',
  rightUnit: 'EUR/MWh',
  timeZone: MARKET_TIME_ZONE,
  series: [
    { field: 'optimized_kwh', label: 'Optimised', colour: '#1f6feb' },
    { field: 'unoptimized_kwh', label: 'Unoptimised', colour: '#8250df' },
    { field: 'price_eur_mwh', label: 'Price', colour: '#bf3989', axis: 'right' },
  ],
};

const kwh = (wh: number): number => Math.round(wh) / 1000;

/** x: the quarter-hours' starts (epoch seconds); y: optimised kWh, unoptimised kWh, price. */
export function tradingPlot(day: Pick<TradingDay, 'prices' | 'curves'>): PlotData {
  const starts = [...day.prices].map((p) => Date.parse(p.start)).sort((a, b) => a - b);
  const priceAt = new Map(day.prices.map((p) => [Date.parse(p.start), p.price_eur_mwh]));
  const curveAt = new Map((day.curves ?? []).map((c) => [Date.parse(c.start), c]));
  return [
    starts.map((ms) => ms / 1000),
    starts.map((ms) => {
      const c = curveAt.get(ms);
      return c === undefined ? null : kwh(c.optimized_wh);
    }),
    starts.map((ms) => {
      const c = curveAt.get(ms);
      return c === undefined ? null : kwh(c.unoptimized_wh);
    }),
    starts.map((ms) => priceAt.get(ms) ?? null),
  ];
}

/** Energy as the desk reads it: kWh below 1 MWh and MWh above; a delta (`signed`) with its sign. */
export function formatEnergy(wh: number | null, { signed = true } = {}): string {
  if (wh === null) return '—';
  const sign = wh < 0 ? '−' : wh > 0 && signed ? '+' : '';
  const abs = Math.abs(wh);
  return abs >= 1_000_000
    ? `${sign}${(abs / 1_000_000).toFixed(2)} MWh`
    : `${sign}${(abs / 1000).toFixed(1)} kWh`;
}

const euro = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' });

export function formatEuro(amount: number | null): string {
  return amount === null ? '—' : euro.format(amount);
}
