import { describe, expect, it } from 'vitest';
import { ENV } from '../declarations';
import { ConfigError } from '../shared/config';
import { testApiEnv } from '../test-support/config';
import { loadSyncConfig, SYNC_CONCURRENCY_DEFAULT, SYNC_SAFETY_MARGIN_SECONDS_DEFAULT } from './config';

describe('loadSyncConfig', () => {
  it('applies the defaults for concurrency and the safety margin', () => {
    const config = loadSyncConfig(testApiEnv());
    expect(config.syncConcurrency).toBe(SYNC_CONCURRENCY_DEFAULT);
    expect(config.safetyMarginMs).toBe(SYNC_SAFETY_MARGIN_SECONDS_DEFAULT * 1000);
    expect(config.userPageSize).toBeGreaterThanOrEqual(config.syncConcurrency);
  });

  it('reads SYNC_CONCURRENCY and SYNC_SAFETY_MARGIN_SECONDS', () => {
    const config = loadSyncConfig(
      testApiEnv({ [ENV.syncConcurrency]: '16', [ENV.syncSafetyMarginSeconds]: '90' }),
    );
    expect(config).toMatchObject({ syncConcurrency: 16, safetyMarginMs: 90_000, userPageSize: 64 });
  });

  it('names the bad variable and never its value', () => {
    const attempt = () => loadSyncConfig(testApiEnv({ [ENV.syncConcurrency]: '0' }));
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/SYNC_CONCURRENCY is invalid/);
    expect(() => loadSyncConfig(testApiEnv({ [ENV.syncSafetyMarginSeconds]: 'soon' }))).toThrow(
      /SYNC_SAFETY_MARGIN_SECONDS is invalid/,
    );
    expect(() => loadSyncConfig(testApiEnv({ [ENV.readingsTableName]: undefined }))).toThrow(
      /READINGS_TABLE_NAME is missing/,
    );
  });
});
