/**
 * `BENCH_SYNC_BASELINE=<entry> pnpm bench sync-baseline`: this checkout's sync engine against another
 * checkout's (its whole-walk entry, e.g. `../old/functions/src/heat-pump-sync/whole-walk-handler.ts`), in one
 * run, over the same users and the same simulator (each on tables of its own), in interleaved rounds.
 *
 * Why it exists: the sync's CPU per user moves by ±15 % between runs on this 2-core machine, and by far more
 * when anything else runs (the child's CPU time includes what contention costs it), so two runs of
 * `pnpm bench sync` in two checkouts cannot tell a 10 % regression from noise. Here both bundles share every
 * condition but their code: rounds alternate which goes first, and the verdict is the ratio of medians.
 * A refactoring that must be "no worse" (the house issue) is judged by this ratio. Without the variable the
 * benchmark reports nothing and says how to run it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ENV } from '@podero-bridge/functions/declarations';
import { seedOnboardedUsers } from '@podero-bridge/functions/testing';
import { z } from 'zod';
import { bundleLikeLambda } from './harness/bundles';
import { prepareInvoker } from './harness/invoke';
import { SEEDED_EMAIL_DOMAIN, startLocalBridge } from './harness/local-bridge';
import { REPO_ROOT } from './harness/processes';
import { type Benchmark, figure, type Row, rowFromStat } from './harness/report';
import { stat } from './harness/stats';
import { passesOf, SYNC_ENGINE_ENTRY } from './sync-throughput';

const LATENCY_MS = 20;
const CONCURRENCY = 32;
const ROUNDS = 3;
const PASSES = 2;
/** Within this factor of the baseline's CPU per user counts as "no worse": the spread between rounds. */
const NO_WORSE_TOLERANCE = 1.05;
const SIZES = [1_000, 10_000] as const;

const baselineSchema = z
  .string()
  .min(1)
  .refine((entry) => existsSync(entry), 'BENCH_SYNC_BASELINE names no file');

export const syncBaselineBenchmark: Benchmark = {
  name: 'sync-baseline',
  title: 'Sync CPU per user: this checkout against a baseline checkout, in one run',
  async run(ctx) {
    const raw = process.env.BENCH_SYNC_BASELINE;
    if (raw === undefined || raw === '') {
      return {
        rows: [],
        notes: [
          'sync-baseline: skipped; set BENCH_SYNC_BASELINE to another checkout’s whole-walk entry (a git worktree of the commit to compare with, `pnpm install`ed).',
        ],
      };
    }
    const baselineEntry = baselineSchema.parse(path.resolve(raw));
    const dir = await mkdtemp(path.join(tmpdir(), 'podero-bench-sync-baseline-'));
    const bridge = await startLocalBridge({ simulator: { latencyMs: 0 } });
    try {
      const bundles = {
        current: await bundleLikeLambda(
          path.join(REPO_ROOT, 'functions', SYNC_ENGINE_ENTRY),
          path.join(dir, 'c'),
        ),
        baseline: await bundleLikeLambda(baselineEntry, path.join(dir, 'b')),
      };
      ctx.log(`bundles: current ${bundles.current.bytes} B, baseline ${bundles.baseline.bytes} B`);
      const invoke = await prepareInvoker(dir);
      bridge.sim.control.setFaults([{ route: '*', latency_ms: LATENCY_MS }]);
      await bridge.refreshToken();
      const rows: Row[] = [];
      for (const users of SIZES) {
        ctx.log(`seeding ${users} users`);
        // Each side walks tables of its own, seeded with the same users and devices: the two checkouts may
        // store a snapshot differently (issue 39 stores a compressed projection the older code cannot read).
        const tables = {
          current: await bridge.createTables(`baseline-${users}-current`),
          baseline: await bridge.createTables(`baseline-${users}-baseline`),
        };
        const seeded = await bridge.seedUsers(tables.current, users, { prefix: `bench-baseline-${users}` });
        await seedOnboardedUsers(
          bridge.db,
          tables.baseline.main,
          seeded.map(({ externalUserId, poderoUserId }) => ({ externalUserId, poderoUserId })),
          { emailDomain: SEEDED_EMAIL_DOMAIN },
        );
        const cpu = { current: [] as number[], baseline: [] as number[] };
        for (let round = 0; round < ROUNDS; round++) {
          const order =
            round % 2 === 0 ? (['current', 'baseline'] as const) : (['baseline', 'current'] as const);
          for (const which of order) {
            bridge.sim.control.advanceClock(600);
            const report = await invoke(
              {
                bundle: bundles[which].file,
                event: { source: 'schedule' },
                timeoutMs: 900_000,
                invocations: 1 + PASSES,
                between: { url: `${bridge.sim.baseUrl}/__sim/clock`, advanceSeconds: 600 },
              },
              bridge.env('syncWorker', tables[which], { [ENV.syncConcurrency]: String(CONCURRENCY) }),
              30 * 60_000,
            );
            const passes = passesOf(report).slice(1);
            if (passes.some((p) => p.users !== users || p.failures > 0))
              throw new Error(`${which}: a pass did not sync all ${users} users without failures`);
            const perUser = passes.map((p) => p.cpuUs / p.users);
            cpu[which].push(...perUser);
            ctx.log(
              `  ${users} users, round ${round + 1}, ${which}: ${perUser.map(Math.round).join(', ')} µs/user`,
            );
          }
        }
        const subject = `${users} users, C=${CONCURRENCY}`;
        const current = stat(cpu.current);
        const baseline = stat(cpu.baseline);
        rows.push(rowFromStat(`${subject}, this checkout`, 'sync CPU per user and pass', 'µs', current));
        rows.push(rowFromStat(`${subject}, baseline`, 'sync CPU per user and pass', 'µs', baseline));
        const ratio = current.median / baseline.median;
        rows.push(
          figure(subject, 'this checkout / baseline', 'x', ratio, {
            text: `<= ${NO_WORSE_TOLERANCE}x (no worse)`,
            met: ratio <= NO_WORSE_TOLERANCE,
          }),
        );
      }
      return {
        rows,
        notes: [
          `sync-baseline: ${ROUNDS} interleaved rounds per size (the order alternates), each a fresh child process with one warm-up pass and ${PASSES} measured passes, simulator latency ${LATENCY_MS} ms, C = ${CONCURRENCY}; both bundles built like the CDK app builds them; baseline ${path.relative(REPO_ROOT, baselineEntry)}. CPU per user = the child's user + system CPU over the pass / users. The tolerance is the rounds' usual spread on this machine.`,
        ],
      };
    } finally {
      await bridge.close();
      // BENCH_CPU_PROF: the bundles stay, so that `pnpm bench:profile` can map the profiles through their source maps.
      if (!process.env.BENCH_CPU_PROF) await rm(dir, { recursive: true, force: true });
    }
  },
};
