import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export { Logger, MetricUnit };
export type MetricUnitValue = (typeof MetricUnit)[keyof typeof MetricUnit];

export interface MetricEntry {
  readonly name: string;
  readonly unit: MetricUnitValue;
  readonly value: number;
}

/** The part of Powertools Metrics the handlers use; tests pass a recording fake. */
export interface MetricsSink {
  addMetric(name: string, unit: MetricUnitValue, value: number): void;
  publishStoredMetrics(): void;
  /**
   * Publishes `entries` at once as a document of their own, with `dimensions` beside the sink's own (an
   * EMF document has one set of dimensions for all its metrics, so a breakdown needs a document per value).
   */
  publishWithDimensions(dimensions: Readonly<Record<string, string>>, entries: readonly MetricEntry[]): void;
}

/**
 * One logger per function, named after its service (`api`, `token-refresh`, ...: the declaration's name,
 * which lambdas/shared/observability.ts looks up; platform knows no declaration).
 */
export function createLogger(
  serviceName: string,
  options: { logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' } = {},
): Logger {
  return new Logger({ serviceName, ...options });
}

/** The parts of a Lambda context that name an invocation (tests and the local stack pass fakes). */
export interface InvocationContext {
  readonly awsRequestId?: string;
  readonly functionName?: string;
}

/**
 * The keys Powertools' `addContext` would add (`cold_start`, `function_name`, `function_request_id`), plus
 * the X-Ray trace id when Lambda sets one, as per-invocation log keys: `addContext` mutates the one shared
 * logger, and the local stack runs invocations of one handler concurrently. `coldStart` is the caller's
 * own first-invocation flag (one per handler instance, see coldStartFlag).
 */
export function invocationKeys(context: InvocationContext | undefined, coldStart: boolean): LogAttributes {
  const traceId = process.env._X_AMZN_TRACE_ID?.match(/Root=([^;]+)/)?.[1];
  return {
    cold_start: coldStart,
    ...(context?.functionName ? { function_name: context.functionName } : {}),
    ...(context?.awsRequestId ? { function_request_id: context.awsRequestId } : {}),
    ...(traceId ? { xray_trace_id: traceId } : {}),
  };
}

/** True on the first call only: whether this invocation is the handler instance's first (a cold start). */
export function coldStartFlag(): () => boolean {
  let first = true;
  return () => {
    const cold = first;
    first = false;
    return cold;
  };
}

/** What a request's code logs through: one logger's lines, each with the request's keys. */
export interface RequestLogger {
  debug(message: string, attributes?: LogAttributes): void;
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}

/**
 * The request's keys (request id, correlation id) on every line it logs, without
 * `Logger.createChild`: a child per request built a Logger and a Console each time, about 80 µs of
 * every API request (`pnpm bench overhead`). The keys live in this wrapper, not in the shared logger,
 * so concurrent requests in one process (the local stack) never see each other's keys.
 */
export function withLogKeys(logger: Logger, keys: LogAttributes): RequestLogger {
  return {
    debug: (message, attributes) => logger.debug(message, { ...keys, ...attributes }),
    info: (message, attributes) => logger.info(message, { ...keys, ...attributes }),
    warn: (message, attributes) => logger.warn(message, { ...keys, ...attributes }),
    error: (message, attributes) => logger.error(message, { ...keys, ...attributes }),
  };
}

/** Every custom metric carries its stage, so that two stages in one account never share an alarm's metric. */
export function createMetrics(
  target: { readonly serviceName: string; readonly namespace: string },
  stage: string,
): MetricsSink {
  const options = (dimensions: Readonly<Record<string, string>>) => ({
    namespace: target.namespace,
    serviceName: target.serviceName,
    defaultDimensions: { ...dimensions, stage },
  });
  const main = new Metrics(options({}));
  // One Metrics per dimension set, kept: the sets are few (Podero operations) and a request publishes some.
  const dimensioned = new Map<string, Metrics>();
  return {
    addMetric: (name, unit, value) => main.addMetric(name, unit, value),
    publishStoredMetrics: () => main.publishStoredMetrics(),
    publishWithDimensions(dimensions, entries) {
      if (entries.length === 0) return;
      const key = JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)));
      let metrics = dimensioned.get(key);
      if (!metrics) {
        metrics = new Metrics(options(dimensions));
        dimensioned.set(key, metrics);
      }
      for (const entry of entries) metrics.addMetric(entry.name, entry.unit, entry.value);
      metrics.publishStoredMetrics();
    },
  };
}

export interface RecordedMetric {
  readonly name: string;
  readonly value: number;
  /** Only on metrics published with dimensions of their own. */
  readonly dimensions?: Readonly<Record<string, string>>;
}

/** A metrics sink that remembers what was added (tests, and the local stack when EMF output is noise). */
export function createRecordingMetrics(): MetricsSink & { readonly recorded: RecordedMetric[] } {
  const recorded: RecordedMetric[] = [];
  return {
    recorded,
    addMetric: (name, _unit, value) => {
      recorded.push({ name, value });
    },
    publishStoredMetrics: () => {},
    publishWithDimensions: (dimensions, entries) => {
      for (const { name, value } of entries) recorded.push({ name, value, dimensions: { ...dimensions } });
    },
  };
}
