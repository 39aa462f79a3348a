import { loadErasureConfig } from '../../config';
import { loadTracing } from '../shared/observability';
import { createErasureDeps } from './deps';
import { makeErasureHandler } from './handler';

const deps = createErasureDeps(loadErasureConfig(process.env), {
  tracing: await loadTracing('erasureWorker', process.env),
});
export const handler = deps.tracing.handler(makeErasureHandler(deps));
