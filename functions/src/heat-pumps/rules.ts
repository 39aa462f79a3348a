/**
 * The heat-pump rules the API and the sync both follow, stated once (they had drifted apart when each
 * stated them: the sync kept devices of another owner, and did not count a changed response shape as
 * Podero being out).
 */
import {
  PoderoNetworkError,
  PoderoRateLimitError,
  PoderoResponseShapeError,
  PoderoServerError,
} from '@podero-bridge/podero-client';
import type { HeatPumpJson } from '../storage/heat-pump-snapshots';

/** Podero marks a deleted heat pump with `deleted_at` (soft delete); it is no longer the user's device. */
export const isDeleted = (heatPump: HeatPumpJson): boolean =>
  heatPump.deleted_at !== undefined && heatPump.deleted_at !== null;

/**
 * Ownership is never taken from the path alone: where Podero says who owns the heat pump (`owner.id`), it
 * must be the Podero user we stored for the external user. Older shapes without an owner pass: they were
 * read under that user's Podero id.
 */
export const ownedBy = (heatPump: HeatPumpJson, poderoUserId: string): boolean => {
  const owner = heatPump.owner;
  if (owner === null || typeof owner !== 'object' || !('id' in owner)) return true;
  return owner.id === poderoUserId;
};

/** The heat pumps of a Podero list that are the user's: owned by them and not deleted. */
export const visibleHeatPumps = (listed: readonly HeatPumpJson[], poderoUserId: string): HeatPumpJson[] =>
  listed.filter((heatPump) => !isDeleted(heatPump) && ownedBy(heatPump, poderoUserId));

/**
 * Podero is out (not: the request was wrong): 5xx, no answer, rate-limited, or an answer we cannot read.
 * A stale snapshot may stand in for such a failure (`stale_if_error_seconds`), and a sync run stops after
 * a streak of them instead of walking the whole fleet into the same failure.
 */
export const isUpstreamOutage = (error: unknown): boolean =>
  error instanceof PoderoServerError ||
  error instanceof PoderoNetworkError ||
  error instanceof PoderoRateLimitError ||
  error instanceof PoderoResponseShapeError;
