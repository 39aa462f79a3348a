/**
 * The simulator's control plane (not part of Podero): clock, faults, tokens, counters, seeding, reset.
 * The same operations are available in-process (`sim.control`) and over HTTP under `/__sim/`.
 */
import * as z from 'zod';
import type { SimCore, SimResponse, SimulatorModes } from './core';
import { handleWriteFaultControl } from './write-fault-control';

export type { SimulatorModes };

import {
  type AddDeviceRequest,
  addDevice,
  claimWallbox,
  type DeviceConnectionState,
  driveElectricVehicle,
  driveInverter,
  driveWallbox,
  type ElectricVehicleDrive,
  handleDeviceControl,
  type InverterDrive,
  setDeviceConnection,
  type WallboxClaim,
  type WallboxDrive,
} from './control-devices';
import type { CountersSnapshot } from './counters';
import { loseConnection, raiseCue, restoreConnection } from './cues';
import { handleDataHistoryControl } from './data-history';
import {
  type DeviceHealthFault,
  type DeviceHealthFaultState,
  handleDeviceHealthControl,
  setDeviceHealth,
} from './device-health-faults';
import {
  catalogDeviceModel,
  DEVICE_CATALOG,
  markOnboarded,
  newHeatPumpRecord,
  newUserRecord,
} from './domain';
import { parseOr422, SimHttpError } from './errors';
import { type FaultRule, faultRulesSchema, UnknownFaultRouteError } from './faults';
import { TRADING_VARIANTS } from './model/trading';
import { unitHash } from './random';
import { createTradingControl, handleTradingControl, type TradingControl } from './trading-control';
import { dateTimeSchema, parseDateTime } from './wire';

export interface SeedRequest {
  users: number;
  heatPumpsPerUser: number;
  externalIdPrefix?: string;
  /** Defaults to the primary organisation. */
  orgId?: string;
}

export interface SeededUser {
  id: string;
  external_user_id: string;
  heat_pump_ids: string[];
}

export interface SimulatorControl {
  /** Empties all state, restores the start clock and the start-up faults, zeroes the counters. */
  reset(): void;
  now(): Date;
  advanceClock(seconds: number): Date;
  setClock(at: Date): Date;
  setFaults(rules: FaultRule[]): void;
  getFaults(): FaultRule[];
  clearFaults(): void;
  /** Revokes one token, or all when none is given; returns how many were revoked. */
  revokeTokens(token?: string): number;
  counters(): CountersSnapshot;
  resetCounters(): void;
  /** Creates users with authenticated, living heat pumps directly (benchmarks, sync tests). */
  seed(request: SeedRequest): { users: SeededUser[] };
  /**
   * The heat pump's manufacturer connection. `authenticated: false` makes it answer unauthenticated, with a
   * `reauthenticate` action (`reauthentication: false`: without one, so it must be onboarded again);
   * `authenticated: true` restores it directly and ends its re-authentication action.
   */
  setConnection(heatPumpId: string, connection: ConnectionChange): ConnectionState;
  /** Raises an `information` action on the heat pump (read with Q3). */
  raiseInformation(heatPumpId: string, message: string): { cue_id: string };
  /** Behaviours that differ between Podero deployments or are [INFERRED]; reset restores the start values. */
  setModes(modes: Partial<SimulatorModes>): SimulatorModes;
  modes(): SimulatorModes;
  /** Day-ahead trading: counters, trades, the per-organisation confirmation deadline. */
  trading: TradingControl;
  /** Adds a connected, living device of any kind to a user (a catalogue model; the first when none is named). */
  addDevice(userId: string, request: AddDeviceRequest): { id: string; kind: AddDeviceRequest['kind'] };
  /** `setConnection` for a device of any kind. */
  setDeviceConnection(deviceId: string, connection: ConnectionChange): DeviceConnectionState;
  /** Plugs an EV in (at home or away) or out, or sets its battery level, now. */
  driveElectricVehicle(
    vehicleId: string,
    drive: ElectricVehicleDrive,
  ): ReturnType<typeof driveElectricVehicle>;
  /** Plugs the car on a wallbox in or out; its OCPP presence (`connection`). */
  driveWallbox(wallboxId: string, drive: WallboxDrive): ReturnType<typeof driveWallbox>;
  /** Sets the home battery's level now, or the sun (a share of clear-sky production; null: the weather). */
  driveInverter(inverterId: string, drive: InverterDrive): ReturnType<typeof driveInverter>;
  /** Plays a wallbox that connects with a claim token (W6); the token is then spent. */
  claimWallbox(claim: WallboxClaim): { wallbox_id: string };
  /** A device of any kind stops (or resumes) reporting, or reports a steering warning or error (null clears it). */
  setDeviceHealth(deviceId: string, fault: DeviceHealthFault): DeviceHealthFaultState;
}

