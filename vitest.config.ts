import { defineConfig } from 'vitest/config';

// One vitest run covers every workspace package: unit tests sit beside their code,
// cross-package tests live under test/. Servers in tests bind 127.0.0.1 on free ports.
export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'functions/src/**/*.test.ts',
      'local/src/**/*.test.ts',
      'infra/**/*.test.ts',
      'test/**/*.test.ts',
      'bench/src/**/*.test.ts',
      'scripts/**/*.test.ts',
      'console/src/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/cdk.out/**'],
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
  },
});
