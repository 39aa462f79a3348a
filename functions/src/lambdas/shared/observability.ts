/**
 * Logger, metrics and tracing named after a function's declaration: the one place that turns a function id
 * into the service name the platform's observability takes (platform knows no declaration).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type FunctionId, functionDeclarations, METRICS_NAMESPACE } from '../../declarations';
import {
  createLogger as createPlatformLogger,
  createMetrics as createPlatformMetrics,
  type MetricsSink,
} from '../../platform/observability';
import { loadTracing as loadPlatformTracing, type Tracing } from '../../platform/tracing';

export const serviceNameOf = (functionId: FunctionId): string => functionDeclarations[functionId].name;

/** One logger per function, named after its declaration (service = `api`, `token-refresh`, ...). */
export function createLogger(
  functionId: FunctionId,
  options: { logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' } = {},
): Logger {
  return createPlatformLogger(serviceNameOf(functionId), options);
}

/** The function's metrics: the bridge's namespace, its service name, its stage as a dimension. */
export function createMetrics(functionId: FunctionId, stage: string): MetricsSink {
  return createPlatformMetrics(
    { serviceName: serviceNameOf(functionId), namespace: METRICS_NAMESPACE },
    stage,
  );
}

/** The function's tracing as its environment asks (each entry calls this once, at cold start). */
export function loadTracing(
  functionId: FunctionId,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Tracing> {
  return loadPlatformTracing(serviceNameOf(functionId), env);
}
