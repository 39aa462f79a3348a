/**
 * Readings aggregated into fixed UTC buckets (15 minutes, an hour, a day) for charts: per bucket the count
 * and, for every numeric value, its average, minimum and maximum. Pure: the service reads, this folds.
 */
import type { Reading } from '../storage/readings';
import { READING_BUCKETS, type ReadingBucket } from './schemas';

export interface Aggregate {
  avg: number;
  min: number;
  max: number;
}

export interface BucketView {
  start: string;
  end: string;
  count: number;
  values: Record<string, Aggregate>;
}

/** Averages are rounded to what a chart can show; min and max are kept as read. */
const round = (value: number) => Math.round(value * 1000) / 1000;

export function bucketReadings(readings: readonly Reading[], bucket: ReadingBucket): BucketView[] {
  const sizeMs = READING_BUCKETS[bucket] * 1000;
  const buckets = new Map<
    number,
    { count: number; sums: Map<string, { sum: number; n: number; min: number; max: number }> }
  >();
  for (const reading of readings) {
    const start = Math.floor(Date.parse(reading.stateAt) / sizeMs) * sizeMs;
    let entry = buckets.get(start);
    if (!entry) {
      entry = { count: 0, sums: new Map() };
      buckets.set(start, entry);
    }
    entry.count++;
    for (const [field, value] of Object.entries(reading.values)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const sum = entry.sums.get(field);
      if (sum) {
        sum.sum += value;
        sum.n++;
        sum.min = Math.min(sum.min, value);
        sum.max = Math.max(sum.max, value);
      } else entry.sums.set(field, { sum: value, n: 1, min: value, max: value });
    }
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, entry]) => ({
      start: new Date(start).toISOString(),
      end: new Date(start + sizeMs).toISOString(),
      count: entry.count,
      values: Object.fromEntries(
        [...entry.sums.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([field, s]) => [field, { avg: round(s.sum / s.n), min: s.min, max: s.max }]),
      ),
    }));
}
