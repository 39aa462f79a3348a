/**
 * What every kind's allow-listed view shares: the connection summary, the device model's descriptive
 * fields, the pending actions by code, and the read envelopes (`source`, `fetched_at`, `stale`). A kind
 * declares only its own fields (heat-pump-view.ts); `deviceViewOf` builds the view from Podero's JSON and the
 * observed connection, for live and cached answers alike, so no route can pass Podero's object through.
 * Pure: zod and the domain's rules only.
 */
import * as z from 'zod';
import {
  CHANGE_STATUSES,
  type DeviceHealthView,
  NOT_STEERABLE_REASONS,
  REPORTING_STATES,
  STEERING_STATES,
} from './health';
import { actionNeededOf, CONNECTION_STATES, connectionStateOf, pendingActionsOf } from './rules';
import type { DeviceJson, StoredConnection } from './state';

const text = z.string().nullish();
const num = z.number().nullish();

/**
 * The model's descriptive fields. Its OpenAPI name is the heat pump's because it was the first kind's
 * (the document stays byte-identical); every kind shares it.
 */
export const deviceModelViewSchema = z
  .strictObject({
    device_type: z.strictObject({ short_name: z.string(), long_name: z.string() }).optional(),
    manufacturer: text,
    model: text,
    year: num,
  })
  .meta({ id: 'HeatPumpDeviceModel' });

/** The bridge's connection summary, the same for every kind (OpenAPI name kept from the first kind). */
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

/** The bridge's health summary, the same for every kind (domain/devices/health.ts decides it). */
export const deviceHealthSchema = z
  .strictObject({
    reporting: z.strictObject({
      state: z.enum(REPORTING_STATES).meta({
        description:
          "ok: a new state (Podero's `current_state_last_updated_at`) within the kind's threshold; stale: none for longer, while connected; unknown: not connected, or Podero sends no state time.",
      }),
      since: z.string().nullable().meta({
        description:
          'When the bridge first observed this state after a different one (stale: when the last state plus the threshold passed); null while the state is as first seen.',
      }),
      reason: z.string().meta({ description: 'Why, in words' }),
      last_state_at: z.string().nullable().meta({ description: "Podero's `current_state_last_updated_at`" }),
      stale_after_seconds: z
        .number()
        .meta({ description: "The kind's threshold: its declared number of sync intervals, in seconds" }),
    }),
    steering: z.strictObject({
      state: z.enum(STEERING_STATES).meta({
        description:
          "Podero's `steering_status` (ok | warning | error | unknown); missing or undocumented: unknown.",
      }),
      since: z.string().nullable().meta({
        description:
          'When the bridge first observed this state after a different one; null while as first seen.',
      }),
      reason: z.string(),
      actual_steering_state: z
        .string()
        .nullable()
        .meta({ description: "Podero's `actual_steering_state`, verbatim (its values are not documented)" }),
    }),
    steerable: z.boolean().meta({
      description:
        "Steerable now: connected, reporting `ok`, steering `ok`, and the device's latest change not failed.",
    }),
    not_steerable_because: z.array(z.enum(NOT_STEERABLE_REASONS)).meta({
      description: `What stands in the way (empty when steerable). A change's status is one of ${CHANGE_STATUSES.join(', ')}.`,
    }),
  })
  .meta({ id: 'DeviceHealth', description: "The device's health beside its connection, judged now" });

/**
 * The fields every kind shares (contract §3.5 "Common device fields") that a caller may see: the kinds after
 * the heat pump spread these into their allow-lists (the heat pump's keeps its own order, for its document).
 * Not here: `owner` (Podero's ids and the owner's e-mail), `deleted_at` (a deleted device is not shown),
 * `external_device_id`, `comment` (the partner's back-office notes) and the links with secrets.
 */
export const commonDeviceFieldSchemas = {
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
  is_authenticated: z
    .boolean()
    .nullish()
    .meta({ description: 'The manufacturer connection is live (see `connection`)' }),
  is_smart_optimization_active: z.boolean().nullish(),
  optimization_score: num,
  current_mode: text,
  current_state_last_updated_at: text,
  last_monitoring_executed_at: text,
  is_pause_power_active: z.boolean().nullish(),
  pause_power_until: text,
  is_forecasting_enabled: z.boolean().nullish(),
  is_trading_enabled: z.boolean().nullish(),
  actual_steering_state: text,
};

