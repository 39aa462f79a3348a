import {
  createClientCredentialsTokenProvider,
  createPoderoClient,
  type PoderoClient,
  type RetryOptions,
} from '@podero-bridge/podero-client';
import type { Simulator } from '@podero-bridge/podero-simulator';

/** The real client package against the simulator, with fast (but real) retries. */
export function clientFor(
  sim: Simulator,
  overrides: {
    retry?: Partial<RetryOptions>;
    timeoutMs?: number;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): PoderoClient {
  return createPoderoClient({
    baseUrl: sim.baseUrl,
    orgId: sim.orgId,
    tokenProvider: createClientCredentialsTokenProvider({
      baseUrl: sim.baseUrl,
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      retry: { maxRetries: 0 },
    }),
    retry: { baseDelayMs: 1, maxDelayMs: 5, ...overrides.retry },
    ...(overrides.timeoutMs === undefined ? {} : { timeoutMs: overrides.timeoutMs }),
    ...(overrides.sleep === undefined ? {} : { sleep: overrides.sleep }),
  });
}
