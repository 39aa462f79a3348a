/**
 * createPoderoClient: the Podero Partner API v2.0 grouped by resource, as the API groups it.
 * Each method validates its input strictly (nothing is sent when it is invalid), builds the
 * documented method/path/query/body, and validates the response tolerantly.
 */

import * as z from 'zod';
import { type ChargingConfigResource, createChargingConfigResource } from './charging-config';
import { getSchedules } from './device-kinds';
import {
  type GeneralDeviceUpdateRequest,
  generalDeviceUpdateRequestSchema,
  generalDeviceUpdateResponseSchema,
  type SchedulesQuery,
  type SchedulesResponse,
} from './device-schemas';
import { createElectricVehiclesResource, type ElectricVehiclesResource } from './electric-vehicles';
import { describeIssues, toIssues } from './errors';
import { createInvertersResource, type InvertersResource } from './inverters';
import { createRequestContext, type GetOptions, type ListOptions } from './request-context';
import type { HttpMethod } from './retry';
import {
  type CreateBuildingRequest,
  type CreateHeatPumpRequest,
  type CreateOnboardingSessionRequest,
  type CreateUserRequest,
  type CueActionResponse,
  type CueStateRequest,
  createBuildingRequestSchema,
  createHeatPumpRequestSchema,
  createOnboardingSessionRequestSchema,
  createUserRequestSchema,
  cueActionResponseSchema,
  cueSecretSchema,
  cueStateRequestSchema,
  type EnergyContractRequest,
  energyContractRequestSchema,
  externalIdParamSchema,
  type HeatPumpDataQuery,
  type HeatPumpDataResponse,
  heatPumpDataQuerySchema,
  heatPumpDataResponseSchema,
  idParamSchema,
  type OrganisationSavingsQuery,
  type OrganisationSavingsResponse,
  organisationSavingsQuerySchema,
  organisationSavingsResponseSchema,
  type PoderoBuilding,
  type PoderoEnergyContract,
  type PoderoHeatPump,
  type PoderoOnboardingSession,
  type PoderoOnboardingSessionCreated,
  type PoderoUser,
  poderoBuildingSchema,
  poderoEnergyContractSchema,
  poderoHeatPumpSchema,
  poderoOnboardingSessionCreatedSchema,
  poderoOnboardingSessionSchema,
  poderoUserSchema,
  type ResolveCueRequest,
  type ResolveCueResponse,
  type ResolveInformationRequest,
  resolveCueRequestSchema,
  resolveCueResponseSchema,
  resolveInformationRequestSchema,
  type SavingsQuery,
  type SavingsResponse,
  type StatisticsQuery,
  type StatisticsResponse,
  savingsQuerySchema,
  savingsResponseSchema,
  statisticsQuerySchema,
  statisticsResponseSchema,
  type UpdateBuildingRequest,
  type UpdateHeatPumpRequest,
  type UpdateUserRequest,
  updateBuildingRequestSchema,
  updateHeatPumpRequestSchema,
  updateUserRequestSchema,
} from './schemas';
import { resolveTransportOptions } from './token';
import {
  createTradingClient,
  DEFAULT_TRADING_VARIANT,
  TRADING_VARIANTS,
  type TradingClient,
  type TradingVariant,
} from './trading';
import type { TokenProvider, TransportOverrides } from './transport';
import { normaliseBaseUrl, segment } from './urls';
import { createWallboxesResource, type WallboxesResource } from './wallboxes';

export type { GetOptions, ListOptions };

/**
 * The list responses' schemas, built once: a zod schema built inside a call is built (and its parser
 * compiled) again on every call, which the sync's per-user list made a hot spot (test/schemas-built-once.test.ts).
 */
const userListSchema = z.array(poderoUserSchema);
const buildingListSchema = z.array(poderoBuildingSchema);
const heatPumpListSchema = z.array(poderoHeatPumpSchema);
const energyContractListSchema = z.array(poderoEnergyContractSchema);

