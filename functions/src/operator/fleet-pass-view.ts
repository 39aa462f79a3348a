import { failedShardsOf, type PassRecord } from '../storage/sync-passes';
import type { SyncStatus } from './schemas';

export type FleetPassView = NonNullable<SyncStatus['fleet_pass']>;

/** A fleet pass as `GET /sync/status` shows it (and the local stack's scheduled `heat-pump-sync` answers). */
export function fleetPassView(pass: PassRecord): FleetPassView {
  return {
    pass_id: pass.passId,
    status: pass.status,
    started_at: pass.startedAt,
    completed_at: pass.completedAt,
    shards: pass.shardCount,
    shards_done: pass.shardsDone,
    failed_shards: failedShardsOf(pass),
    users: pass.users,
    ...pass.devices,
    readings_written: pass.readingsWritten,
    failures: pass.failures,
  };
}
