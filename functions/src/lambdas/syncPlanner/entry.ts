import { loadPlannerConfig } from '../../config';
import { loadTracing } from '../../platform/tracing';
import { createPlannerDeps, makePlannerHandler } from './handler';

const deps = createPlannerDeps(loadPlannerConfig(process.env), {
  tracing: await loadTracing('heatPumpSync', process.env),
});
export const handler = deps.tracing.handler(makePlannerHandler(deps));
