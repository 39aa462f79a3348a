/** E1..E12: a user's electric vehicles, their boost, weekly charge policy, charging sessions and savings. */
import { type Handler, iso, jsonBody, queryObject, type SimCore, type SimResponse } from '../core';
import {
  advanceElectricVehicle,
  electricVehicleContext,
  kindDeviceModel,
  newElectricVehicleRecord,
  requireElectricVehicle,
} from '../device-kinds';
import { requireUser } from '../domain';
import { parseOr422, SimHttpError, validationError } from '../errors';
import { type BoostOutcome, disarmBoost, requestBoost } from '../model/charging';
import { round } from '../model/series';
import type { ChargingSessionRecord, ElectricVehicleRecord } from '../store';
import { currentSessionView, electricVehicleView } from '../views-devices';
import { includeDeletedQuerySchema } from '../wire';
import {
  chargePolicyBodySchema,
  createElectricVehicleBodySchema,
  emptyBodySchema,
  sessionsQuerySchema,
  updateElectricVehicleBodySchema,
} from '../wire-devices';
import { applyDeviceBody, savingsResponse } from './devices';

const DAY_MS = 86_400_000;

function vehicleOf(core: SimCore, request: Parameters<Handler>[1], includeDeleted = false) {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  return {
    user,
    vehicle: requireElectricVehicle(core, user, request.params.electric_vehicle_id ?? '', includeDeleted),
  };
}

export const listElectricVehicles: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const vehicles = core.store.electricVehiclesOf(user.id).filter((vehicle) => vehicle.deleted_at === null);
  for (const vehicle of vehicles) advanceElectricVehicle(core, vehicle);
  return { status: 200, json: vehicles.map((vehicle) => electricVehicleView(core, vehicle)) };
};

/** E2: like H2, an empty body registers an empty, unauthenticated EV. */
export const createElectricVehicle: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const body = parseOr422(createElectricVehicleBodySchema, jsonBody(request) ?? {}, ['body']);
  const vehicle = newElectricVehicleRecord(core, {
    orgId: request.orgId,
    ownerId: user.id,
    buildingId: null,
    priceZone: body.price_zone ?? 'AT',
    deviceModel: kindDeviceModel('electric_vehicle', null),
    authenticated: false,
    smartOptimizationActive: body.is_smart_optimization_active ?? false,
  });
  applyDeviceBody(core, user, vehicle, body);
  core.store.electricVehicles.set(vehicle.id, vehicle);
  core.changed();
  return { status: 200, json: electricVehicleView(core, vehicle) };
};

export const getElectricVehicle: Handler = (core, request) => {
  const { include_deleted } = parseOr422(includeDeletedQuerySchema, queryObject(request), ['query']);
  const { vehicle } = vehicleOf(core, request, include_deleted);
  return { status: 200, json: electricVehicleView(core, vehicle) };
};

/** E4 ([INFERRED] PUT): partial; writing the charge settings stamps `charge_policy_last_updated_at`. */
export const updateElectricVehicle: Handler = (core, request) => {
  const { user, vehicle } = vehicleOf(core, request);
  const body = parseOr422(updateElectricVehicleBodySchema, jsonBody(request) ?? {}, ['body']);
  // Checked now (a refusal is the write's answer); applied when the device's write fault lets it.
  applyDeviceBody(core, user, structuredClone(vehicle), body);
  core.writeFaults.write(vehicle.id, core.clock.nowMs(), () => {
    applyDeviceBody(core, user, vehicle, body);
    const nowIso = iso(core.clock.nowMs());
    if (
      body.is_charge_policy_enabled !== undefined ||
      body.charge_deadline_at !== undefined ||
      body.minimum_charge_limit !== undefined
    ) {
      vehicle.charge_policy_last_updated_at = nowIso;
    }
    vehicle.updated_at = nowIso;
  });
  core.changed();
  return { status: 200, json: electricVehicleView(core, vehicle) };
};

/** The documented 409 body: `state` (the boost state now) and `reason`. */
export function boostRefusal(outcome: Exclude<BoostOutcome, { done: true }>): SimHttpError {
  return new SimHttpError(409, { state: outcome.state, reason: outcome.reason });
}

/** A device whose manufacturer connection is down cannot be reached: 409 `internal_error` (INFERRED). */
export const UNREACHABLE: Exclude<BoostOutcome, { done: true }> = {
  done: false,
  reason: 'internal_error',
  state: 'unavailable',
};

/** E6: 204 when boosting now or arming for the next plug-in; 409 with `state` and `reason` otherwise. */
export const boostElectricVehicle: Handler = (core, request) => {
  const { vehicle } = vehicleOf(core, request);
  parseOr422(emptyBodySchema, jsonBody(request) ?? {}, ['body']);
  if (!vehicle.is_authenticated) throw boostRefusal(UNREACHABLE);
  const outcome = requestBoost(electricVehicleContext(core, vehicle), vehicle.charging, core.clock.nowMs());
  if (!outcome.done) throw boostRefusal(outcome);
  vehicle.updated_at = iso(core.clock.nowMs());
  core.changed();
  return { status: 204, empty: true };
};

