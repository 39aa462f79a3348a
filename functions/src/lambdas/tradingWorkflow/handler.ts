import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { coldStartFlag, invocationKeys, withLogKeys } from '../../platform/observability';
import { tradingWorkflowEventSchema } from '../../trading/event';
import type { AdvanceSummary } from '../../trading/service';
import type { TimedContext } from '../shared/context';
import { parseEvent } from '../shared/parse-event';
import type { TradingWorkflowDepsBundle } from './deps';

/**
 * The metrics the trading alarms watch (infra: Monitoring), published every run: days missed in this run,
 * open days whose curves are late, undecided days inside the confirmation margin, days that failed to advance.
 */
export const TRADING_METRICS = {
  missed: 'TradingDaysMissed',
  curvesLate: 'TradingCurvesLate',
  confirmationsDue: 'TradingConfirmationsDue',
  failures: 'TradingAdvanceFailures',
} as const;

/** trading-workflow: advances every open day-ahead trading day (trading/service.ts). */
export function makeTradingWorkflowHandler(
  deps: Pick<TradingWorkflowDepsBundle, 'logger' | 'metrics' | 'trading' | 'upstreamMetrics'>,
): (event: unknown, context: TimedContext) => Promise<AdvanceSummary> {
  const isColdStart = coldStartFlag();
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    parseEvent(tradingWorkflowEventSchema, event, 'trading-workflow', logger);
    const summary = await deps.trading.advanceAll();
    deps.metrics.addMetric(TRADING_METRICS.missed, MetricUnit.Count, summary.missed);
    deps.metrics.addMetric(TRADING_METRICS.curvesLate, MetricUnit.Count, summary.curvesLate);
    deps.metrics.addMetric(TRADING_METRICS.confirmationsDue, MetricUnit.Count, summary.confirmationsDue);
    deps.metrics.addMetric(TRADING_METRICS.failures, MetricUnit.Count, summary.failures);
    deps.upstreamMetrics.flushInto(deps.metrics);
    deps.metrics.publishStoredMetrics();
    logger.info('trading workflow run', { ...summary });
    return summary;
  };
}
