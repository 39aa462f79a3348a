import { loadForecastDropConfig } from '../../config';
import { loadTracing } from '../shared/observability';
import { createForecastDropDeps } from './deps';
import { makeForecastDropHandler } from './handler';

const deps = createForecastDropDeps(loadForecastDropConfig(process.env), {
  tracing: await loadTracing('forecastDrop', process.env),
});
export const handler = deps.tracing.handler(makeForecastDropHandler(deps));
