import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { FetchLike } from '@podero-bridge/podero-client';
import type { TokenRefreshConfig } from '../../config';
import { createSecretsManagerClient } from '../../platform/aws-clients';
import { createSecretsProvider } from '../../tokens/source';
import { type BaseDeps, type BaseOverrides, createBaseDeps } from '../shared/base-deps';

export interface TokenRefreshDeps extends BaseDeps {
  readonly config: TokenRefreshConfig;
  /** Reads and writes the token secret directly (never cached: this function decides on its contents). */
  readonly secrets: SecretsManagerClient;
  /** Reads the credentials secret, cached a few minutes. */
  readonly credentialsProvider: SecretsProvider;
  readonly fetch?: FetchLike;
}

export interface TokenRefreshOverrides extends BaseOverrides {
  secrets?: SecretsManagerClient;
  fetch?: FetchLike;
}

/** Built once per container (cold start); tests and the local stack pass overrides. */
export function createTokenRefreshDeps(
  config: TokenRefreshConfig,
  overrides: TokenRefreshOverrides = {},
): TokenRefreshDeps {
  const base = createBaseDeps('tokenRefresh', config, overrides);
  const secrets = overrides.secrets ?? createSecretsManagerClient(config, base.tracing.instrument);
  return {
    ...base,
    config,
    secrets,
    credentialsProvider: createSecretsProvider(secrets),
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  };
}
