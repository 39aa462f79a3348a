import { loadSyncConfig } from '../../config';
import { loadTracing } from '../shared/observability';
import { createSyncDeps } from './deps';
import { makeSyncWorkerHandler } from './handler';

const deps = createSyncDeps(loadSyncConfig(process.env), {
  tracing: await loadTracing('syncWorker', process.env),
});
export const handler = deps.tracing.handler(makeSyncWorkerHandler(deps));
