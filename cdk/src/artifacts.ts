import path from 'node:path';

/**
 * Where the functions' code and the console's files come from.
 *
 * - **source** (this repository: the package's TypeScript run by tsx or vitest): NodejsFunction runs esbuild on
 *   `functions/`, and the console's asset runs the console's own Vite, at synth time, as `infra/` always did.
 * - **packed** (the published package, `dist/index.js`): the bundles and the console were built when the package
 *   was packed (scripts/build.ts, the same esbuild options) and ship inside it; a partner's synth only points
 *   assets at them. A partner needs neither this repository nor esbuild, Vite or pnpm.
 *
 * scripts/build.ts defines PODERO_BRIDGE_PACKED when it bundles the construct; in source it is not defined.
 */
declare const PODERO_BRIDGE_PACKED: boolean | undefined;

export type ArtifactMode = 'source' | 'packed';

export const ARTIFACT_MODE: ArtifactMode =
  typeof PODERO_BRIDGE_PACKED !== 'undefined' && PODERO_BRIDGE_PACKED ? 'packed' : 'source';

/** The package's root: `src/..` in source, `dist/..` when packed. */
export const PACKAGE_ROOT = path.resolve(import.meta.dirname, '..');

/** Repository root (source mode only): NodejsFunction runs `pnpm exec esbuild` here, next to pnpm-lock.yaml. */
export const REPO_ROOT = path.resolve(PACKAGE_ROOT, '..');
/** The functions package root; declaration entries are relative to it (source mode). */
export const FUNCTIONS_ROOT = path.join(REPO_ROOT, 'functions');
/** The console's sources (source mode). */
export const CONSOLE_ROOT = path.join(REPO_ROOT, 'console');

/** The prebuilt artefacts inside the packed package. */
export const PACKED_ROOT = path.join(PACKAGE_ROOT, 'dist');

/** A stage with tracing gets bundles with the X-Ray SDK; one without gets bundles without it (ADR 0013). */
export type BundleVariant = 'traced' | 'untraced';

export const bundleVariantOf = (tracing: boolean): BundleVariant => (tracing ? 'traced' : 'untraced');

/** The directory of one function's prebuilt bundle (`index.mjs` and its map), relative to a dist root. */
export function prebuiltFunctionDir(distRoot: string, variant: BundleVariant, functionId: string): string {
  return path.join(distRoot, 'functions', variant, functionId);
}

/** The console's prebuilt files, relative to a dist root. */
export function prebuiltConsoleDir(distRoot: string): string {
  return path.join(distRoot, 'console');
}
