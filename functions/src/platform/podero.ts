import {
  type AttemptObservation,
  createPoderoClient,
  type FetchLike,
  type PoderoClient,
  type RequestSpan,
  type RetryOptions,
  type TokenProvider,
  type TradingVariant,
} from '@podero-bridge/podero-client';

/**
 * The Podero client for api and heat-pump-sync. Base URL and org id come from the function's
 * environment (PODERO_BASE_URL, PODERO_ORG_ID): those functions may not read the credentials secret, and
 * keeping them out of the token secret means token-refresh writes only token fields.
 */
export function createPodero(
  config: {
    readonly poderoBaseUrl: string;
    readonly poderoOrgId: string;
    /** Which trading API the stage speaks (ADR 0014); the client's default when absent. */
    readonly tradingVariant?: TradingVariant;
  },
  deps: {
    tokenProvider: TokenProvider;
    fetch?: FetchLike;
    timeoutMs?: number;
    retry?: Partial<RetryOptions>;
    sleep?: (ms: number) => Promise<void>;
    deadline?: () => number | undefined;
    observe?: (observation: AttemptObservation) => void;
    span?: RequestSpan;
  },
): PoderoClient {
  return createPoderoClient({
    baseUrl: config.poderoBaseUrl,
    orgId: config.poderoOrgId,
    tokenProvider: deps.tokenProvider,
    userAgent: 'podero-bridge/0.1',
    ...(config.tradingVariant ? { trading: { variant: config.tradingVariant } } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {}),
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.deadline ? { deadline: deps.deadline } : {}),
    ...(deps.observe ? { observe: deps.observe } : {}),
    ...(deps.span ? { span: deps.span } : {}),
  });
}
