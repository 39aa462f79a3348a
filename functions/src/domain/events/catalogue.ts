/**
 * The change events the bridge publishes (to the stage's EventBridge bus and to registered webhooks): a
 * versioned catalogue, one zod schema per type. The envelope is the Standard Webhooks one,
 * `{"type", "timestamp", "data"}`; the event's `id` travels beside it (the `webhook-id` header, and the
 * EventBridge detail's `id`), derived from the transition itself (domain/events/rules.ts), so a transition detected
 * twice carries one id and receivers can deduplicate on it.
 *
 * Adding a field to a type's data is compatible; renaming or removing one, or changing its meaning, is a
 * new catalogue version (EVENT_CATALOGUE_VERSION, sent as the `webhook-version` header and the detail's
 * `version`).
 */
import * as z from 'zod';

/** A device's connection as the bridge reports it (the events publish it; domain/devices/rules.ts decides it). */
export const CONNECTION_STATES = ['connected', 'reauthentication_required', 'disconnected'] as const;

/**
 * v2: the EV, wallbox and inverter events, `onboarding_session.completed`'s `device_id` and `device_kind`.
 * v3: `trading.failed`. v4: every kind's health events (`<kind>.reporting_stopped`, `reporting_resumed`,
 * `steering_failed`, `steering_recovered`), each kind's `change_confirmed` and `change_failed`,
 * `charging_config.change_confirmed` and `change_failed`, `statement.ready` (all of issue 35, one version).
 * Every earlier type and its payload is unchanged in each.
 */
export const EVENT_CATALOGUE_VERSION = '4';

/**
 * A device's reporting and steering as the health events publish them (domain/devices/health.ts decides them;
 * domain/devices/state.ts re-exports them, as rules.ts does CONNECTION_STATES: devices/ imports events/).
 * Reporting: a new state within the kind's threshold (`ok`), not (`stale`), or not judged (`unknown`).
 */
export const REPORTING_STATES = ['ok', 'stale', 'unknown'] as const;
/** Podero's documented values of `steering_status` (§3.5); anything else is read as `unknown`. */
export const STEERING_STATES = ['ok', 'warning', 'error', 'unknown'] as const;
/** EventBridge `source` of every event (partners match on it in their rules). */
export const EVENT_SOURCE = 'podero-bridge';

const instant = z.iso.datetime({ offset: true });
const externalUserId = z.string().min(1).meta({ description: "The partner's id of the user" });
const deviceId = z.string().min(1).meta({ description: "Podero's id of the heat pump" });
const connection = z.object({
  state: z.enum(CONNECTION_STATES),
  since: instant.nullable().meta({
    description: 'When the bridge first saw this state (null: as first seen, the start is unknown)',
  }),
});

/** The subject of a device event of a kind after the heat pump: the user and the device's id field. */
function deviceSubject<I extends string>(idField: I, noun: string) {
  return {
    external_user_id: externalUserId,
    [idField]: z
      .string()
      .min(1)
      .meta({ description: `Podero's id of the ${noun}` }),
  } as { external_user_id: typeof externalUserId } & Record<I, z.ZodString>;
}

/**
 * The events every kind after the heat pump has, with the heat pump's data under the kind's id field:
 * connected, connection lost and restored, smart optimisation changed, deleted.
 */
function standardDeviceEvents<K extends string, I extends string>(kind: K, idField: I, noun: string) {
  const subject = deviceSubject(idField, noun);
  return {
    [`${kind}.connected`]: z
      .object({ ...subject, connection })
      .meta({ description: `A ${noun} was seen authenticated for the first time.` }),
    [`${kind}.connection_lost`]: z
      .object({ ...subject, connection, previous_state: z.enum(CONNECTION_STATES) })
      .meta({
        description: `A connected ${noun} lost its manufacturer connection (\`reauthentication_required\`: the owner can repair it; \`disconnected\`: it must be onboarded again).`,
      }),
    [`${kind}.connection_restored`]: z
      .object({ ...subject, connection, previous_state: z.enum(CONNECTION_STATES) })
      .meta({ description: `A ${noun} that had been connected before is connected again.` }),
    [`${kind}.optimization_changed`]: z
      .object({ ...subject, is_smart_optimization_active: z.boolean(), previous: z.boolean().nullable() })
      .meta({ description: `Podero's smart optimisation was switched on or off for the ${noun}.` }),
    [`${kind}.deleted`]: z
      .object(subject)
      .meta({ description: `The ${noun} is no longer the user's (deleted at Podero, or offboarded).` }),
  } as {
    [P in `${K}.connected`]: z.ZodObject<typeof subject & { connection: typeof connection }>;
  } & {
    [P in `${K}.connection_lost` | `${K}.connection_restored`]: z.ZodObject<
      typeof subject & {
        connection: typeof connection;
        previous_state: z.ZodEnum<{ [S in (typeof CONNECTION_STATES)[number]]: S }>;
      }
    >;
  } & {
    [P in `${K}.optimization_changed`]: z.ZodObject<
      typeof subject & { is_smart_optimization_active: z.ZodBoolean; previous: z.ZodNullable<z.ZodBoolean> }
    >;
  } & { [P in `${K}.deleted`]: z.ZodObject<typeof subject> };
}

