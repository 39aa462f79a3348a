import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type FunctionId, functionDeclarations } from '../declarations';

export { Logger, MetricUnit };
export type MetricUnitValue = (typeof MetricUnit)[keyof typeof MetricUnit];

/** The part of Powertools Metrics the handlers use; tests pass a recording fake. */
export interface MetricsSink {
  addMetric(name: string, unit: MetricUnitValue, value: number): void;
  publishStoredMetrics(): void;
}

export const METRICS_NAMESPACE = 'PoderoBridge';

/** One logger per function, named after its declaration (service = `api`, `token-refresh`, ...). */
export function createLogger(
  functionId: FunctionId,
  options: { logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' } = {},
): Logger {
  return new Logger({ serviceName: functionDeclarations[functionId].name, ...options });
}

export function createMetrics(functionId: FunctionId): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: functionDeclarations[functionId].name });
}

/** A metrics sink that remembers what was added (tests, and the local stack when EMF output is noise). */
export function createRecordingMetrics(): MetricsSink & {
  readonly recorded: { name: string; value: number }[];
} {
  const recorded: { name: string; value: number }[] = [];
  return {
    recorded,
    addMetric: (name, _unit, value) => {
      recorded.push({ name, value });
    },
    publishStoredMetrics: () => {},
  };
}
