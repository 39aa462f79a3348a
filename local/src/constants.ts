import { fileURLToPath } from 'node:url';

/**
 * Constants shared by `pnpm dev`, `pnpm dev:token`, `pnpm demo` and the tests. The gateway's
 * authorizer and the token minter must agree on issuer and audience, so they live here only.
 */

/** `iss` of every local token; the local authorizer refuses any other issuer (like API Gateway's). */
export const DEV_ISSUER = 'https://auth.podero-bridge.local/dev';
/** `aud` the local authorizer requires; in AWS this is the stage's configured audience. */
export const DEV_AUDIENCE = 'podero-bridge-api';
/** `sub` of admin tokens when no subject is given. */
export const DEV_ADMIN_SUBJECT = 'local-admin';
/** Scope a user token carries besides the admin scope (informational; access rules use `sub`). */
export const DEV_USER_SCOPE = 'bridge/user';

export const DEFAULT_PORTS = {
  api: 3000,
  simulator: 4010,
  dynamo: 8000,
  secrets: 4583,
} as const;

/** Repository root (this file is local/src/constants.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Local state directory (gitignored). */
export const DATA_DIR = fileURLToPath(new URL('../../.data/', import.meta.url));
/** The dev signing key that `pnpm dev` and `pnpm dev:token` share. */
export const DEV_SIGNING_KEY_FILE = fileURLToPath(
  new URL('../../.data/dev-signing-key.json', import.meta.url),
);

/** API Gateway's maximum request payload for HTTP APIs. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** The dev key file, overridable with BRIDGE_DEV_KEY_FILE (tests point it at a temporary directory). */
export function devSigningKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.BRIDGE_DEV_KEY_FILE || DEV_SIGNING_KEY_FILE;
}
