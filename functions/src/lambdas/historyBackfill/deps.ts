import { createNodeHttpFetch } from '@podero-bridge/podero-client';
import type { HistoryBackfillConfig } from '../../config';
import { deviceKinds } from '../../domain/devices/kinds';
import { BACKFILL_DEFAULTS, HistoryBackfill } from '../../history/backfill';
import { sleep as sleepFor } from '../../platform/backoff';
import { createDocumentClient } from '../../platform/dynamodb-client';
import { rateLimitedFetch, SharedRateLimiter } from '../../platform/podero-rate-limit';
import { passThroughTracing } from '../../platform/tracing';
import { BackfillStateStore } from '../../storage/backfill-state';
import { loadUserDevices } from '../../storage/device-snapshots';
import { RateBudgetStore } from '../../storage/rate-budget';
import { ReadingsStore } from '../../storage/readings';
import { UserWalk } from '../../sync/user-walk';
import { createFleetDeps, type FleetDeps, type FleetOverrides } from '../shared/fleet-deps';

export interface HistoryBackfillDepsBundle extends FleetDeps {
  readonly config: HistoryBackfillConfig;
  readonly backfill: HistoryBackfill;
  readonly state: BackfillStateStore;
}

export interface HistoryBackfillOverrides extends FleetOverrides {
  /** Settings beyond the environment's (tests: a small page, a short settle time). */
  settings?: Partial<typeof BACKFILL_DEFAULTS>;
}

/**
 * Built once per container (cold start); tests and the local stack pass overrides. Every Podero attempt goes
 * through the stage's shared budget when it has a ceiling (the sync workers' budget: platform/podero-rate-limit.ts),
 * and the client does not retry: a 429 ends the run (history/backfill.ts), so a 429 storm costs one request.
 */
export function createHistoryBackfillDeps(
  config: HistoryBackfillConfig,
  overrides: HistoryBackfillOverrides = {},
): HistoryBackfillDepsBundle {
  const tracing = overrides.tracing ?? passThroughTracing;
  const db = overrides.db ?? createDocumentClient(config, tracing.instrument);
  const sleep = overrides.sleep ?? sleepFor;
  const fetch =
    config.rateLimitPerSecond > 0
      ? rateLimitedFetch(
          overrides.fetch ?? createNodeHttpFetch(),
          new SharedRateLimiter(
            new RateBudgetStore(db, config.mainTableName),
            { ceiling: config.rateLimitPerSecond, chunk: 1 },
            { now: Date.now, sleep },
          ),
        )
      : overrides.fetch;
  const fleet = createFleetDeps('historyBackfill', config, {
    ...overrides,
    tracing,
    db,
    poderoRetry: { maxRetries: 0, ...overrides.poderoRetry },
    ...(fetch ? { fetch } : {}),
  });
  const state = new BackfillStateStore(fleet.db, config.mainTableName);
  const readings = new Map<string, ReadingsStore>(
    deviceKinds.map((kind) => [
      kind.name,
      new ReadingsStore(fleet.db, config.readingsTableName, kind.storage),
    ]),
  );
  const backfill = new HistoryBackfill({
    walk: new UserWalk(fleet.db, config.mainTableName),
    loadDevices: async (externalUserId) => {
      const { states } = await loadUserDevices(
        fleet.db,
        config.mainTableName,
        externalUserId,
        deviceKinds.map((kind) => kind.storage),
      );
      return deviceKinds.map((kind, index) => ({
        kind,
        deviceIds: [...(states[index]?.snapshots.keys() ?? [])],
      }));
    },
    readingsOf: (kind) => {
      const store = readings.get(kind.name);
      if (!store) throw new Error(`no readings store for ${kind.name}`);
      return store;
    },
    state,
    podero: fleet.podero,
    now: fleet.now,
    logger: fleet.logger,
    readingsRetentionDays: config.readingsRetentionDays,
    settings: {
      ...BACKFILL_DEFAULTS,
      lookbackDays: config.backfillLookbackDays,
      maxRequestsPerRun: config.backfillMaxRequestsPerRun,
      poderoRetentionDays: config.poderoDataRetentionDays,
      ...overrides.settings,
    },
  });
  return { ...fleet, config, backfill, state };
}
