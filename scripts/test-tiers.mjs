// Which tests run on which Node (scripts/test.mjs). Plain JavaScript so scripts/test.mjs runs it under bare Node.
//
// The functions run on the Lambda runtime's Node (scripts/lambda-node.mjs): the whole suite runs there, once.
// These tests exercise what runs on the developer's own Node instead (pnpm dev and its CLIs, the demo, the
// `podero` and `bridge` CLIs, the simulator's CLI, the CDK app as the cdk CLI runs it, the console in a
// browser): they run on the machine's Node, once, and not again on the Lambda runtime's.
export const DEVELOPER_NODE_TESTS = [
  'test/console/**',
  'test/local-stack-cli.integ.test.ts',
  'test/local-stack-stop.integ.test.ts',
  'test/demo.integ.test.ts',
  'test/bridge-cli.integ.test.ts',
  'packages/podero-cli/**',
  'packages/podero-simulator/test/cli.integ.test.ts',
  'infra/test/bin.integ.test.ts',
];

/** A vitest CLI filter (a path substring) for one of the globs above. */
export function developerTestFilter(glob) {
  return glob.replace(/\*\*$/, '');
}
