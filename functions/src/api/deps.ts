import type { ApiConfig } from '../config';
import { createFleetDeps, type FleetDeps, type FleetOverrides } from '../shared/fleet-deps';
import { currentDeadline } from '../shared/request-deadline';
import { BuildingStore } from '../storage/buildings';
import { OnboardingSessionStore } from '../storage/onboarding-sessions';
import { UserStore } from '../storage/users';

export interface ApiDeps extends FleetDeps {
  readonly config: ApiConfig;
  readonly users: UserStore;
  readonly buildings: BuildingStore;
  readonly onboardingSessions: OnboardingSessionStore;
  /** How long a POST /users lease protects one creation, and how long a concurrent duplicate waits for it. */
  readonly userCreation: { readonly leaseMs: number; readonly waitMs: number; readonly pollMs: number };
  /** Every request is answered within this many ms (see API_REQUEST_BUDGET_MS). */
  readonly requestBudgetMs: number;
}

export interface ApiOverrides extends Omit<FleetOverrides, 'deadline'> {
  userCreation?: Partial<ApiDeps['userCreation']>;
  requestBudgetMs?: number;
}

/**
 * The API answers within API Gateway's 29 s limit, with its own documented error, never the gateway's
 * bare 503. Each request has a deadline API_REQUEST_BUDGET_MS after it starts: every Podero attempt gets
 * at most the time left (and no retry starts that could not finish), a forced token refresh is waited
 * for at most API_TOKEN_REFRESH_WAIT_MS (then 502 upstream_auth_failed), and a request still running
 * at the deadline is answered 503 request_timeout. Podero calls get a shorter timeout and retry budget
 * than the client's defaults, and a long Retry-After is passed on to the caller as 503 instead of being
 * waited out.
 */
export const API_REQUEST_BUDGET_MS = 20_000;
export const API_TOKEN_REFRESH_WAIT_MS = 8_000;
export const API_PODERO_TIMEOUT_MS = 5_000;
export const API_PODERO_RETRY = {
  maxRetries: 2,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 2_000,
};

/** Built once per container (cold start); tests and the local stack pass overrides. */
export function createApiDeps(config: ApiConfig, overrides: ApiOverrides = {}): ApiDeps {
  const fleet = createFleetDeps('api', config, {
    ...overrides,
    poderoTimeoutMs: overrides.poderoTimeoutMs ?? API_PODERO_TIMEOUT_MS,
    poderoRetry: { ...API_PODERO_RETRY, ...overrides.poderoRetry },
    tokenRefreshWaitMs: overrides.tokenRefreshWaitMs ?? API_TOKEN_REFRESH_WAIT_MS,
    deadline: currentDeadline,
  });
  return {
    ...fleet,
    config,
    users: new UserStore(fleet.db, config.mainTableName),
    buildings: new BuildingStore(fleet.db, config.mainTableName),
    onboardingSessions: new OnboardingSessionStore(fleet.db, config.mainTableName),
    userCreation: { leaseMs: 30_000, waitMs: 10_000, pollMs: 50, ...overrides.userCreation },
    requestBudgetMs: overrides.requestBudgetMs ?? API_REQUEST_BUDGET_MS,
  };
}