export interface ConnectionChange {
  authenticated: boolean;
  reauthentication?: boolean;
}

export interface ConnectionState {
  heat_pump_id: string;
  is_authenticated: boolean;
  lifecycle_state: string;
  /** The active re-authentication cue, if any. */
  cue_id: string | null;
}

const MAX_SEEDED_USERS = 100_000;
const MAX_SEEDED_HEAT_PUMPS_PER_USER = 20;

export function createControl(core: SimCore, resetAll: () => void): SimulatorControl {
  return {
    reset: resetAll,
    now: () => core.clock.now(),
    advanceClock: (seconds) => {
      const at = core.clock.advance(seconds);
      core.changed();
      return at;
    },
    setClock: (at) => {
      const result = core.clock.set(at);
      core.changed();
      return result;
    },
    setFaults: (rules) => core.faults.set(faultRulesSchema.parse(rules)),
    getFaults: () => core.faults.list(),
    clearFaults: () => core.faults.clear(),
    revokeTokens: (token) => {
      let revoked = 0;
      if (token === undefined) {
        revoked = core.store.tokens.size;
        core.store.tokens.clear();
      } else if (core.store.tokens.delete(token)) {
        revoked = 1;
      }
      core.changed();
      return revoked;
    },
    counters: () => core.counters.snapshot(),
    resetCounters: () => core.counters.reset(),
    seed: (request) => seed(core, request),
    setConnection: (heatPumpId, change) => {
      const heatPump = core.store.heatPumps.get(heatPumpId);
      if (!heatPump || heatPump.deleted_at !== null) throw new UnknownHeatPumpError(heatPumpId);
      if (change.authenticated) restoreConnection(core, heatPump, true);
      else loseConnection(core, heatPump, change.reauthentication ?? true);
      core.changed();
      const cue = core.store.activeCuesOf(heatPump.id).find((c) => c.code === 'reauthenticate');
      return {
        heat_pump_id: heatPump.id,
        is_authenticated: heatPump.is_authenticated,
        lifecycle_state: heatPump.lifecycle_state,
        cue_id: cue?.id ?? null,
      };
    },
    raiseInformation: (heatPumpId, message) => {
      const heatPump = core.store.heatPumps.get(heatPumpId);
      if (!heatPump || heatPump.deleted_at !== null) throw new UnknownHeatPumpError(heatPumpId);
      const cue = raiseCue(core, heatPump, 'information', message);
      core.changed();
      return { cue_id: cue.id };
    },
    setModes: (modes) => Object.assign(core.modes, modes),
    modes: () => ({ ...core.modes }),
    trading: createTradingControl(core),
    addDevice: (userId, request) => addDevice(core, userId, request),
    setDeviceConnection: (deviceId, change) => setDeviceConnection(core, deviceId, change),
    driveElectricVehicle: (vehicleId, drive) => driveElectricVehicle(core, vehicleId, drive),
    driveWallbox: (wallboxId, drive) => driveWallbox(core, wallboxId, drive),
    driveInverter: (inverterId, drive) => driveInverter(core, inverterId, drive),
    claimWallbox: (claim) => claimWallbox(core, claim),
    setDeviceHealth: (deviceId, fault) => setDeviceHealth(core, deviceId, fault),
  };
}

export class UnknownHeatPumpError extends Error {
  constructor(readonly heatPumpId: string) {
    super(`unknown heat pump ${heatPumpId}`);
  }
}

