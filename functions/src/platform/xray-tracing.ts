/**
 * X-Ray through Powertools Tracer (loaded by tracing.ts only in a stage that traces). Each invocation gets
 * a `## handler` subsegment with the cold-start and service annotations, each AWS SDK call one of its own
 * (`DynamoDB`, `SecretsManager`, `Lambda`), and each Podero request (its retries included) one named after
 * the client operation, `podero heatPumps.get`. Responses are never recorded: they hold personal data and
 * tokens.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { RequestSpan } from '@podero-bridge/podero-client';
import { PODERO_SUBSEGMENT_PREFIX, passThroughTracing, type Tracing } from './tracing-contract';

export function createXRayTracing(serviceName: string): Tracing {
  const tracer = new Tracer({
    serviceName,
    // Podero's requests get named subsegments below; capturing node:http as well would record each twice
    // and put query strings (a cue's secret) into the trace.
    captureHTTPsRequests: false,
  });
  // Off outside Lambda (or with POWERTOOLS_TRACE_ENABLED=false) whatever the stage says.
  if (!tracer.isTracingEnabled()) return passThroughTracing;

  // The X-Ray SDK returns what the function returns; its types say `unknown`.
  const poderoSpan: RequestSpan = <T>(operation: string, run: () => Promise<T>) =>
    tracer.provider.captureAsyncFunc(`${PODERO_SUBSEGMENT_PREFIX}${operation}`, async (subsegment) => {
      if (subsegment) {
        // `remote`: the service map shows Podero as a node of its own, apart from the function.
        subsegment.namespace = 'remote';
        subsegment.addAnnotation('podero_operation', operation);
      }
      try {
        return await run();
      } catch (error) {
        subsegment?.addError(error as Error, true);
        throw error;
      } finally {
        subsegment?.close();
      }
    }) as Promise<T>;

  return {
    enabled: true,
    instrument: (client) => tracer.captureAWSv3Client(client),
    poderoSpan,
    handler:
      (run) =>
      async (...args) => {
        const segment = tracer.getSegment();
        if (!segment) return run(...args);
        const subsegment = segment.addNewSubsegment('## handler');
        tracer.setSegment(subsegment);
        tracer.annotateColdStart();
        tracer.addServiceNameAnnotation();
        try {
          return await run(...args);
        } catch (error) {
          tracer.addErrorAsMetadata(error as Error);
          throw error;
        } finally {
          subsegment.close();
          tracer.setSegment(segment);
        }
      },
  };
}
