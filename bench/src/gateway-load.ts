/**
 * 5. Local gateway under load: autocannon, 50 connections for 20 s, against
 * `GET /users/{id}/heat-pumps` answered from the cache, through the local API gateway (JWT check, payload
 * 2.0 event) and the api handler, with the stack in its own process.
 */
import path from 'node:path';
import autocannon from 'autocannon';
import { z } from 'zod';
import { childBaseEnv, spawnNodeChild, tsxArgs } from './harness/processes';
import { type Benchmark, figure } from './harness/report';

const CONNECTIONS = 50;
const DURATION_SECONDS = 20;

export const gatewayLoadBenchmark: Benchmark = {
  name: 'gateway',
  title: `Local gateway under load (${CONNECTIONS} connections, ${DURATION_SECONDS} s, cache hits)`,
  async run(ctx) {
    const run = spawnNodeChild(z.object({ url: z.url(), token: z.string().min(1) }), {
      args: tsxArgs(path.join(import.meta.dirname, 'children', 'local-stack-child.ts')),
      env: childBaseEnv(),
      timeoutMs: 120_000,
    });
    try {
      const { url, token } = await run.message;
      ctx.log(`loading ${new URL(url).pathname} for ${DURATION_SECONDS} s`);
      const result = await autocannon({
        url,
        headers: { authorization: `Bearer ${token}` },
        connections: CONNECTIONS,
        duration: DURATION_SECONDS,
      });
      const errors = result.errors + result.timeouts + result.non2xx;
      return {
        rows: [
          {
            subject: 'GET heat-pumps (cache)',
            metric: 'requests/s',
            unit: '',
            median: result.requests.p50,
            spread: { low: result.requests.min, high: result.requests.max, kind: 'min-max' },
            n: DURATION_SECONDS,
          },
          figure('GET heat-pumps (cache)', 'latency p50', 'ms', result.latency.p50),
          figure('GET heat-pumps (cache)', 'latency p99', 'ms', result.latency.p99),
          figure('GET heat-pumps (cache)', 'requests', '', result.requests.total),
          figure('GET heat-pumps (cache)', 'errors (non-2xx, timeouts)', '', errors, {
            text: '0',
            met: errors === 0,
          }),
        ],
        notes: [
          `gateway: autocannon in the runner, the local stack (startLocalStack) in a child process; requests/s is the median of per-second counts (min..max); average ${Math.round(result.requests.average)} req/s.`,
        ],
      };
    } finally {
      if (run.child.connected) run.child.disconnect();
      const timer = setTimeout(() => run.child.kill('SIGKILL'), 10_000);
      await run.exited;
      clearTimeout(timer);
    }
  },
};
