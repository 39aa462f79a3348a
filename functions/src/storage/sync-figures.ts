/**
 * The sync's figures (domain/sync-figures.ts) as attributes of the run, pass and pass-history items, written
 * and read here only. The attributes carry the figures' own names, so an item written before any of this
 * reads back as it was; a figure an item lacks (a pass begun before a kind was added) reads as 0.
 */
import * as z from 'zod';
import { pickSyncFigures, SYNC_FIGURES, type SyncFigures, syncFiguresShape } from '../domain/sync-figures';

const figuresItemSchema = z.object(syncFiguresShape(z.number().int().min(0).default(0)));

/** The figures an item holds. */
export function figuresOfItem(item: Record<string, unknown>): SyncFigures {
  return figuresItemSchema.parse(item);
}

/** The figures as an item's attributes (exactly them), to spread into the item. */
export const figuresItem = (figures: SyncFigures): SyncFigures => pickSyncFigures(figures);

/** Placeholders of each figure in an update expression (`users` is a DynamoDB reserved word: all go by name). */
const names = Object.fromEntries(SYNC_FIGURES.map((figure, i) => [`#figure${i}`, figure]));

/** An update's `SET` clauses putting every figure at 0 (a pass begins), with their names and value. */
export function zeroFiguresUpdate(): {
  set: string;
  names: Record<string, string>;
  values: Record<string, number>;
} {
  return {
    set: SYNC_FIGURES.map((_, i) => `#figure${i} = :figureZero`).join(', '),
    names,
    values: { ':figureZero': 0 },
  };
}

/**
 * The sum of the sync's figures, in one place: an update's `ADD` clauses adding `figures` to the item's (a
 * shard's runs to their pass, each shard as it settles), with their names and values.
 */
export function addFiguresUpdate(figures: SyncFigures): {
  add: string;
  names: Record<string, string>;
  values: Record<string, number>;
} {
  return {
    add: SYNC_FIGURES.map((_, i) => `#figure${i} :figure${i}`).join(', '),
    names,
    values: Object.fromEntries(SYNC_FIGURES.map((figure, i) => [`:figure${i}`, figures[figure]])),
  };
}
