/**
 * Wire schemas of the operator's routes (admin): the fleet page by page with filters, one customer's
 * summary, and the sync's recent runs and failing users.
 */
import * as z from 'zod';
import { queryInt } from '../devices/schemas';
import { DEVICE_KIND_NAMES, type DeviceKindName } from '../domain/devices/kind-apis';
import { CONNECTION_STATES } from '../domain/devices/rules';
import { connectionSchema, deviceHealthSchema } from '../domain/devices/view';
import { parseSearchQuery } from '../domain/search-terms';
import { syncFiguresShape } from '../domain/sync-figures';

export const USERS_PAGE_DEFAULT = 50;
/** The fleet's health filters (`GET /users?health=`): the counts of `UserListItem.health`. */
export const HEALTH_FILTERS = ['stale', 'steering_error', 'not_steerable'] as const;
export const USERS_PAGE_MAX = 200;

const limit = z
  .string()
  .regex(/^\d{1,4}$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1).max(USERS_PAGE_MAX))
  .optional()
  .transform((v) => v ?? USERS_PAGE_DEFAULT)
  .meta({
    description: `Users per page, 1..${USERS_PAGE_MAX}, default ${USERS_PAGE_DEFAULT}`,
    override: ({ jsonSchema }) => {
      for (const key of Object.keys(jsonSchema)) if (key !== 'description') delete jsonSchema[key];
      Object.assign(jsonSchema, {
        type: 'integer',
        minimum: 1,
        maximum: USERS_PAGE_MAX,
        default: USERS_PAGE_DEFAULT,
      });
    },
  });

export const listUsersQuerySchema = z.strictObject({
  limit,
  cursor: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .meta({ description: 'Opaque `next_cursor` of the previous page, with the same filters' }),
  connection_state: z
    .enum(CONNECTION_STATES)
    .optional()
    .meta({ description: 'Only users with at least one heat pump in this state' }),
  sync_failed: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .meta({ description: 'true: only users whose last sync attempt failed; false: only the others' }),
  optimization: z
    .enum(['on', 'off'])
    .optional()
    .meta({ description: 'Only users with at least one heat pump whose smart optimisation is on (off)' }),
  email: z
    .string()
    .trim()
    .min(3)
    .max(254)
    .regex(/^[^\s@]+@[^\s@]+$/, 'must be an e-mail address')
    .transform((v) => v.toLowerCase())
    .optional()
    .meta({
      description: 'Only the user with this e-mail address (case-insensitive), for a support desk search',
    }),
  q: z
    .string()
    .trim()
    .max(200)
    .refine((v) => parseSearchQuery(v) !== undefined, 'must hold a word of at least 2 letters or digits')
    .optional()
    .meta({
      description:
        'Search: users with a name word, e-mail address (whole, a segment of its local part, or its domain) or external id (whole or a segment split on `-_.@:+`) that each word of `q` begins, case- and accent-insensitive. Answered from an index (one Query of at most `limit` items per page, whatever the number of users), in the order of the matched term; the other filters apply to its matches. With several words, the longest is looked up and the others filter, so a page may hold fewer than `limit` items and still have a next one.',
    }),
  health: z.enum(HEALTH_FILTERS).optional().meta({
    description:
      'Only users with at least one device (of any kind) that is stale (not reporting while connected), has a steering error, or is not steerable now',
  }),
});
export type ListUsersQuery = z.output<typeof listUsersQuerySchema>;

/** Devices per connection state (each use its own instance: its description says which devices). */
const connectionCountsSchema = () =>
  z.strictObject(
    Object.fromEntries(CONNECTION_STATES.map((state) => [state, z.number().int()])) as Record<
      (typeof CONNECTION_STATES)[number],
      z.ZodNumber
    >,
  );

const connectionCounts = connectionCountsSchema().meta({
  description: 'Heat pumps per connection state, as last stored',
});

/** One kind's devices: how many, and how many in each connection state. */
const kindCountsSchema = z
  .strictObject({
    count: z.number().int(),
    connection: connectionCountsSchema().meta({
      description: "The kind's devices per connection state, as last stored",
    }),
  })
  .meta({ id: 'KindDeviceCounts' });

