import { afterEach, describe, expect, it, vi } from 'vitest';

describe('token-refresh handler.ts (Lambda entry)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('builds from the environment, and rejects an invalid event before touching any secret', async () => {
    vi.stubEnv('CREDENTIALS_SECRET_ID', 'podero/credentials');
    vi.stubEnv('TOKEN_SECRET_ID', 'podero/token');
    vi.stubEnv('PODERO_BASE_URL', 'https://app.podero.com');
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', 'http://127.0.0.1:9');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const { handler } = await import('./entry');
    await expect(handler({ source: 'schedule', force: 'always' })).rejects.toThrow(
      /invalid token-refresh event: force/,
    );
  });

  it('fails the cold start naming a missing or invalid variable', async () => {
    vi.stubEnv('TOKEN_SECRET_ID', 'podero/token');
    vi.stubEnv('PODERO_BASE_URL', 'not a url');
    vi.stubEnv('TOKEN_REFRESH_MARGIN_SECONDS', '-5');
    await expect(import('./entry')).rejects.toThrow(
      /CREDENTIALS_SECRET_ID is missing.*PODERO_BASE_URL is invalid.*TOKEN_REFRESH_MARGIN_SECONDS is invalid/,
    );
  });
});
