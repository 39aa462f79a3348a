import { loadErasureConfig } from '../config';
import { loadTracing } from '../platform/tracing';
import { createErasureDeps, makeErasureHandler } from './make-handler';

const deps = createErasureDeps(loadErasureConfig(process.env), {
  tracing: await loadTracing('erasure', process.env),
});
export const handler = deps.tracing.handler(makeErasureHandler(deps));
