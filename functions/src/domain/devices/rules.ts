/**
 * The device rules the API and the sync both follow, for every kind, stated once (they had drifted apart when each
 * stated them: the sync kept devices of another owner, and did not count a changed response shape as
 * Podero being out).
 */
import {
  PoderoNetworkError,
  PoderoRateLimitError,
  PoderoResponseShapeError,
  PoderoServerError,
} from '@podero-bridge/podero-client';
import { CONNECTION_STATES } from '../events/catalogue';
import { type HealthRules, observeHealth } from './health';
import {
  type DeviceJson,
  type DeviceSnapshot,
  FIRST_KIND,
  newSnapshot,
  type StoredConnection,
} from './state';

/** Podero marks a deleted device with `deleted_at` (soft delete); it is no longer the user's device. */
export const isDeleted = (device: DeviceJson): boolean =>
  device.deleted_at !== undefined && device.deleted_at !== null;

/**
 * Ownership is never taken from the path alone: where Podero says who owns the device (`owner.id`), it
 * must be the Podero user we stored for the external user. Older shapes without an owner pass: they were
 * read under that user's Podero id.
 */
export const ownedBy = (device: DeviceJson, poderoUserId: string): boolean => {
  const owner = device.owner;
  if (owner === null || typeof owner !== 'object' || !('id' in owner)) return true;
  return owner.id === poderoUserId;
};

/** The devices of a Podero list that are the user's: owned by them and not deleted. */
export const visibleDevices = (listed: readonly DeviceJson[], poderoUserId: string): DeviceJson[] =>
  listed.filter((device) => !isDeleted(device) && ownedBy(device, poderoUserId));

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

/**
 * The state of a device's manufacturer connection, as the bridge tells callers (contract §5.5 step 6):
 * - `connected`: Podero says the manufacturer connection is live (`is_authenticated`);
 * - `reauthentication_required`: it is not, and Podero raised a `reauthenticate` action: the owner can
 *   repair it by signing in again (POST .../reauthentication);
 * - `disconnected`: not authenticated and no such action: the device must be onboarded again.
 * `is_authenticated` missing or null counts as not authenticated (its documented default is false).
 */
export { CONNECTION_STATES };
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export interface PendingAction {
  code: string;
  /** The resolution link, with the cue's secret: server-side only, never in a response. */
  url: string | null;
}

/** The pending actions Podero lists on the device; unknown codes are kept (and tolerated), malformed entries dropped. */
export function pendingActionsOf(device: DeviceJson): PendingAction[] {
  const raw = device.actions;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((entry: unknown) => {
    if (entry === null || typeof entry !== 'object') return [];
    const { code, resolution_link: link } = entry as { code?: unknown; resolution_link?: unknown };
    if (typeof code !== 'string' || code === '') return [];
    const url =
      link !== null && typeof link === 'object' && typeof (link as { url?: unknown }).url === 'string'
        ? (link as { url: string }).url
        : null;
    return [{ code, url }];
  });
}

export const REAUTHENTICATE_ACTION = 'reauthenticate';

export function connectionStateOf(device: DeviceJson): ConnectionState {
  if (device.is_authenticated === true) return 'connected';
  return pendingActionsOf(device).some((action) => action.code === REAUTHENTICATE_ACTION)
    ? 'reauthentication_required'
    : 'disconnected';
}

/** Podero's `action_needed`, or (where a shape lacks it) whether any action is pending. */
export function actionNeededOf(device: DeviceJson): boolean {
  if (typeof device.action_needed === 'boolean') return device.action_needed;
  return pendingActionsOf(device).length > 0;
}

/** A device's connection as last observed: its state and since when the bridge has seen it in that state. */
export interface ObservedConnection {
  state: ConnectionState;
  /** The first observation of this state after a different one; null while the state is as first seen. */
  since: string | null;
}

/**
 * The connection after a new observation at `observedAt`: the same state keeps its `since`; a change starts
 * it at this observation. The first observation of a device has no earlier state to compare with, so its
 * `since` is null (the bridge cannot know since when a device it has just met was connected).
 */
export function observeConnection(
  previous: StoredConnection | null | undefined,
  device: DeviceJson,
  observedAt: string,
): ObservedConnection {
  const state = connectionStateOf(device);
  if (!previous) return { state, since: null };
  if (previous.state === state) return { state, since: previous.since };
  return { state, since: observedAt };
}

/**
 * The snapshot to store for a device read at `fetchedAt`, given the one stored before (if any): the
 * connection, and with the kind's `healthRules` its health (domain/devices/health.ts), are observed against the
 * previous ones, wherever a state is stored (API reads and the sync).
 */
export function observedSnapshot(
  externalUserId: string,
  device: DeviceJson,
  fetchedAt: string,
  previous: DeviceSnapshot | null | undefined,
  lastReadingStateAt: string | null = previous?.lastReadingStateAt ?? null,
  kind: string = previous?.kind ?? FIRST_KIND,
  healthRules: HealthRules | null = null,
): DeviceSnapshot {
  const connection = observeConnection(previous?.connection, device, fetchedAt);
  const health =
    healthRules === null
      ? (previous?.health ?? null)
      : observeHealth(previous?.health, device, connection.state, fetchedAt, healthRules);
  // The item's pending events stay pending: a whole-item write must carry them (storage/outbox.ts).
  return {
    ...newSnapshot(externalUserId, device, fetchedAt, lastReadingStateAt, connection, kind),
    health,
    outbox: previous?.outbox ?? [],
  };
}
