/**
 * `client.electricVehicles` (§3.7, E1–E12): the vehicles, their boost, weekly charge policy, charging
 * sessions (the API's one paginated list) and savings.
 */
import * as z from 'zod';
import { createDeviceKindResource, type DeviceKindResource, getSavings } from './device-kinds';
import {
  type ChargePolicyRequest,
  type ChargePolicyResponse,
  type ChargingSession,
  type ChargingSessionPage,
  type ChargingSessionsQuery,
  type CreateElectricVehicleRequest,
  type CurrentChargingSession,
  chargePolicyRequestSchema,
  chargePolicyResponseSchema,
  chargingSessionPageSchema,
  chargingSessionsQuerySchema,
  createElectricVehicleRequestSchema,
  currentChargingSessionSchema,
  type PoderoElectricVehicle,
  poderoElectricVehicleSchema,
  SESSIONS_PAGE_MAX,
  type UpdateElectricVehicleRequest,
  updateElectricVehicleRequestSchema,
} from './electric-vehicle-schemas';
import { asBoostRefusal } from './errors';
import type { RequestContext } from './request-context';
import type { SavingsQuery, SavingsResponse } from './schemas';

const electricVehicleListSchema = z.array(poderoElectricVehicleSchema);
/** E9's answer is not documented: the policy as E8 shows it, or nothing. */
const chargePolicyWriteResponseSchema = chargePolicyResponseSchema.optional();

export interface AllChargingSessionsQuery {
  from: ChargingSessionsQuery['from'];
  to: ChargingSessionsQuery['to'];
  /** Sessions per request, 1–200 (default 200: the fewest requests). */
  pageSize?: number;
}

export interface ElectricVehiclesResource
  extends DeviceKindResource<
    PoderoElectricVehicle,
    CreateElectricVehicleRequest,
    UpdateElectricVehicleRequest
  > {
  /**
   * E6: plugged in and idle, charging starts now, bypassing optimisation; unplugged, the boost is armed for
   * the next plug-in (re-arming is harmless). A refusal is a BoostRefusedError (409) with `reason`
   * (`already_charging`, `fully_charged`, `no_active_session`, `internal_error`, or a newer one) and `state`.
   */
  boost(userId: string, electricVehicleId: string): Promise<void>;
  /** E7: clears an armed boost (idempotent); a boost already running goes on until unplugged. */
  disarmBoost(userId: string, electricVehicleId: string): Promise<void>;
  chargePolicy: {
    /** E8: the weekly targets, applied while `is_charge_policy_enabled`. */
    get(userId: string, electricVehicleId: string): Promise<ChargePolicyResponse>;
    /** E9 [INFERRED: PUT with E8's `data` as the body]. Days left out stay as they are. */
    put(
      userId: string,
      electricVehicleId: string,
      body: ChargePolicyRequest,
    ): Promise<ChargePolicyResponse | undefined>;
  };
  sessions: {
    /** E10: one page of completed sessions between two UTC days (both required, inclusive). */
    list(
      userId: string,
      electricVehicleId: string,
      query: ChargingSessionsQuery,
    ): Promise<ChargingSessionPage>;
    /** Every completed session between two UTC days, page after page until `total` is reached. */
    all(
      userId: string,
      electricVehicleId: string,
      query: AllChargingSessionsQuery,
    ): Promise<ChargingSession[]>;
    /** E11: the active session, if any. */
    current(userId: string, electricVehicleId: string): Promise<CurrentChargingSession>;
  };
  /** E12: bucketed savings, as for heat pumps (H7). */
  savings(userId: string, electricVehicleId: string, query: SavingsQuery): Promise<SavingsResponse>;
}

/** A page limit on `all`: a Podero whose `total` never matches what it hands out must not loop forever. */
const MAX_SESSION_PAGES = 1000;

export function createElectricVehiclesResource(ctx: RequestContext): ElectricVehiclesResource {
  const { call, check } = ctx;
  const { resource, paths } = createDeviceKindResource(ctx, {
    collection: 'electric-vehicles',
    idName: 'electric_vehicle_id',
    idField: 'electricVehicleId',
    operationPrefix: 'electricVehicles',
    deviceSchema: poderoElectricVehicleSchema,
    listSchema: electricVehicleListSchema,
    createSchema: createElectricVehicleRequestSchema,
    updateSchema: updateElectricVehicleRequestSchema,
  });
  const T = paths.deviceTemplate;
  const sub = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', suffix: string, userId: string, id: string) => ({
    template: `${T}/${suffix}`,
    path: `${paths.device(method, `${T}/${suffix}`, userId, id)}/${suffix}`,
  });

  const sessions: ElectricVehiclesResource['sessions'] = {
    async list(userId, electricVehicleId, query) {
      const { template, path } = sub('GET', 'sessions', userId, electricVehicleId);
      const q = check('GET', template, 'query', chargingSessionsQuerySchema, query);
      return call(
        'electricVehicles.sessions.list',
        'GET',
        path,
        { query: { from: q.from, to: q.to, limit: q.limit, offset: q.offset } },
        chargingSessionPageSchema,
      );
    },
    async all(userId, electricVehicleId, query) {
      const limit = query.pageSize ?? SESSIONS_PAGE_MAX;
      const collected: ChargingSession[] = [];
      for (let pages = 0; pages < MAX_SESSION_PAGES; pages++) {
        const page = await sessions.list(userId, electricVehicleId, {
          from: query.from,
          to: query.to,
          limit,
          offset: collected.length,
        });
        collected.push(...page.items);
        if (page.items.length === 0 || collected.length >= page.total) break;
      }
      return collected;
    },
    async current(userId, electricVehicleId) {
      const { path } = sub('GET', 'sessions/current', userId, electricVehicleId);
      return call('electricVehicles.sessions.current', 'GET', path, {}, currentChargingSessionSchema);
    },
  };

  return {
    ...resource,
    async boost(userId, electricVehicleId) {
      const { path } = sub('POST', 'boost', userId, electricVehicleId);
      await call('electricVehicles.boost', 'POST', path, { refineError: asBoostRefusal }, undefined);
    },
    async disarmBoost(userId, electricVehicleId) {
      const { path } = sub('DELETE', 'boost', userId, electricVehicleId);
      await call('electricVehicles.disarmBoost', 'DELETE', path, {}, undefined);
    },
    chargePolicy: {
      async get(userId, electricVehicleId) {
        const { path } = sub('GET', 'charge-policy', userId, electricVehicleId);
        return call('electricVehicles.chargePolicy.get', 'GET', path, {}, chargePolicyResponseSchema);
      },
      async put(userId, electricVehicleId, body) {
        const { template, path } = sub('PUT', 'charge-policy', userId, electricVehicleId);
        const valid = check('PUT', template, 'body', chargePolicyRequestSchema, body);
        return call(
          'electricVehicles.chargePolicy.put',
          'PUT',
          path,
          { body: valid },
          chargePolicyWriteResponseSchema,
        );
      },
    },
    sessions,
    async savings(userId, electricVehicleId, query) {
      const { template, path } = sub('GET', 'savings', userId, electricVehicleId);
      return getSavings(ctx, 'electricVehicles.savings', template, path, query);
    },
  };
}
