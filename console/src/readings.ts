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

/** A month of savings as the table shows it: `null` figures are missing (no data), never 0.00. */
export interface SavingsRow {
  month: string;
  saved: number | null;
  percentage: number | null;
  consumption: number | null;
}

/**
 * The savings table's months: none before the month the customer was onboarded (Podero answers zeros
 * for them), and a month with neither consumption nor savings is missing data, not a month of 0.00.
 */
export function savingsRows(
  buckets: readonly Schemas['SavingsBucket'][],
  onboardedAt: string | null,
): SavingsRow[] {
  const firstMonth = onboardedAt ? onboardedAt.slice(0, 7) : '';
  return buckets.flatMap((b) => {
    const month = b.period.start?.slice(0, 7);
    if (month === undefined || month < firstMonth) return [];
    const nothing = (v: number | null | undefined) => v === null || v === undefined || v === 0;
    const empty = nothing(b.consumption_total) && nothing(b.savings?.total);
    return [
      {
        month,
        saved: empty ? null : (b.savings?.total ?? null),
        percentage: empty ? null : (b.savings?.percentage ?? null),
        consumption: empty ? null : b.consumption_total,
      },
    ];
  });
}

/**
 * Breaks a plotted line where readings stop: a null row in every series wherever two points lie further
 * apart than `maxGapSeconds`, so the chart shows the gap as a gap instead of a straight line across it.
 */
export function withGaps(data: PlotData, maxGapSeconds: number): PlotData {
  const [xs, ...ys] = data;
  const outX: number[] = [];
  const outY: (number | null)[][] = ys.map(() => []);
  for (const [i, x] of xs.entries()) {
    const previous = xs[i - 1];
    if (previous !== undefined && x - previous > maxGapSeconds) {
      outX.push((previous + x) / 2);
      for (const y of outY) y.push(null);
    }
    outX.push(x);
    for (const [s, y] of outY.entries()) y.push(ys[s]?.[i] ?? null);
  }
  return [outX, ...outY];
}

/** The longest silence a range's plot bridges: readings come every sync pass, buckets every bucket. */
export const MAX_GAP_SECONDS: Record<ChartRange, number> = {
  '24h': 2 * 3600,
  '7d': 2 * 3600,
  '30d': 3 * 3600,
};
