/**
 * The device kinds the bridge knows, as data: each kind is one module beside this one (heat-pump.ts; later
 * electric-vehicle.ts, wallbox.ts, inverter.ts) declaring what the engine needs to know about it. The sync
 * engine, the snapshot and readings stores and the events take a kind instead of naming one. Pure: a kind's
 * client calls are functions of a client it receives (type-only imports), never a client of its own.
 */
import { electricVehicleKind } from './electric-vehicle';
import { heatPumpKind } from './heat-pump';
import { inverterKind } from './inverter';
import type { DeviceKind } from './kind';
import { wallboxKind } from './wallbox';

export type { ControlIssue, DeviceControl, DeviceKind, DeviceKindStorage } from './kind';
export type { DeviceKindApi } from './kind-api';

/** Every kind the bridge syncs, in sync order. A new kind is a new module, added here. */
export const deviceKinds = [heatPumpKind, electricVehicleKind, wallboxKind, inverterKind] as const;

/** What the engine's Podero client must offer: every kind's calls. */
type Intersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

export type DeviceUpstream = Intersection<Parameters<(typeof deviceKinds)[number]['list']>[0]>;

/** What a Podero client must offer to read, control and offboard devices of every kind (the API, offboarding). */
export type DevicesUpstream = Intersection<Parameters<(typeof deviceKinds)[number]['get']>[0]>;

/** What a Podero client must offer to open a re-authentication session for every kind that has one. */
export type AuthSessionsUpstream = Intersection<
  Parameters<NonNullable<Extract<(typeof deviceKinds)[number], { authSession: unknown }>['authSession']>>[0]
>;

/** The read-backs the kinds declare for controls their JSON does not show (DeviceKind.changeReadBacks). */
type DeclaredReadBacks = Extract<
  (typeof deviceKinds)[number],
  { changeReadBacks: unknown }
>['changeReadBacks'];

/** What a Podero client must offer to observe those controls (the sync reads them for open changes). */
export type ChangeReadBacksUpstream = Intersection<
  Parameters<DeclaredReadBacks[keyof DeclaredReadBacks]['read']>[0]
>;

/** What a Podero client must offer to read the 15-minute series (`/data`) of every kind that has one. */
export type HistoryUpstream = Intersection<
  Parameters<Extract<(typeof deviceKinds)[number]['history'], { available: true }>['series']>[0]
>;

/** A reading value as stored. */
export type ReadingValue = number | string | boolean | null;

/** Picks a kind's reading fields out of Podero's JSON; unknown or odd-typed values are left out. */
export function readingValuesOf(
  kind: Pick<DeviceKind, 'readingFields'>,
  device: Record<string, unknown>,
): Record<string, ReadingValue> {
  const values: Record<string, ReadingValue> = {};
  for (const field of kind.readingFields) {
    const v = device[field];
    if (
      v === null ||
      typeof v === 'string' ||
      typeof v === 'boolean' ||
      (typeof v === 'number' && Number.isFinite(v))
    ) {
      values[field] = v;
    }
  }
  return values;
}

/** The sync's figures counting devices, one per kind (`heat_pumps`): in its summary, run and pass items. */
export type DeviceFigure = (typeof deviceKinds)[number]['figure'];
export type DeviceFigures = Record<DeviceFigure, number>;

/** Every kind's figure at `value` (0: nothing counted yet). */
export const deviceFiguresOf = (value: (figure: DeviceFigure) => number = () => 0): DeviceFigures =>
  Object.fromEntries(deviceKinds.map((kind) => [kind.figure, value(kind.figure)])) as DeviceFigures;

/**
 * The sync's names from when it synced one kind, kept because stored items and log searches carry them: the
 * partition of its state, runs and passes, and the label of its log messages.
 */
export const SYNC_NAMES = { partition: 'SYNC#heat-pump-sync', logLabel: 'heat-pump sync' } as const;
