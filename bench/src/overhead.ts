/**
 * 2. Per-request overhead: `GET /users/{id}/heat-pumps?max_age_seconds=0` (live) through the api handler
 * (API Gateway payload 2.0 event, real deps on dynalite + the simulator with zero latency) against the
 * client's direct `heatPumps.list` for the same user, both in this process, interleaved call by call so
 * that machine noise hits both alike.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  composeInProcess,
  createLogger,
  type InProcessBridge,
  tokenSecretSchema,
  userProfileKey,
} from '@podero-bridge/functions';
import { apiEvent, userClaims } from '@podero-bridge/functions/testing';
import { createPoderoClient, staticTokenProvider } from '@podero-bridge/podero-client';
import { SECRET_IDS, startLocalBridge } from './harness/local-bridge';
import { withStdoutDiscarded } from './harness/quiet';
import { type Benchmark, figure, rowFromStat } from './harness/report';
import { stat } from './harness/stats';

const WARMUP = 200;
const ITERATIONS = 2_000;
const TARGET_RATIO = 1.3;

export const overheadBenchmark: Benchmark = {
  name: 'overhead',
  title: 'Per-request overhead (live heat-pump list through the handler vs the direct client call)',
  async run(ctx) {
    const bridge = await startLocalBridge({ simulator: { latencyMs: 0 } });
    let composedBridge: InProcessBridge | undefined;
    try {
      const tables = await bridge.createTables('overhead');
      const [user] = await bridge.seedUsers(tables, 1, { prefix: 'bench-overhead' });
      if (!user) throw new Error('seeding returned no user');
      await bridge.refreshToken();

      // The api with real Powertools logger and metrics (their output discarded below).
      const composed = composeInProcess({
        environment: (id) => bridge.env(id, tables),
        tokenRefresh: {
          secrets: bridge.secrets,
          logger: createLogger('tokenRefresh', { logLevel: 'SILENT' }),
        },
      });
      composedBridge = composed;
      const handler = composed.api;
      const viaHandler = async () => {
        const event = apiEvent('listHeatPumps', {
          params: { external_user_id: user.externalUserId },
          query: { max_age_seconds: '0' },
          claims: userClaims(user.externalUserId),
        });
        const started = performance.now();
        const result = await handler(event);
        const elapsed = performance.now() - started;
        if (result.statusCode !== 200)
          throw new Error(`handler answered ${result.statusCode}: ${result.body}`);
        return elapsed;
      };

      const stored = await bridge.secrets.send(new GetSecretValueCommand({ SecretId: SECRET_IDS.token }));
      const token = tokenSecretSchema.parse(JSON.parse(stored.SecretString ?? 'null')).access_token;
      const client = createPoderoClient({
        baseUrl: bridge.sim.baseUrl,
        orgId: bridge.sim.orgId,
        tokenProvider: staticTokenProvider(token),
      });
      const direct = async () => {
        const started = performance.now();
        const heatPumps = await client.heatPumps.list(user.poderoUserId);
        const elapsed = performance.now() - started;
        if (heatPumps.length !== 1) throw new Error(`expected 1 heat pump, got ${heatPumps.length}`);
        return elapsed;
      };

      // The unit of the handler's extra cost: one DynamoDB round trip (its live path makes several in a row).
      const dynamoRoundTrip = async () => {
        const started = performance.now();
        const out = await bridge.db.send(
          new GetCommand({
            TableName: tables.main,
            Key: userProfileKey(user.externalUserId),
            ConsistentRead: true,
          }),
        );
        if (!out.Item) throw new Error('profile not found');
        return performance.now() - started;
      };

      const handlerMs: number[] = [];
      const directMs: number[] = [];
      const dynamoMs: number[] = [];
      await withStdoutDiscarded(async () => {
        for (let i = 0; i < WARMUP; i++) {
          await viaHandler();
          await direct();
        }
        for (let i = 0; i < ITERATIONS; i++) {
          // Alternate which goes first, so neither always runs right after the other's GC debt.
          if (i % 2 === 0) {
            handlerMs.push(await viaHandler());
            directMs.push(await direct());
            dynamoMs.push(await dynamoRoundTrip());
          } else {
            dynamoMs.push(await dynamoRoundTrip());
            directMs.push(await direct());
            handlerMs.push(await viaHandler());
          }
        }
      });
      const h = stat(handlerMs);
      const d = stat(directMs);
      const g = stat(dynamoMs);
      const ratio = h.median / d.median;
      ctx.log(`overhead: handler p50 ${h.median.toFixed(2)} ms, direct p50 ${d.median.toFixed(2)} ms`);
      return {
        rows: [
          rowFromStat('api handler (live)', 'latency', 'ms', h),
          rowFromStat('client direct', 'latency', 'ms', d),
          figure('handler / direct', 'ratio at p50', 'x', ratio, {
            text: `<= ${TARGET_RATIO}x`,
            met: ratio <= TARGET_RATIO,
          }),
          figure('handler - direct', 'added at p50', 'ms', h.median - d.median),
          rowFromStat('dynamodb GetItem (local)', 'round trip', 'ms', g),
        ],
        notes: [
          `overhead: ${ITERATIONS} interleaved pairs after ${WARMUP} warm-up pairs; simulator latency 0 ms; dynalite in its own process; real Powertools logger and metrics (stdout discarded).`,
        ],
      };
    } finally {
      composedBridge?.close();
      await bridge.close();
    }
  },
};
