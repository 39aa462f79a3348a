/**
 * The device routes' shared wire schemas, the same for every kind: the cache controls of a read, the readings
 * query and the readings answers. A kind's view, its envelopes and its controls' bodies are the kind's
 * (domain/devices/). The same zod schemas validate requests and generate the OpenAPI document.
 */
import * as z from 'zod';
import { READING_SOURCES } from '../domain/readings/history';

/**
 * Query-string integers arrive as strings; reject "", "1.5", "1e3" and the like rather than coercing loosely.
 * The OpenAPI document shows what a caller sends: an integer in min..max, with its default.
 */
export const queryInt = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((v) => v ?? fallback)
    .meta({
      override: ({ jsonSchema }) => {
        for (const key of Object.keys(jsonSchema)) if (key !== 'description') delete jsonSchema[key];
        Object.assign(jsonSchema, { type: 'integer', minimum: min, maximum: max, default: fallback });
      },
    });

export const MAX_AGE_SECONDS_DEFAULT = 30;
export const MAX_AGE_SECONDS_MAX = 86_400;

/** Cache controls shared by the list and detail routes. */
export const deviceReadQuerySchema = z.strictObject({
  max_age_seconds: queryInt(0, MAX_AGE_SECONDS_MAX, MAX_AGE_SECONDS_DEFAULT).meta({
    description:
      'Serve the stored snapshot when it is at most this old (seconds); 0 always reads Podero live. Default 30.',
  }),
  stale_if_error_seconds: queryInt(0, MAX_AGE_SECONDS_MAX, 0).meta({
    description:
      'When the live read fails (Podero 5xx, timeout or rate limit), serve a snapshot up to this old instead of the error, marked `stale: true`. Default 0: errors are not hidden.',
  }),
});
export type DeviceReadQuery = z.output<typeof deviceReadQuerySchema>;

const isoInstant = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s).toISOString())
  .meta({ description: 'ISO-8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z' });

export const READINGS_LIMIT_DEFAULT = 100;
export const READINGS_LIMIT_MAX = 1000;

/** Aggregation buckets, and the longest range each may cover (about 700 buckets at most). */
export const READING_BUCKETS = { '15m': 900, '1h': 3_600, '1d': 86_400 } as const;
export type ReadingBucket = keyof typeof READING_BUCKETS;
const BUCKET_MAX_RANGE_DAYS: Record<ReadingBucket, number> = { '15m': 7, '1h': 31, '1d': 92 };

