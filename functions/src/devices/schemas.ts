/**
 * The heat-pump routes' wire schemas: query strings, the settings body and the responses. The same
 * zod schemas validate requests and generate the OpenAPI document.
 */
import { OPTIMIZATION_LEVELS, PRICE_ZONES } from '@podero-bridge/podero-client';
import * as z from 'zod';
import { CONNECTION_STATES } from '../domain/devices/rules';

/**
 * Query-string integers arrive as strings; reject "", "1.5", "1e3" and the like rather than coercing loosely.
 * The OpenAPI document shows what a caller sends: an integer in min..max, with its default.
 */
const queryInt = (min: number, max: number, fallback: number) =>
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
export const heatPumpReadQuerySchema = z.strictObject({
  max_age_seconds: queryInt(0, MAX_AGE_SECONDS_MAX, MAX_AGE_SECONDS_DEFAULT).meta({
    description:
      'Serve the stored snapshot when it is at most this old (seconds); 0 always reads Podero live. Default 30.',
  }),
  stale_if_error_seconds: queryInt(0, MAX_AGE_SECONDS_MAX, 0).meta({
    description:
      'When the live read fails (Podero 5xx, timeout or rate limit), serve a snapshot up to this old instead of the error, marked `stale: true`. Default 0: errors are not hidden.',
  }),
});
export type HeatPumpReadQuery = z.output<typeof heatPumpReadQuerySchema>;

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

const temperatureLimit = z.number().min(5).max(35).meta({ description: '°C, 5..35' });
const awayInstant = z.iso.datetime({ offset: true }).nullable();

/** The bridge's own bounds where Podero documents none (a typo of 15 instead of 1.5 must not reach a home). */
export const TARGET_OFFSET_MAX_CELSIUS = 5;
export const HOT_WATER_MIN_CELSIUS = 30;
export const HOT_WATER_MAX_CELSIUS = 65;

/**
 * The heat-pump controls Podero documents for H4: what an app or the partner's back office changes.
 * Lifecycle, trading, steering state and monitoring fields are Podero's own bookkeeping, not this route.
 */
