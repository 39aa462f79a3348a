import type { Schemas } from '../api/client';

/** A device kind as the API names it (`type`, the keys of `DeviceCountsByKind`). */
export type DeviceKindName = Schemas['UserSummaryDevice']['type'];

/** The sync's figure counting a kind's devices (a field of each pass and run in `GET /sync/status`). */
type PassFigure = keyof Schemas['SyncStatus']['passes'][number];

/**
 * How the console names each kind, the sync figure counting its devices, and its segment in the API's paths
 * (`/users/{id}/heat-pumps/…`, also the console's device routes), in the order the API lists kinds (heat pumps
 * first).
 */
export const DEVICE_KIND_LABELS: Readonly<
  Record<DeviceKindName, { one: string; many: string; figure: PassFigure; path: string }>
> = {
  heat_pump: { one: 'Heat pump', many: 'Heat pumps', figure: 'heat_pumps', path: 'heat-pumps' },
  electric_vehicle: {
    one: 'Electric vehicle',
    many: 'Electric vehicles',
    figure: 'electric_vehicles',
    path: 'electric-vehicles',
  },
  wallbox: { one: 'Wallbox', many: 'Wallboxes', figure: 'wallboxes', path: 'wallboxes' },
  inverter: { one: 'Solar inverter', many: 'Solar inverters', figure: 'inverters', path: 'inverters' },
};

export const DEVICE_KIND_NAMES = Object.keys(DEVICE_KIND_LABELS) as DeviceKindName[];

/** The kind whose API path segment this is (`heat-pumps`), or undefined. */
export function kindOfPath(segment: string): DeviceKindName | undefined {
  return DEVICE_KIND_NAMES.find((kind) => DEVICE_KIND_LABELS[kind].path === segment);
}
