import { loadHistoryBackfillConfig } from '../../config';
import { loadTracing } from '../shared/observability';
import { createHistoryBackfillDeps } from './deps';
import { makeHistoryBackfillHandler } from './handler';

const deps = createHistoryBackfillDeps(loadHistoryBackfillConfig(process.env), {
  tracing: await loadTracing('historyBackfill', process.env),
});
export const handler = deps.tracing.handler(makeHistoryBackfillHandler(deps));