/**
 * Every kind's health events (catalogue v4): reporting stopped and resumed, steering failed and recovered, with
 * the data under the kind's id field.
 */
function healthDeviceEvents<K extends string, I extends string>(kind: K, idField: I, noun: string) {
  const subject = deviceSubject(idField, noun);
  const since = instant.nullable().meta({
    description:
      'When the bridge first saw this state (stale: when the last state plus the threshold passed; null: as first seen)',
  });
  const reporting = z.object({
    state: z.enum(REPORTING_STATES),
    since,
    last_state_at: instant.nullable().meta({ description: "Podero's `current_state_last_updated_at`" }),
  });
  const steering = z.object({ state: z.enum(STEERING_STATES), since });
  const reportingEvent = (description: string) =>
    z.object({ ...subject, reporting, previous_state: z.enum(REPORTING_STATES) }).meta({ description });
  const steeringEvent = (description: string) =>
    z
      .object({
        ...subject,
        steering,
        previous_state: z.enum(STEERING_STATES),
        actual_steering_state: z.string().nullable().meta({
          description: "Podero's `actual_steering_state`, verbatim (its values are not documented)",
        }),
      })
      .meta({ description });
  return {
    [`${kind}.reporting_stopped`]: reportingEvent(
      `A connected ${noun} sent no new state for longer than its threshold (a declared number of sync intervals): it is \`stale\` (catalogue v4).`,
    ),
    [`${kind}.reporting_resumed`]: reportingEvent(`A stale ${noun} reports new states again (catalogue v4).`),
    [`${kind}.steering_failed`]: steeringEvent(
      `Podero reports a steering error for the ${noun} (\`steering_status\` became \`error\`) (catalogue v4).`,
    ),
    [`${kind}.steering_recovered`]: steeringEvent(
      `Podero no longer reports a steering error for the ${noun} (\`steering.state\` says what it reports now) (catalogue v4).`,
    ),
  } as { [P in `${K}.reporting_stopped` | `${K}.reporting_resumed`]: ReturnType<typeof reportingEvent> } & {
    [P in `${K}.steering_failed` | `${K}.steering_recovered`]: ReturnType<typeof steeringEvent>;
  };
}

const electricVehicle = deviceSubject('electric_vehicle_id', 'electric vehicle');
const batteryLevel = z
  .number()
  .nullable()
  .meta({ description: "The vehicle's state of charge in % when the change was seen (null: not reported)" });
const tradingDay = {
  price_zone: z.string().min(1).meta({ description: 'The day-ahead price zone' }),
  delivery_day: z
    .string()
    .meta({ description: 'The delivery day in market time (Europe/Berlin), YYYY-MM-DD' }),
};
const tradingConfirmation = z.enum(['sent', 'unsupported']).meta({
  description:
    '`sent`: Podero holds the confirmation; `unsupported`: Podero’s reference API has no confirmation endpoint',
});

/** A settled change as its events carry it (domain/devices/changes.ts; catalogue v4). */
const settledChange = (status: 'confirmed' | 'failed') =>
  z.object({
    id: z.string().min(1).meta({ description: 'The change (`GET .../changes/{change_id}`)' }),
    control: z.string().min(1).meta({ description: 'The control that requested it (`settings`)' }),
    fields: z.array(z.string()).meta({ description: 'The fields requested, by name' }),
    status: z.literal(status),
    requested_at: instant,
    settled_at: instant,
    reason: z
      .string()
      .nullable()
      .meta({ description: "`timeout` for a failed change (its kind's declared timeout passed)" }),
  });

