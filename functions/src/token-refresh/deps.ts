import type { Logger } from '@aws-lambda-powertools/logger';
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { FetchLike } from '@podero-bridge/podero-client';
import type { TokenRefreshConfig } from '../config';
import { createSecretsManagerClient } from '../platform/aws-clients';
import { createLogger, createMetrics, type MetricsSink } from '../platform/observability';
import { createSecretsProvider } from '../tokens/source';

export interface TokenRefreshDeps {
  readonly config: TokenRefreshConfig;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  /** Reads and writes the token secret directly (never cached: this function decides on its contents). */
  readonly secrets: SecretsManagerClient;
  /** Reads the credentials secret, cached a few minutes. */
  readonly credentialsProvider: SecretsProvider;
  readonly fetch?: FetchLike;
  readonly now: () => Date;
}

export interface TokenRefreshOverrides {
  logger?: Logger;
  metrics?: MetricsSink;
  secrets?: SecretsManagerClient;
  fetch?: FetchLike;
  now?: () => Date;
}

export function createTokenRefreshDeps(
  config: TokenRefreshConfig,
  overrides: TokenRefreshOverrides = {},
): TokenRefreshDeps {
  const secrets = overrides.secrets ?? createSecretsManagerClient(config);
  return {
    config,
    logger: overrides.logger ?? createLogger('tokenRefresh'),
    metrics: overrides.metrics ?? createMetrics('tokenRefresh', config.stage),
    secrets,
    credentialsProvider: createSecretsProvider(secrets),
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    now: overrides.now ?? (() => new Date()),
  };
}
