import { loadDeliveryConfig } from '../../config';
import { loadTracing } from '../shared/observability';
import { createDeliveryDeps } from './deps';
import { makeDeliveryHandler } from './handler';

const deps = createDeliveryDeps(loadDeliveryConfig(process.env), {
  tracing: await loadTracing('webhookDelivery', process.env),
});
export const handler = deps.tracing.handler(makeDeliveryHandler(deps));
