// Which tests run on which Node (scripts/test.mjs, vitest.config.ts). Plain JavaScript so scripts/test.mjs runs
// it under bare Node.
//
// The functions run on the Lambda runtime's Node (scripts/lambda-node.mjs): the suite runs there, once. These
// tests exercise what runs on the developer's own Node instead (pnpm dev and its CLIs, the demo, the `podero`
// and `bridge` CLIs, the simulator's CLI, the CDK app as the cdk CLI runs it, the console in a browser): they
// run on the machine's Node, once, and not again on the Lambda runtime's.
export const DEVELOPER_NODE_TESTS = [
  'test/console/**/*.test.ts',
  'test/local-stack-cli.integ.test.ts',
  'test/local-stack-stop.integ.test.ts',
  'test/demo.integ.test.ts',
  'test/bridge-cli.integ.test.ts',
  'packages/podero-cli/**/*.test.ts',
  'packages/podero-simulator/test/cli.integ.test.ts',
  'infra/test/bin.integ.test.ts',
];

/** The environment variable that picks a share of the suite: `lambda-node`, `developer-node`, or all when unset. */
export const TEST_SHARE_ENV = 'BRIDGE_TEST_SHARE';
export const TEST_SHARES = ['lambda-node', 'developer-node'];

/** The integ tier's form of test-file globs: `x/**\/*.test.ts` → `x/**\/*.integ.test.ts`; integ files as they are. */
export function integGlobs(globs) {
  return globs.map((glob) =>
    glob.endsWith('.integ.test.ts') ? glob : glob.replace(/\.test\.ts$/, '.integ.test.ts'),
  );
}

/**
 * A tier's include and exclude globs for a share: the developer-Node share includes only DEVELOPER_NODE_TESTS,
 * the Lambda-Node share excludes them, no share is the whole tier. A tier `within` a folder (infra's synths)
 * includes only files under it.
 */
export function shareOf(share, tier) {
  if (share !== undefined && !TEST_SHARES.includes(share)) {
    throw new Error(`${TEST_SHARE_ENV} must be one of ${TEST_SHARES.join(', ')}, not "${share}"`);
  }
  // A tier confined to one folder (`within`) takes only the developer-Node tests in it.
  const inTier = DEVELOPER_NODE_TESTS.filter(
    (glob) => tier.within === undefined || glob.startsWith(tier.within),
  );
  const developer = tier.integ ? integGlobs(inTier) : inTier;
  if (share === 'developer-node') return { include: developer, exclude: tier.exclude };
  if (share === 'lambda-node')
    return { include: tier.include, exclude: [...tier.exclude, ...DEVELOPER_NODE_TESTS] };
  return { include: tier.include, exclude: tier.exclude };
}
