import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import { PoderoAuthError, requestClientCredentialsToken } from '@podero-bridge/podero-client';
import type { TokenRefreshDeps } from '../lambdas/tokenRefresh/deps';
import {
  coldStartFlag,
  type InvocationContext,
  invocationKeys,
  MetricUnit,
  withLogKeys,
} from '../platform/observability';
import {
  type TokenRefreshResult,
  type TokenSecret,
  tokenFingerprint,
  tokenRefreshEventSchema,
  tokenSecretSchema,
} from './contract';
import { type CredentialsSecret, parseCredentialsSecret } from './credentials';

/** Credentials are re-read at most this often (a rotated client secret is picked up on the next 401 anyway). */
const CREDENTIALS_MAX_AGE_SECONDS = 300;
/** A forced refresh without a fingerprint is skipped if the stored token is this fresh (debounces storms). */
const FORCE_DEBOUNCE_MS = 60_000;
/** Time kept back from the invocation's remaining time for storing the token and answering. */
const TOKEN_REQUEST_RESERVE_MS = 2_000;

export class TokenRefreshEventError extends Error {
  override readonly name = 'TokenRefreshEventError';
}

/**
 * token-refresh: the only writer of the token secret. Reserved concurrency 1 in AWS (and a mutex
 * locally) means two refreshes never race; the fingerprint check makes a burst of forced requests
 * after one revoked token cost a single token request.
 */
export function makeTokenRefreshHandler(deps: TokenRefreshDeps) {
  const { config, metrics, secrets } = deps;
  const isColdStart = coldStartFlag();

  const readStoredToken = async (): Promise<TokenSecret | undefined> => {
    try {
      const out = await secrets.send(new GetSecretValueCommand({ SecretId: config.tokenSecretId }));
      const parsed = tokenSecretSchema.safeParse(JSON.parse(out.SecretString ?? 'null'));
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      if (error instanceof ResourceNotFoundException || error instanceof SyntaxError) return undefined;
      throw error;
    }
  };

  const readCredentials = async (forceFetch: boolean): Promise<CredentialsSecret> =>
    parseCredentialsSecret(
      await deps.credentialsProvider.get(config.credentialsSecretId, {
        maxAge: CREDENTIALS_MAX_AGE_SECONDS,
        forceFetch,
      }),
    );

  const requestToken = async (credentials: CredentialsSecret, deadline: number | undefined) =>
    requestClientCredentialsToken({
      baseUrl: credentials.base_url ?? config.poderoBaseUrl,
      clientId: credentials.client_id,
      clientSecret: credentials.client_secret,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deadline === undefined ? {} : { deadline: () => deadline }),
      ...(deps.tracing?.poderoSpan ? { span: deps.tracing.poderoSpan } : {}),
    });

  const summary = (status: TokenRefreshResult['status'], token: TokenSecret): TokenRefreshResult => ({
    status,
    expires_at: token.expires_at,
    refreshed_at: token.refreshed_at,
  });

  return async (
    rawEvent: unknown,
    context?: InvocationContext & { getRemainingTimeInMillis?: () => number },
  ): Promise<TokenRefreshResult> => {
    const logger = withLogKeys(deps.logger, invocationKeys(context, isColdStart()));
    // The token request's retries end before the invocation's own timeout does (a hung token endpoint
    // would otherwise have Lambda kill the function mid-request), leaving time to report the failure.
    const remainingMs = context?.getRemainingTimeInMillis?.();
    const deadline =
      remainingMs === undefined ? undefined : Date.now() + remainingMs - TOKEN_REQUEST_RESERVE_MS;
    const parsedEvent = tokenRefreshEventSchema.safeParse(rawEvent);
    if (!parsedEvent.success) {
      const fields = parsedEvent.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new TokenRefreshEventError(`invalid token-refresh event: ${fields.join('; ')}`);
    }
    const event = parsedEvent.data;
    const now = deps.now();
    const current = await readStoredToken();

    if (current) {
      const remainingMs = Date.parse(current.expires_at) - now.getTime();
      const rejected = event.source === 'invoke' ? event.rejected_token_sha256 : undefined;
      if (event.force && rejected && tokenFingerprint(current.access_token) !== rejected && remainingMs > 0) {
        logger.info('forced refresh skipped: the rejected token was already replaced');
        return summary('already_replaced', current);
      }
      if (
        event.force &&
        !rejected &&
        now.getTime() - Date.parse(current.refreshed_at) < FORCE_DEBOUNCE_MS &&
        remainingMs > config.refreshMarginSeconds * 1000
      ) {
        logger.info('forced refresh skipped: the token was refreshed moments ago');
        return summary('already_replaced', current);
      }
      if (!event.force && remainingMs > config.refreshMarginSeconds * 1000) {
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

    const refreshedAt = deps.now();
    const stored: TokenSecret = {
      access_token: token.access_token,
      expires_at: new Date(refreshedAt.getTime() + token.expires_in * 1000).toISOString(),
      token_type: token.token_type,
      scope: token.scope ?? '',
      refreshed_at: refreshedAt.toISOString(),
    };
    await secrets.send(
      new PutSecretValueCommand({ SecretId: config.tokenSecretId, SecretString: JSON.stringify(stored) }),
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
