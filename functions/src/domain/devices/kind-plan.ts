/**
 * Which kinds the sync asks Podero about for one user (pure). A user records the kinds they have
 * (`device_kinds` on their profile item, with `device_kinds_checked_at`): an onboarding session adds the kind
 * it connected, and every `recheckMs` the sync asks about every kind once and records what it found. In
 * between it asks only about the recorded kinds, so a user with one heat pump costs one list request per
 * pass, as before there were other kinds.
 *
 * A user recorded before kinds were (no attribute) counts as a heat-pump user, and their first recheck is
 * staggered: the plan records them as checked at a moment within the last interval chosen from their id, so
 * a fleet's existing users are rechecked spread over one interval, not all in the first pass.
 */
import { createHash } from 'node:crypto';

/** What the user's profile item records about their kinds (null: recorded before kinds were). */
export interface RecordedDeviceKinds {
  readonly externalUserId: string;
  readonly deviceKinds: readonly string[] | null;
  readonly checkedAt: string | null;
}

export interface DeviceKindsPlan {
  /** The kinds to list at Podero now, in `allKinds` order. */
  readonly ask: readonly string[];
  /** Every kind is asked: what is found is the user's kinds from now on. */
  readonly recheck: boolean;
  /**
   * What to record before the lists come back (a user recorded before kinds were): the heat pump, checked at
   * the staggered moment. Null: nothing to record now.
   */
  readonly backfill: { readonly deviceKinds: readonly string[]; readonly checkedAt: string } | null;
}

/** The kind every user recorded before kinds were has: the first kind, the heat pump. */
export const KIND_BEFORE_KINDS = 'heat_pump';

/** A stable offset in [0, intervalMs) from the user's id (the stagger of their first recheck). */
export function staggerOffsetMs(externalUserId: string, intervalMs: number): number {
  const digest = createHash('sha256').update(externalUserId).digest();
  return digest.readUInt32BE(0) % Math.max(1, Math.floor(intervalMs));
}

export function planDeviceKinds(
  user: RecordedDeviceKinds,
  allKinds: readonly string[],
  nowMs: number,
  recheckMs: number,
): DeviceKindsPlan {
  let recorded = user.deviceKinds;
  let checkedAtMs = user.checkedAt === null ? Number.NaN : Date.parse(user.checkedAt);
  let backfill: DeviceKindsPlan['backfill'] = null;
  if (recorded === null || Number.isNaN(checkedAtMs)) {
    recorded = recorded ?? [KIND_BEFORE_KINDS];
    // Checked `offset` after the start of the interval that ends now: due again `recheckMs` later.
    checkedAtMs = nowMs - recheckMs + staggerOffsetMs(user.externalUserId, recheckMs);
    backfill = { deviceKinds: recorded, checkedAt: new Date(checkedAtMs).toISOString() };
  }
  if (nowMs - checkedAtMs >= recheckMs) return { ask: [...allKinds], recheck: true, backfill: null };
  const known = new Set(recorded);
  return { ask: allKinds.filter((kind) => known.has(kind)), recheck: false, backfill };
}

/** The kinds a recheck found: those with at least one of the user's devices listed. */
export function foundKinds(listedByKind: ReadonlyMap<string, number>): string[] {
  return [...listedByKind].filter(([, count]) => count > 0).map(([kind]) => kind);
}
