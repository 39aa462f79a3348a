/**
 * Wire schemas of the savings and statistics routes: queries as Podero documents them (H6, H7, S1), the
 * cache age every route declares, and the answers (Podero's buckets, allow-listed, with where they came
 * from). The same schemas validate requests and generate the OpenAPI document.
 */
import { STATISTICS_KEYWORDS, STATISTICS_RESOLUTIONS } from '@podero-bridge/podero-client';
import * as z from 'zod';

/**
 * How old a cached answer may be by default, per route: Podero computes savings from metered data it
 * aggregates at most hourly, so an hour-old answer is as good as a new one. A caller may ask for fresher
 * (`max_age_seconds`, 0 reads Podero live), never for older.
 */
export const INSIGHTS_MAX_AGE_SECONDS = 3_600;

/** The longest range a savings query may span (five years): bounds Podero's work and the cache entry. */
export const SAVINGS_MAX_RANGE_DAYS = 1_827;

const maxAgeSeconds = z
  .string()
  .regex(/^\d{1,6}$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(0).max(INSIGHTS_MAX_AGE_SECONDS))
  .optional()
  .transform((v) => v ?? INSIGHTS_MAX_AGE_SECONDS)
  .meta({
    description: `Serve a cached answer at most this old (seconds, 0..${INSIGHTS_MAX_AGE_SECONDS}); 0 reads Podero live. Default ${INSIGHTS_MAX_AGE_SECONDS}.`,
    override: ({ jsonSchema }) => {
      for (const key of Object.keys(jsonSchema)) if (key !== 'description') delete jsonSchema[key];
      Object.assign(jsonSchema, {
        type: 'integer',
        minimum: 0,
        maximum: INSIGHTS_MAX_AGE_SECONDS,
        default: INSIGHTS_MAX_AGE_SECONDS,
      });
    },
  });

/** A comma-separated list of enum values, deduplicated and sorted (one cache entry per meaning). */
function commaList<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  return z
    .string()
    .transform((raw) => raw.split(',').map((part) => part.trim()))
    .pipe(z.array(z.enum(values)).min(1))
    .transform((list) => [...new Set(list)].sort())
    .meta({
      description,
      override: ({ jsonSchema }) => {
        for (const key of Object.keys(jsonSchema)) if (key !== 'description') delete jsonSchema[key];
        Object.assign(jsonSchema, { type: 'string', example: values.join(',') });
      },
    });
}

const instant = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s).toISOString())
  .meta({ description: 'ISO-8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z' });

const rangeRules = <T extends { from: string; to: string }>(schema: z.ZodType<T>) =>
  schema
    .refine((q) => q.from < q.to, { path: ['to'], message: 'must be later than from' })
    .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= SAVINGS_MAX_RANGE_DAYS * 86_400_000, {
      path: ['to'],
      message: `the range may span at most ${SAVINGS_MAX_RANGE_DAYS} days`,
    });

export const statisticsQuerySchema = z.strictObject({
  resolution: commaList(
    STATISTICS_RESOLUTIONS,
    `Comma-separated periods, each reported for its current calendar period so far: ${STATISTICS_RESOLUTIONS.join(', ')}. Default 1DAY.`,
  ).optional(),
  keywords: commaList(STATISTICS_KEYWORDS, 'Comma-separated: savings, consumption. Default both.').optional(),
  max_age_seconds: maxAgeSeconds,
});
export type StatisticsQuery = z.output<typeof statisticsQuerySchema>;

export const savingsQuerySchema = rangeRules(
  z.strictObject({
    from: instant.meta({ description: 'Start of the range (inclusive).' }),
    to: instant.meta({ description: 'End of the range (exclusive).' }),
    resolution: z
      .enum(STATISTICS_RESOLUTIONS)
      .optional()
      .meta({ description: 'Bucket size: calendar periods, clipped to the range. Default 1MONTH.' }),
    max_age_seconds: maxAgeSeconds,
  }),
);
export type SavingsQuery = z.output<typeof savingsQuerySchema>;

export const organisationSavingsQuerySchema = rangeRules(
  z.strictObject({
    from: instant.meta({ description: 'Start of the range.' }),
    to: instant.meta({ description: 'End of the range.' }),
    max_age_seconds: maxAgeSeconds,
  }),
);
export type OrganisationSavingsQuery = z.output<typeof organisationSavingsQuerySchema>;

// ---- answers -------------------------------------------------------------------------------------

const amount = z.number().nullable();

/**
 * One bucket as Podero reports it: the fields the bridge passes on, each null when Podero left it out or the
 * device's kind has no such figure (a heat pump has no production).
 */
export const insightBucketSchema = z
  .strictObject({
    resolution: z.string().nullable(),
    period: z.strictObject({ start: z.string().nullable(), end: z.string().nullable() }),
    savings: z
      .strictObject({
        total: amount.meta({ description: 'Money saved by optimisation in the period (see `units`)' }),
        percentage: amount.meta({ description: 'Saved share of the unoptimised cost, %' }),
      })
      .nullable(),
    consumption_total: amount.meta({ description: 'Energy used in the period (see `units`)' }),
    estimated_consumption_wh: amount.meta({
      description: 'Heat pump and electric vehicle: energy the device used in the period, Wh',
    }),
    charge_session_count: amount.meta({
      description: 'Electric vehicle: charging sessions that ended in the period',
    }),
    average_charge_power_w: amount.meta({
      description: "Electric vehicle: the average of those sessions' charging power, W",
    }),
    solar_production_wh: amount.meta({ description: 'Solar inverter: energy produced in the period, Wh' }),
    grid_export_wh: amount.meta({
      description: 'Solar inverter: energy fed into the grid in the period, Wh',
    }),
    self_consumption_wh: amount.meta({
      description:
        "Solar inverter: production used at home or stored in the battery (not exported), Wh. Podero's own figure when it sends one (not in its published contract), else production minus export",
    }),
  })
  .meta({ id: 'SavingsBucket' });
export type InsightBucket = z.infer<typeof insightBucketSchema>;

const cacheFields = {
  source: z.enum(['cache', 'live']).meta({ description: 'cache: a stored answer; live: asked Podero now.' }),
  fetched_at: z.string().meta({ description: 'When Podero answered (ISO).' }),
  max_age_seconds: z.number().int().meta({ description: 'The age this answer was allowed to have.' }),
};

export const insightsResponseSchema = z
  .strictObject({
    buckets: z.array(insightBucketSchema),
    units: z
      .record(z.string(), z.string())
      .meta({ description: 'Units Podero reports, e.g. {"savings":"EUR","consumption":"kWh"}' }),
    ...cacheFields,
  })
  .meta({ id: 'SavingsBuckets' });
export type InsightsResponse = z.infer<typeof insightsResponseSchema>;

export const organisationSavingsResponseSchema = z
  .strictObject({
    total_savings: amount,
    heat_pump_savings: amount,
    electric_vehicle_savings: amount,
    inverter_savings: amount,
    from: z.string(),
    to: z.string(),
    ...cacheFields,
  })
  .meta({ id: 'OrganisationSavings' });
export type OrganisationSavingsResponse = z.infer<typeof organisationSavingsResponseSchema>;