export interface PoderoClientOptions extends TransportOverrides {
  /** Podero host, e.g. `https://app.podero.com` (a trailing `/` or `/api/partners/v2.0` is fine). */
  baseUrl: string;
  orgId: string;
  tokenProvider: TokenProvider;
  /** Which of Podero's two trading APIs to speak (trading.ts; `podero conformance` tells). Default `reference`. */
  trading?: { variant?: TradingVariant };
}

export interface PoderoClient {
  readonly orgId: string;
  readonly baseUrl: string;
  users: {
    list(options?: ListOptions): Promise<PoderoUser[]>;
    get(userId: string): Promise<PoderoUser>;
    getByExternalId(externalUserId: string, options?: GetOptions): Promise<PoderoUser>;
    create(body: CreateUserRequest): Promise<PoderoUser>;
    update(userId: string, body: UpdateUserRequest): Promise<PoderoUser>;
    delete(userId: string): Promise<void>;
  };
  buildings: {
    list(userId: string): Promise<PoderoBuilding[]>;
    get(userId: string, buildingId: string): Promise<PoderoBuilding>;
    create(userId: string, body: CreateBuildingRequest): Promise<PoderoBuilding>;
    update(userId: string, buildingId: string, body: UpdateBuildingRequest): Promise<PoderoBuilding>;
    delete(userId: string, buildingId: string): Promise<void>;
  };
  onboarding: {
    create(body: CreateOnboardingSessionRequest): Promise<PoderoOnboardingSessionCreated>;
    get(sessionId: string): Promise<PoderoOnboardingSession>;
  };
  heatPumps: {
    list(userId: string): Promise<PoderoHeatPump[]>;
    get(userId: string, heatPumpId: string, options?: GetOptions): Promise<PoderoHeatPump>;
    create(userId: string, body?: CreateHeatPumpRequest): Promise<PoderoHeatPump>;
    update(userId: string, heatPumpId: string, body: UpdateHeatPumpRequest): Promise<PoderoHeatPump>;
    /** H5 DELETE: [INFERRED] (no reference page). Prefer `softDelete`, the documented way. */
    delete(userId: string, heatPumpId: string): Promise<void>;
    /** The documented removal: `PUT {"deleted_at": at}` (default now). Returns the device as Podero answers. */
    softDelete(userId: string, heatPumpId: string, at?: Date): Promise<PoderoHeatPump>;
    statistics(userId: string, heatPumpId: string, query?: StatisticsQuery): Promise<StatisticsResponse>;
    savings(userId: string, heatPumpId: string, query: SavingsQuery): Promise<SavingsResponse>;
    data(userId: string, heatPumpId: string, query?: HeatPumpDataQuery): Promise<HeatPumpDataResponse>;
    /** H9 (beta): parameters and shape unpublished; pass parameters by name, the answer comes back as is. */
    schedules(userId: string, heatPumpId: string, query?: SchedulesQuery): Promise<SchedulesResponse>;
  };
  /** §3.7: electric vehicles, their boost, weekly charge policy, charging sessions and savings. */
  electricVehicles: ElectricVehiclesResource;
  /** §3.8: wallboxes, their boost and the installer's claim token. */
  wallboxes: WallboxesResource;
  /** §3.9: solar inverters and the home batteries behind them. */
  inverters: InvertersResource;
  /** CC1–CC2: the user's charging configuration, which EV charging follows. */
  chargingConfig: ChargingConfigResource;
  /** A user's tariffs (§3.11), which Podero optimises against. */
  energyContracts: {
    list(userId: string): Promise<PoderoEnergyContract[]>;
    /** C2: answered 200 with the contract (the reference says 200, not 201). */
    create(userId: string, body: EnergyContractRequest): Promise<PoderoEnergyContract>;
    update(userId: string, contractId: string, body: EnergyContractRequest): Promise<PoderoEnergyContract>;
  };
  /** Devices of any kind: the organisation's savings (§3.13) and the general update (§3.6). */
  devices: {
    /** S1: the savings of every device of the organisation between two instants. */
    savings(query: OrganisationSavingsQuery): Promise<OrganisationSavingsResponse>;
    /**
     * D1 `PATCH .../devices/{device_id}`: general attributes of a device of any kind (`is_authenticated`
     * included). Podero publishes no response schema: the answer comes back as parsed JSON, unchecked.
     */
    update(userId: string, deviceId: string, body: GeneralDeviceUpdateRequest): Promise<unknown>;
  };
  /** Day-ahead trading (§3.13), in the variant chosen by `options.trading.variant` (trading.ts). */
  trading: TradingClient;
  /** Pending actions (§3.12). `cueId` and `secret` come from `actions[].resolution_link.url` (parseCueLink). */
  cues: {
    /** Q1 (Bearer): starts a `reauthenticate` action; the owner's browser then goes to `redirect_url`. */
    resolve(cueId: string, secret: string, body: ResolveCueRequest): Promise<ResolveCueResponse>;
    /** Q2 (no Authorization header: the secret authorises): the outcome. 404 once the action is no longer active. */
    reportState(cueId: string, secret: string, body: CueStateRequest): Promise<CueActionResponse>;
    /** Q3 (Bearer): an `information` action was read. */
    resolveInformation(
      cueId: string,
      secret: string,
      body?: ResolveInformationRequest,
    ): Promise<CueActionResponse>;
  };
}

