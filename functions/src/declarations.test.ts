import { describe, expect, it } from 'vitest';
import { offlineLocalWorld } from '../test-support/local-world';
import { environmentFor, functionDeclarations, scheduleDeclarations } from './declarations';
import { historyBackfillEventSchema } from './history/event';
import { syncEventSchema } from './sync/event';
import { tokenRefreshEventSchema } from './tokens/contract';
import { tradingWorkflowEventSchema } from './trading/event';
import { relayEventSchema } from './webhooks/relay-event';

describe('declarations', () => {
  it('every schedule payload is an event its target handler accepts', () => {
    const schemas = {
      tokenRefresh: tokenRefreshEventSchema,
      syncPlanner: syncEventSchema,
      eventRelay: relayEventSchema,
      tradingWorkflow: tradingWorkflowEventSchema,
      historyBackfill: historyBackfillEventSchema,
    } as const;
    for (const schedule of scheduleDeclarations) {
      expect(schemas[schedule.function].safeParse(schedule.payload).success, schedule.name).toBe(true);
    }
  });

  it('environmentFor sets exactly the declared variables, plus the shared settings', () => {
    const values = offlineLocalWorld().values;
    const env = environmentFor(functionDeclarations.api, values, { sourceMaps: true });
    expect(env).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'api',
      POWERTOOLS_METRICS_NAMESPACE: 'PoderoBridge',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_TRACE_ENABLED: 'false',
      ...Object.fromEntries(functionDeclarations.api.environment.map((name) => [name, values[name]])),
    });
    expect(env).not.toHaveProperty('CREDENTIALS_SECRET_ID');
    expect(
      environmentFor(functionDeclarations.api, values, { sourceMaps: false, tracing: true })
        .POWERTOOLS_TRACE_ENABLED,
    ).toBe('true');
    expect(environmentFor(functionDeclarations.syncWorker, values, { sourceMaps: false }).NODE_OPTIONS).toBe(
      '--max-old-space-size=128',
    );
  });
});