/** A kind's change events (catalogue v4): a tracked change confirmed by an observation, or failed. */
function deviceChangeEvents<K extends string, I extends string>(kind: K, idField: I, noun: string) {
  const subject = deviceSubject(idField, noun);
  return {
    [`${kind}.change_confirmed`]: z.object({ ...subject, change: settledChange('confirmed') }).meta({
      description: `A change requested of a ${noun} was seen applied (catalogue v4).`,
    }),
    [`${kind}.change_failed`]: z.object({ ...subject, change: settledChange('failed') }).meta({
      description: `A change requested of a ${noun} was not seen applied within its kind's timeout (catalogue v4).`,
    }),
  } as {
    [P in `${K}.change_confirmed`]: z.ZodObject<
      typeof subject & { change: ReturnType<typeof settledChange> }
    >;
  } & {
    [P in `${K}.change_failed`]: z.ZodObject<typeof subject & { change: ReturnType<typeof settledChange> }>;
  };
}

export const eventDataSchemas = {
  'user.onboarded': z
    .object({ external_user_id: externalUserId })
    .meta({ description: 'A user was onboarded to Podero (POST /users created them).' }),
  'user.offboarded': z
    .object({ external_user_id: externalUserId })
    .meta({ description: "A user was offboarded: deleted at Podero, the bridge's records removed." }),
  'onboarding_session.completed': z
    .object({
      external_user_id: externalUserId,
      session_id: z.string().min(1),
      // A heat pump's only (as in v1); every kind's: `device_id` and `device_kind`.
      heat_pump_id: deviceId.optional(),
      device_id: z
        .string()
        .min(1)
        .optional()
        .meta({ description: "Podero's id of the connected device, of any kind (catalogue v2)" }),
      device_kind: z.string().min(1).nullable().optional().meta({
        description:
          'heat_pump, electric_vehicle, wallbox or inverter (catalogue v2; null: not yet listed by Podero)',
      }),
    })
    .meta({
      description:
        'A Connect UI session ended with a connected device (a heat pump: `heat_pump_id` as in v1; any kind: `device_id` and `device_kind`).',
    }),
  'onboarding_session.expired': z
    .object({ external_user_id: externalUserId, session_id: z.string().min(1) })
    .meta({ description: 'A Connect UI session expired without a device.' }),
  'heat_pump.connected': z
    .object({ external_user_id: externalUserId, heat_pump_id: deviceId, connection })
    .meta({ description: 'A heat pump was seen authenticated for the first time.' }),
  'heat_pump.connection_lost': z
    .object({
      external_user_id: externalUserId,
      heat_pump_id: deviceId,
      connection,
      previous_state: z.enum(CONNECTION_STATES),
    })
    .meta({
      description:
        'A connected heat pump lost its manufacturer connection (`reauthentication_required`: the owner can repair it; `disconnected`: it must be onboarded again).',
    }),
  'heat_pump.connection_restored': z
    .object({
      external_user_id: externalUserId,
      heat_pump_id: deviceId,
      connection,
      previous_state: z.enum(CONNECTION_STATES),
    })
    .meta({ description: 'A heat pump that had been connected before is connected again.' }),
  'heat_pump.optimization_changed': z
    .object({
      external_user_id: externalUserId,
      heat_pump_id: deviceId,
      is_smart_optimization_active: z.boolean(),
      previous: z.boolean().nullable(),
    })
    .meta({ description: "Podero's smart optimisation was switched on or off for the heat pump." }),
  'heat_pump.deleted': z
    .object({ external_user_id: externalUserId, heat_pump_id: deviceId })
    .meta({ description: "The heat pump is no longer the user's (deleted at Podero, or offboarded)." }),
  ...healthDeviceEvents('heat_pump', 'heat_pump_id', 'heat pump'),
  ...standardDeviceEvents('electric_vehicle', 'electric_vehicle_id', 'electric vehicle'),
  'electric_vehicle.plugged_in': z
    .object({ ...electricVehicle, battery_level: batteryLevel })
    .meta({ description: 'An electric vehicle was plugged in (seen between two states).' }),
  'electric_vehicle.unplugged': z
    .object({ ...electricVehicle, battery_level: batteryLevel })
    .meta({ description: 'An electric vehicle was unplugged.' }),
  'electric_vehicle.charging_started': z
    .object({ ...electricVehicle, battery_level: batteryLevel })
    .meta({ description: 'An electric vehicle started charging.' }),
  'electric_vehicle.charging_completed': z
    .object({
      ...electricVehicle,
      battery_level: batteryLevel,
      is_fully_charged: z
        .boolean()
        .nullable()
        .meta({ description: "Podero's `is_fully_charged` when charging stopped (null: not reported)" }),
    })
    .meta({
      description:
        'An electric vehicle stopped charging (its target reached, paused by the optimisation, or unplugged).',
    }),
  'electric_vehicle.boost_started': z
    .object({ ...electricVehicle, battery_level: batteryLevel })
    .meta({ description: "An electric vehicle's boost is charging it (`boost_state` became `ongoing`)." }),
  'electric_vehicle.boost_ended': z
    .object({
      ...electricVehicle,
      battery_level: batteryLevel,
      boost_state: z
        .string()
        .nullable()
        .meta({ description: "Podero's `boost_state` after the boost (available, unavailable, ...)" }),
    })
    .meta({ description: "An electric vehicle's boost ended (`boost_state` left `ongoing`)." }),
  ...healthDeviceEvents('electric_vehicle', 'electric_vehicle_id', 'electric vehicle'),
  ...standardDeviceEvents('wallbox', 'wallbox_id', 'wallbox'),
  ...healthDeviceEvents('wallbox', 'wallbox_id', 'wallbox'),
  ...standardDeviceEvents('inverter', 'inverter_id', 'solar inverter'),
  ...healthDeviceEvents('inverter', 'inverter_id', 'solar inverter'),
  ...deviceChangeEvents('heat_pump', 'heat_pump_id', 'heat pump'),
  ...deviceChangeEvents('electric_vehicle', 'electric_vehicle_id', 'electric vehicle'),
  ...deviceChangeEvents('wallbox', 'wallbox_id', 'wallbox'),
  ...deviceChangeEvents('inverter', 'inverter_id', 'solar inverter'),
  // The user's charging configuration (domain/devices/charging-config-change.ts): a subject with no device.
  'charging_config.change_confirmed': z
    .object({ external_user_id: externalUserId, change: settledChange('confirmed') })
    .meta({
      description:
        "A change of the user's charging configuration was seen applied: the configuration read (CC1) shows the requested `mode` (catalogue v4).",
    }),
  'charging_config.change_failed': z
    .object({ external_user_id: externalUserId, change: settledChange('failed') })
    .meta({
      description:
        "A change of the user's charging configuration was not seen applied within its timeout (catalogue v4).",
    }),
  'sync.completed': z
    .object({
      run_id: z.string().min(1),
      pass_started_at: instant.nullable(),
      completed_at: instant,
      users: z.number().int().min(0).meta({ description: 'Users synced by the run that completed the pass' }),
      heat_pumps: z.number().int().min(0),
      readings_written: z.number().int().min(0),
      failures: z
        .number()
        .int()
        .min(0)
        .meta({ description: 'Users whose sync failed in that run (the pass, for a fleet pass)' }),
      shards: z
        .number()
        .int()
        .min(1)
        .optional()
        .meta({ description: 'Fleet passes: the shards the pass was cut into' }),
      failed_shards: z.array(z.number().int().min(0)).optional().meta({
        description:
          'Fleet passes: shards that kept failing (dead-lettered) or never came back; their users were not synced in this pass',
      }),
    })
    .meta({ description: 'The heat-pump sync completed a pass over every onboarded user.' }),
  // Day-ahead trading (domain/trading/events.ts builds them; ADR 0015). One subject: a price zone's delivery day.
  'trading.prices_uploaded': z
    .object({
      ...tradingDay,
      upload_status: z
        .string()
        .meta({ description: "Podero's answer, as the client maps it (`accepted`, `existing`)" }),
      calculation_ready_at: instant.nullable(),
    })
    .meta({
      description: "A delivery day's price forecast was uploaded to Podero (or Podero already had it).",
    }),
  'trading.curves_ready': z
    .object({
      ...tradingDay,
      optimized_wh: z.number(),
      unoptimized_wh: z.number(),
      expected_saving_eur: z.number().meta({ description: 'At the forecast prices' }),
      confirm_by: instant,
    })
    .meta({
      description:
        "Podero's optimised and unoptimised load curves for the day are stored (GET .../curves.csv).",
    }),
  'trading.confirmation_due': z
    .object({ ...tradingDay, confirm_by: instant, auto_confirm: z.boolean() })
    .meta({
      description: 'The trade waits for the desk’s decision (POST .../confirmation) before `confirm_by`.',
    }),
  'trading.confirmed': z
    .object({ ...tradingDay, decided_by: z.enum(['desk', 'auto']), podero_confirmation: tradingConfirmation })
    .meta({ description: 'The optimised volume was bought: the trade is confirmed.' }),
  'trading.rejected': z
    .object({ ...tradingDay, decided_by: z.enum(['desk', 'auto']), podero_confirmation: tradingConfirmation })
    .meta({ description: 'The trade was rejected: the fleet runs unoptimised on the day.' }),
  'trading.missed': z
    .object({
      ...tradingDay,
      previous_state: z.string(),
      reason: z.string(),
    })
    .meta({
      description: 'A deadline passed before the day was confirmed: the fleet runs unoptimised on the day.',
    }),
  'trading.failed': z
    .object({
      ...tradingDay,
      previous_state: z.string().meta({ description: 'The state the day was in when Podero refused' }),
      reason: z
        .string()
        .meta({ description: "The step and Podero's error class and status (never its body)" }),
    })
    .meta({
      description:
        'Podero refused a step for good (a 4xx, or an upload it did not take): the day ended `failed` and the fleet runs unoptimised on the day (catalogue v3).',
    }),
  'statement.ready': z
    .object({
      external_user_id: externalUserId,
      month: z
        .string()
        .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
        .meta({ description: 'The calendar month, YYYY-MM' }),
      time_zone: z.string().min(1).meta({
        description:
          "The zone whose month is final: UTC, the statement routes' default (another zone's month is final an hour or two apart)",
      }),
      from: instant.meta({ description: "The month's first instant (inclusive)" }),
      to: instant.meta({ description: "The month's end (exclusive)" }),
    })
    .meta({
      description:
        "A month's savings statement is final (its month closed a day ago): GET /users/{external_user_id}/statements/{month} (catalogue v4). Once per user and month; ids and the month only, no figures.",
    }),
  'webhook.test': z
    .object({ webhook_id: z.string().min(1), message: z.string() })
    .meta({ description: 'Sent by POST /webhooks/{webhook_id}/test to that endpoint only.' }),
} as const;

