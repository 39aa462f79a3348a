import { loadTokenRefreshConfig } from '../../config';
import { loadTracing } from '../../platform/tracing';
import { makeTokenRefreshHandler } from '../../tokens/refresh';
import { createTokenRefreshDeps } from './deps';

const deps = createTokenRefreshDeps(loadTokenRefreshConfig(process.env), {
  tracing: await loadTracing('tokenRefresh', process.env),
});
export const handler = deps.tracing.handler(makeTokenRefreshHandler(deps));
