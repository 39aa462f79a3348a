/**
 * What a caller sees of a heat pump: the allow-listed fields of Podero's object (schemas.ts says which and
 * why), its pending actions by code only, and the connection summary. Built from the JSON and the observed
 * connection, for live and cached answers alike, so no route can pass Podero's object through.
 */
import * as z from 'zod';
import { actionNeededOf, connectionStateOf, pendingActionsOf } from '../domain/devices/rules';
import type { DeviceJson, StoredConnection } from '../storage/device-snapshots';
import { deviceModelViewSchema, type HeatPumpView, heatPumpFieldSchemas } from './schemas';

/**
 * The allow-listed fields in one object schema (unknown keys stripped), each dropped when absent or of
 * another type: one parse per heat pump instead of one per field (issue 21: a field-by-field safeParse
 * was the largest share of our own code in a cached read).
 */
const viewFieldsSchema = z.object(
  Object.fromEntries(
    Object.entries(heatPumpFieldSchemas).map(([key, schema]) => [
      key,
      (schema as z.ZodType).optional().catch(undefined),
    ]),
  ),
);

export function heatPumpView(device: DeviceJson, observed: StoredConnection | null): HeatPumpView {
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
  } as HeatPumpView;
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
