/**
 * Test-only hook for the whole-suite leak scan (scripts/leak-scan.mjs): when the environment variable
 * `PODERO_SIM_ISSUED_TOKENS_FILE` names a file, every access token the simulator issues is appended to it,
 * one per line, and so are the client secrets it accepts (prefixed, so the scanner can tell them apart).
 * Every simulator in every test worker appends to the same file; small appends are atomic, so lines from
 * parallel workers never interleave. The values are fake by design; without the variable nothing is written.
 */
import { appendFileSync } from 'node:fs';
import type { OrgCredentials } from './core';

export const ISSUED_TOKENS_FILE_ENV = 'PODERO_SIM_ISSUED_TOKENS_FILE';
/** Prefix of a client-secret line: `client_secret<TAB>client id<TAB>client secret`. */
export const CLIENT_SECRET_LINE_PREFIX = 'client_secret\t';

// Read at each call (not at import) so a test run can set the variable before starting simulators.
const targetFile = (): string | undefined => process.env[ISSUED_TOKENS_FILE_ENV] || undefined;

export function recordIssuedToken(token: string): void {
  const file = targetFile();
  if (file !== undefined) appendFileSync(file, `${token}\n`);
}

export function recordClientSecrets(orgs: readonly OrgCredentials[]): void {
  const file = targetFile();
  if (file === undefined) return;
  const lines = orgs.map((org) => `${CLIENT_SECRET_LINE_PREFIX}${org.clientId}\t${org.clientSecret}\n`);
  appendFileSync(file, lines.join(''));
}
