import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@podero-bridge/cdk/internal';
import { afterAll, describe, expect, it } from 'vitest';
import { cdkJsonContext } from './support';

const run = promisify(execFile);
const outdirs: string[] = [];

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs a CDK app entry exactly as `cdk synth` does: context in CDK_CONTEXT_JSON, output in CDK_OUTDIR, and
 * no NODE_ENV=test (which would make CDK throw its report instead of handling it as under the CLI).
 */
async function runApp(context: Record<string, unknown>, entry = 'infra/bin/app.ts') {
  const outdir = mkdtempSync(path.join(tmpdir(), 'podero-bridge-bin-'));
  outdirs.push(outdir);
  try {
    const { stderr } = await run('node', ['--import', 'tsx', entry], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NODE_ENV: undefined,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context }),
        CDK_VALIDATION: 'false',
      },
    });
    return { outdir, ok: true, stderr };
  } catch (error) {
    return { outdir, ok: false, stderr: String((error as { stderr?: unknown }).stderr ?? error) };
  }
}

// Child processes side by side, each synthesizing the whole stack with its policy checks: tens of seconds on a
// loaded 2-core machine (106 s each measured at a load average of 16, three at once: hence 300 s).
describe.concurrent('infra/bin/app.ts', { timeout: 300_000 }, () => {
  it('synthesizes the stack of the stage given with -c stage', async () => {
    const { outdir, ok, stderr } = await runApp({ stage: 'prod' });
    expect(ok, stderr).toBe(true);
    const templatePath = path.join(outdir, 'PoderoBridge-prod.template.json');
    expect(existsSync(templatePath), stderr).toBe(true);
    const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Description: string };
    expect(template.Description).toContain('(prod)');
  });

  it('exits non-zero and names the rule when a policy plugin reports an unacknowledged finding', async () => {
    // Only cfn-guard reports this finding, and the app acknowledges others of the same plugin.
    const result = await runApp({ stage: 'dev' }, 'infra/test/fixtures/app-with-unacknowledged-finding.ts');
    expect(result.ok, result.stderr).toBe(false);
    expect(result.stderr).toMatch(
      /CT\.CLOUDWATCH\.PR\.\d[^\n]*\n\s*PoderoBridge-dev\/UnacknowledgedLogGroup/,
    );
  });

  it('fails with the name of the bad field when the stage config is invalid', async () => {
    const result = await runApp({ stage: 'dev', stageConfig: '{"jwt":{"issuer":"not a url"}}' });
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/jwt\.issuer/);
    expect(existsSync(path.join(result.outdir, 'PoderoBridge-dev.template.json'))).toBe(false);
  });
});
