import { type ApiConfig, loadApiConfig } from '../src/config';
import { ENV } from '../src/declarations';

export const TEST_ORG_ID = '4e3f1a52-7c1b-4f3e-9d2a-5b8c6d7e8f90';

/** A complete API environment for tests; override any variable. */
export function testApiEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    AWS_REGION: 'eu-central-1',
    [ENV.mainTableName]: 'main-table',
    [ENV.readingsTableName]: 'readings-table',
    [ENV.tokenSecretId]: 'podero/token',
    [ENV.tokenRefreshFunctionName]: 'token-refresh',
    [ENV.poderoBaseUrl]: 'http://127.0.0.1:9',
    [ENV.poderoOrgId]: TEST_ORG_ID,
    [ENV.appVersion]: '1.2.3-test',
    [ENV.webhookQueueUrl]: 'http://127.0.0.1:9/000000000000/webhooks',
    [ENV.webhookSecretPrefix]: 'podero-bridge/test/webhooks/',
    [ENV.syncShardQueueUrl]: 'http://127.0.0.1:9/000000000000/sync-shards',
    [ENV.erasureQueueUrl]: 'http://127.0.0.1:9/000000000000/erasures',
    ...overrides,
  };
}

export const testApiConfig = (overrides: Record<string, string | undefined> = {}): ApiConfig =>
  loadApiConfig(testApiEnv(overrides));
