/**
 * Every device of a user, of every kind, in the one list envelope: each kind's list (cached or live, as its
 * own route reads it: devices/service.ts) with the kind's name as `type`. The answer is as old as its oldest
 * part, live only when every kind's part was read live, and stale when any part was.
 */
import type { DeviceReadQuery } from './schemas';

/** What the list needs of a kind's device service. */
export interface KindList {
  readonly kind: { readonly name: string };
  list(
    externalUserId: string,
    query: DeviceReadQuery,
  ): Promise<{ items: unknown[]; source: 'cache' | 'live'; fetched_at: string; stale: boolean }>;
}

export interface AllDevicesAnswer {
  items: ({ type: string } & Record<string, unknown>)[];
  next_cursor: null;
  source: 'cache' | 'live';
  fetched_at: string;
  stale: boolean;
}

export class AllDevicesService {
  constructor(private readonly kinds: readonly KindList[]) {}

  async list(externalUserId: string, query: DeviceReadQuery): Promise<AllDevicesAnswer> {
    const parts = await Promise.all(this.kinds.map((kind) => kind.list(externalUserId, query)));
    const items = parts.flatMap((part, index) =>
      part.items.map((view) => ({ type: this.kinds[index]?.kind.name ?? '', ...(view as object) })),
    );
    const oldest = parts.reduce<string | undefined>(
      (at, part) => (at === undefined || Date.parse(part.fetched_at) < Date.parse(at) ? part.fetched_at : at),
      undefined,
    );
    return {
      items,
      next_cursor: null,
      source: parts.every((part) => part.source === 'cache') ? 'cache' : 'live',
      fetched_at: oldest ?? new Date().toISOString(),
      stale: parts.some((part) => part.stale),
    };
  }
}
