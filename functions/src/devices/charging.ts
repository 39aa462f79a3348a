/**
 * The charging controls of electric vehicles and wallboxes (§3.7, §3.8): boost now or arm it, disarm or
 * cancel it, the vehicle's weekly charge policy, its charging sessions, and a wallbox claim token for an
 * installer's app. Every call about a device is checked against the device first: a live read through the
 * kind's own service (devices/service.ts) proves it is the user's (404 otherwise, as the kind's routes
 * answer) and gives the state the control needs. Podero's refusals are mapped here, deliberately: a 404 is
 * the device's, a boost's 409 a BoostRefusal with its documented reason; Podero failures go to the API's
 * error mapper (502, 503) like every other route's.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type ChargePolicyResponse,
  type ElectricVehiclesResource,
  PoderoNotFoundError,
  type WallboxesResource,
} from '@podero-bridge/podero-client';
import {
  type BoostOutcome,
  boostOutcomeOf,
  boostRefusalOf,
  decodeSessionsCursor,
  nextSessionsCursor,
} from '../domain/charging-controls';
import { CHARGE_POLICY_CONTROL } from '../domain/devices/charge-policy';
import type { DeviceJson } from '../domain/devices/state';
import { UnknownUserError } from '../domain/errors';
import type { ChangeView } from './change-schemas';
import {
  type ChargePolicyAnswer,
  type ChargePolicyBody,
  type ChargePolicyWriteAnswer,
  type ChargingSessionView,
  chargePolicyAnswerOf,
  chargingSessionViewOf,
  type SessionsQuery,
} from './charging-schemas';
import { type PoderoUserIdLookup, UnknownDeviceError } from './service';

/** The Podero calls the controls make: the podero-client resources' own methods, as the client types them. */
export interface ChargingUpstream {
  electricVehicles: Pick<ElectricVehiclesResource, 'boost' | 'disarmBoost'> & {
    chargePolicy: Pick<ElectricVehiclesResource['chargePolicy'], 'get' | 'put'>;
    sessions: Pick<ElectricVehiclesResource['sessions'], 'list' | 'current'>;
  };
  wallboxes: Pick<WallboxesResource, 'boost' | 'cancelBoost' | 'claimToken'>;
}

/** What the controls need of a kind's device service: its names, the owned live read, and its view. */
export interface ChargingDevices {
  readonly kind: { readonly name: string; readonly noun: string };
  readLive(externalUserId: string, deviceId: string): Promise<{ poderoUserId: string; device: DeviceJson }>;
  get(
    externalUserId: string,
    deviceId: string,
    query: { max_age_seconds: number; stale_if_error_seconds: number },
  ): Promise<unknown>;
  /** Settles the device's open changes of `control` by a read-back of it (DeviceService.settleReadBack). */
  settleReadBack(
    externalUserId: string,
    deviceId: string,
    control: string,
    document: Readonly<Record<string, unknown>>,
    observedAt: string,
  ): Promise<ChangeView | null>;
  /** Records a control write as a tracked change (DeviceService.recordChange). */
  recordChange(
    externalUserId: string,
    deviceId: string,
    control: string,
    fields: Record<string, unknown>,
    by: string,
    device: DeviceJson,
  ): Promise<ChangeView>;
}

export interface ChargingServiceDeps {
  podero: ChargingUpstream;
  vehicles: ChargingDevices;
  wallboxes: ChargingDevices;
  findPoderoUserId: PoderoUserIdLookup;
  logger?: Logger;
  /** The clock of the read-backs' observation times (the device services' own). */
  now?: () => number;
}

/** A boost's answer: what it did, the device read after it (null when that read failed), its change. */
export interface BoostAnswer {
  outcome: BoostOutcome;
  view: unknown;
  change: ChangeView;
}

export class ChargingService {
  constructor(private readonly deps: ChargingServiceDeps) {}

  /** E6: boost now when plugged in, arm for the next plug-in otherwise (Podero's rule, read just before). */
  boostVehicle(externalUserId: string, electricVehicleId: string, by = 'unknown'): Promise<BoostAnswer> {
    return this.boost(this.deps.vehicles, externalUserId, electricVehicleId, by, (userId, id) =>
      this.deps.podero.electricVehicles.boost(userId, id),
    );
  }

