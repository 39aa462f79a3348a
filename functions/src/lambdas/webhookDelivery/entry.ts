import { loadDeliveryConfig } from '../../config';
import { loadTracing } from '../../platform/tracing';
import { createDeliveryDeps, makeDeliveryHandler } from './handler';

const deps = createDeliveryDeps(loadDeliveryConfig(process.env), {
  tracing: await loadTracing('webhookDelivery', process.env),
});
export const handler = deps.tracing.handler(makeDeliveryHandler(deps));
