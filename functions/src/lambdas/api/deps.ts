import type { ApiConfig } from '../../config';
import { AllDevicesService } from '../../devices/all-devices';
import { ChangeMetrics } from '../../devices/change-metrics';
import { ChangeTracker } from '../../devices/change-tracker';
import { ChargingService } from '../../devices/charging';
import { ChargingConfigService } from '../../devices/charging-config';
import { ChargingConfigChanges } from '../../devices/charging-config-changes';
import { DeviceInsightsService } from '../../devices/insights';
import { ReauthenticationService } from '../../devices/reauthentication';
import { DeviceService, DeviceServices } from '../../devices/service';
import { electricVehicleKind } from '../../domain/devices/electric-vehicle';
import { deviceKinds } from '../../domain/devices/kinds';
import { wallboxKind } from '../../domain/devices/wallbox';
import { tradingCalendarOf } from '../../domain/trading/market';
import { EnergyContractService } from '../../energy-contracts/service';
import { type ErasureService, erasureServiceOf } from '../../erasure/erasure';
import { BackfillStatusService } from '../../history/status';
import { OperatorService } from '../../operator/service';
import { createSecretsManagerClient, createSqsClient } from '../../platform/aws-clients';
import { currentDeadline } from '../../platform/request-deadline';
import { StatementService } from '../../statements/service';
import { AuditStore } from '../../storage/audit';
import { BackfillStateStore } from '../../storage/backfill-state';
import { BuildingStore } from '../../storage/buildings';
import { DeviceChangeStore } from '../../storage/device-changes';
import { DeviceRemovalStore } from '../../storage/device-removals';
import { DeviceSnapshotStore, loadUserDevices } from '../../storage/device-snapshots';
import { EventHistoryStore } from '../../storage/event-history';
import { FleetDailyStore } from '../../storage/fleet-daily';
import { IdempotencyStore } from '../../storage/idempotency';
import { InsightsCache } from '../../storage/insights-cache';
import { OnboardingSessionStore } from '../../storage/onboarding-sessions';
import { OpenChangesStore } from '../../storage/open-changes';
import { OutboxStore } from '../../storage/outbox';
import { ReadingsStore } from '../../storage/readings';
import { ReauthenticationStore } from '../../storage/reauthentications';
import { SyncPassStore } from '../../storage/sync-passes';
import { SyncStateStore } from '../../storage/sync-state';
import { TradingDayStore } from '../../storage/trading-days';
import { UserSearchStore } from '../../storage/user-search';
import { UserStore } from '../../storage/users';
import { WebhookStore } from '../../storage/webhooks';
import { TradingService } from '../../trading/service';
import { BuildingService } from '../../users/buildings';
import { OnboardingSessionService } from '../../users/onboarding-sessions';
import { UserService, type UserServiceDeps } from '../../users/service';
import { TimelineService } from '../../users/timeline';
import { DeliveryQueue } from '../../webhooks/queue';
import { WebhookSecretStore } from '../../webhooks/secrets';
import { WebhookService } from '../../webhooks/service';
import type { Resolve } from '../../webhooks/url-rules';
import { createFleetDeps, type FleetDeps, type FleetOverrides } from '../shared/fleet-deps';

/** The services the routes call (routes never reach Podero or a store themselves). */
export interface ApiServices {
  readonly users: UserService;
  readonly buildings: BuildingService;
  readonly onboardingSessions: OnboardingSessionService;
  /** One per device kind: `devices.of(kind)`. */
  readonly devices: DeviceServices;
  readonly insights: DeviceInsightsService;
  readonly energyContracts: EnergyContractService;
  readonly operator: OperatorService;
  /** The history backfill's progress and unfillable gaps (operator). */
  readonly backfill: BackfillStatusService;
  readonly reauthentication: ReauthenticationService;
  readonly webhooks: WebhookService;
  readonly erasure: ErasureService;
  /** The customer timeline: change events and audit entries merged. */
  readonly timeline: TimelineService;
  readonly trading: TradingService;
  /** Every kind's devices in one list. */
  readonly allDevices: AllDevicesService;
  /** Boost, charge policy, sessions, claim tokens (EVs and wallboxes). */
  readonly charging: ChargingService;
  readonly chargingConfig: ChargingConfigService;
  /** The monthly savings statement. */
  readonly statements: StatementService;
}

export interface ApiDeps extends FleetDeps {
  readonly config: ApiConfig;
  readonly services: ApiServices;
  readonly users: UserStore;
  readonly buildings: BuildingStore;
  readonly onboardingSessions: OnboardingSessionStore;
  /** The records behind `Idempotency-Key` (lambdas/api/idempotency.ts). */
  readonly idempotency: IdempotencyStore;
  /** The audit trail: every write through the API (lambdas/api/audit.ts). */
  readonly audit: AuditStore;
  /** Every request is answered within this many ms (see API_REQUEST_BUDGET_MS). */
  readonly requestBudgetMs: number;
  /** SDK clients these deps created besides `db` (the composition destroys them). */
  readonly ownedClients: readonly { destroy(): void }[];
}

