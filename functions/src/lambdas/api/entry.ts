import { loadApiConfig } from '../../config';
import { loadTracing } from '../shared/observability';
import { createApiDeps } from './deps';
import { makeApiHandler } from './handler';

const deps = createApiDeps(loadApiConfig(process.env), { tracing: await loadTracing('api', process.env) });
export const handler = deps.tracing.handler(makeApiHandler(deps));