/** Pending actions by code: their resolution links carry a cue's secret and stay with the bridge. */
export const actionsViewSchema = z
  .array(
    z.strictObject({
      code: z.string().meta({ description: 'reauthenticate, information, or a newer code' }),
    }),
  )
  .meta({ description: 'Pending actions by code (their resolution links stay with the bridge)' });

/** Every field of a shape made optional (a field Podero omits is left out of the view). */
export function optionalFields<T extends Record<string, z.ZodType>>(
  shape: T,
): { [K in keyof T]: z.ZodOptional<T[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof T]: z.ZodOptional<T[K]>;
  };
}

/** Only the model's descriptive fields: Podero's cloud-service links and ids are not for callers. */
function pickDeviceModel(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object') return undefined;
  const { device_type, manufacturer, model, year } = raw as Record<string, unknown>;
  const deviceType =
    device_type !== null && typeof device_type === 'object'
      ? {
          short_name: (device_type as Record<string, unknown>).short_name,
          long_name: (device_type as Record<string, unknown>).long_name,
        }
      : undefined;
  return {
    ...(deviceType === undefined ? {} : { device_type: deviceType }),
    ...(manufacturer === undefined ? {} : { manufacturer }),
    ...(model === undefined ? {} : { model }),
    ...(year === undefined ? {} : { year }),
  };
}

/**
 * The view function of a kind whose allow-listed fields are `fieldSchemas`: one object schema (unknown keys
 * stripped, each field dropped when absent or of another type), so a view is one parse per device instead of
 * one per field (issue 21: a field-by-field safeParse was the largest share of our own code in a cached
 * read). Call it once per kind, at module scope.
 */
export function deviceViewOf<View>(
  fieldSchemas: Readonly<Record<string, z.ZodType>>,
): (device: DeviceJson, observed: StoredConnection | null, health?: DeviceHealthView) => View {
  const viewFieldsSchema = z.object(
    Object.fromEntries(
      Object.entries(fieldSchemas).map(([key, schema]) => [key, schema.optional().catch(undefined)]),
    ),
  );
  return (device, observed, health) => {
    const view: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(viewFieldsSchema.parse(device))) {
      if (value !== undefined) view[key] = value;
    }
    const model = deviceModelViewSchema.safeParse(pickDeviceModel(device.device_model));
    if (model.success) view.device_model = model.data;
    // `since` is the bridge's own knowledge, valid only for the state it was observed with.
    const state = connectionStateOf(device);
    return {
      ...view,
      id: device.id,
      actions: pendingActionsOf(device).map((action) => ({ code: action.code })),
      connection: {
        state,
        action_needed: actionNeededOf(device),
        since: observed?.state === state ? observed.since : null,
      },
      // Judged by the caller against the clock (the view itself is pure of time).
      ...(health === undefined ? {} : { health }),
    } as View;
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

/** What the read envelopes need to know of a kind: its name (the one-device field) and OpenAPI names. */
export interface DeviceEnvelopeNames<Name extends string = string> {
  /** The one-device answer's field (`heat_pump`): the kind's name. */
  readonly name: Name;
  /** `HeatPump`: the envelopes are `<singular>List` and `<singular>Read`. */
  readonly singular: string;
  /** `heat pump`: for the list's descriptions. */
  readonly noun: string;
}

/**
 * A kind's list and one-device answers around its view schema. Call it once per kind, at module scope (its
 * OpenAPI ids are registered by the schemas it returns).
 */
export function deviceEnvelopesOf<Name extends string, View extends z.ZodType>(
  names: DeviceEnvelopeNames<Name>,
  view: View,
) {
  const list = z
    .strictObject({
      items: z.array(view),
      next_cursor: z
        .null()
        .meta({ description: `Always null: every ${names.noun} of the user is on the one page` }),
      ...sourceFields,
    })
    .meta({ id: `${names.singular}List` });
  const one = z
    .strictObject({ [names.name]: view, ...sourceFields } as { [K in Name]: View } & typeof sourceFields)
    .meta({ id: `${names.singular}Read` });
  return { list, one };
}

/** A list answer, as the device service builds it (the route's schema checks it). */
export interface DeviceListAnswer<View> {
  items: View[];
  next_cursor: null;
  source: 'cache' | 'live';
  fetched_at: string;
  stale: boolean;
}
