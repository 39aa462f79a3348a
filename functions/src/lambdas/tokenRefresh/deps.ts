import type { Logger } from '@aws-lambda-powertools/logger';
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { FetchLike } from '@podero-bridge/podero-client';
import type { TokenRefreshConfig } from '../../config';
import { createSecretsManagerClient } from '../../platform/aws-clients';
import { createLogger, createMetrics, type MetricsSink } from '../../platform/observability';
import { passThroughTracing, type Tracing } from '../../platform/tracing';
import { createSecretsProvider } from '../../tokens/source';

export interface TokenRefreshDeps {
  readonly config: TokenRefreshConfig;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  /** X-Ray in stages that trace (the handler entry loads it and wraps itself in it); else a pass-through. */
  readonly tracing: Tracing;
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
  tracing?: Tracing;
  secrets?: SecretsManagerClient;
  fetch?: FetchLike;
  now?: () => Date;
}

export function createTokenRefreshDeps(
  config: TokenRefreshConfig,
  overrides: TokenRefreshOverrides = {},
): TokenRefreshDeps {
  const tracing = overrides.tracing ?? passThroughTracing;
  const secrets = overrides.secrets ?? createSecretsManagerClient(config, tracing.instrument);
  return {
    config,
    logger: overrides.logger ?? createLogger('tokenRefresh'),
    metrics: overrides.metrics ?? createMetrics('tokenRefresh', config.stage),
    tracing,
    secrets,
    credentialsProvider: createSecretsProvider(secrets),
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    now: overrides.now ?? (() => new Date()),
  };
}
