/**
 * What a device kind declares (the registry, kinds.ts, lists the kinds; each kind is a module beside it).
 * Apart from kinds.ts so that a kind's module and the registry import it without closing a circle.
 */
import type {
  AuthSessionRequest,
  AuthSessionResponse,
  SavingsQuery,
  StatisticsQuery,
  StatisticsResponse,
} from '@podero-bridge/podero-client';
import type * as z from 'zod';
import type { BridgeEvent, EventType } from '../events/catalogue';
import type { DeviceKindHistory } from '../readings/history';
import type { ChargingSessionFigures } from '../statements/statement';
import type { AppliedAt } from './changes';
import type { DeviceHealthView } from './health';
import type { DeviceKindApi } from './kind-api';
import type { DeviceJson, DeviceSnapshot, StoredConnection } from './state';

/** A control's refusal, named by the body's field (`['minimum_temperature_limit']`). */
export interface ControlIssue {
  path: string[];
  message: string;
}

/**
 * One thing a caller may change on a device (its route: the kind's `api.controls`, by the same name): the
 * request schema (with its OpenAPI meta), the check against the device's current state, and the Podero call it
 * maps to, as a function of the client the engine passes in.
 */
export interface DeviceControl<Upstream = unknown, Body = unknown> {
  readonly body: z.ZodType<Body>;
  /** What the 400 answer says when the check finds issues (`the settings are inconsistent`). */
  readonly refusal: string;
  /** The issues of applying `body` to the device as it is now (Podero's JSON, live). */
  issues(body: Body, current: Readonly<Record<string, unknown>>, nowMs: number): ControlIssue[];
  /** Sends the change to Podero; answers the device as Podero returns it. */
  apply(podero: Upstream, poderoUserId: string, deviceId: string, body: Body): Promise<DeviceJson>;
  /**
   * What "applied" means for the change this control records (domain/devices/changes.ts): whether an
   * observation of the device shows the requested fields (a field echo, or a comparison of its own).
   */
  readonly applied: AppliedAt;
}

/** Where and under which attribute names a kind's items live; the values are the stored data's, verbatim. */
export interface DeviceKindStorage {
  /** The kind's name (DeviceKind.name): not stored, filled into each snapshot the store reads. */
  readonly kind: string;
  /** Sort key prefix of a device's snapshot in its user's partition, and partition prefix of its readings. */
  readonly skPrefix: string;
  /** Sort key of the user's list marker for the kind. */
  readonly listMarkerSk: string;
  /** Attribute holding the device's id (snapshots, readings). */
  readonly idAttribute: string;
  /** Attribute holding Podero's JSON, as a string. */
  readonly jsonAttribute: string;
  /** The marker's attribute listing the ids. */
  readonly idsAttribute: string;
  /** `entity` of a snapshot item and of a list marker item. */
  readonly snapshotEntity: string;
  readonly markerEntity: string;
  /**
   * The fields of Podero's object a snapshot keeps (snapshot-fields.ts snapshotFieldsOf builds them from the
   * kind's view, readings, controls and rules); the rest of the object is not stored.
   */
  readonly snapshotFields: readonly string[];
}

/**
 * Podero's savings and statistics of one device of the kind, where it offers them (the kind's `api.statistics`
 * and `api.savings` say which): the calls, and the part of each bucket about the kind (`heat_pump`,
 * `electric_vehicle`, `inverter`: Podero's bucket has one per kind).
 */
export interface DeviceKindInsights<Upstream = unknown> {
  readonly bucketPart: string;
  statistics?(
    podero: Upstream,
    poderoUserId: string,
    deviceId: string,
    query: StatisticsQuery,
  ): Promise<StatisticsResponse>;
  savings?(
    podero: Upstream,
    poderoUserId: string,
    deviceId: string,
    query: SavingsQuery,
  ): Promise<StatisticsResponse>;
}

/** One mean power over an instant's quarter-hour, from Podero's `/data` series. */
export interface QuarterHourPower {
  at: string;
  watts: number;
}

/** What the monthly savings statement (domain/statements/) reads of a kind. */
export interface DeviceKindStatement<Upstream = unknown> {
  /** The reading field holding the device's own power draw in watts: its consumption. */
  readonly powerField: string;
  /**
   * Podero's unoptimised consumption of the device per quarter-hour in [from, to) (mean watts), where
   * Podero publishes a series for the kind (H8's `unoptimized_consumption`); absent: no baseline.
   */
  baseline?(
    podero: Upstream,
    poderoUserId: string,
    deviceId: string,
    range: { from: string; to: string },
  ): Promise<QuarterHourPower[]>;
  /**
   * Podero's completed charging sessions of the device that may have begun in [from, to) (E10), where the
   * kind's baseline cost and money saving rest on them (a vehicle's): the statement keeps those that began
   * in the range. Absent: the kind has none.
   */
  sessions?(
    podero: Upstream,
    poderoUserId: string,
    deviceId: string,
    range: { from: string; to: string },
  ): Promise<ChargingSessionFigures[]>;
}

