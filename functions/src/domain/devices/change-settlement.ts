/**
 * Settling a user's open changes of one kind against observations of its devices, by the kind's
 * declarations (each control's `applied`): what the sync's passes and the API's live reads both do. Pure.
 * Apart from changes.ts, which kind.ts imports, to close no circle.
 */
import { type DeviceObservation, type OpenChanges, type Settlement, settleOpenChanges } from './changes';
import type { DeviceKind } from './kind';

export function settleObserved(
  kind: Pick<DeviceKind, 'controls' | 'changeChecks' | 'changeReadBacks'>,
  changes: OpenChanges,
  observations: ReadonlyMap<string, DeviceObservation>,
  sweepAt?: string,
): Settlement {
  if (changes.open.length === 0) return { changes, settled: [] };
  return settleOpenChanges(
    changes,
    observations,
    (change) => kind.controls[change.control]?.applied ?? kind.changeChecks?.[change.control],
    sweepAt,
    (change) => (kind.changeReadBacks?.[change.control] === undefined ? undefined : change.control),
  );
}
