/**
 * What a fleet pass saw of the fleet's devices: how many in each connection state, and how many of the
 * connected ones were stale. Counted by the sync as it plans each user, summed over a pass's runs and
 * shards, kept per day for the console's trends (storage/fleet-daily.ts).
 */

import { CONNECTION_STATES, type ConnectionState, connectionStateOf } from './devices/rules';
import type { DeviceJson } from './devices/state';

export interface FleetCensus {
  connection: Record<ConnectionState, number>;
  /**
   * Connected devices whose reporting the sync judged stale (device health, domain/devices/health.ts); null
   * where nothing was judged (a pass item written before health), shown as missing rather than zero.
   */
  stale: number | null;
}

export const emptyCensus = (): FleetCensus => ({
  connection: Object.fromEntries(CONNECTION_STATES.map((state) => [state, 0])) as FleetCensus['connection'],
  stale: null,
});

/** Adds `part` into `into` (a user's devices into the run's, a run's into its pass's); returns `into`. */
export function addCensus(into: FleetCensus, part: FleetCensus): FleetCensus {
  for (const state of CONNECTION_STATES) into.connection[state] += part.connection[state];
  if (part.stale !== null) into.stale = (into.stale ?? 0) + part.stale;
  return into;
}

/** The census of some devices (one user's of one kind, as Podero listed them). */
export function censusOf(devices: readonly DeviceJson[]): FleetCensus {
  const census = emptyCensus();
  for (const device of devices) census.connection[connectionStateOf(device)]++;
  return census;
}
