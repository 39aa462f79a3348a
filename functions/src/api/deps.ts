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
export function createApiDeps(config: ApiConfig, overrides: ApiOverrides = {}): ApiDeps {
  const fleet = createFleetDeps('api', config, overrides);
  return {
    ...fleet,
    config,
    users: new UserStore(fleet.db, config.mainTableName),
    buildings: new BuildingStore(fleet.db, config.mainTableName),
    onboardingSessions: new OnboardingSessionStore(fleet.db, config.mainTableName),
    userCreation: { leaseMs: 30_000, waitMs: 10_000, pollMs: 50, ...overrides.userCreation },
  };
}
