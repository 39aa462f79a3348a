import { loadRelayConfig } from '../../config';
import { loadTracing } from '../../platform/tracing';
import { createRelayDeps, makeRelayHandler } from './handler';

const deps = createRelayDeps(loadRelayConfig(process.env), {
  tracing: await loadTracing('eventRelay', process.env),
});
export const handler = deps.tracing.handler(makeRelayHandler(deps));
