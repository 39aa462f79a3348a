#!/usr/bin/env node
// The project's one test command: lint, typecheck, then every vitest test.
// It prints a closing "N passed, N failed" line (CI reads it) and exits non-zero
// when any step fails, so a lint or type error fails CI like a failing test does.
// After vitest it runs the leak scan (scripts/leak-scan.mjs) over the whole suite's captured logs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureChromium } from './chromium.mjs';
import { ensureLambdaNode, LAMBDA_NODE_MAJOR } from './lambda-node.mjs';
import { reportLines, runLeakScan } from './leak-scan.mjs';
import { TEST_SHARE_ENV } from './test-tiers.mjs';

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

/** Like `run`, without blocking: the command's output is printed in one piece when it ends. */
const runBuffered = (label, cmd, args, extraEnv = {}) =>
  new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: root, env: { ...env, ...extraEnv } });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    let finished = false;
    const finish = (ok) => {
      if (finished) return; // 'error' may come before 'close'
      finished = true;
      console.log(`\n=== ${label}: ${[cmd, ...args].join(' ')}`);
      process.stdout.write(Buffer.concat(output));
      console.log(`=== ${label}: ${ok ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      resolve(ok);
    };
    child.on('error', (error) => {
      output.push(Buffer.from(`${error.message}\n`));
      finish(false);
    });
    child.on('close', (code) => finish(code === 0));
  });

const extraArgs = process.argv.slice(2);

// Lint, the two typechecks and the console's build need nothing of each other: they run side by side, each
// one's output printed whole when it ends. The console's browser tests run `pnpm dev`, which serves
// console/dist: built once here, before any test starts, so that parallel test files never build it at once.
const [lintOk, typesOk, consoleTypesOk, consoleOk] = await Promise.all([
  runBuffered('lint', bin('biome'), ['check', '.']),
  runBuffered('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']),
  // The console runs in a browser: its own project, with the DOM's types and Preact's JSX.
  runBuffered('typecheck console', bin('tsc'), ['-p', 'console/tsconfig.json', '--noEmit']),
  runBuffered(
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
  ),
]);
const chromiumOk = ensureChromium({
  env: process.env,
  exists: existsSync,
  isRoot: process.getuid?.() === 0,
  run: (label, cmd, args) => run(label, cmd, args, { DEBIAN_FRONTEND: 'noninteractive' }),
});

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
const testEnv = {
  PODERO_SIM_ISSUED_TOKENS_FILE: leakPaths.issuedSecretsFile,
  BRIDGE_TEST_LOG_CAPTURE_DIR: leakPaths.captureDir,
  BRIDGE_TEST_LOG_LEVEL: 'DEBUG',
  TMPDIR: leakPaths.tmp,
};

// Every test runs once. The functions run on the Lambda runtime's Node major, so the suite runs there (a Node
// build from the npm registry, the `node` package's platform binary, kept in .cache/ when the machine has
// another major); the tests of what runs on the developer's own Node (pnpm dev, the CLIs, the demo, the CDK
// app, the console in a browser: scripts/test-tiers.mjs) run on the machine's Node.
const machineMajor = Number(process.versions.node.split('.')[0]);
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const runs = [];
const vitestRun = (label, node, args, share) => {
  const resultsFile = join(root, `.vitest-results-${runs.length}.json`);
  rmSync(resultsFile, { force: true });
  const ok = run(
    label,
    node,
    [vitest, 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${resultsFile}`, ...args],
    share ? { ...testEnv, [TEST_SHARE_ENV]: share } : testEnv,
  );
  runs.push({ label, ok, resultsFile });
  return ok;
};
const lambdaNode =
  ensureLambdaNode(root, {
    execPath: process.execPath,
    nodeVersion: process.versions.node,
    install: (args) => run(`install Node ${LAMBDA_NODE_MAJOR}`, 'npm', args),
  }) ?? process.execPath;
const lambdaNodeOk = machineMajor === LAMBDA_NODE_MAJOR || lambdaNode !== process.execPath;
if (machineMajor === LAMBDA_NODE_MAJOR) {
  vitestRun(
    `tests on Node ${LAMBDA_NODE_MAJOR} (the Lambda runtime's and the machine's)`,
    lambdaNode,
    extraArgs,
  );
} else if (extraArgs.length > 0) {
  // A filtered run (`pnpm test <filter>`): the files asked for, once, on the Lambda runtime's Node.
  if (lambdaNodeOk)
    vitestRun(`tests on Node ${LAMBDA_NODE_MAJOR} (the Lambda runtime)`, lambdaNode, extraArgs);
} else {
  if (lambdaNodeOk)
    vitestRun(`tests on Node ${LAMBDA_NODE_MAJOR} (the Lambda runtime)`, lambdaNode, [], 'lambda-node');
  vitestRun(
    `tests on Node ${machineMajor} (the developer's: pnpm dev, CLIs, demo, CDK app, browser)`,
    process.execPath,
    [],
    'developer-node',
  );
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
for (const { resultsFile } of runs) {
  if (!existsSync(resultsFile)) continue;
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed += results.numPassedTests ?? 0;
  // Failed tests, plus each file that failed with no failed test of its own (it did not load, or a hook
  // threw). vitest's numFailedTestSuites counts describe blocks as well: added, one failure read as three.
  const filesFailedOutsideTests = (results.testResults ?? []).filter(
    (file) =>
      file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
  ).length;
  failed += (results.numFailedTests ?? 0) + filesFailedOutsideTests;
  skipped += (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
  rmSync(resultsFile, { force: true });
}
const testsOk = runs.every((r) => r.ok);
if (!lambdaNodeOk && failed === 0) failed += 1;
if (!lintOk) failed += 1;
if (!consoleOk) failed += 1;
if (!chromiumOk) console.log('chromium: not installed (the console browser tests fail for it)');
if (!typesOk) failed += 1;
if (!consoleTypesOk) failed += 1;
if (!leakScanOk) failed += 1;
if (!testsOk && failed === 0) failed += 1;
if (passed === 0 && failed === 0) failed += 1; // a run that executed no test is a failure

console.log(
  `\nlint: ${lintOk ? 'ok' : 'failed'}, typecheck: ${typesOk && consoleTypesOk ? 'ok' : 'failed'}, leak scan: ${leakScanOk ? 'ok' : 'failed'}, Node ${LAMBDA_NODE_MAJOR}: ${machineMajor === LAMBDA_NODE_MAJOR ? 'the machine’s' : lambdaNodeOk ? 'ok' : 'failed'}`,
);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(
  lintOk && typesOk && consoleTypesOk && consoleOk && testsOk && leakScanOk && lambdaNodeOk && failed === 0
    ? 0
    : 1,
);
