import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  type FetchLike,
  PoderoAuthError,
  type RequestSpan,
  requestClientCredentialsToken,
} from '@podero-bridge/podero-client';
import type { Clock } from '../platform/clock';
import { type MetricsSink, MetricUnit, type RequestLogger } from '../platform/observability';
import {
  type TokenRefreshEvent,
  type TokenRefreshResult,
  type TokenSecret,
  tokenFingerprint,
  tokenSecretSchema,
} from './contract';
import { type CredentialsSecret, parseCredentialsSecret } from './credentials';

/** Credentials are re-read at most this often (a rotated client secret is picked up on the next 401 anyway). */
const CREDENTIALS_MAX_AGE_SECONDS = 300;
/** A forced refresh without a fingerprint is skipped if the stored token is this fresh (debounces storms). */
const FORCE_DEBOUNCE_MS = 60_000;

export interface TokenRefreshSettings {
  readonly tokenSecretId: string;
  readonly credentialsSecretId: string;
  readonly poderoBaseUrl: string;
  readonly refreshMarginSeconds: number;
}

export interface TokenRefreshServiceDeps {
  readonly settings: TokenRefreshSettings;
  /** Reads and writes the token secret directly (never cached: the refresh decides on its contents). */
  readonly secrets: SecretsManagerClient;
  /** Reads the credentials secret, cached a few minutes. */
  readonly credentialsProvider: SecretsProvider;
  readonly metrics: MetricsSink;
  readonly now: Clock;
  readonly fetch?: FetchLike;
  readonly span?: RequestSpan;
}

/**
 * The token refresh: the only writer of the token secret (token-refresh runs it, with reserved concurrency 1
 * in AWS and a mutex locally, so two refreshes never race); the fingerprint check makes a burst of forced
 * requests after one revoked token cost a single token request. `deadline` (epoch ms) ends the token
 * request's retries.
 */
export function createTokenRefresh(deps: TokenRefreshServiceDeps) {
  const { settings, secrets, metrics } = deps;

  const readStoredToken = async (): Promise<TokenSecret | undefined> => {
    try {
      const out = await secrets.send(new GetSecretValueCommand({ SecretId: settings.tokenSecretId }));
      const parsed = tokenSecretSchema.safeParse(JSON.parse(out.SecretString ?? 'null'));
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      if (error instanceof ResourceNotFoundException || error instanceof SyntaxError) return undefined;
      throw error;
    }
  };

  const readCredentials = async (forceFetch: boolean): Promise<CredentialsSecret> =>
    parseCredentialsSecret(
      await deps.credentialsProvider.get(settings.credentialsSecretId, {
        maxAge: CREDENTIALS_MAX_AGE_SECONDS,
        forceFetch,
      }),
    );

  const requestToken = async (credentials: CredentialsSecret, deadline: number | undefined) =>
    requestClientCredentialsToken({
      baseUrl: credentials.base_url ?? settings.poderoBaseUrl,
      clientId: credentials.client_id,
      clientSecret: credentials.client_secret,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deadline === undefined ? {} : { deadline: () => deadline }),
      ...(deps.span ? { span: deps.span } : {}),
    });

  const summary = (status: TokenRefreshResult['status'], token: TokenSecret): TokenRefreshResult => ({
    status,
    expires_at: token.expires_at,
    refreshed_at: token.refreshed_at,
  });

  return async (
    event: TokenRefreshEvent,
    options: { deadline: number | undefined; logger: RequestLogger },
  ): Promise<TokenRefreshResult> => {
    const { deadline, logger } = options;
    const now = deps.now();
    const current = await readStoredToken();

    if (current) {
      const remainingMs = Date.parse(current.expires_at) - now;
      const rejected = event.source === 'invoke' ? event.rejected_token_sha256 : undefined;
      if (event.force && rejected && tokenFingerprint(current.access_token) !== rejected && remainingMs > 0) {
        logger.info('forced refresh skipped: the rejected token was already replaced');
        return summary('already_replaced', current);
      }
      if (
        event.force &&
        !rejected &&
        now - Date.parse(current.refreshed_at) < FORCE_DEBOUNCE_MS &&
        remainingMs > settings.refreshMarginSeconds * 1000
      ) {
        logger.info('forced refresh skipped: the token was refreshed moments ago');
        return summary('already_replaced', current);
      }
      if (!event.force && remainingMs > settings.refreshMarginSeconds * 1000) {
        logger.info('token still valid', { remaining_seconds: Math.round(remainingMs / 1000) });
        return summary('still_valid', current);
      }
    }

    let credentials = await readCredentials(false);
    let token: Awaited<ReturnType<typeof requestToken>>;
    try {
      token = await requestToken(credentials, deadline);
    } catch (error) {
      if (!(error instanceof PoderoAuthError)) throw error;
      // The client secret may have been rotated since we cached it: re-read once and retry.
      logger.warn('token request rejected; re-reading the credentials secret');
      credentials = await readCredentials(true);
      token = await requestToken(credentials, deadline);
    }

    const refreshedAt = new Date(deps.now());
    const stored: TokenSecret = {
      access_token: token.access_token,
      expires_at: new Date(refreshedAt.getTime() + token.expires_in * 1000).toISOString(),
      token_type: token.token_type,
      scope: token.scope ?? '',
      refreshed_at: refreshedAt.toISOString(),
    };
    await secrets.send(
      new PutSecretValueCommand({ SecretId: settings.tokenSecretId, SecretString: JSON.stringify(stored) }),
    );
    metrics.addMetric('TokenRefreshed', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    logger.info('token refreshed', {
      source: event.source,
      forced: event.force,
      expires_at: stored.expires_at,
    });
    return summary('refreshed', stored);
  };
}