export const updateHeatPumpSettingsSchema = z
  .strictObject({
    is_smart_optimization_active: z.boolean().optional(),
    optimization_level: z.enum(OPTIMIZATION_LEVELS).optional(),
    minimum_temperature_limit: temperatureLimit.optional(),
    maximum_temperature_limit: temperatureLimit.optional(),
    is_away_mode_enabled: z.boolean().optional(),
    away_mode_start: awayInstant.optional(),
    away_mode_end: awayInstant.optional(),
    away_mode_minimum_temperature_limit: temperatureLimit.optional(),
    pause_power_until: z.iso.datetime({ offset: true }).nullable().optional().meta({
      description: 'A future time pauses the heat pump’s consumption until then; null resumes it now.',
    }),
    indoor_target_temperature_offset: z
      .number()
      .min(-TARGET_OFFSET_MAX_CELSIUS)
      .max(TARGET_OFFSET_MAX_CELSIUS)
      .optional()
      .meta({
        description: `°C added to the indoor target, -${TARGET_OFFSET_MAX_CELSIUS}..${TARGET_OFFSET_MAX_CELSIUS}`,
      }),
    dhw_standard_temperature: z
      .number()
      .min(HOT_WATER_MIN_CELSIUS)
      .max(HOT_WATER_MAX_CELSIUS)
      .nullable()
      .optional()
      .meta({
        description: `Hot-water default setpoint, °C, ${HOT_WATER_MIN_CELSIUS}..${HOT_WATER_MAX_CELSIUS}, not below the device's minimum_dhw_temperature_limit`,
      }),
    is_space_heating_enabled: z.boolean().optional(),
    is_hot_water_heating_enabled: z.boolean().optional(),
    is_pool_heating_enabled: z.boolean().optional(),
    is_space_cooling_enabled: z.boolean().optional(),
    price_zone: z
      .enum(PRICE_ZONES)
      .optional()
      .meta({ description: 'The day-ahead market Podero optimises against' }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one setting' })
  .meta({ id: 'UpdateHeatPumpSettingsRequest', minProperties: 1 });
export type UpdateHeatPumpSettings = z.output<typeof updateHeatPumpSettingsSchema>;

export interface SettingsIssue {
  path: string[];
  message: string;
}

type SettingsView = Partial<Record<keyof UpdateHeatPumpSettings, unknown>>;

/**
 * Cross-field rules, checked on the heat pump as it will be after the change (current values merged
 * with the body), and reported on the field the body changed. A rule whose fields the body does not
 * touch is not checked: a caller must be able to change the optimisation level of a heat pump whose
 * limits were set inconsistently elsewhere.
 */
export function settingsIssues(
  body: UpdateHeatPumpSettings,
  current: Readonly<Record<string, unknown>>,
  nowMs: number,
): SettingsIssue[] {
  const merged: SettingsView & Record<string, unknown> = { ...current, ...body };
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const time = (v: unknown) =>
    typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : undefined;
  const touched = (...keys: (keyof UpdateHeatPumpSettings)[]) => keys.find((k) => k in body);
  const issues: SettingsIssue[] = [];

  const limitField = touched('minimum_temperature_limit', 'maximum_temperature_limit');
  const min = num(merged.minimum_temperature_limit);
  const max = num(merged.maximum_temperature_limit);
  if (limitField && min !== undefined && max !== undefined && min > max) {
    issues.push({
      path: [limitField],
      message: `minimum_temperature_limit (${min}) must not exceed maximum_temperature_limit (${max})`,
    });
  }

  const awayField = touched('away_mode_start', 'away_mode_end', 'is_away_mode_enabled');
  const start = time(merged.away_mode_start);
  const end = time(merged.away_mode_end);
  if (awayField && start !== undefined && end !== undefined && start >= end) {
    issues.push({ path: [awayField], message: 'away_mode_start must be earlier than away_mode_end' });
  }
  if (merged.is_away_mode_enabled === true && awayField && (start === undefined || end === undefined)) {
    issues.push({
      path: [awayField],
      message: 'away mode needs both away_mode_start and away_mode_end when it is enabled',
    });
  }

  // A pause that ended already would be a no-op Podero may read as "pause now"; null is the way to resume.
  const pauseUntil = time(body.pause_power_until);
  if (pauseUntil !== undefined && pauseUntil <= nowMs) {
    issues.push({
      path: ['pause_power_until'],
      message: 'must be in the future (send null to resume the heat pump now)',
    });
  }

  const hotWater = num(body.dhw_standard_temperature);
  const hotWaterMinimum = num(merged.minimum_dhw_temperature_limit);
  if (hotWater !== undefined && hotWaterMinimum !== undefined && hotWater < hotWaterMinimum) {
    issues.push({
      path: ['dhw_standard_temperature'],
      message: `must not be below the device's minimum_dhw_temperature_limit (${hotWaterMinimum})`,
    });
  }
  return issues;
}

// ---- responses ---------------------------------------------------------------------------------

const text = z.string().nullish();
const num = z.number().nullish();
const flag = z.boolean().nullish();

/**
 * The fields of Podero's heat-pump object a caller may see: an allow-list. Podero's object is never
 * passed through, because parts of it are not for end users: `actions[].resolution_link.url` carries a
 * cue's secret (enough on its own to report an outcome), `owner` Podero's ids and the owner's e-mail,
 * `device_model` the manufacturer cloud's sign-up links. A field Podero omits, or sends with another
 * type, is left out (the contract is unsure of several; devices/view.ts).
 */
export const heatPumpFieldSchemas = {
  id: z.string(),
  connection_status: text.meta({ description: "Podero's ok | warning | error | unknown" }),
  monitoring_status: text,
  steering_status: text,
  created_at: text,
  updated_at: text,
  price_zone: text,
  building: text.meta({ description: 'Podero building id, if linked' }),
  lifecycle_state: text,
  lifecycle_error: text,
  is_authenticated: flag.meta({ description: 'The manufacturer connection is live (see `connection`)' }),
  is_smart_optimization_active: flag,
  optimization_level: text,
  optimization_score: num,
  current_mode: text,
  current_state_last_updated_at: text,
  last_monitoring_executed_at: text,
  is_pause_power_active: flag,
  pause_power_until: text,
  is_forecasting_enabled: flag,
  is_trading_enabled: flag,
  actual_steering_state: text,
  indoor_target_temperature_offset: num,
  dhw_standard_temperature: num,
  is_hot_water_heating_enabled: flag,
  is_space_heating_enabled: flag,
  is_pool_heating_enabled: flag,
  is_space_cooling_enabled: flag,
  heating_policy_name: text,
  is_heating_policy_enabled: flag,
  minimum_temperature_limit: num,
  maximum_temperature_limit: num,
  minimum_dhw_temperature_limit: num,
  is_away_mode_enabled: flag,
  away_mode_start: text,
  away_mode_end: text,
  away_mode_minimum_temperature_limit: num,
  current_power_consumption_w: num,
  outdoor_temperature: num,
  indoor_actual_temperature: num,
  indoor_target_temperature: num,
  inlet_temperature: num,
  outlet_temperature: num,
  dhw_temperature: num,
  dhw_target_temperature: num,
  consumption_last_day_kwh: num.meta({ description: 'Older shape only' }),
};

export const deviceModelViewSchema = z
  .strictObject({
    device_type: z.strictObject({ short_name: z.string(), long_name: z.string() }).optional(),
    manufacturer: text,
    model: text,
    year: num,
  })
  .meta({ id: 'HeatPumpDeviceModel' });

export const connectionSchema = z
  .strictObject({
    state: z.enum(CONNECTION_STATES).meta({
      description:
        'connected: the manufacturer connection is live; reauthentication_required: it lapsed and the owner can repair it (POST .../reauthentication); disconnected: it lapsed with no way to repair it: onboard the device again.',
    }),
    action_needed: z
      .boolean()
      .meta({ description: 'Podero lists at least one pending action on the device' }),
    since: z.string().nullable().meta({
      description:
        'When the bridge first observed this state after a different one (a read or a sync pass); null while the state is as first seen.',
    }),
  })
  .meta({ id: 'HeatPumpConnection' });

export const heatPumpSchema = z
  .strictObject({
    ...optionalFields(heatPumpFieldSchemas),
    id: z.string(),
    device_model: deviceModelViewSchema.optional(),
    actions: z
      .array(
        z.strictObject({
          code: z.string().meta({ description: 'reauthenticate, information, or a newer code' }),
        }),
      )
      .meta({ description: 'Pending actions by code (their resolution links stay with the bridge)' }),
    connection: connectionSchema,
  })
  .meta({
    id: 'HeatPump',
    description:
      "A heat pump: an allow-listed view of Podero's object, with the bridge's connection summary.",
  });
export type HeatPumpView = z.infer<typeof heatPumpSchema>;

function optionalFields<T extends Record<string, z.ZodType>>(
  shape: T,
): { [K in keyof T]: z.ZodOptional<T[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof T]: z.ZodOptional<T[K]>;
  };
}

const sourceFields = {
  source: z
    .enum(['cache', 'live'])
    .meta({ description: 'cache: the stored snapshot; live: read from Podero now.' }),
  fetched_at: z.string().meta({ description: 'When the data was read from Podero (ISO).' }),
  stale: z.boolean().meta({
    description: 'True when a snapshot older than max_age_seconds was served because Podero failed.',
  }),
};

export const heatPumpListResponseSchema = z
  .strictObject({
    items: z.array(heatPumpSchema),
    next_cursor: z
      .null()
      .meta({ description: 'Always null: every heat pump of the user is on the one page' }),
    ...sourceFields,
  })
  .meta({ id: 'HeatPumpList' });
export const heatPumpResponseSchema = z
  .strictObject({ heat_pump: heatPumpSchema, ...sourceFields })
  .meta({ id: 'HeatPumpRead' });

export const readingSchema = z
  .strictObject({
    state_at: z.string().meta({ description: "Podero's current_state_last_updated_at (ISO)." }),
    recorded_at: z.string().meta({ description: 'When the sync stored the reading (ISO).' }),
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

export type HeatPumpListResponse = z.infer<typeof heatPumpListResponseSchema>;
export type HeatPumpResponse = z.infer<typeof heatPumpResponseSchema>;
export type ReadingsResponse = z.infer<typeof readingsResponseSchema>;
