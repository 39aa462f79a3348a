import { loadTokenRefreshConfig } from '../../config';
import { loadTracing } from '../shared/observability';
import { createTokenRefreshDeps } from './deps';
import { makeTokenRefreshHandler } from './handler';

const deps = createTokenRefreshDeps(loadTokenRefreshConfig(process.env), {
  tracing: await loadTracing('tokenRefresh', process.env),
});
export const handler = deps.tracing.handler(makeTokenRefreshHandler(deps));
