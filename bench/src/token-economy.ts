/**
 * 4. Token economy: 10,000 API invocations spread over 20 simulated containers (20 separate api deps and
 * handlers sharing the token secret and one in-process token-refresh, as in AWS) across a simulated day:
 * the scheduled token-refresh runs every simulated hour, requests arrive every 5 simulated minutes, and
 * once, mid-day, the simulator revokes every token (a 401 storm: all 20 containers hit it at once). The
 * simulator counts token endpoint calls; the target is the scheduled runs that actually fetched a token
 * plus one per storm.
 */
import {
  composeInProcess,
  createApiDeps,
  createLogger,
  type InProcessBridge,
  loadApiConfig,
  type MetricsSink,
  makeApiHandler,
  type TokenRefresher,
  type TokenRefreshResult,
} from '@podero-bridge/functions';
import { apiEvent, userClaims } from '@podero-bridge/functions/testing';
import type { CountersSnapshot } from '@podero-bridge/podero-simulator';
import { startLocalBridge } from './harness/local-bridge';
import { type Benchmark, figure } from './harness/report';

const CONTAINERS = 20;
const INVOCATIONS = 10_000;
const HOURS = 24;
const STEPS_PER_HOUR = 12; // a step every 5 simulated minutes
const STORM_AT = { hour: 12, step: 6 };
const USERS = 40;

/** Podero's 401 answers to heat-pump requests so far (the simulator counts per route template and status). */
function heatPump401s(counters: CountersSnapshot): number {
  return Object.entries(counters.requests)
    .filter(([route]) => route.includes('/heat-pumps'))
    .reduce((n, [, byStatus]) => n + (byStatus['401'] ?? 0), 0);
}

const noMetrics: MetricsSink = {
  addMetric: () => {},
  publishStoredMetrics: () => {},
  publishWithDimensions: () => {},
};

