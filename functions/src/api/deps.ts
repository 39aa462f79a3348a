import type { ApiConfig } from '../shared/config';
import { createFleetDeps, type FleetDeps, type FleetOverrides } from '../shared/fleet-deps';
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
}

export interface ApiOverrides extends FleetOverrides {
  userCreation?: Partial<ApiDeps['userCreation']>;
}

/** Built once per container (cold start); tests and the local stack pass overrides. */
/**
 * The API answers within API Gateway's 29 s limit: Podero calls get a shorter timeout and retry budget
 * than the client's defaults (worst case about 3 x 5 s + backoff, plus one token refresh), and a long
 * Retry-After is passed on to the caller as 503 instead of being waited out.
 */
export const API_PODERO_TIMEOUT_MS = 5_000;
export const API_PODERO_RETRY = {
  maxRetries: 2,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 2_000,
};

export function createApiDeps(config: ApiConfig, overrides: ApiOverrides = {}): ApiDeps {
  const fleet = createFleetDeps('api', config, {
    ...overrides,
    poderoTimeoutMs: overrides.poderoTimeoutMs ?? API_PODERO_TIMEOUT_MS,
    poderoRetry: { ...API_PODERO_RETRY, ...overrides.poderoRetry },
  });
  return {
    ...fleet,
    config,
    users: new UserStore(fleet.db, config.mainTableName),
    buildings: new BuildingStore(fleet.db, config.mainTableName),
    onboardingSessions: new OnboardingSessionStore(fleet.db, config.mainTableName),
    userCreation: { leaseMs: 30_000, waitMs: 10_000, pollMs: 50, ...overrides.userCreation },
  };
}
