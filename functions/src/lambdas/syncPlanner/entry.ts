import { loadPlannerConfig } from '../../config';
import { loadTracing } from '../shared/observability';
import { createPlannerDeps } from './deps';
import { makePlannerHandler } from './handler';

const deps = createPlannerDeps(loadPlannerConfig(process.env), {
  tracing: await loadTracing('syncPlanner', process.env),
});
export const handler = deps.tracing.handler(makePlannerHandler(deps));
