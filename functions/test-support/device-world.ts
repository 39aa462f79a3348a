/**
 * Test world for the heat-pump routes and the sync: the simulator (manual clock), dynalite with the
 * tables, onboarded users stored the way POST /users stores them, an API handler and a sync handler
 * sharing one simulated "bridge clock". Added by the issue-5 engineer next to H3's fixtures.
 */
import type { Simulator } from '@podero-bridge/podero-simulator';
import { loadPlannerConfig, loadSyncConfig, type SyncConfig } from '../src/config';
import { ENV } from '../src/declarations';
import type { ApiDeps } from '../src/lambdas/api/deps';
import { makeApiHandler } from '../src/lambdas/api/handler';
import { createPlannerDeps } from '../src/lambdas/syncPlanner/deps';
import { makePlannerHandler } from '../src/lambdas/syncPlanner/handler';
import { createSyncDeps } from '../src/lambdas/syncWorker/deps';
import { makeSyncHandler, makeSyncWorkerHandler } from '../src/lambdas/syncWorker/handler';
import { createRecordingMetrics } from '../src/platform/observability';
import { minimalUserRecord, UserStore } from '../src/storage/users';
import type { TokenRefresher } from '../src/tokens/refresher';
import type { LocalAws } from './aws';
import { silentLogger, startTestEnvironment } from './environment';

export const WORLD_START = new Date('2026-06-01T12:00:00.000Z');
export const STATE_INTERVAL_SECONDS = 300;

export interface OnboardedTestUser {
  externalUserId: string;
  poderoUserId: string;
  deviceIds: string[];
}

export interface HeatPumpWorld {
  sim: Simulator;
  aws: LocalAws;
  api: ReturnType<typeof makeApiHandler>;
  apiDeps: ApiDeps;
  sync: ReturnType<typeof makeSyncHandler>;
  /** heat-pump-sync (the planner of fleet passes) and heat-pump-sync-worker, on the world's shard queue. */
  planner: ReturnType<typeof makePlannerHandler>;
  worker: ReturnType<typeof makeSyncWorkerHandler>;
  syncMetrics: ReturnType<typeof createRecordingMetrics>;
  /** The in-process token refresher (for functions the world does not build, e.g. history-backfill). */
  refresher: TokenRefresher;
  /** The bridge's clock (ms); tests move it together with, or apart from, the simulator's. */
  clock: { now: number };
  /** Moves the simulator's and the bridge's clocks forward together. */
  advance(seconds: number): void;
  onboard(count: number, heatPumpsPerUser: number, prefix: string): Promise<OnboardedTestUser[]>;
  /** A Lambda-like context with plenty of time left. */
  syncContext(): { awsRequestId: string; getRemainingTimeInMillis(): number };
  /** Count of simulator requests for a route template (e.g. `GET /api/partners/v2.0/org/{org_id}/users/{user_id}/heat-pumps`). */
  requests(routeKey: string): number;
  close(): Promise<void>;
}

export const HP_LIST_ROUTE = 'GET /api/partners/v2.0/org/{org_id}/users/{user_id}/heat-pumps';
export const HP_GET_ROUTE = 'GET /api/partners/v2.0/org/{org_id}/users/{user_id}/heat-pumps/{heat_pump_id}';
export const HP_PUT_ROUTE = 'PUT /api/partners/v2.0/org/{org_id}/users/{user_id}/heat-pumps/{heat_pump_id}';

