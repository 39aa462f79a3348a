import { defineConfig } from 'vitest/config';
import { integGlobs, shareOf, TEST_SHARE_ENV } from './scripts/test-tiers.mjs';

// One vitest run covers every workspace package: unit tests sit beside their code,
// cross-package tests live under test/. Servers in tests bind 127.0.0.1 on free ports.
//
// Two tiers (docs/ARCHITECTURE.md, Tests in tiers):
// - `unit`: every *.test.ts that is not *.integ.test.ts. Starts no server and no process (the guard in
//   test/support/unit-tier-guard.ts throws if one does); `pnpm test:unit` runs it in seconds.
// - `integ`: *.integ.test.ts, the tests that start dynalite, the simulator, the local stack, a browser, an
//   HTTP receiver, esbuild or a CDK synth (`integ:synth`: infra's, with longer timeouts).
// BRIDGE_TEST_SHARE picks the share of either tier that pnpm test runs on one Node (scripts/test-tiers.mjs).
const TEST_FILES = [
  'packages/*/src/**/*.test.ts',
  'packages/*/test/**/*.test.ts',
  'functions/src/**/*.test.ts',
  'local/src/**/*.test.ts',
  'infra/**/*.test.ts',
  'cdk/src/**/*.test.ts',
  'cdk/test/**/*.test.ts',
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
// The CDK synths (infra/test) are CPU-bound seconds each: their own project, with time for a loaded machine.
const SYNTH_FILES = ['infra/**/*.integ.test.ts'];
const integ = shareOf(share, {
  include: integGlobs(TEST_FILES),
  exclude: [...EXCLUDED, ...SYNTH_FILES],
  integ: true,
});
const synth = shareOf(share, { include: SYNTH_FILES, exclude: EXCLUDED, integ: true, within: 'infra/' });

export default defineConfig({
  test: {
    exclude: EXCLUDED,
    // Inert unless BRIDGE_TEST_LOG_CAPTURE_DIR is set (scripts/test.mjs sets it for the leak scan).
    setupFiles: ['test/support/leak-capture-setup.ts'],
    pool: 'forks',
    // vitest's default is one worker per core less one: a single worker on this 2-core machine, where most
    // integ tests wait on a server, a timer or a child process rather than the CPU. Three keep both cores busy.
    maxWorkers: 3,
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
      { extends: true, test: { name: 'integ:synth', ...synth, testTimeout: 120_000, hookTimeout: 180_000 } },
    ],
  },
});
