/**
 * 2. Per-request overhead: `GET /users/{id}/heat-pumps?max_age_seconds=0` (live) through the api handler
 * (API Gateway payload 2.0 event, real deps on dynalite + the simulator with zero latency) against the
 * client's direct `heatPumps.list` for the same user, both in this process, interleaved call by call so
 * that machine noise hits both alike.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { makeApiHandler } from '@podero-bridge/functions/api/app';
import { createApiDeps } from '@podero-bridge/functions/api/deps';
import { loadApiConfig } from '@podero-bridge/functions/shared/config';
import { tokenSecretSchema } from '@podero-bridge/functions/shared/token-contract';
import { createInProcessTokenRefresher } from '@podero-bridge/functions/shared/token-refresher';
import { USER_PROFILE_SK, userPk } from '@podero-bridge/functions/storage/users';
import { apiEvent, userClaims } from '@podero-bridge/functions/test-support/api-event';
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
    try {
      const tables = await bridge.createTables('overhead');
      const [user] = await bridge.seedUsers(tables, 1, { prefix: 'bench-overhead' });
      if (!user) throw new Error('seeding returned no user');
      await bridge.refreshToken();

      const handler = makeApiHandler(
        createApiDeps(loadApiConfig(bridge.env('api', tables)), {
          refresher: createInProcessTokenRefresher((event) => bridge.refreshToken(event)),
        }),
      );
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
            Key: { pk: userPk(user.externalUserId), sk: USER_PROFILE_SK },
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
      await bridge.close();
    }
  },
};