export const readingsQuerySchema = z
  .strictObject({
    from: isoInstant.optional().meta({ description: 'Inclusive lower bound of the state time.' }),
    to: isoInstant.optional().meta({ description: 'Exclusive upper bound of the state time.' }),
    limit: queryInt(1, READINGS_LIMIT_MAX, READINGS_LIMIT_DEFAULT).meta({
      description: `Readings per page, 1..${READINGS_LIMIT_MAX}, default ${READINGS_LIMIT_DEFAULT}.`,
    }),
    cursor: z.string().min(1).max(512).optional().meta({
      description: 'Opaque `next_cursor` of the previous page, with the same heat pump, range and order.',
    }),
    order: z
      .enum(['asc', 'desc'])
      .optional()
      .transform((v) => v ?? 'asc')
      .meta({
        description: 'asc (default): oldest first; desc: newest first, so `limit=1` is the latest reading.',
      }),
    bucket: z
      .enum(Object.keys(READING_BUCKETS) as [ReadingBucket, ...ReadingBucket[]])
      .optional()
      .meta({
        description:
          'Aggregate instead of listing: one item per 15m, 1h or 1d (UTC) with the count and avg/min/max of each numeric value. Needs from and to (at most 7, 31 or 92 days); no cursor.',
      }),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { path: ['to'], message: 'must be later than from' })
  .refine((q) => !q.bucket || (q.from !== undefined && q.to !== undefined), {
    path: ['from'],
    message: 'from and to are required with bucket',
  })
  .refine((q) => !q.bucket || q.cursor === undefined, {
    path: ['cursor'],
    message: 'buckets come on one page',
  })
  .refine(
    (q) =>
      !q.bucket ||
      !q.from ||
      !q.to ||
      Date.parse(q.to) - Date.parse(q.from) <= BUCKET_MAX_RANGE_DAYS[q.bucket] * 86_400_000,
    { path: ['to'], message: 'the range is too long for this bucket (15m: 7 days, 1h: 31, 1d: 92)' },
  );
export type ReadingsQuery = z.output<typeof readingsQuerySchema>;

export const readingSchema = z
  .strictObject({
    state_at: z.string().meta({ description: "Podero's current_state_last_updated_at (ISO)." }),
    recorded_at: z
      .string()
      .meta({ description: 'When the sync (or the backfill) stored the reading (ISO).' }),
    source: z.enum(READING_SOURCES).meta({
      description:
        "`sync`: the device's state as the sync saw it. `backfill`: a quarter-hour the sync missed, filled from Podero's 15-minute series (`/data`): `state_at` is the quarter-hour's start, the values averages over it, and only the fields the series has (heat pump: power, inlet and hot-water temperature; inverter: production, household, grid, battery).",
    }),
    values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  })
  .meta({ id: 'Reading' });
const aggregate = z.strictObject({ avg: z.number(), min: z.number(), max: z.number() });
export const readingBucketSchema = z
  .strictObject({
    start: z.string().meta({ description: 'Start of the bucket (ISO, inclusive)' }),
    end: z.string().meta({ description: 'End of the bucket (ISO, exclusive)' }),
    count: z.number().int().meta({ description: 'Readings in the bucket' }),
    values: z.record(z.string(), aggregate).meta({ description: 'Per numeric value: its avg, min and max' }),
  })
  .meta({ id: 'ReadingBucket' });
export const readingBucketsResponseSchema = z
  .strictObject({
    items: z
      .array(readingBucketSchema)
      .meta({ description: 'Buckets with readings, in the order asked for' }),
    next_cursor: z.null(),
    bucket: z.enum(Object.keys(READING_BUCKETS) as [ReadingBucket, ...ReadingBucket[]]),
  })
  .meta({ id: 'ReadingBuckets' });
export type ReadingBucketsResponse = z.infer<typeof readingBucketsResponseSchema>;

export const readingsResponseSchema = z
  .strictObject({
    items: z.array(readingSchema),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` for the next page; null on the last.' }),
  })
  .meta({ id: 'ReadingsPage' });

export type ReadingsResponse = z.infer<typeof readingsResponseSchema>;

/** The coverage route's range: at most 92 days; `to` defaults to now, `from` to seven days before `to`. */
export const COVERAGE_MAX_DAYS = 92;
export const coverageQuerySchema = z
  .strictObject({
    from: isoInstant.optional().meta({ description: 'Inclusive start (default: seven days before `to`).' }),
    to: isoInstant.optional().meta({ description: 'Exclusive end (default and latest: now).' }),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { path: ['to'], message: 'must be later than from' })
  .refine(
    (q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= COVERAGE_MAX_DAYS * 86_400_000,
    { path: ['to'], message: `the range is longer than ${COVERAGE_MAX_DAYS} days` },
  );
export type CoverageQuery = z.output<typeof coverageQuerySchema>;

const gapSchema = z
  .strictObject({ from: z.string(), to: z.string() })
  .meta({ id: 'CoverageGap', description: 'Quarter-hours without a reading, [from, to), ISO UTC' });
const coverageFigures = {
  expected: z.number().int().meta({ description: 'Whole quarter-hours in the span (up to now)' }),
  covered: z.number().int().meta({ description: 'Quarter-hours holding at least one reading' }),
  ratio: z.number().meta({ description: 'covered / expected (1 when nothing is expected)' }),
};
export const coverageResponseSchema = z
  .strictObject({
    from: z.string(),
    to: z.string(),
    total: z.strictObject(coverageFigures),
    days: z
      .array(
        z.strictObject({
          day: z.string().meta({ description: 'The UTC day, YYYY-MM-DD' }),
          ...coverageFigures,
          backfilled: z.number().int().meta({ description: 'Quarter-hours covered by a backfilled reading' }),
          gaps: z.array(gapSchema),
        }),
      )
      .meta({ description: 'One item per UTC day of the range, oldest first' }),
    backfill: z
      .strictObject({
        available: z
          .boolean()
          .meta({ description: 'Podero keeps a 15-minute series (`/data`) of this kind' }),
        reason: z.string().nullable().meta({ description: 'Why not, when it does not' }),
        checked_through: z
          .string()
          .nullable()
          .meta({ description: 'The backfill attempted every gap before this time (null: not yet)' }),
        filled_quarters: z.number().int(),
        unfillable: z
          .array(
            z.strictObject({
              from: z.string(),
              to: z.string(),
              reason: z.enum(['no_series', 'beyond_retention', 'no_data_at_podero']),
            }),
          )
          .meta({
            description:
              "The newest gaps the backfill could not fill, and why (Podero's retention, no data at Podero, no series for the kind)",
          }),
      })
      .meta({ description: "The history backfill's record of the device" }),
  })
  .meta({ id: 'ReadingCoverage' });
export type CoverageResponse = z.infer<typeof coverageResponseSchema>;
