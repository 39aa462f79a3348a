import { describe, expect, it } from 'vitest';
import { testApiEnv } from '../test-support/config';
import {
  ConfigError,
  loadApiConfig,
  loadSyncConfig,
  loadTokenRefreshConfig,
  SYNC_CONCURRENCY_DEFAULT,
  SYNC_SAFETY_MARGIN_SECONDS_DEFAULT,
} from './config';
import { ENV } from './declarations';

const testApiConfigOf = (overrides: Record<string, string | undefined>) =>
  loadApiConfig(testApiEnv(overrides));

describe('loadApiConfig', () => {
  it('parses the environment, applying defaults and taking endpoints from the passed env', () => {
    const config = loadApiConfig(
      testApiEnv({
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
        [ENV.tokenCacheMaxAgeSeconds]: undefined,
      }),
    );
    expect(config.tokenCacheMaxAgeSeconds).toBe(30);
    expect(config.readingsRetentionDays).toBe(400);
    expect(config.endpoints).toEqual({
      dynamodb: 'http://127.0.0.1:8000',
      secretsManager: undefined,
      lambda: undefined,
      sqs: undefined,
      eventBridge: undefined,
      s3: undefined,
    });
    // Loopback webhook URLs are the local stack's alone: a stage that says nothing refuses them.
    expect(config.webhookAllowLoopback).toBe(false);
    expect(loadApiConfig(testApiEnv({ [ENV.webhookAllowLoopback]: 'true' })).webhookAllowLoopback).toBe(true);
    expect(() => loadApiConfig(testApiEnv({ [ENV.webhookAllowLoopback]: 'yes' }))).toThrow(
      /WEBHOOK_ALLOW_LOOPBACK is invalid/,
    );
    expect(() => loadApiConfig(testApiEnv({ [ENV.webhookSecretPrefix]: 'no-slash' }))).toThrow(
      /WEBHOOK_SECRET_PREFIX is invalid/,
    );
  });

  it('names every missing or invalid variable, without its value', () => {
    const attempt = () =>
      loadApiConfig(
        testApiEnv({ [ENV.mainTableName]: undefined, [ENV.poderoOrgId]: 'secret-looking-value' }),
      );
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/MAIN_TABLE_NAME is missing/);
    expect(attempt).toThrow(/PODERO_ORG_ID is invalid/);
    expect(attempt).not.toThrow(/secret-looking-value/);
  });

  it('takes the return URL origins as a comma-separated list of exact origins, none and no loopback by default', () => {
    expect(testApiConfigOf({}).returnUrls).toEqual({ origins: [], allowLoopback: false });
    expect(
      testApiConfigOf({
        [ENV.returnUrlOrigins]: 'https://app.partner.example, https://partner.example:8443',
        [ENV.returnUrlAllowLoopback]: 'true',
      }).returnUrls,
    ).toEqual({
      origins: ['https://app.partner.example', 'https://partner.example:8443'],
      allowLoopback: true,
    });
    // An entry that is not exactly an origin would never match one: refused at start-up, not at runtime.
    for (const entry of [
      'https://app.partner.example/',
      'https://App.partner.example',
      'https://x.example/path',
      '*',
    ]) {
      expect(() => testApiConfigOf({ [ENV.returnUrlOrigins]: entry }), entry).toThrow(
        /RETURN_URL_ORIGINS is invalid/,
      );
    }
  });

  it('rejects a non-numeric cache max age', () => {
    expect(() => loadApiConfig(testApiEnv({ [ENV.tokenCacheMaxAgeSeconds]: 'soon' }))).toThrow(
      /TOKEN_CACHE_MAX_AGE_SECONDS/,
    );
  });
});

describe('a function’s configuration, parsed once per container', () => {
  it('is parsed without zod generating a parser (its cold start would compile code no second parse uses)', () => {
    const original = globalThis.Function;
    let generated = 0;
    globalThis.Function = new Proxy(original, {
      construct(target, args) {
        generated++;
        return Reflect.construct(target, args);
      },
    });
    try {
      loadApiConfig(testApiEnv());
      loadSyncConfig(testApiEnv());
    } finally {
      globalThis.Function = original;
    }
    expect(generated).toBe(0);
  });
});

describe('loadTokenRefreshConfig', () => {
  it('defaults the refresh margin to 7200 s', () => {
    const config = loadTokenRefreshConfig({
      [ENV.credentialsSecretId]: 'c',
      [ENV.tokenSecretId]: 't',
      [ENV.poderoBaseUrl]: 'https://app.podero.com',
    });
    expect(config.refreshMarginSeconds).toBe(7200);
  });
});

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
