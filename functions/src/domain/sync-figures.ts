/**
 * The sync's figures: what a run, a shard and a fleet pass count, in one shape. Snake_case, because that is
 * how every reader of them names them: the stored run and pass items' attributes, the fields of
 * `GET /sync/status`, the `sync.completed` event's data and the run summary the logs carry. So writing them
 * anywhere is spreading them, not renaming them; the run and pass records (storage/) carry them as one
 * `figures` field.
 */
import { type DeviceFigure, deviceKinds } from './devices/kinds';

/**
 * A figure's name: `users` (walked: synced or failed), each kind's device count (`heat_pumps`),
 * `readings_written`, `failures` (users whose sync failed).
 */
export type SyncFigure = 'users' | DeviceFigure | 'readings_written' | 'failures';
export type SyncFigures = Record<SyncFigure, number>;

/** Every figure's name, in the order the items, the API and the event list them (a kind's after `users`). */
export const SYNC_FIGURES: readonly SyncFigure[] = [
  'users',
  ...deviceKinds.map((kind) => kind.figure),
  'readings_written',
  'failures',
];

/** Every figure at `value` (0: nothing counted yet). */
export const syncFiguresOf = (value: (figure: SyncFigure) => number = () => 0): SyncFigures =>
  Object.fromEntries(SYNC_FIGURES.map((figure) => [figure, value(figure)])) as SyncFigures;

/**
 * Exactly the figures of something that carries more (a run's summary, a stored item): what an item, a view
 * or an event receives, so nothing else rides along into a strict schema.
 */
export const pickSyncFigures = (source: SyncFigures): SyncFigures =>
  syncFiguresOf((figure) => source[figure]);

/** A schema for every figure, to spread into an item's or a response's schema (`users: z.number()`, ...). */
export const syncFiguresShape = <T>(schema: T): Record<SyncFigure, T> =>
  Object.fromEntries(SYNC_FIGURES.map((figure) => [figure, schema])) as Record<SyncFigure, T>;
