import type { Logger } from '@aws-lambda-powertools/logger';
import { UpstreamError } from '../domain/errors';
import { type TokenSecret, tokenFingerprint } from './contract';
import { type TokenRefresher, TokenRefreshFailedError } from './refresher';
import type { TokenSource } from './source';

/** Same shape as the client's TokenProvider (packages/podero-client). */
export interface BridgeTokenProvider {
  getToken(): Promise<string>;
  invalidate(rejectedToken: string): Promise<void>;
}

export class TokenUnavailableError extends UpstreamError {
  override readonly name = 'TokenUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, {
      code: 'upstream_auth_failed',
      summary: 'the bridge could not authenticate with Podero',
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
    });
  }
}

/**
 * The client's TokenProvider for the fleet: reads the stored token (cached; a cached copy near expiry is
 * re-read from the store first), and when Podero rejects it or the stored one is missing/expired, asks
 * token-refresh for a forced refresh naming the rejected token's fingerprint,
 * then re-reads with forceFetch. Concurrent requests in one container share one in-flight refresh.
 */
export function createBridgeTokenProvider(opts: {
  source: TokenSource;
  refresher: TokenRefresher;
  now?: () => number;
  /** A token this close to expiry counts as expired (clock skew, request duration). */
  expirySkewSeconds?: number;
  /**
   * How long one caller waits for a forced refresh (default: no bound), and the caller's own deadline
   * (epoch ms, read per call): the wait ends at whichever comes first, with TokenRefreshFailedError. The
   * refresh itself goes on, shared, for the callers after it. Without the bound a hung token endpoint
   * held every API request until API Gateway's 29 s limit.
   */
  refreshWaitMs?: number;
  deadline?: () => number | undefined;
  logger?: Logger;
}): BridgeTokenProvider {
  const { source, refresher, now = Date.now, expirySkewSeconds = 60, logger } = opts;
  let inflight: Promise<TokenSecret | undefined> | undefined;

  /** `refresh`, or TokenRefreshFailedError once this caller's wait is up. */
  const bounded = <T>(refresh: Promise<T>): Promise<T> => {
    const deadline = opts.deadline?.();
    const waitMs = Math.min(
      opts.refreshWaitMs ?? Number.POSITIVE_INFINITY,
      deadline === undefined ? Number.POSITIVE_INFINITY : deadline - Date.now(),
    );
    if (waitMs === Number.POSITIVE_INFINITY) return refresh;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TokenRefreshFailedError(
              `token-refresh did not answer within ${Math.max(0, Math.round(waitMs))} ms`,
            ),
          ),
        Math.max(0, waitMs),
      );
    });
    return Promise.race([refresh, expired]).finally(() => clearTimeout(timer));
  };

  const isFresh = (token: TokenSecret) => Date.parse(token.expires_at) - expirySkewSeconds * 1000 > now();

  const refreshOnce = (rejectedSha256: string | undefined): Promise<TokenSecret | undefined> => {
    if (!inflight) {
      logger?.info('asking token-refresh for a forced refresh', {
        reason: rejectedSha256 ? 'rejected' : 'missing_or_expired',
      });
      inflight = refresher
        .forceRefresh(rejectedSha256)
        .then(() => source.read({ forceFetch: true }))
        .finally(() => {
          inflight = undefined;
        });
      // A caller that stopped waiting leaves the refresh running: its failure is still handled.
      inflight.catch(() => undefined);
    }
    return bounded(inflight);
  };

  return {
    async getToken() {
      let token = inflight ? await bounded(inflight) : await source.read();
      if (token !== undefined && !isFresh(token) && !inflight) {
        // The cached copy may simply be older than the store: token-refresh replaces tokens hours before
        // they expire. Re-read before asking it for a forced refresh (an invoke) it would answer with a no-op.
        token = await source.read({ forceFetch: true });
      }
      if (token === undefined || !isFresh(token)) {
        token = await refreshOnce(token ? tokenFingerprint(token.access_token) : undefined);
      }
      if (token === undefined || !isFresh(token)) {
        throw new TokenUnavailableError('no valid Podero access token is available');
      }
      return token.access_token;
    },
    async invalidate(rejectedToken) {
      if (inflight) {
        await bounded(inflight);
        return;
      }
      const current = await source.read();
      // Another request already moved this container on to a newer token: nothing to do.
      if (current !== undefined && isFresh(current) && current.access_token !== rejectedToken) return;
      await refreshOnce(tokenFingerprint(rejectedToken));
    },
  };
}
