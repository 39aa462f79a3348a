/**
 * The sync's part in the charging configuration's tracked changes (devices/charging-config-changes.ts):
 * after a user's pass, a user whose profile flags a pending change (the walk read the flag with the
 * profile: nobody else costs a call) gets one read of CC1, which settles the change, and the sweep fails
 * whatever passed its deadline (also when that read failed). Never throws: a user's sync does not fail
 * over it, and the flag stays up for the next pass.
 */
import type { ChangeTracker } from '../devices/change-tracker';
import { ChargingConfigChanges } from '../devices/charging-config-changes';
import { DeviceChangeStore } from '../storage/device-changes';
import { UserStore } from '../storage/users';
import type { SyncRunDeps } from './types';
import type { OnboardedUser } from './user-walk';

export class ChargingConfigSettler {
  private readonly changes: ChargingConfigChanges;

  constructor(
    private readonly deps: Pick<SyncRunDeps, 'db' | 'config' | 'now' | 'logger' | 'podero'>,
    tracker: Pick<ChangeTracker, 'read' | 'record' | 'settle'>,
  ) {
    this.changes = new ChargingConfigChanges({
      tracker,
      history: new DeviceChangeStore(deps.db, deps.config.mainTableName),
      users: new UserStore(deps.db, deps.config.mainTableName),
    });
  }

  async afterUserSynced(user: OnboardedUser): Promise<void> {
    const flagged = user.chargingConfigChangePending ?? null;
    if (flagged === null) return;
    let config: Readonly<Record<string, unknown>> | null = null;
    try {
      config = await this.deps.podero.chargingConfig.get(user.poderoUserId);
    } catch (error) {
      this.logFailure(user, 'the charging configuration could not be read this pass', error);
    }
    const at = new Date(this.deps.now()).toISOString();
    try {
      await this.changes.settle(user.externalUserId, config, at, { sweepAt: at, flagged, once: true });
    } catch (error) {
      this.logFailure(user, 'charging configuration changes not settled this pass', error);
    }
  }

  private logFailure(user: OnboardedUser, message: string, error: unknown): void {
    this.deps.logger.warn(message, {
      external_user_id: user.externalUserId,
      error_name: error instanceof Error ? error.name : 'Error',
    });
  }
}