export async function startHeatPumpWorld(
  options: {
    syncConcurrency?: number;
    /** Fleet passes: users per shard, and the Podero ceiling (requests/s) the workers share. */
    shardSize?: number;
    rateLimitPerSecond?: number;
    /** The local SQS's clock (visibility timeouts): tests move it to bring a message back. */
    sqsClock?: () => number;
    /** Podero retries of the sync (default none: failures show at once). */
    poderoRetries?: number;
    /** The sync's DynamoDB client in place of the world's (a test holds some of its writes back). */
    wrapSyncDb?: (db: LocalAws['db']) => LocalAws['db'];
  } = {},
): Promise<HeatPumpWorld> {
  // H3's environment: dynalite, local Secrets Manager, the simulator and token-refresh in-process, so
  // these tests use the real token path (secret -> bridge token provider -> client).
  const env = await startTestEnvironment({
    simulator: { startTime: WORLD_START, stateIntervalSeconds: STATE_INTERVAL_SECONDS, seed: 7 },
    ...(options.sqsClock ? { sqsClock: options.sqsClock } : {}),
  });
  const { sim, aws } = env;
  const clock = { now: WORLD_START.getTime() };
  const now = () => clock.now;
  // One attempt: tests see Podero's failure at once instead of after backoff.
  const fast = { poderoRetry: { maxRetries: 0 }, sleep: async () => {}, now };
  const apiDeps = env.createApiDeps(fast);
  const syncMetrics = createRecordingMetrics();
  const syncConfig: SyncConfig = {
    ...loadSyncConfig(
      aws.world.environment('syncWorker', {
        [ENV.syncConcurrency]: String(options.syncConcurrency ?? 4),
        [ENV.syncRateLimitPerSecond]: String(options.rateLimitPerSecond ?? 0),
      }),
    ),
    userPageSize: 25,
  };
  const syncDeps = createSyncDeps(syncConfig, {
    ...fast,
    poderoRetry: { maxRetries: options.poderoRetries ?? 0 },
    // The rate budget's seconds are wall-clock seconds: a ceiling needs a real sleep.
    ...(options.rateLimitPerSecond
      ? { sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) }
      : {}),
    logger: silentLogger('heat-pump-sync'),
    metrics: syncMetrics,
    refresher: env.refresher,
    batchWriteOptions: { sleep: async () => {} },
    ...(options.wrapSyncDb ? { db: options.wrapSyncDb(aws.db) } : {}),
  });
  const users = new UserStore(aws.db, aws.tableNames.main);
  let runs = 0;
  return {
    sim,
    aws,
    api: makeApiHandler(apiDeps),
    apiDeps,
    sync: makeSyncHandler(syncDeps),
    planner: makePlannerHandler(
      createPlannerDeps(
        loadPlannerConfig(
          aws.world.environment('syncPlanner', { [ENV.syncShardSize]: String(options.shardSize ?? 1000) }),
        ),
        { logger: silentLogger('heat-pump-sync'), metrics: syncMetrics, now: () => clock.now },
      ),
    ),
    worker: makeSyncWorkerHandler(syncDeps),
    syncMetrics,
    refresher: env.refresher,
    clock,
    advance(seconds) {
      sim.control.advanceClock(seconds);
      clock.now += seconds * 1000;
    },
    async onboard(count, heatPumpsPerUser, prefix) {
      const seeded = sim.control.seed({ users: count, heatPumpsPerUser, externalIdPrefix: prefix });
      const at = new Date(clock.now).toISOString();
      for (const user of seeded.users) {
        const leaseId = `seed-${user.id}`;
        await users.acquireCreationLease(user.external_user_id, leaseId, clock.now, 30_000);
        await users.completeCreation(
          minimalUserRecord({
            externalUserId: user.external_user_id,
            poderoUserId: user.id,
            email: `${user.external_user_id}@example.com`,
            at,
          }),
          leaseId,
        );
      }
      return seeded.users.map((u) => ({
        externalUserId: u.external_user_id,
        poderoUserId: u.id,
        deviceIds: u.heat_pump_ids,
      }));
    },
    syncContext() {
      runs++;
      return { awsRequestId: `sync-run-${runs}`, getRemainingTimeInMillis: () => 900_000 };
    },
    requests(routeKey) {
      const byStatus = sim.control.counters().requests[routeKey] ?? {};
      return Object.values(byStatus).reduce((n, c) => n + c, 0);
    },
    close: () => env.close(),
  };
}
