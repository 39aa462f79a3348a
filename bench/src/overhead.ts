/**
 * 2. Per-request overhead, against each route's own floor, in this process, interleaved call by call so that
 * machine noise hits both alike (dynalite in its own process, the simulator answering at once):
 * - live: `GET /users/{id}/heat-pumps?max_age_seconds=0` through the api handler (API Gateway payload 2.0
 *   event, real Powertools logger and metrics) against its floor: the client's direct `heatPumps.list` plus
 *   the DynamoDB calls the route must make (the user's items in one Query before, the list marker and the
 *   snapshot written after), issued directly with the SDK;
 * - cached: the same route served from the stored snapshots against one `Query` of the user's items.
 * A middleware records the commands the handler sends; the floors must send the same ones, so a floor can
 * never be cheaper by skipping work the route has to do.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createApiDeps,
  createLogger,
  loadApiConfig,
  makeApiHandler,
  tokenSecretSchema,
} from '@podero-bridge/functions';
import { apiEvent, userClaims } from '@podero-bridge/functions/testing';
import { createPoderoClient, staticTokenProvider } from '@podero-bridge/podero-client';
import { queryUserItems, writeListBack } from './children/floors/heat-pump-list';
import { REGION, SECRET_IDS, startLocalBridge } from './harness/local-bridge';
import { withStdoutDiscarded } from './harness/quiet';
import { type Benchmark, figure, type Row, rowFromStat } from './harness/report';
import { stat } from './harness/stats';

const WARMUP = 200;
const ITERATIONS = 2_000;
/** The handler within this factor of its route's floor at p50 (issue 21). */
const TARGET_RATIO = 1.2;

/** A document client that records the name of every command it sends into `sent`. */
function recordingClient(endpoint: string, sent: string[]): DynamoDBDocumentClient {
  const raw = new DynamoDBClient({ endpoint, region: REGION });
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommandNames' },
  );
  return DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
}

const sortedNames = (names: readonly string[]) => [...names].sort().join(',');

