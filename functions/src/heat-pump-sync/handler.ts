import { loadSyncConfig } from '../config';
import { loadTracing } from '../platform/tracing';
import { createSyncDeps, makeSyncHandler } from './make-handler';

const deps = createSyncDeps(loadSyncConfig(process.env), {
  tracing: await loadTracing('heatPumpSync', process.env),
});
export const handler = deps.tracing.handler(makeSyncHandler(deps));
