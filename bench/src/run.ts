/**
 * `pnpm bench [name...]`: runs the benchmarks (all, or those named), prints one table, and writes the
 * results to bench/results/latest.json (latest-partial.json for a subset) plus a timestamped copy. Missed targets are reported, not fatal:
 * the exit code is non-zero only when a benchmark crashed.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { capacityBenchmark } from './capacity';
import { coldStartBenchmark } from './cold-start';
import { fleetBenchmark } from './fleet';
import { gatewayLoadBenchmark } from './gateway-load';
import { REPO_ROOT } from './harness/processes';
import { type Benchmark, type BenchmarkResult, formatTable } from './harness/report';
import { overheadBenchmark } from './overhead';
import { searchBenchmark } from './search';
import { simulatorBenchmark } from './simulator';
import { syncBaselineBenchmark } from './sync-baseline';
import { syncThroughputBenchmark } from './sync-throughput';
import { tokenEconomyBenchmark } from './token-economy';
import { webhooksBenchmark } from './webhooks';

const benchmarks: readonly Benchmark[] = [
  simulatorBenchmark,
  coldStartBenchmark,
  overheadBenchmark,
  syncThroughputBenchmark,
  syncBaselineBenchmark,
  tokenEconomyBenchmark,
  gatewayLoadBenchmark,
  capacityBenchmark,
  webhooksBenchmark,
  fleetBenchmark,
  searchBenchmark,
];

function select(names: readonly string[]): Benchmark[] {
  if (names.length === 0) return [...benchmarks];
  const unknown = names.filter((n) => !benchmarks.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(
      `unknown benchmark(s): ${unknown.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}`,
    );
    process.exit(2);
  }
  return benchmarks.filter((b) => names.includes(b.name));
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => a !== '--');
  const selected = select(names);
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  const results: BenchmarkResult[] = [];
  const started = new Date();
  const loadAtStart = os.loadavg();
  for (const benchmark of selected) {
    log(`${benchmark.name}: ${benchmark.title}`);
    const t0 = performance.now();
    try {
      const outcome = await benchmark.run({ log: (m) => log(`  ${m}`) });
      results.push({
        name: benchmark.name,
        title: benchmark.title,
        status: 'ok',
        durationMs: performance.now() - t0,
        ...outcome,
      });
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${benchmark.name} CRASHED: ${message}`);
      results.push({
        name: benchmark.name,
        title: benchmark.title,
        status: 'crashed',
        durationMs: performance.now() - t0,
        rows: [],
        notes: [],
        error: message,
      });
    }
    log(`${benchmark.name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  console.log(formatTable(results));
  const notes = results.flatMap((r) => r.notes);
  if (notes.length > 0) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);

  const machine = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_mb: Math.round(os.totalmem() / 1024 / 1024),
    loadavg_at_start: loadAtStart,
    loadavg_at_end: os.loadavg(),
  };
  const report = {
    code: codeVersion(),
    command: `pnpm bench${names.length > 0 ? ` ${names.join(' ')}` : ''}`,
    started_at: started.toISOString(),
    finished_at: new Date().toISOString(),
    machine,
    results,
  };
  const dir = path.join(import.meta.dirname, '..', 'results');
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  // Only a full run replaces latest.json (the README's figures come from it); a subset goes beside it.
  const latest = names.length === 0 ? 'latest.json' : 'latest-partial.json';
  await writeFile(path.join(dir, latest), json);
  await writeFile(path.join(dir, `${stamp}.json`), json);
  console.log(`\nresults: bench/results/${latest} (and ${stamp}.json)`);
  process.exitCode = results.some((r) => r.status === 'crashed') ? 1 : 0;
}

/** The commit measured, and the measured packages' files that differed from it (a shared checkout). */
function codeVersion(): { commit: string; uncommitted: string[] } {
  try {
    // Only trailing whitespace: porcelain lines start with a status column that may be a space.
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trimEnd();
    const uncommitted = git('status', '--porcelain', '--', 'functions', 'packages', 'infra')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => line.slice(3));
    return { commit: git('rev-parse', 'HEAD'), uncommitted };
  } catch {
    return { commit: 'unknown', uncommitted: [] };
  }
}

await main();