/** E7: 204, idempotent; clears the arm only. */
export const disarmElectricVehicleBoost: Handler = (core, request) => {
  const { vehicle } = vehicleOf(core, request);
  disarmBoost(vehicle.charging);
  core.changed();
  return { status: 204, empty: true };
};

function chargePolicyResponse(vehicle: ElectricVehicleRecord): SimResponse {
  return {
    status: 200,
    json: {
      metadata: { electric_vehicle_id: vehicle.id, user_id: vehicle.owner_id, error: '' },
      data: vehicle.charge_policy,
    },
  };
}

export const getChargePolicy: Handler = (core, request) =>
  chargePolicyResponse(vehicleOf(core, request).vehicle);

/**
 * E9 ([INFERRED] PUT): the whole week, as E8's `data` (a partial week is refused, naming the missing days).
 * Applied when the vehicle's write fault lets it (write-faults.ts): the answer is the policy as it stands,
 * so an ignored or delayed write answers, and E8 reads, the old week until it lands.
 */
export const putChargePolicy: Handler = (core, request) => {
  const { vehicle } = vehicleOf(core, request);
  const body = parseOr422(chargePolicyBodySchema, jsonBody(request), ['body']);
  core.writeFaults.write(vehicle.id, core.clock.nowMs(), () => {
    vehicle.charge_policy = { ...body, timezone: body.timezone ?? 'UTC' };
    vehicle.charge_policy_last_updated_at = iso(core.clock.nowMs());
    vehicle.updated_at = vehicle.charge_policy_last_updated_at;
  });
  core.changed();
  return chargePolicyResponse(vehicle);
};

/** E10: completed sessions whose plug-in falls on a date in [from, to] (UTC, inclusive), newest first. */
export const listChargingSessions: Handler = (core, request) => {
  const query = parseOr422(sessionsQuerySchema, queryObject(request), ['query']);
  const { vehicle } = vehicleOf(core, request);
  const fromMs = Date.parse(`${query.from}T00:00:00Z`);
  const toMs = Date.parse(`${query.to}T00:00:00Z`) + DAY_MS;
  if (toMs <= fromMs) {
    throw validationError([
      { type: 'value_error', loc: ['query', 'to'], msg: '`to` must not be before `from`' },
    ]);
  }
  const matching =
    vehicle.is_authenticated || vehicle.connected_at !== null ? sessionsBetween(vehicle, fromMs, toMs) : [];
  const newestFirst = [...matching].reverse();
  return {
    status: 200,
    json: { total: newestFirst.length, items: newestFirst.slice(query.offset, query.offset + query.limit) },
  };
};

function sessionsBetween(
  vehicle: ElectricVehicleRecord,
  fromMs: number,
  toMs: number,
): ChargingSessionRecord[] {
  return vehicle.charging.sessions.filter((session) => {
    const plugIn = Date.parse(session.plug_in_time);
    return plugIn >= fromMs && plugIn < toMs;
  });
}

/** E11: `{"session": SessionItem}` while plugged in; `{"session": null}` otherwise (INFERRED). */
export const currentChargingSession: Handler = (core, request) => {
  const { vehicle } = vehicleOf(core, request);
  return { status: 200, json: { session: currentSessionView(core, vehicle) } };
};

/**
 * One E12 bucket: the energy and savings of the sessions that ended (unplugged) in [startMs, endMs). A session's
 * savings are its cost charged at once from the grid minus what it cost (model/charging.ts): 0 under `none`.
 */
export function electricVehicleSavingsEntry(vehicle: ElectricVehicleRecord, startMs: number, endMs: number) {
  const sessions = vehicle.charging.sessions.filter((session) => {
    const unplug = Date.parse(session.unplug_time ?? session.plug_in_time);
    return unplug >= startMs && unplug < endMs;
  });
  const saved = sessions.reduce((sum, session) => sum + session.actual_savings_eur, 0);
  const cost = sessions.reduce((sum, session) => sum + session.actual_cost_eur, 0);
  const energyKwh = sessions.reduce((sum, session) => sum + session.energy_charged_kwh, 0);
  const powers = sessions.filter((session) => session.avg_charge_power_kw > 0);
  return {
    savings: {
      total: round(saved, 2) + 0,
      percentage: cost + saved > 0 ? round((saved / (cost + saved)) * 100, 1) + 0 : 0,
    },
    consumption: { total: round(energyKwh, 3) },
    heat_pump: null,
    electric_vehicle: {
      estimated_consumption_wh: Math.round(energyKwh * 1000),
      charge_session_count: sessions.length,
      average_charge_power_w:
        powers.length === 0
          ? 0
          : Math.round(
              (powers.reduce((sum, session) => sum + session.avg_charge_power_kw, 0) / powers.length) * 1000,
            ),
    },
    inverter: null,
  };
}

/** E12: H7's query and shape, one `electricVehicleSavingsEntry` per bucket. */
export const electricVehicleSavings: Handler = (core, request) => {
  const { vehicle } = vehicleOf(core, request);
  return savingsResponse(
    core,
    request,
    ({ startMs, endMs }) => electricVehicleSavingsEntry(vehicle, startMs, endMs),
    { savings: 'EUR', consumption: 'kWh', estimated_consumption_wh: 'Wh', average_charge_power_w: 'W' },
  );
};
