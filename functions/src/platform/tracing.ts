/**
 * AWS X-Ray tracing, for stages that turn it on (`tracing` in infra/stages.json sets the function's
 * `Tracing.ACTIVE` and POWERTOOLS_TRACE_ENABLED=true). The X-Ray SDK is imported only then, and a stage
 * that does not trace is bundled without it (XRAY_BUNDLE_DEFINE), so its cold starts neither evaluate nor
 * parse it (docs/adr/0009-tracing.md, 0013). Tests and the local stack use the pass-through.
 */
import { passThroughTracing, type Tracing } from './tracing-contract';

export { PODERO_SUBSEGMENT_PREFIX, passThroughTracing, type Tracing } from './tracing-contract';

/**
 * The function's tracing as its environment asks (the handler entries call this once, at cold start, through
 * lambdas/shared/observability.ts), for the service named `serviceName`.
 */
export async function loadTracing(
  serviceName: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Tracing> {
  if (env.POWERTOOLS_TRACE_ENABLED !== 'true') return passThroughTracing;
  // Spelled out (not read from `env`) so that esbuild's define (XRAY_BUNDLE_DEFINE) can fold it.
  if (process.env.BRIDGE_BUNDLE_XRAY !== 'false') {
    const { createXRayTracing } = await import('./xray-tracing');
    return createXRayTracing(serviceName);
  }
  throw new Error(
    'POWERTOOLS_TRACE_ENABLED is true, but this bundle was built for a stage without tracing (no X-Ray SDK): deploy the stage with "tracing": true',
  );
}