export interface ApiOverrides extends Omit<FleetOverrides, 'deadline'> {
  /** How long a POST /users lease protects one creation, and how long a concurrent duplicate waits for it. */
  userCreation?: Partial<UserServiceDeps['creation']>;
  requestBudgetMs?: number;
  /** Tests: how webhook hosts resolve. */
  resolveWebhookHost?: Resolve;
  /** Tests: how long after an offboarding its erasure's last sweep runs (ERASURE_SETTLE_SECONDS otherwise). */
  erasureSettleMs?: number;
  /**
   * The clock of the webhook routes, which schedule deliveries for webhook-delivery (a test event's
   * `not_before`): that worker's clock. Deployed, the one clock (`now`); the local stack runs the api on
   * Podero's simulated clock and webhook-delivery on the wall clock, where a moved simulator would otherwise
   * schedule a test event minutes or days into the worker's future.
   */
  webhookClock?: () => number;
}

/**
 * The API answers within API Gateway's 29 s limit, with its own documented error, never the gateway's
 * bare 503. Each request has a deadline API_REQUEST_BUDGET_MS after it starts: every Podero attempt gets
 * at most the time left (and no retry starts that could not finish), a forced token refresh is waited
 * for at most API_TOKEN_REFRESH_WAIT_MS (then 502 upstream_auth_failed), and a request still running
 * at the deadline is answered 503 request_timeout. Podero calls get a shorter timeout and retry budget
 * than the client's defaults, and a long Retry-After is passed on to the caller as 503 instead of being
 * waited out.
 */
export const API_REQUEST_BUDGET_MS = 20_000;
export const API_TOKEN_REFRESH_WAIT_MS = 8_000;
export const API_PODERO_TIMEOUT_MS = 5_000;
export const API_PODERO_RETRY = {
  maxRetries: 2,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 2_000,
};