/** Every kind's counts, under the kind's name (`heat_pump`, `electric_vehicle`, `wallbox`, `inverter`). */
export const deviceCountsSchema = z
  .strictObject(
    Object.fromEntries(DEVICE_KIND_NAMES.map((name) => [name, kindCountsSchema])) as Record<
      DeviceKindName,
      typeof kindCountsSchema
    >,
  )
  .meta({
    id: 'DeviceCountsByKind',
    description: "The user's devices of each kind, by connection state, as last stored",
  });
export type DeviceCounts = z.infer<typeof deviceCountsSchema>;

const optimizationCounts = z
  .strictObject({ on: z.number().int(), off: z.number().int(), unknown: z.number().int() })
  .meta({ description: 'Heat pumps with smart optimisation on, off, or not reported, as last stored' });

export const syncFailureSchema = z
  .strictObject({
    error_code: z.string(),
    message: z.string(),
    attempts: z.number().int(),
    first_failed_at: z.string(),
    last_failed_at: z.string(),
  })
  .meta({ id: 'SyncFailure' });

export const userListItemSchema = z
  .strictObject({
    external_user_id: z.string(),
    email: z.string(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    heat_pumps: z.number().int(),
    connection: connectionCounts,
    optimization: optimizationCounts,
    sync_failure: syncFailureSchema.nullable(),
    devices: deviceCountsSchema,
    health: z
      .strictObject({
        stale: z.number().int().meta({ description: 'Devices not reporting while connected' }),
        steering_error: z
          .number()
          .int()
          .meta({ description: 'Devices whose Podero steering_status is error' }),
        not_steerable: z.number().int().meta({ description: 'Devices not steerable now' }),
      })
      .meta({ description: "The user's devices of every kind by health, judged now from the stored state" }),
  })
  .meta({ id: 'UserListItem' });
export type UserListItem = z.infer<typeof userListItemSchema>;

export const userListSchema = z
  .strictObject({
    items: z.array(userListItemSchema),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` for the next page; null on the last' }),
    scanned: z.number().int().meta({
      description:
        'Users read for this page (with `q`: index items read): with a filter a page may hold fewer than `limit` items and still have a next one',
    }),
  })
  .meta({ id: 'UserList' });
export type UserList = z.infer<typeof userListSchema>;

/** A stored reading's values (each use its own instance, so the document keeps it inline). */
const lastReadingSchema = () =>
  z
    .strictObject({
      state_at: z.string(),
      values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
    })
    .nullable();

export const summaryDeviceSchema = z
  .strictObject({
    type: z
      .enum(DEVICE_KIND_NAMES)
      .meta({ description: "The device's kind, as `GET /users/{id}/devices` names it" }),
    id: z.string(),
    manufacturer: z.string().nullable(),
    model: z.string().nullable(),
    connection: connectionSchema,
    is_smart_optimization_active: z.boolean().nullable(),
    health: deviceHealthSchema,
    fetched_at: z.string().meta({ description: 'When the stored state was read from Podero' }),
    last_reading: lastReadingSchema().meta({
      description: "The latest stored reading: the kind's own values (its `readings` route's fields)",
    }),
  })
  .meta({ id: 'UserSummaryDevice' });
export type SummaryDevice = z.infer<typeof summaryDeviceSchema>;

export const userSummarySchema = z
  .strictObject({
    external_user_id: z.string(),
    email: z.string(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    onboarded_at: z.string().nullable(),
    heat_pumps: z.array(
      z.strictObject({
        id: z.string(),
        manufacturer: z.string().nullable(),
        model: z.string().nullable(),
        connection: connectionSchema,
        is_smart_optimization_active: z.boolean().nullable(),
        optimization_level: z.string().nullable(),
        fetched_at: z.string().meta({ description: 'When the stored state was read from Podero' }),
        last_reading: lastReadingSchema(),
      }),
    ),
    devices: z.array(summaryDeviceSchema).meta({
      description:
        'Every device of the customer, of every kind (`type`), in the order of `GET /users/{id}/devices`',
    }),
    onboarding_sessions: z
      .array(
        z.strictObject({
          id: z.string(),
          state: z.string(),
          expiration_date: z.string().nullable(),
          created_at: z.string(),
        }),
      )
      .meta({ description: 'Sessions still open (pending and not expired)' }),
    sync: z.strictObject({
      last_pass_completed_at: z.string().nullable(),
      failure: syncFailureSchema.nullable(),
    }),
  })
  .meta({ id: 'UserSummary' });
export type UserSummary = z.infer<typeof userSummarySchema>;

/** Each of the sync's figures (domain/sync-figures.ts), under its own name in the pass and run views. */
const figureSchema = z.number().int();

export const syncStatusSchema = z
  .strictObject({
    passes_completed: z.number().int(),
    last_pass_completed_at: z.string().nullable(),
    current_pass: z
      .strictObject({ started_at: z.string().nullable(), position: z.string().nullable() })
      .nullable()
      .meta({ description: 'A pass stopped part-way (time budget, outage): where the next run goes on' }),
    fleet_pass: z
      .strictObject({
        pass_id: z.string(),
        status: z.enum(['running', 'completed']),
        started_at: z.string(),
        completed_at: z.string().nullable(),
        shards: z.number().int(),
        shards_done: z.number().int(),
        failed_shards: z.array(z.number().int()).meta({
          description:
            'Shards that kept failing (dead-lettered) or never came back: their users were not synced in this pass',
        }),
        ...syncFiguresShape(figureSchema),
      })
      .nullable()
      .meta({ description: 'The current (or last) fleet pass: its shards, as the workers settle them' }),
    passes: z
      .array(
        z.strictObject({
          pass_id: z.string(),
          started_at: z.string(),
          completed_at: z.string(),
          shards: z.number().int(),
          failed_shards: z.array(z.number().int()),
          ...syncFiguresShape(figureSchema),
        }),
      )
      .meta({ description: 'The latest completed fleet passes, newest first (kept 7 days)' }),
    runs: z
      .array(
        z.strictObject({
          run_id: z.string(),
          source: z.string(),
          started_at: z.string(),
          duration_ms: z.number(),
          ...syncFiguresShape(figureSchema),
          completed_pass: z.boolean(),
          stopped: z.string(),
        }),
      )
      .meta({
        description:
          'The latest runs (a worker on one shard, or a whole-walk run), newest first (kept 7 days)',
      }),
    failing_users: z.array(syncFailureSchema.extend({ external_user_id: z.string() })).meta({
      description: 'Users whose last sync attempt failed, most attempts first',
    }),
  })
  .meta({ id: 'SyncStatus' });
export type SyncStatus = z.infer<typeof syncStatusSchema>;

export const FLEET_DAYS_DEFAULT = 30;
export const FLEET_DAYS_MAX = 400;

export const fleetDaysQuerySchema = z.strictObject({
  days: queryInt(1, FLEET_DAYS_MAX, FLEET_DAYS_DEFAULT).meta({
    description: `UTC days up to and including today, 1..${FLEET_DAYS_MAX}, default ${FLEET_DAYS_DEFAULT}`,
  }),
});
export type FleetDaysQuery = z.output<typeof fleetDaysQuerySchema>;

export const fleetDaySchema = z
  .strictObject({
    day: z.string().meta({ description: 'The UTC day, `yyyy-mm-dd`' }),
    connection: connectionCountsSchema().nullable().meta({
      description:
        "Devices of every kind per connection state, as the day's last completed sync pass saw them; null: no pass completed that day",
    }),
    stale_devices: z.number().int().nullable().meta({
      description:
        'Connected devices whose reporting was stale in that pass; null: no pass judged reporting that day',
    }),
    sync_passes: z.number().int().meta({ description: 'Fleet passes completed that day' }),
    sync_pass_duration_ms: z
      .strictObject({ mean: z.number(), max: z.number() })
      .nullable()
      .meta({ description: "The passes' durations (start to completion); null: no pass completed" }),
    webhook_attempts: z.strictObject({
      delivered: z.number().int(),
      failed: z.number().int().meta({ description: 'Attempts that failed (retried later or dead-lettered)' }),
    }),
  })
  .meta({ id: 'FleetDay' });
export type FleetDayView = z.infer<typeof fleetDaySchema>;

export const fleetDaysSchema = z
  .strictObject({
    from: z.string().meta({ description: 'The first day asked for (UTC)' }),
    to: z.string().meta({ description: 'The last day asked for: today (UTC)' }),
    retention_days: z.number().int().meta({ description: 'How long a day is kept' }),
    items: z.array(fleetDaySchema).meta({
      description:
        'The days with any figure, oldest first; a day with none is left out (missing, not zero: the console shows it as a gap)',
    }),
  })
  .meta({ id: 'FleetDays' });
export type FleetDays = z.infer<typeof fleetDaysSchema>;