function seed(core: SimCore, request: SeedRequest): { users: SeededUser[] } {
  const orgId = request.orgId ?? core.orgs[0]?.orgId ?? '';
  if (!core.orgs.some((org) => org.orgId === orgId)) throw new Error(`seed: unknown orgId ${orgId}`);
  if (!Number.isInteger(request.users) || request.users < 0 || request.users > MAX_SEEDED_USERS) {
    throw new Error(`seed: users must be an integer from 0 to ${MAX_SEEDED_USERS}`);
  }
  if (
    !Number.isInteger(request.heatPumpsPerUser) ||
    request.heatPumpsPerUser < 0 ||
    request.heatPumpsPerUser > MAX_SEEDED_HEAT_PUMPS_PER_USER
  ) {
    throw new Error(`seed: heatPumpsPerUser must be an integer from 0 to ${MAX_SEEDED_HEAT_PUMPS_PER_USER}`);
  }
  const prefix = request.externalIdPrefix ?? 'sim-user';
  const taken = new Set<string>();
  for (const user of core.store.users.values()) {
    if (user.organization_id === orgId) taken.add(user.email.toLowerCase());
  }
  const seeded: SeededUser[] = [];
  let serial = 0;
  for (let made = 0; made < request.users; made++) {
    // Skip serials whose e-mail is already used, so seeding twice never collides.
    let externalId = '';
    let email = '';
    do {
      serial += 1;
      externalId = `${prefix}-${String(serial).padStart(5, '0')}`;
      email = `${externalId}@sim.example`.toLowerCase();
    } while (taken.has(email));
    taken.add(email);
    const user = newUserRecord(core, orgId, { role: 'user', email, external_user_id: externalId });
    core.store.addUser(user);
    const heatPumpIds: string[] = [];
    for (let index = 0; index < request.heatPumpsPerUser; index++) {
      const device =
        DEVICE_CATALOG[Math.floor(unitHash(core.seed, user.id, index) * DEVICE_CATALOG.length)] ??
        DEVICE_CATALOG[0];
      if (!device) break;
      const heatPump = newHeatPumpRecord(core, {
        orgId,
        ownerId: user.id,
        buildingId: null,
        priceZone: 'AT',
        deviceModel: catalogDeviceModel(device),
        authenticated: true,
        smartOptimizationActive: true,
      });
      core.store.addHeatPump(heatPump);
      heatPumpIds.push(heatPump.id);
    }
    if (heatPumpIds.length > 0) markOnboarded(user);
    seeded.push({ id: user.id, external_user_id: externalId, heat_pump_ids: heatPumpIds });
  }
  core.changed();
  return { users: seeded };
}

// ---------------------------------------------------------------- HTTP

const clockBodySchema = z.union([
  z.strictObject({
    advance_seconds: z
      .number()
      .min(0)
      .max(10 * 365 * 86_400),
  }),
  z.strictObject({ set: dateTimeSchema }),
]);
const connectionBodySchema = z.strictObject({
  authenticated: z.boolean(),
  reauthentication: z.boolean().optional(),
});
const informationBodySchema = z.strictObject({ message: z.string().min(1).max(500) });
const modesBodySchema = z.strictObject({
  onboarding_object_id: z.enum(['filled', 'null']).optional(),
  trading_variant: z.enum(TRADING_VARIANTS).optional(),
});
const HEAT_PUMP_CONTROL = /^(POST) \/__sim\/heat-pumps\/([^/]+)\/(connection|information)$/;

const faultsBodySchema = z.strictObject({ rules: faultRulesSchema });
const revokeBodySchema = z.strictObject({ token: z.string().min(1).optional() });
const seedBodySchema = z.strictObject({
  users: z.number().int().min(0).max(MAX_SEEDED_USERS),
  heat_pumps_per_user: z.number().int().min(0).max(MAX_SEEDED_HEAT_PUMPS_PER_USER),
  external_id_prefix: z.string().min(1).max(100).optional(),
  org_id: z.string().optional(),
});

