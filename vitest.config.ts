import { defineConfig } from 'vitest/config';
import { integGlobs, shareOf, TEST_SHARE_ENV } from './scripts/test-tiers.mjs';

// One vitest run covers every workspace package: unit tests sit beside their code,
// cross-package tests live under test/. Servers in tests bind 127.0.0.1 on free ports.
//
// Two tiers (docs/ARCHITECTURE.md, Tests in tiers):
// - `unit`: every *.test.ts that is not *.integ.test.ts. Starts no server and no process (the guard in
//   test/support/unit-tier-guard.ts throws if one does); `pnpm test:unit` runs it in seconds.
// - `integ`: *.integ.test.ts, the tests that start dynalite, the simulator, the local stack, a browser, an
//   HTTP receiver, esbuild or a CDK synth.
// BRIDGE_TEST_SHARE picks the share of either tier that pnpm test runs on one Node (scripts/test-tiers.mjs).
const TEST_FILES = [
  'packages/*/src/**/*.test.ts',
  'packages/*/test/**/*.test.ts',
  'functions/src/**/*.test.ts',
  'local/src/**/*.test.ts',
  'infra/**/*.test.ts',
  'test/**/*.test.ts',
  'bench/src/**/*.test.ts',
  'scripts/**/*.test.ts',
  'console/src/**/*.test.ts',
];
const EXCLUDED = ['**/node_modules/**', '**/cdk.out/**'];
const share = process.env[TEST_SHARE_ENV];
const unit = shareOf(share, {
  include: TEST_FILES,
  exclude: [...EXCLUDED, '**/*.integ.test.ts'],
  integ: false,
});
const integ = shareOf(share, { include: integGlobs(TEST_FILES), exclude: EXCLUDED, integ: true });

export default defineConfig({
  test: {
    exclude: EXCLUDED,
    // Inert unless BRIDGE_TEST_LOG_CAPTURE_DIR is set (scripts/test.mjs sets it for the leak scan).
    setupFiles: ['test/support/leak-capture-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POWERTOOLS_DEV: 'false',
    },
    projects: [
      {
        extends: true,
        test: { name: 'unit', ...unit, setupFiles: ['test/support/unit-tier-guard.ts'] },
      },
      { extends: true, test: { name: 'integ', ...integ } },
    ],
  },
});
