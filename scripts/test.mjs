#!/usr/bin/env node
// The project's one test command: lint, typecheck, then every vitest test.
// It prints a closing "N passed, N failed" line (CI reads it) and exits non-zero
// when any step fails, so a lint or type error fails CI like a failing test does.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const run = (label, cmd, args) => {
  console.log(`\n=== ${label}: ${[cmd, ...args].join(' ')}`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  console.log(
    `=== ${label}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return result.status === 0;
};

const extraArgs = process.argv.slice(2);
const lintOk = run('lint', bin('biome'), ['check', '.']);
const typesOk = run('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);

const resultsFile = join(root, '.vitest-results.json');
rmSync(resultsFile, { force: true });
const testsOk = run('tests', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${resultsFile}`,
  ...extraArgs,
]);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(resultsFile)) {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests ?? 0;
  failed = (results.numFailedTests ?? 0) + (results.numFailedTestSuites ?? 0);
  skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
}
if (!lintOk) failed += 1;
if (!typesOk) failed += 1;
if (!testsOk && failed === 0) failed += 1;
if (passed === 0 && failed === 0) failed += 1; // a run that executed no test is a failure

console.log(`\nlint: ${lintOk ? 'ok' : 'failed'}, typecheck: ${typesOk ? 'ok' : 'failed'}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(lintOk && typesOk && testsOk && failed === 0 ? 0 : 1);