export type EventType = keyof typeof eventDataSchemas;
export const EVENT_TYPES = Object.keys(eventDataSchemas) as EventType[];
export type EventData<T extends EventType> = z.output<(typeof eventDataSchemas)[T]>;

/** An event as the bridge stores it in the outbox and hands to its destinations. */
export interface BridgeEvent<T extends EventType = EventType> {
  /** Stable: the same transition detected twice has the same id (`evt_` and 24 hex digits). */
  readonly id: string;
  readonly type: T;
  /** When the transition was observed (ISO). */
  readonly timestamp: string;
  readonly data: EventData<T>;
}

export const EVENT_ID_PATTERN = /^evt_[0-9a-f]{24}$/;

/** The outbox's stored form of an event, checked when read back (the relay drops nothing silently). */
export const bridgeEventSchema = z.union(
  EVENT_TYPES.map((type) =>
    z.object({
      id: z.string().regex(EVENT_ID_PATTERN),
      type: z.literal(type),
      timestamp: instant,
      data: eventDataSchemas[type],
    }),
  ) as unknown as [z.ZodType<BridgeEvent>, z.ZodType<BridgeEvent>],
);

/** The Standard Webhooks payload of an event (its id is the `webhook-id` header). */
export function webhookPayloadOf(event: BridgeEvent): { type: string; timestamp: string; data: unknown } {
  return { type: event.type, timestamp: event.timestamp, data: event.data };
}

/** The EventBridge detail of an event: the envelope plus its id and the catalogue version. */
export function eventBridgeDetailOf(event: BridgeEvent): Record<string, unknown> {
  return { id: event.id, version: EVENT_CATALOGUE_VERSION, ...webhookPayloadOf(event) };
}

/** The webhook payload schema of each type (for the OpenAPI document's `webhooks`). */
export function webhookPayloadSchemaOf(type: EventType): z.ZodType {
  return z.object({ type: z.literal(type), timestamp: instant, data: eventDataSchemas[type] }).meta({
    id: `Event_${type.replace(/\./g, '_')}`,
    description: eventDataSchemas[type].meta()?.description,
  });
}

/** One stored event: its JSON and the two fields the outbox orders and removes by. */
export interface OutboxEntry {
  readonly id: string;
  readonly timestamp: string;
  readonly json: string;
}

/** The outbox's form of events (storage keeps them as JSON strings with their id and time). */
export function outboxEntriesOf(events: readonly BridgeEvent[]): OutboxEntry[] {
  return events.map((event) => ({ id: event.id, timestamp: event.timestamp, json: JSON.stringify(event) }));
}
