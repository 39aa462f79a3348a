import { loadApiConfig } from '../config';
import { loadTracing } from '../platform/tracing';
import { makeApiHandler } from './app';
import { createApiDeps } from './deps';

const deps = createApiDeps(loadApiConfig(process.env), { tracing: await loadTracing('api', process.env) });
export const handler = deps.tracing.handler(makeApiHandler(deps));