/** A Podero read that observes a control's fields the device's JSON does not hold (DeviceKind.changeReadBacks). */
export interface ChangeReadBack<Upstream = unknown> {
  /** The read's JSON document, as the control's check compares it (E8's `data`). */
  read(podero: Upstream, poderoUserId: string, deviceId: string): Promise<Readonly<Record<string, unknown>>>;
}

export interface DeviceKind<Upstream = unknown> {
  /** The kind's name: the prefix of its event types (`heat_pump.connected`). */
  readonly name: string;
  /** How messages name one device of the kind ('heat pump'). */
  readonly noun: string;
  /** Podero's paths for the kind (documentation and the client's resource). */
  readonly poderoPaths: { readonly list: string; readonly one: string };
  /** Lists a user's devices of this kind through the client the engine holds. */
  list(podero: Upstream, poderoUserId: string): Promise<DeviceJson[]>;
  /** Reads one device (with `includeDeleted`, also one Podero soft-deleted). */
  get(
    podero: Upstream,
    poderoUserId: string,
    deviceId: string,
    options?: { includeDeleted?: boolean },
  ): Promise<DeviceJson>;
  /** Offboards one device the documented way (Podero's soft delete). */
  softDelete(podero: Upstream, poderoUserId: string, deviceId: string, at: Date): Promise<DeviceJson>;
  /** Its face in the HTTP API: paths, names, control routes (plain data, kind-api.ts). */
  readonly api: DeviceKindApi;
  /** The allow-listed view's schema (with its OpenAPI meta) and the answers around it. */
  readonly viewSchema: z.ZodType;
  readonly listResponseSchema: z.ZodType;
  /** An object schema: a control's answer extends it with the change it recorded. */
  readonly responseSchema: z.ZodObject;
  /**
   * What a caller sees of a device: Podero's JSON allow-listed, with the observed connection and the health the
   * caller judged (domain/devices/health.ts deviceHealthView). Pure.
   */
  view(device: DeviceJson, observed: StoredConnection | null, health?: DeviceHealthView): unknown;
  /** Savings and statistics, where Podero offers them for the kind. */
  readonly insights?: DeviceKindInsights<Upstream>;
  /**
   * Podero's re-authentication session (§3.10: `auth_session`, documented for EVs, wallboxes and inverters):
   * its `authentication_url` signs the owner in again. A kind without it is repaired through its
   * `reauthenticate` cue (the heat pump).
   */
  authSession?(
    podero: Upstream,
    poderoUserId: string,
    deviceId: string,
    body: AuthSessionRequest,
  ): Promise<AuthSessionResponse>;
  /**
   * Seconds a recorded change may stay pending before the next observation fails it (domain/devices/
   * changes.ts): how long the kind's vendors take to apply a write, with room for a sync interval.
   */
  readonly changeTimeoutSeconds: number;
  /**
   * The checks of changes recorded by control writes outside `controls` (the charging service's boost:
   * `boost`), by the change's `control`.
   */
  readonly changeChecks?: Readonly<Record<string, AppliedAt>>;
  /**
   * The controls whose fields the device's JSON does not hold, by the change's `control`: the Podero read
   * that shows them (the vehicle's weekly policy: E8). A change of such a control is settled only by that
   * read (its own route's, the write's read-back, and the sync's, which reads it for a device with such a
   * change open), and checked by `changeChecks`' entry of the same name against the read's document.
   */
  readonly changeReadBacks?: Readonly<Record<string, ChangeReadBack<Upstream>>>;
  /** The kind's controls, by the names its `api.controls` routes use. */
  readonly controls: Readonly<Record<string, DeviceControl<Upstream>>>;
  /** The devices of a Podero list that are the user's (owned, not deleted). */
  visible(listed: readonly DeviceJson[], poderoUserId: string): DeviceJson[];
  readonly storage: DeviceKindStorage;
  /**
   * Its health rules' own part (domain/devices/health.ts): a connected device of the kind is `stale` after this
   * many sync intervals without a new state (`current_state_last_updated_at`).
   */
  readonly health: { readonly staleAfterSyncIntervals: number };
  /** The state fields copied into a reading (charts and billing). */
  readonly readingFields: readonly string[];
  /**
   * Podero's 15-minute series of the kind (`/data`) and which reading fields its points fill, for the backfill
   * of missed quarter-hours; or, where Podero has none, why (the backfill says so instead of staying silent).
   */
  readonly history: DeviceKindHistory<Upstream>;
  /** The monthly statement's sources: the reading field of the device's power, Podero's baseline. */
  readonly statement: DeviceKindStatement<Upstream>;
  /** The field of the sync's figures (summary, run and pass items) counting the kind's devices. */
  readonly figure: string;
  /** The metric counting the kind's synced devices. */
  readonly metric: string;
  /** The event types the kind emits. */
  readonly eventTypes: readonly EventType[];
  /** The change events between two states of one device. */
  changeEvents(previous: DeviceSnapshot | null | undefined, next: DeviceSnapshot): BridgeEvent[];
  /** The deletion events for the ids the previous list named that the current one does not. */
  deletedEvents(
    externalUserId: string,
    previousIds: readonly string[],
    currentIds: ReadonlySet<string>,
    at: string,
  ): BridgeEvent[];
}
