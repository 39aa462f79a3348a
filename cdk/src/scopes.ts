import { ROLE_SCOPES } from '@podero-bridge/functions/declarations';

/**
 * The bridge's scopes, read from the declarations: one per role (`ROLE_SCOPES`: viewer, support, admin). Every
 * scope a route requires at the gateway is one of these (domain/access.ts `gatewayScopesFor`). A partner who
 * brings its own issuer defines these on it.
 */
export function bridgeScopes(): string[] {
  return Object.values(ROLE_SCOPES).sort();
}