  /** E7: clears an armed boost (idempotent); a boost under way goes on until unplugged. */
  async disarmVehicleBoost(externalUserId: string, electricVehicleId: string): Promise<void> {
    const { poderoUserId } = await this.deps.vehicles.readLive(externalUserId, electricVehicleId);
    await this.upstream(this.deps.vehicles, electricVehicleId, () =>
      this.deps.podero.electricVehicles.disarmBoost(poderoUserId, electricVehicleId),
    );
  }

  /** W4: as E6, for a wallbox. */
  boostWallbox(externalUserId: string, wallboxId: string, by = 'unknown'): Promise<BoostAnswer> {
    return this.boost(this.deps.wallboxes, externalUserId, wallboxId, by, (userId, id) =>
      this.deps.podero.wallboxes.boost(userId, id),
    );
  }

  /** W5: cancels a boost under way (back to HEMS surplus control) and clears an armed one; idempotent. */
  async cancelWallboxBoost(externalUserId: string, wallboxId: string): Promise<void> {
    const { poderoUserId } = await this.deps.wallboxes.readLive(externalUserId, wallboxId);
    await this.upstream(this.deps.wallboxes, wallboxId, () =>
      this.deps.podero.wallboxes.cancelBoost(poderoUserId, wallboxId),
    );
  }

  /** E8, live. A read of the policy observes it: it settles the vehicle's open policy changes. */
  async chargePolicy(externalUserId: string, electricVehicleId: string): Promise<ChargePolicyAnswer> {
    const { poderoUserId } = await this.deps.vehicles.readLive(externalUserId, electricVehicleId);
    const read = await this.readPolicy(poderoUserId, electricVehicleId);
    await this.deps.vehicles.settleReadBack(
      externalUserId,
      electricVehicleId,
      CHARGE_POLICY_CONTROL,
      read.data ?? {},
      this.nowIso(),
    );
    return chargePolicyAnswerOf(electricVehicleId, read);
  }

  /**
   * E9 [INFERRED]: the whole week, recorded as a tracked change (`control` `charge_policy`, its fields the
   * body) once Podero took it, then read back by E8 (the write's own answer is not documented, and an
   * answer to a write is not an observation): that read answers the caller and may already settle it.
   */
  async putChargePolicy(
    externalUserId: string,
    electricVehicleId: string,
    body: ChargePolicyBody,
    by = 'unknown',
  ): Promise<ChargePolicyWriteAnswer> {
    const { poderoUserId, device } = await this.deps.vehicles.readLive(externalUserId, electricVehicleId);
    const policy = this.deps.podero.electricVehicles.chargePolicy;
    const written = await this.upstream(this.deps.vehicles, electricVehicleId, () =>
      policy.put(poderoUserId, electricVehicleId, body),
    );
    const change = await this.deps.vehicles.recordChange(
      externalUserId,
      electricVehicleId,
      CHARGE_POLICY_CONTROL,
      { ...body },
      by,
      device,
    );
    let read: ChargePolicyResponse;
    try {
      read = await this.readPolicy(poderoUserId, electricVehicleId);
    } catch (error) {
      // The write went through: answer what Podero answered it with, the change pending, rather than an
      // error that would make the caller write again. Without such an answer, the failure is the caller's.
      if (!written?.data) throw error;
      this.deps.logger?.warn('the read-back of a charge policy failed', {
        error_name: (error as Error).name,
      });
      return { ...chargePolicyAnswerOf(electricVehicleId, written), change };
    }
    const settled = await this.deps.vehicles.settleReadBack(
      externalUserId,
      electricVehicleId,
      CHARGE_POLICY_CONTROL,
      read.data ?? {},
      this.nowIso(),
    );
    return {
      ...chargePolicyAnswerOf(electricVehicleId, read),
      change: settled?.id === change.id ? settled : change,
    };
  }

  private readPolicy(poderoUserId: string, electricVehicleId: string): Promise<ChargePolicyResponse> {
    return this.upstream(this.deps.vehicles, electricVehicleId, () =>
      this.deps.podero.electricVehicles.chargePolicy.get(poderoUserId, electricVehicleId),
    );
  }

  private nowIso(): string {
    return new Date((this.deps.now ?? Date.now)()).toISOString();
  }

