import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleMinimalHandler, LAMBDA_BUNDLE_OPTIONS } from './bundles';
import { prepareInvoker } from './invoke';
import { childBaseEnv, REPO_ROOT } from './processes';
import { type BenchmarkResult, figure, formatTable, rowFromStat } from './report';
import { percentile, stat } from './stats';

describe('stats', () => {
  it('interpolates percentiles between closest ranks', () => {
    // Prepare
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    // Act + Assess
    expect(percentile(sorted, 0.5)).toBe(5.5);
    expect(percentile(sorted, 0.1)).toBeCloseTo(1.9);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile(sorted, 1)).toBe(10);
  });

  it('summarises an unsorted sample', () => {
    const s = stat([30, 10, 20]);
    expect(s).toMatchObject({ n: 3, median: 20, min: 10, max: 30 });
  });

  it('refuses an empty sample', () => {
    expect(() => percentile([], 0.5)).toThrow(/empty/);
  });
});

describe('formatTable', () => {
  const result = (rows: BenchmarkResult['rows']): BenchmarkResult => ({
    name: 'demo',
    title: 'demo',
    durationMs: 1,
    status: 'ok',
    rows,
    notes: [],
  });

  it('marks a missed target MISSED and a met one ok, and shows the spread kind', () => {
    const table = formatTable([
      result([
        figure('a', 'ratio', 'x', 2.5, { text: '<= 2x', met: false }),
        figure('b', 'ratio', 'x', 1.5, { text: '<= 2x', met: true }),
        rowFromStat('c', 'latency', 'ms', stat([1, 2, 3])),
      ]),
    ]);
    const lines = table.split('\n');
    expect(lines.find((l) => l.includes(' a '))).toMatch(/2\.5x.*<= 2x\s+MISSED$/);
    expect(lines.find((l) => l.includes(' b '))).toMatch(/1\.5x.*<= 2x\s+ok$/);
    expect(lines.find((l) => l.includes(' c '))).toMatch(/2 ms\s+1\.\.3 \(min-max\)\s+3$/);
  });

  it('shows a crashed benchmark as CRASHED with the first line of its error', () => {
    const table = formatTable([{ ...result([]), status: 'crashed', error: 'Error: boom\n    at somewhere' }]);
    expect(table).toMatch(/demo\s+-\s+CRASHED.*Error: boom$/m);
    expect(table).not.toMatch(/somewhere/);
  });
});

describe('Lambda-like bundles', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'podero-bench-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("uses the esbuild target and banner of the construct's BUNDLE_SETTINGS", async () => {
    // A drift check: the CDK app builds its esbuild command internally, so the bench restates the options.
    const source = await readFile(
      path.join(REPO_ROOT, 'cdk', 'src', 'constructs', 'bridge-function.ts'),
      'utf8',
    );
    expect(source).toContain(`target: '${LAMBDA_BUNDLE_OPTIONS.target}',`);
    expect(source).toContain(`banner: ${JSON.stringify(LAMBDA_BUNDLE_OPTIONS.banner.js)},`);
  });

  it('imports a bundle in a fresh process, invokes it once and reports timings and RSS', async () => {
    // Prepare
    const bundle = await bundleMinimalHandler(path.join(dir, 'minimal'));
    const invoke = await prepareInvoker(dir);
    // Act
    const report = await invoke({ bundle: bundle.file, event: {}, timeoutMs: 3_000 }, childBaseEnv(), 30_000);
    // Assess
    expect(report.invocations).toHaveLength(1);
    expect(report.invocations[0]?.result).toMatchObject({ statusCode: 200 });
    expect(report.first_response_ms).toBeGreaterThan(report.import_ms);
    expect(report.max_rss_kb).toBeGreaterThan(1_000);
  });
});
