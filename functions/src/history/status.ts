/**
 * What an operator sees of the history backfill (`GET /history/backfill`): where its walk is, its last run
 * and totals, and each device's record (how far its gaps were attempted, what was filled, what stays
 * unfillable and why). Stored data only: no Podero call.
 */
import { UNFILLABLE_REASONS } from '../domain/readings/history';
import type { BackfillStateStore } from '../storage/backfill-state';

export class BackfillStatusService {
  constructor(private readonly store: Pick<BackfillStateStore, 'getRun' | 'listDevices'>) {}

  async status(query: { limit: number; cursor?: string | undefined }) {
    const run = await this.store.getRun();
    const page = await this.store.listDevices(query.limit, query.cursor);
    return {
      run: {
        pass: run.pass,
        pass_started_at: run.passStartedAt,
        in_pass_after_user: run.cursor,
        last_pass_completed_at: run.lastPassCompletedAt,
        last_run_at: run.lastRunAt,
        last_run_ending: run.lastRunEnding,
        last_run: run.lastRun,
        totals: run.totals,
      },
      reasons: UNFILLABLE_REASONS,
      devices: page.devices.map((device) => ({
        kind: device.kind,
        device_id: device.deviceId,
        external_user_id: device.externalUserId,
        checked_through: device.checkedThrough,
        filled_quarters: device.filledQuarters,
        unfillable_quarters: device.unfillableQuarters,
        unfillable: device.unfillable,
        updated_at: device.updatedAt,
      })),
      next_cursor: page.next,
    };
  }
}
