import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { UpstreamError } from '../domain/errors';
import { backoffDelayMs, sleep as defaultSleep } from '../platform/backoff';
import { type TokenRefreshEvent, type TokenRefreshResult, tokenRefreshResultSchema } from './contract';

/**
 * How a reader asks token-refresh (the only writer) to force a refresh. In AWS a synchronous Lambda
 * invoke, serialised by token-refresh's reserved concurrency of 1; locally an in-process call behind a
 * mutex, which gives the same one-at-a-time guarantee.
 */
export interface TokenRefresher {
  forceRefresh(rejectedTokenSha256?: string): Promise<TokenRefreshResult>;
}

export class TokenRefreshFailedError extends UpstreamError {
  override readonly name = 'TokenRefreshFailedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, {
      code: 'upstream_auth_failed',
      summary: 'the bridge could not authenticate with Podero',
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
    });
  }
}

function forcedEvent(rejectedTokenSha256: string | undefined): TokenRefreshEvent {
  return {
    source: 'invoke',
    force: true,
    ...(rejectedTokenSha256 ? { rejected_token_sha256: rejectedTokenSha256 } : {}),
  };
}

function parseResult(value: unknown): TokenRefreshResult {
  const parsed = tokenRefreshResultSchema.safeParse(value);
  if (!parsed.success) {
    throw new TokenRefreshFailedError(
      `token-refresh returned an unexpected result (${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')})`,
    );
  }
  return parsed.data;
}

export interface LambdaRefresherOptions {
  /**
   * Each synchronous invoke is aborted after this long (default 10 s): token-refresh's own timeout is 30 s,
   * longer than any API request may wait. The invoked function goes on and stores its token.
   */
  invokeTimeoutMs?: number;
  /** Attempts when the invoke is throttled (reserved concurrency 1 turns concurrent callers away). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const isThrottle = (error: unknown) =>
  error instanceof Error &&
  (error.name === 'TooManyRequestsException' ||
    error.name === 'ThrottlingException' ||
    error.name === 'Throttling');

const describeInvokeError = (error: unknown): string =>
  error instanceof Error
    ? error.name === 'AbortError' || error.name === 'TimeoutError'
      ? 'timed out'
      : error.name
    : 'unknown';

export function createLambdaTokenRefresher(
  lambda: LambdaClient,
  functionName: string,
  options: LambdaRefresherOptions = {},
): TokenRefresher {
  const {
    maxAttempts = 8,
    invokeTimeoutMs = 10_000,
    baseDelayMs = 100,
    maxDelayMs = 2_000,
    sleep = defaultSleep,
    random = Math.random,
  } = options;
  return {
    async forceRefresh(rejectedTokenSha256) {
      const payload = new TextEncoder().encode(JSON.stringify(forcedEvent(rejectedTokenSha256)));
      for (let attempt = 1; ; attempt++) {
        try {
          const out = await lambda.send(
            new InvokeCommand({
              FunctionName: functionName,
              InvocationType: 'RequestResponse',
              Payload: payload,
            }),
            { abortSignal: AbortSignal.timeout(invokeTimeoutMs) },
          );
          const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
          if (out.FunctionError) {
            throw new TokenRefreshFailedError(`token-refresh failed (${out.FunctionError})`);
          }
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            throw new TokenRefreshFailedError('token-refresh returned a non-JSON result');
          }
          return parseResult(json);
        } catch (error) {
          if (!isThrottle(error) || attempt >= maxAttempts) {
            if (error instanceof TokenRefreshFailedError) throw error;
            // Throttled to the end, timed out, denied, unreachable: to the caller all mean the same.
            throw new TokenRefreshFailedError(
              `token-refresh could not be invoked (${describeInvokeError(error)})`,
              {
                cause: error,
              },
            );
          }
          // Full jitter: callers throttled together should not come back together.
          await sleep(backoffDelayMs(attempt, { baseDelayMs, maxDelayMs, random }));
        }
      }
    },
  };
}

/**
 * Calls token-refresh's handler in this process, one call at a time (like reserved concurrency 1), for the
 * local stack and tests. A failure of the handler reaches the caller as TokenRefreshFailedError, as a
 * synchronous Lambda invoke reports it (a `FunctionError`): the caller learns that the refresh failed, not
 * the Podero error inside token-refresh.
 */
export function createInProcessTokenRefresher(
  invokeTokenRefresh: (event: TokenRefreshEvent) => Promise<unknown>,
): TokenRefresher {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    forceRefresh(rejectedTokenSha256) {
      const run = queue.then(async () => {
        let result: unknown;
        try {
          result = await invokeTokenRefresh(forcedEvent(rejectedTokenSha256));
        } catch (error) {
          throw new TokenRefreshFailedError(
            `token-refresh failed (${error instanceof Error ? error.name : 'Unhandled'})`,
            { cause: error },
          );
        }
        return parseResult(result);
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
