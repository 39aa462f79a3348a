import { round, type Stat } from './stats';

/** One printed line of the results table (and one entry of the JSON). */
export interface Row {
  /** What was measured, e.g. `api` or `C=32, 10000 users`. */
  readonly subject: string;
  /** e.g. `init+first invoke`, `users/s`, `ratio to minimal`. */
  readonly metric: string;
  readonly unit: string;
  readonly median: number;
  /** Spread of the samples behind the median; absent for a single figure (a ratio of medians, a count). */
  readonly spread?: { readonly low: number; readonly high: number; readonly kind: 'p10-p90' | 'min-max' };
  /** Set when this figure has a target: its text and whether this run met it. */
  readonly target?: { readonly text: string; readonly met: boolean };
  readonly n?: number;
  /** Raw samples (JSON only, for traceability). */
  readonly samples?: readonly number[];
}

export interface BenchmarkOutcome {
  readonly rows: Row[];
  /** Context a reader needs (setup, why a target was missed). Printed under the table. */
  readonly notes: string[];
}

export interface BenchmarkResult extends BenchmarkOutcome {
  readonly name: string;
  readonly title: string;
  readonly durationMs: number;
  /** `crashed` only when the benchmark threw (a missed target is not a crash). */
  readonly status: 'ok' | 'crashed';
  readonly error?: string;
}

export interface BenchContext {
  /** Progress lines (stderr), so stdout keeps only the table. */
  log(message: string): void;
}

export interface Benchmark {
  readonly name: string;
  readonly title: string;
  run(ctx: BenchContext): Promise<BenchmarkOutcome>;
}

/** A row from a sample: median and p10-p90 (or min-max for fewer than 10 samples). */
export function rowFromStat(
  subject: string,
  metric: string,
  unit: string,
  s: Stat,
  options: { target?: Row['target']; samples?: readonly number[] } = {},
): Row {
  const usePercentiles = s.n >= 10;
  return {
    subject,
    metric,
    unit,
    median: s.median,
    spread: {
      low: usePercentiles ? s.p10 : s.min,
      high: usePercentiles ? s.p90 : s.max,
      kind: usePercentiles ? 'p10-p90' : 'min-max',
    },
    n: s.n,
    ...(options.target ? { target: options.target } : {}),
    ...(options.samples ? { samples: options.samples } : {}),
  };
}

export function figure(
  subject: string,
  metric: string,
  unit: string,
  value: number,
  target?: Row['target'],
): Row {
  return { subject, metric, unit, median: value, ...(target ? { target } : {}) };
}

const fmt = (value: number, unit: string) => {
  const text = String(round(value));
  return unit === '' ? text : unit === 'x' || unit === '%' ? `${text}${unit}` : `${text} ${unit}`;
};

/** The one table: a row per figure, MISSED where a target was not met. */
export function formatTable(results: readonly BenchmarkResult[]): string {
  const header = ['benchmark', 'subject', 'metric', 'median', 'spread', 'n', 'target', 'status'];
  const lines: string[][] = [header];
  for (const result of results) {
    if (result.status === 'crashed') {
      lines.push([result.name, '-', 'CRASHED', '-', '-', '-', '-', result.error?.split('\n')[0] ?? 'error']);
      continue;
    }
    for (const row of result.rows) {
      lines.push([
        result.name,
        row.subject,
        row.metric,
        fmt(row.median, row.unit),
        row.spread ? `${round(row.spread.low)}..${round(row.spread.high)} (${row.spread.kind})` : '',
        row.n === undefined ? '' : String(row.n),
        row.target?.text ?? '',
        row.target === undefined ? '' : row.target.met ? 'ok' : 'MISSED',
      ]);
    }
  }
  const widths = header.map((_, col) => Math.max(...lines.map((line) => (line[col] ?? '').length)));
  const render = (line: string[]) =>
    line
      .map((cell, col) => cell.padEnd(widths[col] ?? 0))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const [first, ...rest] = lines;
  return [render(first ?? []), rule, ...rest.map(render)].join('\n');
}
