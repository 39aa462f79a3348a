import { loadRelayConfig } from '../../config';
import { loadTracing } from '../shared/observability';
import { createRelayDeps } from './deps';
import { makeRelayHandler } from './handler';

const deps = createRelayDeps(loadRelayConfig(process.env), {
  tracing: await loadTracing('eventRelay', process.env),
});
export const handler = deps.tracing.handler(makeRelayHandler(deps));