/** Handles `/__sim/...`; returns null for an unknown control route. */
export function handleControlRequest(
  core: SimCore,
  control: SimulatorControl,
  method: string,
  path: string,
  rawBody: Buffer,
  routeKeys: ReadonlySet<string>,
): SimResponse | null {
  const body = () => {
    const text = rawBody.toString('utf8').trim();
    if (text === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SimHttpError(400, { detail: 'Body is not valid JSON' });
    }
  };
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  if (route.startsWith(`${method} /__sim/trading`))
    return handleTradingControl(core, control.trading, route, body);
  const heatPumpControl = HEAT_PUMP_CONTROL.exec(route);
  if (heatPumpControl) {
    const heatPumpId = decodeURIComponent(heatPumpControl[2] ?? '');
    try {
      if (heatPumpControl[3] === 'connection') {
        const parsed = parseOr422(connectionBodySchema, body(), ['body']);
        return {
          status: 200,
          json: control.setConnection(heatPumpId, {
            authenticated: parsed.authenticated,
            ...(parsed.reauthentication === undefined ? {} : { reauthentication: parsed.reauthentication }),
          }),
        };
      }
      const parsed = parseOr422(informationBodySchema, body(), ['body']);
      return { status: 200, json: control.raiseInformation(heatPumpId, parsed.message) };
    } catch (error) {
      if (error instanceof UnknownHeatPumpError) throw new SimHttpError(404, { detail: 'Unknown heat pump' });
      throw error;
    }
  }
  const dataHistory = handleDataHistoryControl(core, route, body);
  if (dataHistory !== null) return dataHistory;
  const writeFault = handleWriteFaultControl(core.writeFaults, route, body);
  if (writeFault !== null) return writeFault;
  const deviceControl = handleDeviceControl(core, route, body);
  if (deviceControl !== null) return deviceControl;
  const healthControl = handleDeviceHealthControl(core, route, body);
  if (healthControl !== null) return healthControl;
  switch (route) {
    case 'POST /__sim/reset':
      control.reset();
      return { status: 200, json: { ok: true, now: control.now().toISOString() } };
    case 'GET /__sim/clock':
      return { status: 200, json: { now: control.now().toISOString() } };
    case 'POST /__sim/clock': {
      const parsed = parseOr422(clockBodySchema, body(), ['body']);
      const at =
        'advance_seconds' in parsed
          ? control.advanceClock(parsed.advance_seconds)
          : control.setClock(new Date(parseDateTime(parsed.set)));
      return { status: 200, json: { now: at.toISOString() } };
    }
    case 'GET /__sim/faults':
      return { status: 200, json: { rules: control.getFaults() } };
    case 'PUT /__sim/faults': {
      const parsed = parseOr422(faultsBodySchema, body(), ['body']);
      try {
        control.setFaults(parsed.rules);
      } catch (error) {
        if (error instanceof UnknownFaultRouteError) {
          throw new SimHttpError(422, {
            detail: [
              { type: 'value_error', loc: ['body', 'rules', error.index, 'route'], msg: error.message },
            ],
          });
        }
        throw error;
      }
      return { status: 200, json: { rules: control.getFaults() } };
    }
    case 'DELETE /__sim/faults':
      control.clearFaults();
      return { status: 200, json: { rules: [] } };
    case 'POST /__sim/tokens/revoke': {
      const parsed = parseOr422(revokeBodySchema, body(), ['body']);
      return { status: 200, json: { revoked: control.revokeTokens(parsed.token) } };
    }
    case 'GET /__sim/counters':
      return { status: 200, json: control.counters() };
    case 'POST /__sim/counters/reset':
      control.resetCounters();
      return { status: 200, json: control.counters() };
    case 'POST /__sim/seed': {
      const parsed = parseOr422(seedBodySchema, body(), ['body']);
      if (parsed.org_id !== undefined && !core.orgs.some((org) => org.orgId === parsed.org_id)) {
        throw new SimHttpError(422, {
          detail: [{ type: 'value_error', loc: ['body', 'org_id'], msg: 'Unknown organisation' }],
        });
      }
      return {
        status: 200,
        json: control.seed({
          users: parsed.users,
          heatPumpsPerUser: parsed.heat_pumps_per_user,
          ...(parsed.external_id_prefix === undefined ? {} : { externalIdPrefix: parsed.external_id_prefix }),
          ...(parsed.org_id === undefined ? {} : { orgId: parsed.org_id }),
        }),
      };
    }
    case 'GET /__sim/modes':
      return { status: 200, json: modesBody(control.modes()) };
    case 'PUT /__sim/modes': {
      const parsed = parseOr422(modesBodySchema, body(), ['body']);
      return {
        status: 200,
        json: modesBody(
          control.setModes({
            ...(parsed.onboarding_object_id === undefined
              ? {}
              : { onboardingObjectId: parsed.onboarding_object_id }),
            ...(parsed.trading_variant === undefined ? {} : { tradingVariant: parsed.trading_variant }),
          }),
        ),
      };
    }
    case 'GET /__sim/routes':
      return { status: 200, json: { routes: [...routeKeys] } };
    default:
      return null;
  }
}

function modesBody(modes: SimulatorModes) {
  return { onboarding_object_id: modes.onboardingObjectId, trading_variant: modes.tradingVariant };
}
