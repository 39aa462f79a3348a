#!/usr/bin/env node
// The project's one test command: lint, typecheck, then every vitest test.
// It prints a closing "N passed, N failed" line (CI reads it) and exits non-zero
// when any step fails, so a lint or type error fails CI like a failing test does.
// After vitest it runs the leak scan (scripts/leak-scan.mjs) over the whole suite's captured logs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAMBDA_NODE_MAJOR } from './lambda-node.mjs';
import { reportLines, runLeakScan } from './leak-scan.mjs';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const run = (label, cmd, args, extraEnv = {}) => {
  console.log(`\n=== ${label}: ${[cmd, ...args].join(' ')}`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  console.log(
    `=== ${label}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return result.status === 0;
};

const extraArgs = process.argv.slice(2);

/**
 * Debian's Chromium for the console's browser tests (playwright-core drives it; no browser download). Installed
 * with apt-get when missing, as root or through sudo; when that fails the browser tests fail and say why.
 */
function ensureChromium() {
  const chromium = process.env.BRIDGE_CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(chromium)) return true;
  const asRoot = process.getuid?.() === 0;
  const apt = (args) =>
    asRoot
      ? run(`apt-get ${args[0]}`, 'apt-get', args)
      : run(`sudo apt-get ${args[0]}`, 'sudo', ['-n', 'apt-get', ...args]);
  const aptEnv = { DEBIAN_FRONTEND: 'noninteractive' };
  Object.assign(env, aptEnv);
  const installed =
    apt(['install', '-y', '--no-install-recommends', 'chromium']) ||
    (apt(['update']) && apt(['install', '-y', '--no-install-recommends', 'chromium']));
  return installed && existsSync(chromium);
}
const lintOk = run('lint', bin('biome'), ['check', '.']);
const typesOk =
  run('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']) &&
  // The console runs in a browser: its own project, with the DOM's types and Preact's JSX.
  run('typecheck console', bin('tsc'), ['-p', 'console/tsconfig.json', '--noEmit']);

// The console's browser tests run `pnpm dev`, which serves console/dist: built once here, before any test
// starts, so that parallel test files never build it at the same time.
const consoleOk = run(
  'build console',
  process.execPath,
  [
    join(root, 'console', 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
    '--logLevel',
    'warn',
    join(root, 'console'),
  ],
  { NODE_ENV: 'production' },
);
const chromiumOk = ensureChromium();

const resultsFile = join(root, '.vitest-results.json');
rmSync(resultsFile, { force: true });
// Fresh per run: the simulator's record of issued tokens and client secrets, the workers' captured
// output (functions log at DEBUG into it, not to the terminal), and TMPDIR, where CDK synths without an
// explicit outdir (Template.fromStack) leave their cdk.out* directories for the scan to read.
const leakRoot = mkdtempSync(join(tmpdir(), 'podero-bridge-test-'));
const leakPaths = {
  issuedSecretsFile: join(leakRoot, 'issued-secrets.txt'),
  captureDir: join(leakRoot, 'logs'),
  tmp: join(leakRoot, 'tmp'),
};
mkdirSync(leakPaths.captureDir);
mkdirSync(leakPaths.tmp);
const testsOk = run(
  'tests',
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${resultsFile}`, ...extraArgs],
  {
    PODERO_SIM_ISSUED_TOKENS_FILE: leakPaths.issuedSecretsFile,
    BRIDGE_TEST_LOG_CAPTURE_DIR: leakPaths.captureDir,
    BRIDGE_TEST_LOG_LEVEL: 'DEBUG',
    TMPDIR: leakPaths.tmp,
  },
);

// The functions run on the Lambda runtime's Node major, the machine may have another: run the suite on that
// one too, with a Node build from the npm registry (the `node` package's platform binary), kept in .cache/.
const machineMajor = Number(process.versions.node.split('.')[0]);
const lambdaResultsFile = join(root, '.vitest-results-lambda-node.json');
rmSync(lambdaResultsFile, { force: true });
let lambdaNodeOk = true;
if (machineMajor !== LAMBDA_NODE_MAJOR) {
  const prefix = join(root, '.cache', `node${LAMBDA_NODE_MAJOR}`);
  const lambdaNode = join(prefix, 'node_modules', '.bin', 'node');
  const installed =
    existsSync(lambdaNode) ||
    run(`install Node ${LAMBDA_NODE_MAJOR}`, 'npm', [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      `node@${LAMBDA_NODE_MAJOR}`,
    ]);
  lambdaNodeOk =
    installed &&
    run(`tests on Node ${LAMBDA_NODE_MAJOR} (the Lambda runtime)`, lambdaNode, [
      join(root, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--reporter=dot',
      '--reporter=json',
      `--outputFile.json=${lambdaResultsFile}`,
      // The console's browser tests drive Chromium, not the Lambda runtime: once, on the machine's Node, is enough.
      '--exclude',
      'test/console/**',
      ...extraArgs,
    ]);
}

console.log('\n=== leak scan: captured logs and synthesized templates');
const scan = runLeakScan({
  issuedSecretsFile: leakPaths.issuedSecretsFile,
  captureDir: leakPaths.captureDir,
  templateRoots: [leakPaths.tmp, join(root, 'cdk.out'), join(root, 'infra', 'cdk.out')],
});
console.log(
  `searched ${scan.captureFiles} worker log captures and ${scan.templateFiles} templates for ${scan.tokens} access tokens and ${scan.clientSecrets} client secrets`,
);
for (const line of reportLines(scan)) console.log(line);
// A whole-suite run that recorded no token or captured nothing proves nothing: the hooks broke.
const scanVacuous = extraArgs.length === 0 && (scan.tokens === 0 || scan.captureFiles === 0);
if (scanVacuous) console.log('leak scan: FAILED (no issued token recorded or no log captured)');
const leakScanOk = scan.findings.length === 0 && !scanVacuous;
if (leakScanOk) rmSync(leakRoot, { recursive: true, force: true });
else console.log(`leak scan: captures kept in ${leakRoot}`);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(resultsFile)) {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests ?? 0;
  failed = (results.numFailedTests ?? 0) + (results.numFailedTestSuites ?? 0);
  skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
}
if (existsSync(lambdaResultsFile)) {
  const results = JSON.parse(readFileSync(lambdaResultsFile, 'utf8'));
  passed += results.numPassedTests ?? 0;
  failed += (results.numFailedTests ?? 0) + (results.numFailedTestSuites ?? 0);
  rmSync(lambdaResultsFile, { force: true });
}
if (!lambdaNodeOk && failed === 0) failed += 1;
if (!lintOk) failed += 1;
if (!consoleOk) failed += 1;
if (!chromiumOk) console.log('chromium: not installed (the console browser tests fail for it)');
if (!typesOk) failed += 1;
if (!leakScanOk) failed += 1;
if (!testsOk && failed === 0) failed += 1;
if (passed === 0 && failed === 0) failed += 1; // a run that executed no test is a failure

console.log(
  `\nlint: ${lintOk ? 'ok' : 'failed'}, typecheck: ${typesOk ? 'ok' : 'failed'}, leak scan: ${leakScanOk ? 'ok' : 'failed'}, Node ${LAMBDA_NODE_MAJOR}: ${machineMajor === LAMBDA_NODE_MAJOR ? 'the machine’s' : lambdaNodeOk ? 'ok' : 'failed'}`,
);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(lintOk && typesOk && consoleOk && testsOk && leakScanOk && lambdaNodeOk && failed === 0 ? 0 : 1);
