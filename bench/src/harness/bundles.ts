import { stat as fileStat, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { XRAY_BUNDLE_DEFINE } from '@podero-bridge/functions/declarations';
import { type BuildOptions, build } from 'esbuild';
import { REPO_ROOT } from './processes';

/**
 * esbuild options of the CDK app's BridgeFunction (cdk/src/constructs/bridge-function.ts): ESM, minified,
 * platform node, target node24 (its Lambda runtime is Node.js 24), main fields module-then-main, the AWS
 * SDK bundled (no externals), source maps without sources content, and the createRequire banner, for the
 * default stage (no tracing: no X-Ray SDK, XRAY_BUNDLE_DEFINE). Restated here because NodejsFunction
 * builds its esbuild command internally; keep the two in step.
 */
export const LAMBDA_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  external: [],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
  define: { [XRAY_BUNDLE_DEFINE]: JSON.stringify('false') },
} as const satisfies BuildOptions;

export interface Bundle {
  readonly file: string;
  readonly bytes: number;
}

/** Bundles `entry` like the CDK app does, into `<outdir>/index.mjs` (+ map); `tracing`: for a tracing stage. */
export async function bundleLikeLambda(
  entry: string,
  outdir: string,
  options: { tracing?: boolean } = {},
): Promise<Bundle> {
  await mkdir(outdir, { recursive: true });
  const file = path.join(outdir, 'index.mjs');
  const { define, ...rest } = LAMBDA_BUNDLE_OPTIONS;
  await build({
    ...rest,
    ...(options.tracing ? {} : { define }),
    entryPoints: [entry],
    outfile: file,
    absWorkingDir: REPO_ROOT,
  });
  return { file, bytes: (await fileStat(file)).size };
}

/** The smallest useful Lambda handler, bundled with the same options: the cold-start baseline. */
export async function bundleMinimalHandler(outdir: string): Promise<Bundle> {
  await mkdir(outdir, { recursive: true });
  const entry = path.join(outdir, 'minimal-handler.ts');
  await writeFile(
    entry,
    "export const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{\"ok\":true}' });\n",
  );
  return bundleLikeLambda(entry, path.join(outdir, 'out'));
}

/** Bundles one of our child scripts (plain Node, no tsx loader in the measured process). */
export async function bundleChildScript(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    absWorkingDir: REPO_ROOT,
  });
  return outfile;
}
