/**
 * A stage without tracing gets bundles without the X-Ray SDK (issue 21: a fifth of token-refresh's bundle,
 * ADR 0013): esbuild's define of XRAY_BUNDLE_DEFINE must fold the condition in loadTracing, or the import
 * stays and the SDK with it. Built here with esbuild as the CDK app and the benchmarks do.
 */
import path from 'node:path';
import { build } from 'esbuild';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { XRAY_BUNDLE_DEFINE } from '../declarations';
import { loadTracing } from './tracing';

const bundleOfTracing = async (define: Record<string, string>) => {
  const out = await build({
    entryPoints: [path.join(import.meta.dirname, 'tracing.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    write: false,
    define,
    logLevel: 'silent',
  });
  return out.outputFiles[0]?.text ?? '';
};

describe('the X-Ray SDK in the bundle', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is left out of a bundle built for a stage without tracing, and kept otherwise', async () => {
    const withoutTracing = await bundleOfTracing({ [XRAY_BUNDLE_DEFINE]: JSON.stringify('false') });
    const withTracing = await bundleOfTracing({});
    // The daemon address variable is read by the X-Ray SDK itself.
    expect(withTracing.includes('AWS_XRAY_DAEMON_ADDRESS')).toBe(true);
    expect(withoutTracing.includes('AWS_XRAY_DAEMON_ADDRESS')).toBe(false);
    expect(withoutTracing.length).toBeLessThan(withTracing.length / 4);
  });

  it('refuses tracing in a bundle built without it, instead of silently not tracing', async () => {
    vi.stubEnv('BRIDGE_BUNDLE_XRAY', 'false');
    await expect(loadTracing('api', { POWERTOOLS_TRACE_ENABLED: 'true' })).rejects.toThrow(
      /built for a stage without tracing/,
    );
    await expect(loadTracing('api', {})).resolves.toMatchObject({ enabled: false });
  });
});
