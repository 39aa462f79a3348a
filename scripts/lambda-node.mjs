// The Node.js major version the Lambda functions run on (infra's LAMBDA_RUNTIME; an infra test keeps the
// two equal). `pnpm test` runs the suite on it too, and `pnpm bench` runs the cold-start and sync children
// on it, installing it from the npm registry (the `node` package's platform binary, kept in .cache/) when
// the machine's Node is another major.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const LAMBDA_NODE_MAJOR = 24;

/** Where the Lambda runtime's Node is installed when the machine has another major. */
export const lambdaNodePrefix = (root) => join(root, '.cache', `node${LAMBDA_NODE_MAJOR}`);

/** `npm` arguments that install it there. */
export const lambdaNodeInstallArgs = (root) => [
  'install',
  '--no-save',
  '--no-audit',
  '--no-fund',
  '--prefix',
  lambdaNodePrefix(root),
  `node@${LAMBDA_NODE_MAJOR}`,
];

/**
 * The Lambda runtime's Node binary: this process's when the machine runs that major, else the one in
 * .cache/, installed first through `install(args)` (npm) when missing. Null when the install failed.
 */
export function ensureLambdaNode(root, { execPath, nodeVersion, install, exists = existsSync }) {
  if (Number(nodeVersion.split('.')[0]) === LAMBDA_NODE_MAJOR) return execPath;
  const binary = join(lambdaNodePrefix(root), 'node_modules', '.bin', 'node');
  if (exists(binary)) return binary;
  return install(lambdaNodeInstallArgs(root)) && exists(binary) ? binary : null;
}
