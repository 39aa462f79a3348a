/**
 * Simulator throughput: how many authenticated `GET .../users` the simulator serves per second on
 * loopback. The target is >= 5,000 req/s on a 2-core machine, so that other benchmarks measure the
 * bridge and not the simulator. Runnable alone: `pnpm tsx bench/src/simulator-throughput.ts`.
 *
 * autocannon drives the load from a worker thread (`workers: 1`) so that the load generator and the
 * simulator, both in this process, do not share one event loop.
 */
import { pathToFileURL } from 'node:url';
import { startSimulator } from '@podero-bridge/podero-simulator';
import autocannon from 'autocannon';

export interface SimulatorThroughputOptions {
  /** Concurrent keep-alive connections (default 50). */
  connections?: number;
  /** Seconds of load (default 5). */
  durationSeconds?: number;
  /** autocannon worker threads; 0 runs the load generator on the main thread (default 1). */
  workers?: number;
  /** Users in the listed organisation, i.e. the response size (default 10). */
  users?: number;
}

export interface SimulatorThroughputResult {
  name: 'simulator-throughput';
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors, timeouts and non-2xx responses. */
  errors: number;
}

export async function runSimulatorThroughputBench(
  opts: SimulatorThroughputOptions = {},
): Promise<SimulatorThroughputResult> {
  const connections = opts.connections ?? 50;
  const durationSeconds = opts.durationSeconds ?? 5;
  const workers = opts.workers ?? 1;
  const sim = await startSimulator({ seed: 1 });
  try {
    sim.control.seed({ users: opts.users ?? 10, heatPumpsPerUser: 1 });
    const token = await fetchToken(sim.baseUrl, sim.clientId, sim.clientSecret);
    const result = await autocannon({
      url: `${sim.baseUrl}/api/partners/v2.0/org/${sim.orgId}/users`,
      headers: { authorization: `Bearer ${token}` },
      connections,
      duration: durationSeconds,
      ...(workers > 0 ? { workers } : {}),
    });
    return {
      name: 'simulator-throughput',
      requestsPerSecond: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
    };
  } finally {
    await sim.close();
  }
}

async function fetchToken(baseUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const response = await fetch(`${baseUrl}/oauth2/token/`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ grant_type: 'client_credentials' }),
  });
  const body: unknown = await response.json();
  if (
    response.status !== 200 ||
    body === null ||
    typeof body !== 'object' ||
    !('access_token' in body) ||
    typeof body.access_token !== 'string'
  ) {
    throw new Error(`token request failed with HTTP ${response.status}`);
  }
  return body.access_token;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runSimulatorThroughputBench();
  process.stdout.write(
    `${result.name}: ${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, errors ${result.errors} (target >= 5000 req/s)\n`,
  );
  process.exitCode = result.errors > 0 ? 1 : 0;
}
