import { loadSyncConfig } from '../../config';
import { loadTracing } from '../../platform/tracing';
import { createSyncDeps, makeSyncWorkerHandler } from './handler';

const deps = createSyncDeps(loadSyncConfig(process.env), {
  tracing: await loadTracing('syncWorker', process.env),
});
export const handler = deps.tracing.handler(makeSyncWorkerHandler(deps));
