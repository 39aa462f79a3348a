import type { Schemas } from '../api/client';

/** A device kind as the API names it (`type`, the keys of `DeviceCountsByKind`). */
export type DeviceKindName = Schemas['UserSummaryDevice']['type'];

/** The sync's figure counting a kind's devices (a field of each pass and run in `GET /sync/status`). */
type PassFigure = keyof Schemas['SyncStatus']['passes'][number];

/**
 * How the console names each kind, and the sync figure counting its devices, in the order the API lists
 * kinds (heat pumps first).
 */
export const DEVICE_KIND_LABELS: Readonly<
  Record<DeviceKindName, { one: string; many: string; figure: PassFigure }>
> = {
  heat_pump: { one: 'Heat pump', many: 'Heat pumps', figure: 'heat_pumps' },
  electric_vehicle: { one: 'Electric vehicle', many: 'Electric vehicles', figure: 'electric_vehicles' },
  wallbox: { one: 'Wallbox', many: 'Wallboxes', figure: 'wallboxes' },
  inverter: { one: 'Solar inverter', many: 'Solar inverters', figure: 'inverters' },
};

export const DEVICE_KIND_NAMES = Object.keys(DEVICE_KIND_LABELS) as DeviceKindName[];