const retryOptionsSchema = z.strictObject({
  maxRetries: z.number().int().min(0).max(10).optional(),
  baseDelayMs: z.number().int().min(0).optional(),
  maxDelayMs: z.number().int().min(0).optional(),
  maxRetryAfterMs: z.number().int().min(0).optional(),
});

const optionsSchema = z.object({
  baseUrl: z.string().min(1),
  orgId: idParamSchema,
  timeoutMs: z.number().int().positive().optional(),
  retry: retryOptionsSchema.optional(),
  userAgent: z.string().min(1).optional(),
  trading: z.strictObject({ variant: z.enum(TRADING_VARIANTS).optional() }).optional(),
});

export function createPoderoClient(opts: PoderoClientOptions): PoderoClient {
  const checked = optionsSchema.safeParse(opts);
  if (!checked.success) {
    throw new TypeError(`Invalid Podero client options: ${describeIssues(toIssues(checked.error))}`);
  }
  const baseUrl = normaliseBaseUrl(opts.baseUrl);
  const orgId = opts.orgId;
  const transport = resolveTransportOptions(opts);
  const tokenProvider = opts.tokenProvider;

  const ctx = createRequestContext({ baseUrl, orgId, transport, tokenProvider });
  const { call, check, id, org } = ctx;

  // Each method is `async` so that a local validation error becomes a rejected promise, like every other failure.
  const usersT = '/org/{org_id}/users';
  const userT = `${usersT}/{user_id}`;
  const buildingsT = `${userT}/buildings`;
  const heatPumpsT = `${userT}/heat-pumps`;
  const heatPumpT = `${heatPumpsT}/{heat_pump_id}`;

  const users: PoderoClient['users'] = {
    async list(options = {}) {
      const query = options.includeDeleted === undefined ? {} : { include_deleted: options.includeDeleted };
      return call('users.list', 'GET', `${org}/users`, { query }, userListSchema);
    },
    async get(userId) {
      return call(
        'users.get',
        'GET',
        `${org}/users/${id('GET', userT, 'userId', userId)}`,
        {},
        poderoUserSchema,
      );
    },
    async getByExternalId(externalUserId, options = {}) {
      const template = `${usersT}/by-ext-id/{external_id}`;
      const ext = check('GET', template, 'externalUserId', externalIdParamSchema, externalUserId);
      const query = options.includeDeleted === undefined ? {} : { include_deleted: options.includeDeleted };
      return call(
        'users.getByExternalId',
        'GET',
        `${org}/users/by-ext-id/${segment(ext)}`,
        { query },
        poderoUserSchema,
      );
    },
    async create(body) {
      const valid = check('POST', usersT, 'body', createUserRequestSchema, body);
      return call('users.create', 'POST', `${org}/users`, { body: valid }, poderoUserSchema);
    },
    async update(userId, body) {
      const user = id('PUT', userT, 'userId', userId);
      const valid = check('PUT', userT, 'body', updateUserRequestSchema, body);
      return call('users.update', 'PUT', `${org}/users/${user}`, { body: valid }, poderoUserSchema);
    },
    async delete(userId) {
      await call(
        'users.delete',
        'DELETE',
        `${org}/users/${id('DELETE', userT, 'userId', userId)}`,
        {},
        undefined,
      );
    },
  };

  const buildings: PoderoClient['buildings'] = {
    async list(userId) {
      const user = id('GET', buildingsT, 'userId', userId);
      return call('buildings.list', 'GET', `${org}/users/${user}/buildings`, {}, buildingListSchema);
    },
    async get(userId, buildingId) {
      const template = `${buildingsT}/{building_id}`;
      const user = id('GET', template, 'userId', userId);
      const building = id('GET', template, 'buildingId', buildingId);
      return call(
        'buildings.get',
        'GET',
        `${org}/users/${user}/buildings/${building}`,
        {},
        poderoBuildingSchema,
      );
    },
    async create(userId, body) {
      const user = id('POST', buildingsT, 'userId', userId);
      const valid = check('POST', buildingsT, 'body', createBuildingRequestSchema, body);
      return call(
        'buildings.create',
        'POST',
        `${org}/users/${user}/buildings`,
        { body: valid },
        poderoBuildingSchema,
      );
    },
    async update(userId, buildingId, body) {
      const template = `${buildingsT}/{building_id}`;
      const user = id('PUT', template, 'userId', userId);
      const building = id('PUT', template, 'buildingId', buildingId);
      const valid = check('PUT', template, 'body', updateBuildingRequestSchema, body);
      return call(
        'buildings.update',
        'PUT',
        `${org}/users/${user}/buildings/${building}`,
        { body: valid },
        poderoBuildingSchema,
      );
    },
    async delete(userId, buildingId) {
      const template = `${buildingsT}/{building_id}`;
      const user = id('DELETE', template, 'userId', userId);
      const building = id('DELETE', template, 'buildingId', buildingId);
      await call('buildings.delete', 'DELETE', `${org}/users/${user}/buildings/${building}`, {}, undefined);
    },
  };

  const onboarding: PoderoClient['onboarding'] = {
    async create(body) {
      const valid = check('POST', '/device-onboarding', 'body', createOnboardingSessionRequestSchema, body);
      return call(
        'onboarding.create',
        'POST',
        '/device-onboarding',
        { body: valid },
        poderoOnboardingSessionCreatedSchema,
      );
    },
    async get(sessionId) {
      const session = id('GET', '/device-onboarding/{onboarding_session_id}', 'sessionId', sessionId);
      return call(
        'onboarding.get',
        'GET',
        `/device-onboarding/${session}`,
        {},
        poderoOnboardingSessionSchema,
      );
    },
  };

  const heatPumpPath = (method: HttpMethod, template: string, userId: string, heatPumpId: string) =>
    `${org}/users/${id(method, template, 'userId', userId)}/heat-pumps/${id(method, template, 'heatPumpId', heatPumpId)}`;

  const heatPumps: PoderoClient['heatPumps'] = {
    async list(userId) {
      const user = id('GET', heatPumpsT, 'userId', userId);
      return call('heatPumps.list', 'GET', `${org}/users/${user}/heat-pumps`, {}, heatPumpListSchema);
    },
    async get(userId, heatPumpId, options = {}) {
      const path = heatPumpPath('GET', heatPumpT, userId, heatPumpId);
      const query = options.includeDeleted === undefined ? {} : { include_deleted: options.includeDeleted };
      return call('heatPumps.get', 'GET', path, { query }, poderoHeatPumpSchema);
    },
    async create(userId, body) {
      const user = id('POST', heatPumpsT, 'userId', userId);
      // The older Notion journey creates an "empty" device with no body at all.
      const valid =
        body === undefined ? undefined : check('POST', heatPumpsT, 'body', createHeatPumpRequestSchema, body);
      return call(
        'heatPumps.create',
        'POST',
        `${org}/users/${user}/heat-pumps`,
        { body: valid },
        poderoHeatPumpSchema,
      );
    },
    async update(userId, heatPumpId, body) {
      const path = heatPumpPath('PUT', heatPumpT, userId, heatPumpId);
      const valid = check('PUT', heatPumpT, 'body', updateHeatPumpRequestSchema, body);
      return call('heatPumps.update', 'PUT', path, { body: valid }, poderoHeatPumpSchema);
    },
    async delete(userId, heatPumpId) {
      await call(
        'heatPumps.delete',
        'DELETE',
        heatPumpPath('DELETE', heatPumpT, userId, heatPumpId),
        {},
        undefined,
      );
    },
    async softDelete(userId, heatPumpId, at = new Date()) {
      return heatPumps.update(userId, heatPumpId, { deleted_at: at.toISOString() });
    },
    async statistics(userId, heatPumpId, query = {}) {
      const template = `${heatPumpT}/statistics`;
      const path = `${heatPumpPath('GET', template, userId, heatPumpId)}/statistics`;
      const q = check('GET', template, 'query', statisticsQuerySchema, query);
      return call(
        'heatPumps.statistics',
        'GET',
        path,
        { query: { resolution: q.resolution, keywords: q.keywords } },
        statisticsResponseSchema,
      );
    },
    async savings(userId, heatPumpId, query) {
      const template = `${heatPumpT}/savings`;
      const path = `${heatPumpPath('GET', template, userId, heatPumpId)}/savings`;
      const q = check('GET', template, 'query', savingsQuerySchema, query);
      return call(
        'heatPumps.savings',
        'GET',
        path,
        { query: { from: q.from, to: q.to, resolution: q.resolution } },
        savingsResponseSchema,
      );
    },
    async data(userId, heatPumpId, query = {}) {
      const template = `${heatPumpT}/data`;
      const path = `${heatPumpPath('GET', template, userId, heatPumpId)}/data`;
      const q = check('GET', template, 'query', heatPumpDataQuerySchema, query);
      return call(
        'heatPumps.data',
        'GET',
        path,
        {
          query: {
            from_datetime: q.from_datetime,
            to_datetime: q.to_datetime,
            resolution: q.resolution,
            keywords: q.keywords,
          },
          ...(q.fillMissing === undefined ? {} : { headers: { 'fill-missing': String(q.fillMissing) } }),
        },
        heatPumpDataResponseSchema,
      );
    },
    async schedules(userId, heatPumpId, query = {}) {
      const template = `${heatPumpT}/schedules`;
      const path = `${heatPumpPath('GET', template, userId, heatPumpId)}/schedules`;
      return getSchedules(ctx, 'heatPumps.schedules', template, path, query);
    },
  };

  const contractsT = `${userT}/energy-contracts`;
  const energyContracts: PoderoClient['energyContracts'] = {
    async list(userId) {
      const user = id('GET', contractsT, 'userId', userId);
      return call(
        'energyContracts.list',
        'GET',
        `${org}/users/${user}/energy-contracts`,
        {},
        energyContractListSchema,
      );
    },
    async create(userId, body) {
      const user = id('POST', contractsT, 'userId', userId);
      const valid = check('POST', contractsT, 'body', energyContractRequestSchema, body);
      return call(
        'energyContracts.create',
        'POST',
        `${org}/users/${user}/energy-contracts`,
        { body: valid },
        poderoEnergyContractSchema,
      );
    },
    async update(userId, contractId, body) {
      const template = `${contractsT}/{energy_contract_id}`;
      const user = id('PUT', template, 'userId', userId);
      const contract = id('PUT', template, 'contractId', contractId);
      const valid = check('PUT', template, 'body', energyContractRequestSchema, body);
      return call(
        'energyContracts.update',
        'PUT',
        `${org}/users/${user}/energy-contracts/${contract}`,
        { body: valid },
        poderoEnergyContractSchema,
      );
    },
  };

  const deviceT = `${userT}/devices/{device_id}`;
  const devices: PoderoClient['devices'] = {
    async update(userId, deviceId, body) {
      const user = id('PATCH', deviceT, 'userId', userId);
      const device = id('PATCH', deviceT, 'deviceId', deviceId);
      const valid = check('PATCH', deviceT, 'body', generalDeviceUpdateRequestSchema, body);
      return call(
        'devices.update',
        'PATCH',
        `${org}/users/${user}/devices/${device}`,
        { body: valid },
        generalDeviceUpdateResponseSchema,
      );
    },
    async savings(query) {
      const q = check('GET', '/org/{org_id}/devices/savings', 'query', organisationSavingsQuerySchema, query);
      return call(
        'devices.savings',
        'GET',
        `${org}/devices/savings`,
        { query: { start_datetime: q.from, end_datetime: q.to } },
        organisationSavingsResponseSchema,
      );
    },
  };

  const cueT = '/cues/{cue_id}';
  const cuePath = (method: HttpMethod, template: string, cueId: string, secret: string) => {
    const cue = id(method, template, 'cueId', cueId);
    return { path: `/cues/${cue}`, secret: check(method, template, 'secret', cueSecretSchema, secret) };
  };
  const cues: PoderoClient['cues'] = {
    async resolve(cueId, secret, body) {
      const template = `${cueT}/resolve`;
      const target = cuePath('POST', template, cueId, secret);
      const valid = check('POST', template, 'body', resolveCueRequestSchema, body);
      return call(
        'cues.resolve',
        'POST',
        `${target.path}/resolve`,
        { query: { secret: target.secret }, body: valid },
        resolveCueResponseSchema,
      );
    },
    async reportState(cueId, secret, body) {
      const template = `${cueT}/state`;
      const target = cuePath('POST', template, cueId, secret);
      const valid = check('POST', template, 'body', cueStateRequestSchema, body);
      return call(
        'cues.reportState',
        'POST',
        `${target.path}/state`,
        { query: { secret: target.secret }, body: valid, auth: { kind: 'none' } },
        cueActionResponseSchema,
      );
    },
    async resolveInformation(cueId, secret, body = {}) {
      const template = `${cueT}/information/resolve`;
      const target = cuePath('POST', template, cueId, secret);
      const valid = check('POST', template, 'body', resolveInformationRequestSchema, body);
      return call(
        'cues.resolveInformation',
        'POST',
        `${target.path}/information/resolve`,
        { query: { secret: target.secret }, body: valid },
        cueActionResponseSchema,
      );
    },
  };

  const trading = createTradingClient({
    variant: opts.trading?.variant ?? DEFAULT_TRADING_VARIANT,
    orgPath: org,
    call,
    check,
  });

  return {
    orgId,
    baseUrl,
    users,
    buildings,
    onboarding,
    heatPumps,
    electricVehicles: createElectricVehiclesResource(ctx),
    wallboxes: createWallboxesResource(ctx),
    inverters: createInvertersResource(ctx),
    chargingConfig: createChargingConfigResource(ctx),
    energyContracts,
    devices,
    cues,
    trading,
  };
}
