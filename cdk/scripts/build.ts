/**
 * Builds what `pnpm pack` publishes (package.json `prepack`; `--clean` is `postpack`), into `dist/`:
 *
 * - `index.js`: the construct, with the declarations and zod bundled in (the package's only runtime
 *   dependencies are its peers, aws-cdk-lib and constructs); it runs in packed mode (artifacts.ts);
 * - `bootstrap-policy.js`: the `podero-bridge-bootstrap-policy` command;
 * - `functions/<traced|untraced>/<function id>/index.mjs` (+ map): every declared function, bundled with the
 *   esbuild settings the repository's synth uses (bridge-function.ts BUNDLE_SETTINGS), once per tracing variant;
 * - `console/`: the operator console, built by its own Vite;
 * - `types/`: the declarations of the public entry (index.ts) and of every module they reach, for a partner's
 *   TypeScript: they may import only the peers, as the bundle does (`emitDeclarations`).
 *
 * The workspace never sees `dist/` outside a pack: source mode does not look at it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type FunctionDeclaration, functionDeclarations } from '@podero-bridge/functions/declarations';
import { type BuildOptions, build } from 'esbuild';
import {
  bundleVariantOf,
  FUNCTIONS_ROOT,
  PACKAGE_ROOT,
  PACKED_ROOT,
  prebuiltConsoleDir,
  prebuiltFunctionDir,
} from '../src/artifacts';
import { BUNDLE_SETTINGS, bundleDefine } from '../src/constructs/bridge-function';
import { buildConsoleInto } from '../src/constructs/console-site';
import { emitDeclarations } from './declarations';

async function buildConstruct(): Promise<void> {
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The peers: the partner's app brings one aws-cdk-lib and one constructs for every construct in it.
    external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
    define: { PODERO_BRIDGE_PACKED: 'true' },
    logLevel: 'warning',
  };
  await build({
    ...common,
    entryPoints: [path.join(PACKAGE_ROOT, 'src', 'index.ts')],
    outfile: path.join(PACKED_ROOT, 'index.js'),
  });
  await build({
    ...common,
    entryPoints: [path.join(PACKAGE_ROOT, 'src', 'bin', 'bootstrap-policy.ts')],
    outfile: path.join(PACKED_ROOT, 'bootstrap-policy.js'),
    banner: { js: '#!/usr/bin/env node' },
  });
}

async function buildFunctions(): Promise<void> {
  const declarations = Object.values(functionDeclarations) as FunctionDeclaration[];
  for (const tracing of [true, false]) {
    const variant = bundleVariantOf(tracing);
    // One esbuild run per variant, each entry its own bundle (no splitting): what NodejsFunction builds one by one.
    await build({
      entryPoints: Object.fromEntries(
        declarations.map((d) => [
          path.relative(
            path.join(PACKED_ROOT, 'functions', variant),
            path.join(prebuiltFunctionDir(PACKED_ROOT, variant, d.id), 'index'),
          ),
          path.join(FUNCTIONS_ROOT, d.entry),
        ]),
      ),
      outdir: path.join(PACKED_ROOT, 'functions', variant),
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: false,
      platform: BUNDLE_SETTINGS.platform,
      format: BUNDLE_SETTINGS.format,
      target: BUNDLE_SETTINGS.target,
      mainFields: [...BUNDLE_SETTINGS.mainFields],
      minify: BUNDLE_SETTINGS.minify,
      sourcemap: BUNDLE_SETTINGS.sourceMap,
      sourcesContent: BUNDLE_SETTINGS.sourcesContent,
      banner: { js: BUNDLE_SETTINGS.banner },
      define: bundleDefine(tracing),
      logLevel: 'warning',
    });
  }
}

const clean = () => rmSync(PACKED_ROOT, { recursive: true, force: true });

clean();
if (!process.argv.includes('--clean')) {
  await buildConstruct();
  for (const [file, text] of emitDeclarations(path.join(PACKAGE_ROOT, 'src', 'index.ts'))) {
    const target = path.join(PACKED_ROOT, 'types', file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  await buildFunctions();
  if (!buildConsoleInto(prebuiltConsoleDir(PACKED_ROOT))) {
    console.error('the console did not build');
    process.exit(1);
  }
}