/** Built once per container (cold start); tests and the local stack pass overrides. */
export function createApiDeps(config: ApiConfig, overrides: ApiOverrides = {}): ApiDeps {
  const fleet = createFleetDeps('api', config, {
    ...overrides,
    poderoTimeoutMs: overrides.poderoTimeoutMs ?? API_PODERO_TIMEOUT_MS,
    poderoRetry: { ...API_PODERO_RETRY, ...overrides.poderoRetry },
    tokenRefreshWaitMs: overrides.tokenRefreshWaitMs ?? API_TOKEN_REFRESH_WAIT_MS,
    deadline: currentDeadline,
  });
  const users = new UserStore(fleet.db, config.mainTableName);
  const buildings = new BuildingStore(fleet.db, config.mainTableName);
  // One store: the handler records every write in it, and the timeline reads it.
  const audit = new AuditStore(fleet.db, config.mainTableName);
  const onboardingSessions = new OnboardingSessionStore(fleet.db, config.mainTableName);
  const userCreation = { leaseMs: 30_000, waitMs: 10_000, pollMs: 50, ...overrides.userCreation };
  const outbox = new OutboxStore(fleet.db, config.mainTableName);
  // Used by the webhook routes and offboardings only (created at cold start, connected on first use).
  const sqs = createSqsClient(config, fleet.tracing.instrument);
  const erasure = erasureServiceOf({
    db: fleet.db,
    sqs,
    now: fleet.now,
    settings: config,
    ...(overrides.erasureSettleMs === undefined ? {} : { settleMs: overrides.erasureSettleMs }),
  });
  const webhookSecretsClient = createSecretsManagerClient(config, fleet.tracing.instrument);
  const search = new UserSearchStore(fleet.db, config.mainTableName);
  const userService = new UserService({
    podero: fleet.podero,
    users,
    search,
    outbox,
    erasure,
    now: fleet.now,
    logger: fleet.logger,
    creation: userCreation,
  });
  const findPoderoUserId = async (externalUserId: string) =>
    (await users.get(externalUserId))?.podero_user_id ?? null;
  const backfill = new BackfillStateStore(fleet.db, config.mainTableName);
  const deviceChanges = new DeviceChangeStore(fleet.db, config.mainTableName);
  const changeTracker = new ChangeTracker({
    open: new OpenChangesStore(fleet.db, config.mainTableName),
    history: deviceChanges,
    metrics: new ChangeMetrics(fleet.metrics),
    logger: fleet.logger,
  });
  const removals = new DeviceRemovalStore(fleet.db, config.mainTableName);
  const devices = new DeviceServices(
    deviceKinds.map(
      (kind) =>
        new DeviceService(kind, {
          podero: fleet.podero,
          findPoderoUserId,
          removeUnlessOnboarded: (externalUserId, poderoUserId, sortKeys) =>
            users.removeUnlessOnboarded(externalUserId, poderoUserId, sortKeys),
          snapshots: new DeviceSnapshotStore(fleet.db, config.mainTableName, kind.storage),
          readings: new ReadingsStore(fleet.db, config.readingsTableName, kind.storage),
          outbox,
          changes: deviceChanges,
          tracker: changeTracker,
          requestErasure: (externalUserId, deviceId) =>
            erasure.requestForDevice(kind, externalUserId, deviceId),
          removals,
          syncIntervalMs: config.syncIntervalMs,
          backfill,
          now: fleet.now,
          logger: fleet.logger,
        }),
    ),
  );
  const services: ApiServices = {
    users: userService,
    buildings: new BuildingService({ podero: fleet.podero, buildings, users: userService, now: fleet.now }),
    onboardingSessions: new OnboardingSessionService({
      podero: fleet.podero,
      sessions: onboardingSessions,
      buildings,
      users: userService,
      userKinds: users,
      now: fleet.now,
    }),
    devices,
    insights: new DeviceInsightsService({
      podero: fleet.podero,
      requireOwned: (kind, externalUserId, deviceId) =>
        devices.of(kind).requireOwnedForHistory(externalUserId, deviceId),
      keepIfOnboarded: (externalUserId, poderoUserId, sortKeys) =>
        users.removeUnlessOnboarded(externalUserId, poderoUserId, sortKeys),
      cache: new InsightsCache(fleet.db, config.mainTableName),
      now: fleet.now,
    }),
    energyContracts: new EnergyContractService({ podero: fleet.podero, users: userService, buildings }),
    backfill: new BackfillStatusService(backfill),
    timeline: new TimelineService({
      history: new EventHistoryStore(fleet.db, config.mainTableName),
      audit,
    }),
    operator: new OperatorService({
      users,
      search,
      syncIntervalMs: config.syncIntervalMs,
      kinds: deviceKinds.map((kind) => ({
        kind,
        readings: new ReadingsStore(fleet.db, config.readingsTableName, kind.storage),
      })),
      loadDevices: (externalUserId) =>
        loadUserDevices(
          fleet.db,
          config.mainTableName,
          externalUserId,
          deviceKinds.map((kind) => kind.storage),
        ),
      sessions: onboardingSessions,
      syncState: new SyncStateStore(fleet.db, config.mainTableName),
      passes: new SyncPassStore(fleet.db, config.mainTableName),
      daily: new FleetDailyStore(fleet.db, config.mainTableName),
      now: fleet.now,
    }),
    reauthentication: new ReauthenticationService({
      devices,
      podero: fleet.podero,
      attempts: new ReauthenticationStore(fleet.db, config.mainTableName),
      returnUrls: config.returnUrls,
      now: fleet.now,
      logger: fleet.logger,
    }),
    webhooks: new WebhookService({
      endpoints: new WebhookStore(fleet.db, config.mainTableName),
      secrets: new WebhookSecretStore(webhookSecretsClient, config.webhookSecretPrefix),
      queue: new DeliveryQueue(sqs, config.webhookQueueUrl),
      rules: { allowLoopback: config.webhookAllowLoopback },
      ...(overrides.resolveWebhookHost ? { resolve: overrides.resolveWebhookHost } : {}),
      now: overrides.webhookClock ?? fleet.now,
    }),
    erasure,
    trading: new TradingService({
      store: new TradingDayStore(fleet.db, config.mainTableName),
      podero: fleet.podero.trading,
      calendar: tradingCalendarOf(config.tradingConfirmationDeadline),
      autoConfirm: config.tradingAutoConfirm,
      now: fleet.now,
      logger: fleet.logger,
    }),
    allDevices: new AllDevicesService(deviceKinds.map((kind) => devices.of(kind))),
    charging: new ChargingService({
      podero: fleet.podero,
      vehicles: devices.of(electricVehicleKind),
      wallboxes: devices.of(wallboxKind),
      findPoderoUserId,
      logger: fleet.logger,
      now: fleet.now,
    }),
    chargingConfig: new ChargingConfigService({
      podero: fleet.podero,
      findPoderoUserId,
      changes: new ChargingConfigChanges({ tracker: changeTracker, history: deviceChanges, users }),
      now: fleet.now,
      logger: fleet.logger,
    }),
    statements: new StatementService({
      podero: fleet.podero,
      kinds: deviceKinds.map((kind) => ({
        kind,
        readings: new ReadingsStore(fleet.db, config.readingsTableName, kind.storage),
      })),
      loadDevices: (externalUserId) =>
        loadUserDevices(
          fleet.db,
          config.mainTableName,
          externalUserId,
          deviceKinds.map((kind) => kind.storage),
        ),
      removals,
      now: fleet.now,
    }),
  };
  return {
    ...fleet,
    config,
    services,
    users,
    buildings,
    onboardingSessions,
    idempotency: new IdempotencyStore(fleet.db, config.mainTableName),
    audit,
    requestBudgetMs: overrides.requestBudgetMs ?? API_REQUEST_BUDGET_MS,
    ownedClients: [sqs, webhookSecretsClient],
  };
}