  /** E10, one page: Podero's offset behind the bridge's cursor (valid for this vehicle and range only). */
  async sessions(
    externalUserId: string,
    electricVehicleId: string,
    query: SessionsQuery,
  ): Promise<{ items: ChargingSessionView[]; total: number; next_cursor: string | null }> {
    const range = { deviceId: electricVehicleId, from: query.from, to: query.to };
    const offset = query.cursor === undefined ? 0 : decodeSessionsCursor(query.cursor, range);
    const { poderoUserId } = await this.deps.vehicles.readLive(externalUserId, electricVehicleId);
    const page = await this.upstream(this.deps.vehicles, electricVehicleId, () =>
      this.deps.podero.electricVehicles.sessions.list(poderoUserId, electricVehicleId, {
        from: query.from,
        to: query.to,
        limit: query.limit,
        offset,
      }),
    );
    return {
      items: page.items.map(chargingSessionViewOf),
      total: page.total,
      next_cursor: nextSessionsCursor({ ...range, offset }, page.items.length, page.total),
    };
  }

  /** E11. */
  async currentSession(
    externalUserId: string,
    electricVehicleId: string,
  ): Promise<{ session: ChargingSessionView | null }> {
    const { poderoUserId } = await this.deps.vehicles.readLive(externalUserId, electricVehicleId);
    const current = await this.upstream(this.deps.vehicles, electricVehicleId, () =>
      this.deps.podero.electricVehicles.sessions.current(poderoUserId, electricVehicleId),
    );
    return { session: current.session ? chargingSessionViewOf(current.session) : null };
  }

  /**
   * W6: a one-time claim token for an installer's app. Handed back once and kept nowhere: not stored, not
   * logged (the client leaves error bodies of this call out, the route logs no field of the answer).
   */
  async claimToken(
    externalUserId: string,
  ): Promise<{ token: string; wss_url: string | null; expires_at: string | null }> {
    const poderoUserId = await this.deps.findPoderoUserId(externalUserId);
    if (poderoUserId === null) throw new UnknownUserError(externalUserId);
    const claim = await this.deps.podero.wallboxes.claimToken(poderoUserId);
    return {
      token: claim.token,
      wss_url: typeof claim.wss_url === 'string' ? claim.wss_url : null,
      expires_at: typeof claim.expires_at === 'string' ? claim.expires_at : null,
    };
  }

  private async boost(
    devices: ChargingDevices,
    externalUserId: string,
    deviceId: string,
    by: string,
    call: (poderoUserId: string, deviceId: string) => Promise<void>,
  ): Promise<BoostAnswer> {
    const { poderoUserId, device } = await devices.readLive(externalUserId, deviceId);
    const outcome = boostOutcomeOf(device);
    await this.upstream(devices, deviceId, () => call(poderoUserId, deviceId), true);
    // Podero took it: a tracked change (field `boost`: what was asked), settled by the read below if it
    // already shows the boost, else by a later read or pass (domain/devices/changes.ts boostApplied).
    const change = await devices.recordChange(
      externalUserId,
      deviceId,
      'boost',
      { boost: outcome },
      by,
      device,
    );
    return { outcome, view: await this.viewAfter(devices, externalUserId, deviceId), change };
  }

  /**
   * The device as Podero shows it after a control (a live read, stored like any, so its change events
   * follow). The control went through whatever this read does: a failure here answers null, not an error
   * that would make a caller repeat the control.
   */
  private async viewAfter(
    devices: ChargingDevices,
    externalUserId: string,
    deviceId: string,
  ): Promise<unknown> {
    try {
      const read = (await devices.get(externalUserId, deviceId, {
        max_age_seconds: 0,
        stale_if_error_seconds: 0,
      })) as Record<string, unknown>;
      return read[devices.kind.name] ?? null;
    } catch (error) {
      this.deps.logger?.warn(`the read after a ${devices.kind.noun} control failed`, {
        error_name: (error as Error).name,
      });
      return null;
    }
  }

  /** A Podero call about one device: its 404 is the device's, a boost's 409 a BoostRefusal. */
  private async upstream<T>(
    devices: ChargingDevices,
    deviceId: string,
    call: () => Promise<T>,
    boost = false,
  ): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof PoderoNotFoundError) throw new UnknownDeviceError(devices.kind.noun, deviceId);
      const refusal = boost ? boostRefusalOf(devices.kind.noun, error) : undefined;
      throw refusal ?? error;
    }
  }
}