export const tokenEconomyBenchmark: Benchmark = {
  name: 'token-economy',
  title: 'Token economy (10,000 invocations, 20 containers, one simulated day, one 401 storm)',
  async run(ctx) {
    const bridge = await startLocalBridge({ simulator: { latencyMs: 0 } });
    let composed: InProcessBridge | undefined;
    try {
      const { sim } = bridge;
      const tables = await bridge.createTables('tokens');
      const users = await bridge.seedUsers(tables, USERS, { prefix: 'bench-tokens' });
      const simNow = () => sim.control.now();

      // token-refresh on the simulated clock (expiry and margin are judged against it).
      composed = composeInProcess({
        environment: (id) => bridge.env(id, tables),
        tokenRefresh: {
          logger: createLogger('tokenRefresh', { logLevel: 'SILENT' }),
          metrics: noMetrics,
          secrets: bridge.secrets,
          now: () => simNow().getTime(),
        },
      });
      const tokenRefresh = composed.tokenRefresh;
      // Which part of the day a forced refresh came from: the storm step, or any other time.
      let inStorm = false;
      const forced: { status: TokenRefreshResult['status']; inStorm: boolean }[] = [];
      const refresher: TokenRefresher = {
        async forceRefresh(rejected) {
          const result = await (composed as InProcessBridge).refresher.forceRefresh(rejected);
          forced.push({ status: result.status, inStorm });
          return result;
        },
      };
      const containers = Array.from({ length: CONTAINERS }, () =>
        makeApiHandler(
          createApiDeps(loadApiConfig(bridge.env('api', tables)), {
            logger: createLogger('api', { logLevel: 'SILENT' }),
            metrics: noMetrics,
            refresher,
            now: () => simNow().getTime(),
            // Token expiry is judged on Podero's clock, which here is the simulator's.
            tokenClock: () => simNow().getTime(),
          }),
        ),
      );

      sim.control.resetCounters();
      const scheduled: TokenRefreshResult['status'][] = [];
      const statuses = new Map<number, number>();
      let invocation = 0;
      let rejectedBeforeStorm = 0;
      let rejectedInStorm = 0;
      // Simulated times (and counts) of 401s outside the storm, to show where they come from.
      let rejectedBefore = 0;
      const rejectedAt: string[] = [];
      const totalSteps = HOURS * STEPS_PER_HOUR;
      for (let hour = 0; hour < HOURS; hour++) {
        scheduled.push((await tokenRefresh({ source: 'schedule', force: false })).status);
        for (let step = 0; step < STEPS_PER_HOUR; step++) {
          const stepIndex = hour * STEPS_PER_HOUR + step;
          inStorm = hour === STORM_AT.hour && step === STORM_AT.step;
          if (inStorm) {
            rejectedBeforeStorm = heatPump401s(sim.control.counters());
            const revoked = sim.control.revokeTokens();
            ctx.log(`hour ${hour}: revoked ${revoked} token(s): 401 storm`);
          }
          // Spread the invocations evenly over the steps; within a step they run concurrently.
          const until = Math.round(((stepIndex + 1) * INVOCATIONS) / totalSteps);
          const batch: Promise<void>[] = [];
          for (; invocation < until; invocation++) {
            const user = users[invocation % users.length];
            const handler = containers[invocation % CONTAINERS];
            if (!user || !handler) throw new Error('no user or container');
            batch.push(
              handler(
                apiEvent('listHeatPumps', {
                  params: { external_user_id: user.externalUserId },
                  query: { max_age_seconds: '0' },
                  claims: userClaims(user.externalUserId),
                }),
              ).then((result) => {
                statuses.set(result.statusCode ?? 0, (statuses.get(result.statusCode ?? 0) ?? 0) + 1);
              }),
            );
          }
          await Promise.all(batch);
          const rejectedSoFar = heatPump401s(sim.control.counters());
          if (inStorm) rejectedInStorm = rejectedSoFar - rejectedBeforeStorm;
          else if (rejectedSoFar > rejectedBefore) {
            const at = `${hour}:${String(step * 5).padStart(2, '0')}`;
            rejectedAt.push(`${at} (${rejectedSoFar - rejectedBefore})`);
          }
          rejectedBefore = rejectedSoFar;
          inStorm = false;
          sim.control.advanceClock((60 * 60) / STEPS_PER_HOUR);
        }
        if (hour % 6 === 5) ctx.log(`simulated hour ${hour + 1}/${HOURS}: ${invocation} invocations`);
      }

      const counters = sim.control.counters();
      const issuances = counters.token_issuances;
      const scheduledFetches = scheduled.filter((s) => s === 'refreshed').length;
      const storms = 1;
      const expected = scheduledFetches + storms;
      const ok = statuses.get(200) ?? 0;
      const failed = INVOCATIONS - ok;
      const stormForced = forced.filter((f) => f.inStorm);
      const otherForced = forced.filter((f) => !f.inStorm);
      return {
        rows: [
          figure('simulator', 'token endpoint calls', '', issuances, {
            text: `= ${expected} (${scheduledFetches} scheduled + ${storms} storm)`,
            met: issuances === expected,
          }),
          figure('api invocations', 'answered 200', '', ok),
          figure('api invocations', 'failed', '', failed, { text: '0', met: failed === 0 }),
          figure('storm step', 'Podero 401s', '', rejectedInStorm),
          figure('storm step', 'forced refresh requests', '', stormForced.length),
          figure(
            'storm step',
            'forced requests that fetched',
            '',
            stormForced.filter((f) => f.status === 'refreshed').length,
          ),
          figure('rest of the day', 'Podero 401s', '', heatPump401s(counters) - rejectedInStorm),
          figure('rest of the day', 'forced refresh requests', '', otherForced.length),
          figure(
            'rest of the day',
            'forced requests that fetched',
            '',
            otherForced.filter((f) => f.status === 'refreshed').length,
          ),
        ],
        notes: [
          `token-economy: ${INVOCATIONS} live GET /users/{id}/heat-pumps over ${CONTAINERS} api containers and ${USERS} users, ${HOURS} simulated hours, scheduled token-refresh hourly (margin 7200 s, token lifetime 36000 s), all tokens revoked at hour ${STORM_AT.hour}:${String(STORM_AT.step * 5).padStart(2, '0')}. Outside the storm, forced requests come from containers whose cached token reached its expiry: the token cache max-age is real time (30 s, about an hour of this compressed day), so a container may still hold a token that a scheduled refresh replaced two simulated hours earlier; token-refresh answers already_replaced, without a token call. 401s outside the storm at: ${rejectedAt.join(', ') || 'none'}. Scheduled runs: ${scheduled
            .map((s, h) => `${h}h ${s}`)
            .filter((s) => s.endsWith('refreshed'))
            .join(', ')}.`,
        ],
      };
    } finally {
      composed?.close();
      await bridge.close();
    }
  },
};
