/**
 * The device sync: walks every onboarded user (gsi1, external_user_id order) from the stored
 * cursor, lists each user's devices of every kind from Podero with bounded concurrency, and stores the latest
 * snapshot plus one reading per new state timestamp, in BatchWriteItem batches.
 *
 * Pipelined: a user starts as soon as one of the C Podero slots frees, while earlier users' writes,
 * failure records and cursor saves run in the background (`WritePipeline`); nothing waits for a page
 * to finish. Progress is still a prefix: users start in walk order, a stop only prevents further
 * starts, and the cursor moves only past the longest prefix of finished users, so "every user up to
 * the cursor was processed" always holds and a later run resumes without gaps. Re-processing a user
 * is harmless (readings are keyed by state time), so a run that dies between writing and saving the
 * cursor causes repeated work, never duplicates.
 *
 * Failures: a user whose Podero call or writes fail is recorded (`FAILURE#<id>`) and skipped; the
 * next pass walks every user again, so a failed user is retried as part of the next pass (and its
 * failure record is cleared once it succeeds). One pass per run at most: when the walk reaches the
 * end, the cursor is reset and the next scheduled run starts the next pass.
 */

import { SyncRun } from './run';
import type { SyncRunDeps, SyncRunInput, SyncSummary } from './types';

export { maxUsersAheadOfCursor, OUTAGE_STOP_THRESHOLD_DEFAULT } from './run';
export type {
  SyncRunDeps,
  SyncRunInput,
  SyncScope,
  SyncSettings,
  SyncStopReason,
  SyncSummary,
  SyncUpstream,
} from './types';

/** One run of the sync (the engine: run.ts; what it writes per user: plan.ts). */
export function runHeatPumpSync(deps: SyncRunDeps, input: SyncRunInput): Promise<SyncSummary> {
  return new SyncRun(deps, input).run();
}
