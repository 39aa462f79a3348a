#!/usr/bin/env node
// `pnpm mutation [files...]`: Stryker over the modules in stryker.config.json, or only the files given.
// Incremental (reports/stryker-incremental.json): a rerun mutates only what changed since the last one.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const files = process.argv.slice(2).filter((a) => a !== '--');
const args = ['run', 'stryker.config.json', ...(files.length > 0 ? ['--mutate', files.join(',')] : [])];
const result = spawnSync(join(root, 'node_modules', '.bin', 'stryker'), args, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
});
process.exit(result.status ?? 1);
