import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BackfillRunSummary } from '../../history/backfill';
import { historyBackfillEventSchema } from '../../history/event';
import { coldStartFlag, invocationKeys, withLogKeys } from '../../platform/observability';
import type { TimedContext } from '../shared/context';
import { parseEvent } from '../shared/parse-event';
import type { HistoryBackfillDepsBundle } from './deps';

/** The metrics of every run (the function's errors and throttles alarm like every function's; none alarms on rate-limited runs yet). */
export const BACKFILL_METRICS = {
  requests: 'BackfillRequests',
  filled: 'BackfillQuartersFilled',
  unfillable: 'BackfillQuartersUnfillable',
  rateLimited: 'BackfillRateLimitedRuns',
} as const;

/** history-backfill: one bounded run of the backfill (history/backfill.ts). */
export function makeHistoryBackfillHandler(
  deps: Pick<HistoryBackfillDepsBundle, 'logger' | 'metrics' | 'backfill' | 'upstreamMetrics'>,
): (event: unknown, context: TimedContext) => Promise<BackfillRunSummary> {
  const isColdStart = coldStartFlag();
  return async (event, context) => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    parseEvent(historyBackfillEventSchema, event, 'history-backfill', logger);
    const summary = await deps.backfill.run(() => context.getRemainingTimeInMillis());
    deps.metrics.addMetric(BACKFILL_METRICS.requests, MetricUnit.Count, summary.requests);
    deps.metrics.addMetric(BACKFILL_METRICS.filled, MetricUnit.Count, summary.filled);
    deps.metrics.addMetric(BACKFILL_METRICS.unfillable, MetricUnit.Count, summary.unfillable);
    deps.metrics.addMetric(
      BACKFILL_METRICS.rateLimited,
      MetricUnit.Count,
      summary.ending === 'rate_limited' ? 1 : 0,
    );
    deps.upstreamMetrics.flushInto(deps.metrics);
    deps.metrics.publishStoredMetrics();
    return summary;
  };
}
