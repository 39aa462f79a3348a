import path from 'node:path';
import { z } from 'zod';
import { bundleChildScript } from './bundles';
import { type NodeRuntime, spawnNodeChild } from './processes';

export const invokeReportSchema = z.object({
  import_ms: z.number(),
  invocations: z.array(z.object({ ms: z.number(), cpu_us: z.number(), result: z.unknown() })),
  first_response_ms: z.number(),
  max_rss_kb: z.number(),
});
export type InvokeReport = z.infer<typeof invokeReportSchema>;

export interface InvokeSpec {
  readonly bundle: string;
  readonly event: unknown;
  readonly timeoutMs: number;
  readonly invocations?: number;
  readonly between?: { readonly url: string; readonly advanceSeconds: number };
}

/** Builds children/invoke-child.ts into `dir` once; returns a runner that starts one fresh process per call. */
export async function prepareInvoker(dir: string) {
  const script = await bundleChildScript(
    path.join(import.meta.dirname, '..', 'children', 'invoke-child.ts'),
    path.join(dir, 'invoke-child.mjs'),
  );
  return async (
    spec: InvokeSpec,
    env: Record<string, string>,
    timeoutMs = 120_000,
    node?: NodeRuntime,
  ): Promise<InvokeReport> => {
    const profileDir = process.env.BENCH_CPU_PROF;
    const run = spawnNodeChild(invokeReportSchema, {
      // BENCH_CPU_PROF=<dir>: every measured process writes a V8 CPU profile there (`pnpm bench:profile` reads them).
      args: profileDir
        ? ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', profileDir, script]
        : [script],
      env: { ...env, BENCH_INVOKE: JSON.stringify(spec) },
      timeoutMs,
      ...(node ? { node: node.execPath } : {}),
    });
    const report = await run.message;
    await run.exited;
    return report;
  };
}
