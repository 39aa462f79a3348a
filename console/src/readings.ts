import type { Schemas } from './api/client';

/** What the customer page plots: which reading values, over which ranges, at which resolution. */

export const CHART_RANGES = {
  '24h': { label: '24 hours', ms: 24 * 3_600_000, bucket: undefined },
  '7d': { label: '7 days', ms: 7 * 86_400_000, bucket: '15m' },
  '30d': { label: '30 days', ms: 30 * 86_400_000, bucket: '1h' },
} as const;
export type ChartRange = keyof typeof CHART_RANGES;

export interface ChartSeries {
  field: string;
  label: string;
  colour: string;
  /**
   * How a value becomes a point: `flag` plots a yes/no value as 1 or 0 (a bucket has no average of one);
   * `positive` and `negative` plot one side of a signed value as a positive amount (the grid's export and
   * import from `current_power_to_grid_w`; for a bucket, that side of its average). Default: the number.
   */
  map?: 'flag' | 'positive' | 'negative';
  /** `right`: plotted against the chart's second axis (`rightUnit`), e.g. a price beside energies. */
  axis?: 'left' | 'right';
}

export interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  /** The second axis's unit, for the series marked `axis: 'right'`. */
  rightUnit?: string;
  /** The time axis's zone (IANA); the browser's own when absent. */
  timeZone?: string;
  series: readonly ChartSeries[];
}

export const CHARTS: readonly ChartSpec[] = [
  {
    id: 'power',
    title: 'Power',
    unit: 'W',
    series: [{ field: 'current_power_consumption_w', label: 'Power', colour: '#1f6feb' }],
  },
  {
    id: 'temperatures',
    title: 'Temperatures',
    unit: '°C',
    series: [
      { field: 'indoor_actual_temperature', label: 'Indoor', colour: '#d1242f' },
      { field: 'outdoor_temperature', label: 'Outdoor', colour: '#0969da' },
      { field: 'outlet_temperature', label: 'Flow', colour: '#bf8700' },
      { field: 'inlet_temperature', label: 'Return', colour: '#8250df' },
    ],
  },
];

/** uPlot's data: x in seconds, then one array per series (null where a reading lacks the value). */
export type PlotData = [number[], ...(number | null)[][]];

const numberOr = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/** A value as its series plots it (ChartSeries.map). */
function pointOf(series: ChartSeries, value: unknown): number | null {
  if (series.map === 'flag') return typeof value === 'boolean' ? Number(value) : null;
  const number = numberOr(value);
  if (number === null || series.map === undefined) return number;
  return series.map === 'positive' ? Math.max(number, 0) : Math.max(-number, 0);
}

export function plotReadings(readings: readonly Schemas['Reading'][], spec: ChartSpec): PlotData {
  const sorted = [...readings].sort((a, b) => Date.parse(a.state_at) - Date.parse(b.state_at));
  return [
    sorted.map((r) => Date.parse(r.state_at) / 1000),
    ...spec.series.map((s) => sorted.map((r) => pointOf(s, r.values[s.field]))),
  ];
}

/** Buckets plot at their middle, with their average; empty buckets are not points. */
export function plotBuckets(buckets: readonly Schemas['ReadingBucket'][], spec: ChartSpec): PlotData {
  const filled = buckets.filter((b) => b.count > 0);
  return [
    filled.map((b) => (Date.parse(b.start) + Date.parse(b.end)) / 2000),
    ...spec.series.map((s) =>
      filled.map((b) => (s.map === 'flag' ? null : pointOf(s, b.values[s.field]?.avg))),
    ),
  ];
}

/** How many values a plot draws (what a test or a screen reader can check). */
export function pointsIn(data: PlotData): number {
  const [, ...ys] = data;
  return ys.reduce((sum, y) => sum + y.filter((v) => v !== null).length, 0);
}

/** The readings query for a range ending now (exactly the range's length: the API caps each bucket's range). */
export function readingsQuery(range: ChartRange, now: Date) {
  const { ms, bucket } = CHART_RANGES[range];
  const from = new Date(now.getTime() - ms).toISOString();
  const to = now.toISOString();
  return bucket === undefined ? { from, to, limit: 1000, order: 'asc' as const } : { from, to, bucket };
}

/** The last twelve calendar months (UTC) up to now, for savings per month. */
export function savingsRange(now: Date): { from: string; to: string } {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  return { from: from.toISOString(), to: now.toISOString() };
}
