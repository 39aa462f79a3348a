/**
 * Shard planning (pure; ADR 0012): the onboarded users, in walk order, cut into contiguous ranges of at
 * most `shardSize` users. A shard is `(after, until]` of the walk's sort key; the first starts at the
 * beginning and the last runs to the end, so the shards cover every id, present or onboarded later,
 * exactly once. Ranges need no data of their own: a hash shard would need its own index partition.
 */
export interface ShardRange {
  readonly index: number;
  /** Exclusive; null for the first shard. */
  readonly after: string | null;
  /** Inclusive; null for the last shard. */
  readonly until: string | null;
}

/** Fed the walk one id at a time (in order), keeps only the boundaries: a million users fit in little memory. */
export class ShardPlanner {
  private readonly boundaries: string[] = [];
  private inShard = 0;
  private last: string | null = null;
  private count = 0;

  constructor(private readonly shardSize: number) {
    if (!Number.isInteger(shardSize) || shardSize < 1)
      throw new Error(`shard size must be >= 1, got ${shardSize}`);
  }

  /** The next id of the walk; ids must come in strictly increasing order. */
  add(externalUserId: string): void {
    if (this.last !== null && externalUserId <= this.last) {
      throw new Error('shard planning needs the users in strictly increasing walk order');
    }
    this.last = externalUserId;
    this.count++;
    this.inShard++;
    if (this.inShard === this.shardSize) {
      this.boundaries.push(externalUserId);
      this.inShard = 0;
    }
  }

  get users(): number {
    return this.count;
  }

  /** The shards: at least one (an empty fleet is one empty shard, so a pass still completes). */
  shards(): ShardRange[] {
    // A boundary that is the walk's last id would leave an empty last shard: the previous one runs to the end.
    const cuts = this.inShard === 0 ? this.boundaries.slice(0, -1) : this.boundaries;
    const ranges: ShardRange[] = [];
    let after: string | null = null;
    for (const cut of cuts) {
      ranges.push({ index: ranges.length, after, until: cut });
      after = cut;
    }
    ranges.push({ index: ranges.length, after, until: null });
    return ranges;
  }
}

/** The shards of a walk given whole (tests, small fleets). */
export function planShards(externalUserIds: Iterable<string>, shardSize: number): ShardRange[] {
  const planner = new ShardPlanner(shardSize);
  for (const id of externalUserIds) planner.add(id);
  return planner.shards();
}