export const overheadBenchmark: Benchmark = {
  name: 'overhead',
  title: "Per-request overhead of the api handler against each route's floor (direct client + SDK calls)",
  async run(ctx) {
    const bridge = await startLocalBridge({ simulator: { latencyMs: 0 } });
    try {
      const tables = await bridge.createTables('overhead');
      const [user] = await bridge.seedUsers(tables, 1, { prefix: 'bench-overhead' });
      if (!user) throw new Error('seeding returned no user');
      await bridge.refreshToken();

      const handlerSent: string[] = [];
      const floorSent: string[] = [];
      const deps = createApiDeps(loadApiConfig(bridge.env('api', tables)), {
        logger: createLogger('api'),
        db: recordingClient(bridge.dynamoEndpoint, handlerSent),
      });
      const handler = makeApiHandler(deps);
      const viaHandler = async (maxAgeSeconds: '0' | '3600') => {
        const event = apiEvent('listHeatPumps', {
          params: { external_user_id: user.externalUserId },
          query: { max_age_seconds: maxAgeSeconds },
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
      const db = recordingClient(bridge.dynamoEndpoint, floorSent);
      const pk = `USER#${user.externalUserId}`;
      const userItems = () => queryUserItems(db, tables.main, pk);
      // Its own user's items would do, but the floor writes simpler items than the route reads; a key of
      // its own keeps the handler's items intact.
      const floorPk = `FLOOR#${user.externalUserId}`;
      const liveFloor = async () => {
        const started = performance.now();
        const items = await userItems();
        if (!items.Items?.some((item) => item.sk === 'PROFILE')) throw new Error('profile not found');
        const heatPumps = await client.heatPumps.list(user.poderoUserId);
        await writeListBack(db, tables.main, floorPk, heatPumps);
        const body = JSON.stringify({ items: heatPumps });
        if (body.length === 0) throw new Error('empty body');
        return performance.now() - started;
      };
      const cachedFloor = async () => {
        const started = performance.now();
        const items = await userItems();
        if ((items.Items ?? []).length < 2) throw new Error('no stored snapshot');
        return performance.now() - started;
      };
      const direct = async () => {
        const started = performance.now();
        const heatPumps = await client.heatPumps.list(user.poderoUserId);
        if (heatPumps.length !== 1) throw new Error(`expected 1 heat pump, got ${heatPumps.length}`);
        return performance.now() - started;
      };

      // The floors make the calls the route makes: the same DynamoDB commands, counted once each way.
      const checkSameCommands = async (
        route: string,
        viaRoute: () => Promise<number>,
        floor: () => Promise<number>,
      ) => {
        handlerSent.length = 0;
        floorSent.length = 0;
        await viaRoute();
        await floor();
        if (sortedNames(handlerSent) !== sortedNames(floorSent)) {
          throw new Error(`${route}: the handler sent [${handlerSent}] but the floor [${floorSent}]`);
        }
        return [...handlerSent];
      };
      const samples = {
        live: [] as number[],
        liveFloor: [] as number[],
        direct: [] as number[],
        cached: [] as number[],
        cachedFloor: [] as number[],
      };
      let liveCommands: string[] = [];
      let cachedCommands: string[] = [];
      await withStdoutDiscarded(async () => {
        for (let i = 0; i < WARMUP; i++) {
          await viaHandler('0');
          await liveFloor();
          await viaHandler('3600');
          await cachedFloor();
          await direct();
        }
        liveCommands = await checkSameCommands('live', () => viaHandler('0'), liveFloor);
        cachedCommands = await checkSameCommands('cached', () => viaHandler('3600'), cachedFloor);
        for (let i = 0; i < ITERATIONS; i++) {
          // Alternate which goes first, so neither always runs right after the other's GC debt.
          const pairs: [number[], () => Promise<number>][] = [
            [samples.live, () => viaHandler('0')],
            [samples.liveFloor, liveFloor],
            [samples.cached, () => viaHandler('3600')],
            [samples.cachedFloor, cachedFloor],
            [samples.direct, direct],
          ];
          if (i % 2 === 1) pairs.reverse();
          for (const [into, run] of pairs) into.push(await run());
        }
      });
      handlerSent.length = 0;
      floorSent.length = 0;

      const rows: Row[] = [];
      const compare = (label: string, handlerMs: number[], floorMs: number[], floorLabel: string) => {
        const h = stat(handlerMs);
        const f = stat(floorMs);
        const ratio = h.median / f.median;
        rows.push(rowFromStat(`${label}: api handler`, 'latency', 'ms', h));
        rows.push(figure(`${label}: api handler`, 'latency p99', 'ms', h.p99));
        rows.push(rowFromStat(`${label}: ${floorLabel}`, 'latency', 'ms', f));
        rows.push(figure(`${label}: ${floorLabel}`, 'latency p99', 'ms', f.p99));
        rows.push(
          figure(`${label}: handler / floor`, 'ratio at p50', 'x', ratio, {
            text: `<= ${TARGET_RATIO}x`,
            met: ratio <= TARGET_RATIO,
          }),
        );
        rows.push(figure(`${label}: handler / floor`, 'ratio at p99', 'x', h.p99 / f.p99));
        rows.push(figure(`${label}: handler - floor`, 'added at p50', 'ms', h.median - f.median));
        ctx.log(`${label}: handler p50 ${h.median.toFixed(2)} ms, floor p50 ${f.median.toFixed(2)} ms`);
      };
      compare('live', samples.live, samples.liveFloor, 'floor (client + SDK calls)');
      compare('cached', samples.cached, samples.cachedFloor, 'floor (one Query)');
      const d = stat(samples.direct);
      rows.push(rowFromStat('client direct (heatPumps.list)', 'latency', 'ms', d));
      rows.push(
        figure('live: handler / client direct', 'ratio at p50', 'x', stat(samples.live).median / d.median),
      );
      return {
        rows,
        notes: [
          `overhead: ${ITERATIONS} interleaved rounds after ${WARMUP} warm-up rounds; simulator latency 0 ms; dynalite in its own process; real Powertools logger and metrics (stdout discarded). DynamoDB commands per request, the same for handler and floor: live [${liveCommands.join(', ')}], cached [${cachedCommands.join(', ')}]. "handler / client direct" is the first round's figure (its floor had no DynamoDB calls), kept for comparison.`,
        ],
      };
    } finally {
      await bridge.close();
    }
  },
};
