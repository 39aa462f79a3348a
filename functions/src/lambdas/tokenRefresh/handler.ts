import {
  coldStartFlag,
  type InvocationContext,
  invocationKeys,
  withLogKeys,
} from '../../platform/observability';
import { type TokenRefreshResult, tokenRefreshEventSchema } from '../../tokens/contract';
import { createTokenRefresh } from '../../tokens/refresh';
import { parseEvent } from '../shared/parse-event';
import type { TokenRefreshDeps } from './deps';

/** Time kept back from the invocation's remaining time for storing the token and answering. */
const TOKEN_REQUEST_RESERVE_MS = 2_000;

/**
 * token-refresh: the only writer of the token secret. Reserved concurrency 1 in AWS (and a mutex locally)
 * means two refreshes never race (tokens/refresh.ts does the work).
 */
export function makeTokenRefreshHandler(deps: TokenRefreshDeps) {
  const isColdStart = coldStartFlag();
  const refresh = createTokenRefresh({
    settings: deps.config,
    secrets: deps.secrets,
    credentialsProvider: deps.credentialsProvider,
    metrics: deps.metrics,
    now: deps.now,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.tracing.poderoSpan ? { span: deps.tracing.poderoSpan } : {}),
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
    const event = parseEvent(tokenRefreshEventSchema, rawEvent, 'token-refresh', logger);
    return refresh(event, { deadline, logger });
  };
}
