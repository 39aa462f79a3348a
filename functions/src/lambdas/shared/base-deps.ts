/**
 * What every function's deps factory starts with, written once: its logger, its metrics, its tracing and
 * the clock. Each `lambdas/<id>/deps.ts` spreads `createBaseDeps(...)` into its own bag and adds its
 * clients and services; the overrides are what tests and the local stack pass instead.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { FunctionId } from '../../declarations';
import { type Clock, systemClock } from '../../platform/clock';
import type { MetricsSink } from '../../platform/observability';
import { passThroughTracing, type Tracing } from '../../platform/tracing';
import { createLogger, createMetrics } from './observability';

export interface BaseDeps {
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  /** X-Ray in stages that trace (the entry loads it and wraps the handler in it); else a pass-through. */
  readonly tracing: Tracing;
  /** The business clock (platform/clock.ts): the one clock type of every deps bag. */
  readonly now: Clock;
}

export interface BaseOverrides {
  logger?: Logger;
  metrics?: MetricsSink;
  tracing?: Tracing;
  now?: Clock;
}

export function createBaseDeps(
  functionId: FunctionId,
  config: { readonly stage: string },
  overrides: BaseOverrides = {},
): BaseDeps {
  return {
    logger: overrides.logger ?? createLogger(functionId),
    metrics: overrides.metrics ?? createMetrics(functionId, config.stage),
    tracing: overrides.tracing ?? passThroughTracing,
    now: overrides.now ?? systemClock,
  };
}
