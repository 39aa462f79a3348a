import * as z from 'zod';
import { ENV } from '../declarations';
import { type Env, type FleetConfig, fleetConfigFrom, fleetEnvShape, parseEnv } from '../shared/config';

export interface SyncConfig extends FleetConfig {
  /** Users whose heat pumps are fetched from Podero at once. */
  readonly syncConcurrency: number;
  /** Stop starting users when less than this remains of the invocation (ms): room to finish, write and save the cursor. */
  readonly safetyMarginMs: number;
  /** Users read from the gsi1 walk per page; the cursor is saved every this many finished users. */
  readonly userPageSize: number;
}

export const SYNC_CONCURRENCY_DEFAULT = 8;
export const SYNC_SAFETY_MARGIN_SECONDS_DEFAULT = 60;

const optionalInt = (fallback: number, max: number) =>
  z.preprocess((v) => (v === undefined || v === '' ? fallback : v), z.coerce.number().int().min(1).max(max));

const syncEnvShape = {
  ...fleetEnvShape,
  [ENV.syncConcurrency]: optionalInt(SYNC_CONCURRENCY_DEFAULT, 64),
  [ENV.syncSafetyMarginSeconds]: optionalInt(SYNC_SAFETY_MARGIN_SECONDS_DEFAULT, 600),
} as const;

export function loadSyncConfig(env: Env): SyncConfig {
  const parsed = parseEnv(syncEnvShape, env);
  const concurrency = parsed[ENV.syncConcurrency];
  return {
    ...fleetConfigFrom(parsed),
    syncConcurrency: concurrency,
    safetyMarginMs: parsed[ENV.syncSafetyMarginSeconds] * 1000,
    // A few rounds of the concurrency per page (the next page is read ahead): enough to keep Podero
    // busy, small enough that a kill between cursor saves repeats little work.
    userPageSize: Math.max(25, concurrency * 4),
  };
}
