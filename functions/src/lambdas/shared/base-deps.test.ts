import { describe, expect, it } from 'vitest';
import { createRecordingMetrics } from '../../platform/observability';
import { passThroughTracing } from '../../platform/tracing';
import { createBaseDeps } from './base-deps';
import { serviceNameOf } from './observability';

describe('createBaseDeps', () => {
  it('gives every function a logger, metrics, pass-through tracing and the wall clock in epoch ms', () => {
    const before = Date.now();
    const deps = createBaseDeps('syncPlanner', { stage: 'dev' });
    expect(deps.tracing).toBe(passThroughTracing);
    expect(typeof deps.now()).toBe('number');
    expect(deps.now()).toBeGreaterThanOrEqual(before);
    expect(deps.logger).toBeDefined();
    expect(deps.metrics.publishStoredMetrics).toBeTypeOf('function');
  });

  it('keeps what the caller passes instead', () => {
    const metrics = createRecordingMetrics();
    const deps = createBaseDeps('api', { stage: 'dev' }, { metrics, now: () => 42 });
    expect(deps.metrics).toBe(metrics);
    expect(deps.now()).toBe(42);
  });

  it('names services after the declarations (the planner is still the heat-pump-sync service)', () => {
    expect(serviceNameOf('syncPlanner')).toBe('heat-pump-sync');
    expect(serviceNameOf('tokenRefresh')).toBe('token-refresh');
  });
});
