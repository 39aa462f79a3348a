/**
 * The sync engine alone over the whole user walk, in one invocation per run (the cursor spans runs):
 * heat-pump-sync-worker's configuration and dependencies without the queue. Not deployed (stages run fleet
 * passes: planner, then a worker per shard); the benchmarks bundle it to measure the engine itself, the
 * same code a worker runs over a shard.
 */
import { loadSyncConfig } from '../../config';
import { loadTracing } from '../shared/observability';
import { createSyncDeps } from './deps';
import { makeSyncHandler } from './handler';

const deps = createSyncDeps(loadSyncConfig(process.env), {
  tracing: await loadTracing('syncWorker', process.env),
});
export const handler = deps.tracing.handler(makeSyncHandler(deps));
