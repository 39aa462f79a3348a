/**
 * A device's state as the bridge keeps it (any kind): Podero's JSON verbatim, when it was fetched, its state time,
 * the connection the bridge observed, and the change events stored with it (storage/device-snapshots.ts
 * keeps it in DynamoDB; the rules, the sync and the events read it). Pure data, no I/O.
 */
import { REPORTING_STATES, STEERING_STATES } from '../events/catalogue';

/** A device as Podero returned it; only `id` is relied upon, everything else is kept verbatim. */
export type DeviceJson = { id: string } & Record<string, unknown>;

export interface DeviceSnapshot {
  /**
   * The device's kind (`heat_pump`: DeviceKind.name). Not stored (a kind's items have keys of their own): the
   * store fills it from the key it read, the code that makes a snapshot from the kind it read.
   */
  kind: string;
  externalUserId: string;
  deviceId: string;
  device: DeviceJson;
  /** When we fetched it from Podero (ISO). */
  fetchedAt: string;
  /** Podero's `current_state_last_updated_at`, normalised to `Date#toISOString()`, or null. */
  stateUpdatedAt: string | null;
  /**
   * State timestamp of the last reading the sync wrote for this device. Kept apart from
   * `stateUpdatedAt` because API live reads refresh the snapshot too: comparing against the
   * snapshot's state would lose the reading of a state first seen by an API read.
   */
  lastReadingStateAt: string | null;
  /**
   * The device's connection as the bridge last observed it (domain/devices/rules.ts observeConnection): kept
   * beside the JSON because `since` is the bridge's own knowledge, not Podero's. Null in items written
   * before it existed.
   */
  connection: StoredConnection | null;
  /**
   * The device's health as the bridge last observed it (domain/devices/health.ts observeHealth): reporting and
   * steering with their `since`. Null or absent in items written before it existed, or by code that does not
   * observe it.
   */
  health?: StoredHealth | null;
  /**
   * Change events stored with this state and not yet published (storage/outbox.ts), as read; carried into
   * the next whole-item write of the snapshot so that none is dropped by it.
   */
  outbox: readonly string[];
  /**
   * As read: the fingerprint of the list this state was fetched with (storage/snapshot-json.ts
   * listFingerprintOf); absent when a single device's read stored it, or before lists were fingerprinted.
   */
  listedWith?: string;
}

export interface StoredConnection {
  state: string;
  since: string | null;
}

export { REPORTING_STATES, STEERING_STATES };
export type ReportingState = (typeof REPORTING_STATES)[number];
export type SteeringState = (typeof STEERING_STATES)[number];

export interface StoredHealthPart<S extends string> {
  state: S;
  since: string | null;
}

/** What the bridge stores beside a snapshot (like its connection): the last observed health. */
export interface StoredHealth {
  reporting: StoredHealthPart<ReportingState>;
  steering: StoredHealthPart<SteeringState>;
}

/** `current_state_last_updated_at` as a sortable ISO string (readings are keyed by it), or null. */
export function stateTimestampOf(device: Record<string, unknown>): string | null {
  const raw = device.current_state_last_updated_at;
  if (typeof raw !== 'string') return null;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * The kind of a snapshot made by code that predates kinds and knows only the first one (the sync's plan
 * passes its kind; tests). kinds.test.ts checks it is the heat pump's name.
 */
export const FIRST_KIND = 'heat_pump';

export function newSnapshot(
  externalUserId: string,
  device: DeviceJson,
  fetchedAt: string,
  lastReadingStateAt: string | null = null,
  connection: StoredConnection | null = null,
  kind: string = FIRST_KIND,
): DeviceSnapshot {
  return {
    kind,
    externalUserId,
    deviceId: device.id,
    device,
    fetchedAt,
    stateUpdatedAt: stateTimestampOf(device),
    lastReadingStateAt,
    connection,
    outbox: [],
  };
}
