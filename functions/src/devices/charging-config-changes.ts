/**
 * The charging configuration's tracked changes across their stores (domain/devices/charging-config-change.ts):
 * the change tracker's open item and history under the subject `charging_config`, and the flag on the
 * user's profile that makes the sync read CC1 for this user (storage/users.ts). Shared by the API (the PUT
 * records, the PUT's read-back and every GET settle) and the sync (a flagged user's pass settles, and
 * fails what passed its deadline).
 */

import type { DeviceChange } from '../domain/devices/changes';
import {
  CHARGING_CONFIG_SUBJECT,
  CHARGING_CONFIG_TARGET,
  chargingConfigObservation,
  chargingConfigSubject,
} from '../domain/devices/charging-config-change';
import type { ChangePage, DeviceChangeStore } from '../storage/device-changes';
import type { UserStore } from '../storage/users';
import type { ChangeTracker } from './change-tracker';

export interface ChargingConfigChangesDeps {
  tracker: Pick<ChangeTracker, 'read' | 'record' | 'settle'>;
  history: Pick<DeviceChangeStore, 'get' | 'list'>;
  users: Pick<UserStore, 'flagChargingConfigChange' | 'clearChargingConfigChange'>;
}

export class ChargingConfigChanges {
  constructor(private readonly deps: ChargingConfigChangesDeps) {}

  /** Records a change Podero took: the profile's flag first, so no pending change is ever unflagged. */
  async record(change: DeviceChange): Promise<DeviceChange> {
    await this.deps.users.flagChargingConfigChange(change.externalUserId, change.id);
    return this.deps.tracker.record(change);
  }

  /**
   * Settles the user's open changes against one read of CC1 (`config`, made at `observedAt`); `sweepAt`
   * (a sync pass) also fails those past their deadline, read or not (`config` null: the read failed).
   * Lowers the flag when none stays open; `flagged` is the id the profile names, when the caller knows it
   * (the sync's walk: a flag left up by a lost write comes down). Answers the changes it settled.
   */
  async settle(
    externalUserId: string,
    config: Readonly<Record<string, unknown>> | null,
    observedAt: string,
    options: { sweepAt?: string; flagged?: string | null; once?: boolean } = {},
  ): Promise<readonly DeviceChange[]> {
    const open = await this.deps.tracker.read(externalUserId, chargingConfigSubject);
    const observations = config === null ? new Map() : chargingConfigObservation(config, observedAt);
    const settled =
      open.changes.open.length === 0
        ? []
        : await this.deps.tracker.settle(externalUserId, chargingConfigSubject, observations, {
            preloaded: open,
            ...(options.sweepAt === undefined ? {} : { sweepAt: options.sweepAt }),
            ...(options.once === undefined ? {} : { once: options.once }),
          });
    const gone = new Set(settled.map((change) => change.id));
    if (open.changes.open.every((change) => gone.has(change.id))) {
      const ids = [...gone, ...(options.flagged ? [options.flagged] : [])];
      await this.deps.users.clearChargingConfigChange(externalUserId, ids);
    }
    return settled;
  }

  /** One page of the user's configuration changes, newest first. */
  list(externalUserId: string, limit: number, cursor?: string): Promise<ChangePage> {
    return this.deps.history.list(
      externalUserId,
      CHARGING_CONFIG_SUBJECT,
      CHARGING_CONFIG_TARGET,
      limit,
      cursor,
    );
  }

  get(externalUserId: string, changeId: string): Promise<DeviceChange | null> {
    return this.deps.history.get(externalUserId, CHARGING_CONFIG_SUBJECT, CHARGING_CONFIG_TARGET, changeId);
  }
}
