/**
 * 0. The simulator's own throughput (bench/src/simulator-throughput.ts, by the simulator's author): a
 * check that the other benchmarks measure the bridge, not the simulator. Repeated for a spread.
 */
import { type Benchmark, figure, rowFromStat } from './harness/report';
import { stat } from './harness/stats';
import { runSimulatorThroughputBench, type SimulatorThroughputResult } from './simulator-throughput';

const RUNS = 3;
const TARGET_RPS = 5_000;

export const simulatorBenchmark: Benchmark = {
  name: 'simulator',
  title: 'Simulator throughput (authenticated GET users, 50 connections)',
  async run(ctx) {
    const runs: SimulatorThroughputResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await runSimulatorThroughputBench({ durationSeconds: 4 }));
      ctx.log(`run ${i + 1}/${RUNS}: ${runs.at(-1)?.requestsPerSecond} req/s`);
    }
    const rps = stat(runs.map((r) => r.requestsPerSecond));
    const errors = runs.reduce((n, r) => n + r.errors, 0);
    return {
      rows: [
        rowFromStat('simulator', 'requests/s', '', rps, {
          target: { text: `>= ${TARGET_RPS}`, met: rps.median >= TARGET_RPS },
          samples: runs.map((r) => r.requestsPerSecond),
        }),
        rowFromStat('simulator', 'latency p50', 'ms', stat(runs.map((r) => r.p50Ms))),
        rowFromStat('simulator', 'latency p99', 'ms', stat(runs.map((r) => r.p99Ms))),
        figure('simulator', 'errors', '', errors, { text: '0', met: errors === 0 }),
      ],
      notes: [`simulator: ${RUNS} runs of 4 s, autocannon in a worker thread, simulator in the runner.`],
    };
  },
};
