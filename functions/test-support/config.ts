import { type ApiConfig, envDefaults, loadApiConfig } from '../src/config';
import { ENV } from '../src/declarations';
import { OFFLINE_ORG_ID, offlineLocalWorld } from './local-world';

export const TEST_ORG_ID = OFFLINE_ORG_ID;

/**
 * A minimal environment for configuration tests (no server): the offline local world's value of every
 * variable that has no default (what a stage must set), the defaulted ones left unset so that the tests
 * see the defaults; override any variable.
 */
export function testApiEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  const required = Object.entries(offlineLocalWorld().values).filter(([name]) => !(name in envDefaults));
  return {
    AWS_REGION: 'eu-central-1',
    ...Object.fromEntries(required),
    [ENV.appVersion]: '1.2.3-test',
    ...overrides,
  };
}

export const testApiConfig = (overrides: Record<string, string | undefined> = {}): ApiConfig =>
  loadApiConfig(testApiEnv(overrides));
