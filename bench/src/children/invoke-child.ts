/**
 * Runs in a fresh Node.js process: imports a Lambda bundle and invokes its handler, like a Lambda cold
 * start (module init + invocations). Bundled by esbuild before use, so no TypeScript loader sits in the
 * measured process. Spec in BENCH_INVOKE (JSON): { bundle, event, timeoutMs, invocations?, between? }.
 * `between` (optional): a URL to POST `{ "advance_seconds": n }` to before every invocation after the
 * first (the simulator's clock, so every sync pass sees new heat-pump states).
 *
 * Reports over IPC: { import_ms, invocations: [{ ms, cpu_us, result }], first_response_ms, max_rss_kb }, where
 * `cpu_us` is this process's own CPU time (user + system, from its resource usage) during the invocation.
 */
import { pathToFileURL } from 'node:url';

interface Spec {
  bundle: string;
  event: unknown;
  timeoutMs: number;
  invocations: number;
  between?: { url: string; advanceSeconds: number };
}

function readSpec(): Spec {
  const raw: unknown = JSON.parse(process.env.BENCH_INVOKE ?? 'null');
  if (typeof raw !== 'object' || raw === null) throw new Error('BENCH_INVOKE is missing');
  const spec = raw as Partial<Spec>;
  if (typeof spec.bundle !== 'string' || typeof spec.timeoutMs !== 'number') {
    throw new Error('BENCH_INVOKE needs bundle and timeoutMs');
  }
  return {
    bundle: spec.bundle,
    event: spec.event,
    timeoutMs: spec.timeoutMs,
    invocations: spec.invocations ?? 1,
    ...(spec.between ? { between: spec.between } : {}),
  };
}

const spec = readSpec();
delete process.env.BENCH_INVOKE;

const t0 = performance.now();
const mod: unknown = await import(pathToFileURL(spec.bundle).href);
const importMs = performance.now() - t0;
const handler = (mod as { handler?: unknown }).handler;
if (typeof handler !== 'function') throw new Error(`${spec.bundle} exports no handler`);

const invocations: { ms: number; cpu_us: number; result: unknown }[] = [];
const cpuUs = () => {
  const usage = process.resourceUsage();
  return usage.userCPUTime + usage.systemCPUTime;
};
let firstResponseMs = 0;
for (let i = 0; i < spec.invocations; i++) {
  if (i > 0 && spec.between) {
    const response = await fetch(spec.between.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advance_seconds: spec.between.advanceSeconds }),
    });
    if (!response.ok) throw new Error(`POST ${spec.between.url} answered ${response.status}`);
  }
  const started = performance.now();
  const cpuAtStart = cpuUs();
  const context = {
    awsRequestId: crypto.randomUUID(),
    functionName: 'bench',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, spec.timeoutMs - (performance.now() - started)),
  };
  const result: unknown = await handler(spec.event, context);
  invocations.push({ ms: performance.now() - started, cpu_us: cpuUs() - cpuAtStart, result });
  // performance.now() counts from the process's time origin: Node.js start-up + import + this invocation.
  if (i === 0) firstResponseMs = performance.now();
}

process.send?.({
  import_ms: importMs,
  invocations,
  first_response_ms: firstResponseMs,
  max_rss_kb: process.resourceUsage().maxRSS,
});
process.disconnect?.();
// Keep-alive sockets of the SDK would hold the process open; it has reported, so it can go.
process.exit(0);
