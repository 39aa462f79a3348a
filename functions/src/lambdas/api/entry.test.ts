import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiEvent, bodyOf } from '../../../test-support/api-event';
import { testApiEnv } from '../../../test-support/config';

// The thin Lambda entry reads process.env at import (cold start): check that wiring once.
describe('api handler.ts (Lambda entry)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('builds the handler from the environment and serves /health', async () => {
    for (const [name, value] of Object.entries(testApiEnv({ APP_VERSION: '9.9.9' }))) vi.stubEnv(name, value);
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const { handler } = await import('./entry');
    const res = await handler(apiEvent('getHealth', { claims: null }));
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toEqual({ status: 'ok', version: '9.9.9' });
  });

  it('fails the cold start naming a missing variable', async () => {
    for (const [name, value] of Object.entries(testApiEnv({ TOKEN_SECRET_ID: undefined }))) {
      if (value !== undefined) vi.stubEnv(name, value);
    }
    vi.stubEnv('TOKEN_SECRET_ID', undefined);
    await expect(import('./entry')).rejects.toThrow(/TOKEN_SECRET_ID is missing/);
  });
});
