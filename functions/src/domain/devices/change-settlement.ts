/**
 * Settling a device's open changes against an observation of it, by its kind's declarations (each
 * control's `applied`, the kind's event names): what the sync's plan and the API's live reads both do
 * before they store a snapshot. Pure. Apart from changes.ts, which kind.ts imports, to close no circle.
 */
import type { BridgeEvent } from '../events/catalogue';
import {
  changeSettledEvent,
  type DeviceChange,
  NO_CHANGES,
  type SnapshotChanges,
  settleOpenChanges,
} from './changes';
import type { DeviceKind } from './kind';
import type { DeviceSnapshot } from './state';

export interface SnapshotSettlement {
  /** The snapshot with what is still open, and its latest change's status. */
  readonly snapshot: DeviceSnapshot;
  /** The changes this observation settled (confirmed or failed): to store in the history and count. */
  readonly settled: readonly DeviceChange[];
  /** Their events, to store with the snapshot (exactly once: the id is the change's). */
  readonly events: readonly BridgeEvent[];
}

export function settleSnapshot(
  kind: Pick<DeviceKind, 'controls' | 'api'>,
  snapshot: DeviceSnapshot,
): SnapshotSettlement {
  const changes: SnapshotChanges = snapshot.changes ?? NO_CHANGES;
  if (changes.open.length === 0) return { snapshot, settled: [], events: [] };
  const { changes: next, settled } = settleOpenChanges(
    changes,
    { device: snapshot.device, observedAt: snapshot.fetchedAt },
    (change) => kind.controls[change.control]?.applied,
  );
  if (settled.length === 0) return { snapshot, settled: [], events: [] };
  const events = settled
    .map((change) => changeSettledEvent(change, kind.api.idParam))
    .filter((event): event is BridgeEvent => event !== null);
  return { snapshot: { ...snapshot, changes: next }, settled, events };
}
