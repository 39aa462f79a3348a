/**
 * What a device kind declares (the registry, kinds.ts, lists the kinds; each kind is a module beside it).
 * Apart from kinds.ts so that a kind's module and the registry import it without closing a circle.
 */
import type { BridgeEvent, EventType } from '../events/catalogue';
import type { DeviceJson, DeviceSnapshot } from './state';

/** Where and under which attribute names a kind's items live; the values are the stored data's, verbatim. */
export interface DeviceKindStorage {
  /** Sort key prefix of a device's snapshot in its user's partition, and partition prefix of its readings. */
  readonly skPrefix: string;
  /** Sort key of the user's list marker for the kind. */
  readonly listMarkerSk: string;
  /** Attribute holding the device's id (snapshots, readings). */
  readonly idAttribute: string;
  /** Attribute holding Podero's JSON, as a string. */
  readonly jsonAttribute: string;
  /** The marker's attribute listing the ids. */
  readonly idsAttribute: string;
  /** `entity` of a snapshot item and of a list marker item. */
  readonly snapshotEntity: string;
  readonly markerEntity: string;
}

export interface DeviceKind<Upstream = unknown> {
  /** The kind's name: the prefix of its event types (`heat_pump.connected`). */
  readonly name: string;
  /** How messages name one device of the kind ('heat pump'). */
  readonly noun: string;
  /** Podero's paths for the kind (documentation and the client's resource). */
  readonly poderoPaths: { readonly list: string; readonly one: string };
  /** Lists a user's devices of this kind through the client the engine holds. */
  list(podero: Upstream, poderoUserId: string): Promise<DeviceJson[]>;
  /** The devices of a Podero list that are the user's (owned, not deleted). */
  visible(listed: readonly DeviceJson[], poderoUserId: string): DeviceJson[];
  readonly storage: DeviceKindStorage;
  /** The state fields copied into a reading (charts and billing). */
  readonly readingFields: readonly string[];
  /** The field of the sync's figures (summary, run and pass items) counting the kind's devices. */
  readonly figure: string;
  /** The metric counting the kind's synced devices. */
  readonly metric: string;
  /** The event types the kind emits. */
  readonly eventTypes: readonly EventType[];
  /** The change events between two states of one device. */
  changeEvents(previous: DeviceSnapshot | null | undefined, next: DeviceSnapshot): BridgeEvent[];
  /** The deletion events for the ids the previous list named that the current one does not. */
  deletedEvents(
    externalUserId: string,
    previousIds: readonly string[],
    currentIds: ReadonlySet<string>,
    at: string,
  ): BridgeEvent[];
}
