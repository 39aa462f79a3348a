import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FunctionDeclaration } from '@podero-bridge/functions/declarations';
import { functionDeclarations } from '@podero-bridge/functions/declarations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_BUDGET_BYTES } from '../lib/budgets';
import { REPO_ROOT } from '../lib/constructs/bridge-function';
import { logicalIdOf, propertiesOf, type Synthesized, stageConfig, synthesize } from './support';

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
    logicalIdOf(stack, stack.functions[declaration.id].function),
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
    });
  }

  it('bundles each function separately', () => {
    const dirs = (Object.values(functionDeclarations) as FunctionDeclaration[]).map(assetDirOf);
    expect(new Set(dirs).size).toBe(dirs.length);
  });
});
