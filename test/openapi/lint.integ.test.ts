import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';

/**
 * The API description passes a standard linter: Redocly CLI's `recommended` ruleset (test/redocly.yaml, its
 * exceptions in test/.redocly.lint-ignore.yaml, each with a reason), run as a developer runs it
 * (`pnpm --dir test lint:openapi`). Any error or warning fails: a route declared the house's way must not
 * bring one back. The same linter is shown to refuse the two shapes it refused before (an OPTIONS operation on
 * a templated path without its path parameters, a webhook without security), so a passing run is not a
 * ruleset that checks nothing.
 */
const TEST_DIR = path.resolve(import.meta.dirname, '..');
const DOCUMENT = path.resolve(TEST_DIR, '..', 'functions', 'openapi.json');
const REDOCLY = path.join(TEST_DIR, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

const lintReportSchema = z.object({
  totals: z.object({ errors: z.number(), warnings: z.number(), ignored: z.number() }),
  problems: z.array(
    z.object({
      ruleId: z.string(),
      severity: z.string(),
      message: z.string(),
      location: z.array(z.object({ pointer: z.string().optional() })).optional(),
    }),
  ),
});
type LintReport = z.infer<typeof lintReportSchema>;

/** `redocly lint --format json` (exit 1 when it finds an error: the report on stdout is what counts). */
async function lint(args: string[]): Promise<LintReport> {
  const run = promisify(execFile);
  const env = {
    ...process.env,
    // Nothing leaves the machine: no usage report, no update check.
    REDOCLY_TELEMETRY: 'off',
    REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
  };
  const { stdout } = await run(process.execPath, [REDOCLY, 'lint', '--format', 'json', ...args], {
    cwd: TEST_DIR,
    env,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    if (!error.stdout) throw new Error(`redocly lint failed to run: ${error.stderr ?? error.message}`);
    return { stdout: error.stdout };
  });
  return lintReportSchema.parse(JSON.parse(stdout.slice(stdout.indexOf('{'))));
}

const summary = (report: LintReport) =>
  report.problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location?.[0]?.pointer ?? '?'}: ${p.message}`);

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'openapi-lint-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("Redocly's recommended ruleset", () => {
  it('finds no error and no warning in functions/openapi.json', async () => {
    const report = await lint([]);
    expect(summary(report)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    // The one written exception (the re-authentication callback's 303) is still where the ignore file says.
    expect(report.totals.ignored).toBe(1);
  }, 60_000);

  it('refuses a preflight operation without path parameters and a webhook without security', async () => {
    const document = JSON.parse(await readFile(DOCUMENT, 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
      webhooks: Record<string, { post: { security?: unknown } }>;
    };
    const templated = Object.keys(document.paths).find((p) => p.includes('{')) ?? '';
    const item = document.paths[templated] ?? {};
    item.options = {
      operationId: 'corsPreflight',
      security: [],
      responses: { 204: { description: 'CORS' } },
    };
    const [firstWebhook] = Object.values(document.webhooks);
    delete firstWebhook?.post.security;
    const file = path.join(scratch, 'openapi.json');
    await writeFile(file, JSON.stringify(document));

    const report = await lint([file, '--config', path.join(TEST_DIR, 'redocly.yaml')]);
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => p.ruleId);
    expect(errors).toContain('path-parameters-defined');
    expect(errors).toContain('security-defined');
  }, 60_000);
});
