import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@podero-bridge/cdk/internal';
import type { FunctionDeclaration } from '@podero-bridge/functions/declarations';
import { functionDeclarations } from '@podero-bridge/functions/declarations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_BUDGET_BYTES } from '../lib/budgets';
import {
  logicalIdOf,
  propertiesOf,
  resourcesOfType,
  type Synthesized,
  stageConfig,
  synthesize,
} from './support';

// The one synth that bundles for real (esbuild via `pnpm exec`, no Docker), like `pnpm synth` does.
let outdir: string;
let synthesized: Synthesized;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'podero-bridge-cdk-'));
  synthesized = synthesize(stageConfig('dev'), { bundle: true, outdir });
  synthesized.app.synth();
}, 120_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

/** The asset directory the function's code points at (its S3 key is `<asset hash>.zip`). */
function assetDirOf(declaration: FunctionDeclaration): string {
  const { stack, template } = synthesized;
  const code = propertiesOf(
    template,
    'AWS::Lambda::Function',
    logicalIdOf(stack, stack.bridge.functions[declaration.id].function),
  ).Code as { S3Key: string };
  const key = code.S3Key;
  return path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

describe('real bundles', () => {
  for (const declaration of Object.values(functionDeclarations) as FunctionDeclaration[]) {
    it(`bundles ${declaration.name} into one ESM file under its size budget, with a source map`, () => {
      const dir = assetDirOf(declaration);
      const bundle = path.join(dir, 'index.mjs');
      expect(existsSync(bundle), bundle).toBe(true);
      const size = statSync(bundle).size;
      expect(size).toBeGreaterThan(1_000);
      expect(size, `${declaration.name} is ${size} bytes`).toBeLessThanOrEqual(
        BUNDLE_BUDGET_BYTES[declaration.id],
      );
      expect(existsSync(path.join(dir, 'index.mjs.map'))).toBe(true);

      const code = readFileSync(bundle, 'utf8');
      // Booleans, not `toContain`, so a failure does not print a megabyte of minified code.
      // ESM with the createRequire banner, exporting the handler the function is configured with.
      expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
      expect(/export\s*\{[^}]*\bhandler\b[^}]*\}/.test(code)).toBe(true);
      expect(code.includes('sourceMappingURL=index.mjs.map')).toBe(true);
      // No absolute path of the build machine in the artefact.
      expect(code.includes(REPO_ROOT)).toBe(false);
      // The dev stage does not trace: its bundles carry no X-Ray SDK (XRAY_BUNDLE_DEFINE, ADR 0013).
      expect(stageConfig('dev').tracing).toBe(false);
      expect(code.includes('AWS_XRAY_DAEMON_ADDRESS')).toBe(false);
      // A function with no table access carries no DynamoDB client (platform/dynamodb-client.ts).
      const usesTables = Object.keys(declaration.access.tables).length > 0;
      expect(code.includes('DynamoDB_20120810')).toBe(usesTables);
    });
  }

  it('builds the console with its own Vite into the deployed asset, and config.json carries the stage, no secret', () => {
    const deployments = Object.values(resourcesOfType(synthesized.template, 'Custom::CDKBucketDeployment'));
    const keys = [...new Set(deployments.flatMap((d) => d.Properties?.SourceObjectKeys as string[]))];
    const dirs = keys.map((key) => path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`));
    const site = dirs.find((dir) => existsSync(path.join(dir, 'index.html')));
    const configDir = dirs.find((dir) => existsSync(path.join(dir, 'config.json')));
    if (site === undefined || configDir === undefined)
      throw new Error(`no console asset among ${dirs.join(', ')}`);
    const scripts = readdirSync(path.join(site, 'assets')).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    expect(readFileSync(path.join(site, 'index.html'), 'utf8')).toContain('./assets/');
    const code = scripts.map((f) => readFileSync(path.join(site, 'assets', f), 'utf8')).join('\n');
    // One bundle for every stage: nothing of this stage's configuration is built into it.
    const { console: settings, jwt } = synthesized.config;
    if (jwt === undefined || settings.clientId === undefined) throw new Error('dev brings its own issuer');
    for (const staged of [
      settings.clientId,
      jwt.issuer,
      settings.customerLinks.onboardingSuccessUrl,
      REPO_ROOT,
    ]) {
      expect(code.includes(staged), staged).toBe(false);
    }
    const config = JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({
      stage: 'dev',
      auth: { mode: 'oidc', issuer: jwt.issuer, client_id: settings.clientId, scopes: settings.scopes },
      customer_links: { onboarding_success_url: settings.customerLinks.onboardingSuccessUrl },
    });
    // The API's URL is a deploy-time value (a marker the deployment replaces).
    expect(String(config.api_url)).toMatch(/^<<marker:0x[0-9a-f]+:\d+>>$/);
    expect(JSON.stringify(config)).not.toMatch(/secret/i);
  });

  it('bundles each function separately', () => {
    const dirs = (Object.values(functionDeclarations) as FunctionDeclaration[]).map(assetDirOf);
    expect(new Set(dirs).size).toBe(dirs.length);
  });
});
