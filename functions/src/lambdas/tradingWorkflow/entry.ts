import { loadTradingWorkflowConfig } from '../../config';
import { loadTracing } from '../shared/observability';
import { createTradingWorkflowDeps } from './deps';
import { makeTradingWorkflowHandler } from './handler';

const deps = createTradingWorkflowDeps(loadTradingWorkflowConfig(process.env), {
  tracing: await loadTracing('tradingWorkflow', process.env),
});
export const handler = deps.tracing.handler(makeTradingWorkflowHandler(deps));
