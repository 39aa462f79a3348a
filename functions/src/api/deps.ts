import type { ApiConfig } from '../shared/config';
import { createFleetDeps, type FleetDeps, type FleetOverrides } from '../shared/fleet-deps';

export interface ApiDeps extends FleetDeps {
  readonly config: ApiConfig;
  /** How long a POST /users lease protects one creation, and how long a concurrent duplicate waits for it. */
  readonly userCreation: { readonly leaseMs: number; readonly waitMs: number; readonly pollMs: number };
}

export interface ApiOverrides extends FleetOverrides {
  userCreation?: Partial<ApiDeps['userCreation']>;
}

/** Built once per container (cold start); tests and the local stack pass overrides. */
export function createApiDeps(config: ApiConfig, overrides: ApiOverrides = {}): ApiDeps {
  return {
    ...createFleetDeps('api', config, overrides),
    config,
    userCreation: { leaseMs: 30_000, waitMs: 10_000, pollMs: 50, ...overrides.userCreation },
  };
}
