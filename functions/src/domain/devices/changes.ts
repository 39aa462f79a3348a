/**
 * Changes as tracked actions (issue 35): every control write records a change, `pending` until a later
 * observation of the device (the sync's list, a live read) shows what was asked (`confirmed`), its kind's
 * declared timeout passes first (`failed`), or a newer change to one of its fields of the same device
 * replaces it (`superseded`). Pure: the rules, the comparisons a control declares and the events; the
 * stores keep the change (storage/device-changes.ts) and the device's open changes on its snapshot.
 *
 * What "applied" means is the control's to say (`DeviceControl.applied`): most fields are a plain echo of
 * the requested value in Podero's device JSON; instants compare as instants; a pause resumed with `null`
 * is applied once the device reports no pause still running; a boost once `boost_state` leaves
 * `available`.
 */
import type { BridgeEvent, EventType } from '../events/catalogue';
import { event } from '../events/rules';

/** A device's JSON as observed (state.ts's DeviceJson; named apart, as state.ts imports this module). */
type DeviceJson = Readonly<Record<string, unknown>>;

export const CHANGE_STATUSES = ['pending', 'confirmed', 'failed', 'superseded'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

/** Why a change left `pending` other than confirmed. */
export const CHANGE_FAILURE_REASONS = ['timeout'] as const;
export type ChangeFailureReason = (typeof CHANGE_FAILURE_REASONS)[number];

export interface DeviceChange {
  /** `chg_` then 12 hex digits of the request time (ms) and 8 random ones: sorts by request time. */
  readonly id: string;
  /** The device's kind (`heat_pump`). */
  readonly kind: string;
  readonly externalUserId: string;
  readonly deviceId: string;
  /** The control (`settings`, `boost`): its key in the kind's `controls`. */
  readonly control: string;
  /** The fields requested, as the caller sent them (what the comparison checks the device against). */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly status: ChangeStatus;
  readonly requestedAt: string;
  /** When it left `pending` (the observation's time, or the time the timeout was noticed). */
  readonly settledAt: string | null;
  /** Pending past this instant fails it (the kind's declared timeout after `requestedAt`). */
  readonly deadlineAt: string;
  /** The caller's `sub` (an admin or the end user). */
  readonly by: string;
  /** `timeout` for a failed change, the superseding change's id for a superseded one. */
  readonly reason: string | null;
  /** The device's manufacturer when requested (the metrics' dimension), or null. */
  readonly manufacturer: string | null;
}

/** Compares one requested value with the device's value of the same field. */
export type FieldComparison = (requested: unknown, observed: unknown, observedAtMs: number) => boolean;

const instantMs = (value: unknown): number | null => {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
};

/** Plain echo: the same JSON value (numbers within a thousandth: Podero may round a float). */
export const sameValue: FieldComparison = (requested, observed) => {
  if (typeof requested === 'number' && typeof observed === 'number') {
    return Math.abs(requested - observed) < 1e-3;
  }
  if (requested === null) return observed === null || observed === undefined;
  return JSON.stringify(requested) === JSON.stringify(observed);
};

/** The same instant, whatever its offset or precision (`…T10:00:00Z` is `…T12:00:00+02:00`). */
export const sameInstant: FieldComparison = (requested, observed) => {
  if (requested === null) return observed === null || observed === undefined;
  const a = instantMs(requested);
  const b = instantMs(observed);
  return a !== null && b !== null && Math.abs(a - b) < 1000;
};

/**
 * A pause's end (`pause_power_until`): a time is applied when the device reports that instant; `null`
 * ("resume now") when the device reports no pause, or one that has already ended when observed.
 */
export const pauseEnd: FieldComparison = (requested, observed, observedAtMs) => {
  if (requested !== null) return sameInstant(requested, observed, observedAtMs);
  const until = instantMs(observed);
  return observed === null || observed === undefined || (until !== null && until <= observedAtMs);
};

/** A device JSON's value of `field` (a dotted path reads inside objects). */
const valueAt = (device: DeviceJson, field: string): unknown =>
  field
    .split('.')
    .reduce<unknown>(
      (at, part) =>
        at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined,
      device,
    );

/** The clock-aware check every control declares (`DeviceControl.applied`). */
export type AppliedAt = (
  requested: Readonly<Record<string, unknown>>,
  device: DeviceJson,
  observedAtMs: number,
) => boolean;

/**
 * The check of a control whose fields are the device's own: each requested field against the device's
 * field of the same name, by its comparison in `comparisons` (`sameValue` when it names none).
 */
export function fieldEcho(comparisons: Readonly<Record<string, FieldComparison>> = {}): AppliedAt {
  return (requested, device, observedAtMs) =>
    Object.entries(requested).every(([field, value]) =>
      (comparisons[field] ?? sameValue)(value, valueAt(device, field), observedAtMs),
    );
}

/**
 * A boost (E6, W4; its change's field `boost`: `started` or `armed`, as the bridge read the device just
 * before) is applied once Podero's `boost_state` shows it requested or under way, and an armed one also
 * once `boost_for_next_session` is true (the next plug-in fires it). A boost that already ended
 * (`available` again after `ongoing`) cannot be told from one never applied, so only an observation
 * inside the boost (or while it is armed) confirms it.
 */
export const boostApplied: AppliedAt = (requested, device) =>
  device.boost_state === 'requested' ||
  device.boost_state === 'ongoing' ||
  (requested.boost === 'armed' && device.boost_for_next_session === true);

/** A new change's id: sortable by its request time, unique by its random part. */
export function newChangeId(requestedAtMs: number, random: () => number = Math.random): string {
  const time = Math.max(0, Math.floor(requestedAtMs)).toString(16).padStart(12, '0');
  const tail = Math.floor(random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0');
  return `chg_${time}${tail}`;
}

export const CHANGE_ID_PATTERN = /^chg_[0-9a-f]{20}$/;

export function newChange(input: {
  id: string;
  kind: string;
  externalUserId: string;
  deviceId: string;
  control: string;
  fields: Readonly<Record<string, unknown>>;
  requestedAtMs: number;
  timeoutSeconds: number;
  by: string;
  manufacturer: string | null;
}): DeviceChange {
  return {
    id: input.id,
    kind: input.kind,
    externalUserId: input.externalUserId,
    deviceId: input.deviceId,
    control: input.control,
    fields: input.fields,
    status: 'pending',
    requestedAt: new Date(input.requestedAtMs).toISOString(),
    settledAt: null,
    deadlineAt: new Date(input.requestedAtMs + input.timeoutSeconds * 1000).toISOString(),
    by: input.by,
    reason: null,
    manufacturer: input.manufacturer,
  };
}

/**
 * The open changes a new one supersedes: those of the same device still pending that requested one of
 * its fields. (A change to other fields of the device goes on to be settled on its own.)
 */
export function supersededBy(open: readonly DeviceChange[], newer: DeviceChange): DeviceChange[] {
  const fields = new Set(Object.keys(newer.fields));
  return open
    .filter(
      (change) =>
        change.status === 'pending' &&
        change.id !== newer.id &&
        change.deviceId === newer.deviceId &&
        change.kind === newer.kind &&
        Object.keys(change.fields).some((field) => fields.has(field)),
    )
    .map((change) => ({
      ...change,
      status: 'superseded' as const,
      settledAt: newer.requestedAt,
      reason: newer.id,
    }));
}

/**
 * A pending change against one observation of its device: confirmed when the device shows what was asked,
 * failed when its deadline passed without that, unchanged otherwise. Only an observation made after the
 * request counts (a read racing the write shows the old state), and a settled change never changes again.
 */
export function settleChange(
  change: DeviceChange,
  observation: { device: DeviceJson; observedAt: string },
  applied: AppliedAt,
): DeviceChange {
  if (change.status !== 'pending') return change;
  const observedAtMs = Date.parse(observation.observedAt);
  if (!(observedAtMs > Date.parse(change.requestedAt))) return change;
  if (applied(change.fields, observation.device, observedAtMs)) {
    return { ...change, status: 'confirmed', settledAt: observation.observedAt };
  }
  if (observedAtMs >= Date.parse(change.deadlineAt)) {
    return { ...change, status: 'failed', settledAt: observation.observedAt, reason: 'timeout' };
  }
  return change;
}

/** Milliseconds from request to settlement (null while pending). */
export function changeLatencyMs(change: DeviceChange): number | null {
  if (change.settledAt === null) return null;
  return Date.parse(change.settledAt) - Date.parse(change.requestedAt);
}

/** What the event of a settled change carries (the catalogue's `change` object). */
export function changeEventBody(change: DeviceChange) {
  return {
    id: change.id,
    control: change.control,
    fields: Object.keys(change.fields).sort(),
    status: change.status as 'confirmed' | 'failed',
    requested_at: change.requestedAt,
    settled_at: change.settledAt ?? change.requestedAt,
    reason: change.reason,
  };
}

/**
 * `<kind>.change_confirmed` / `<kind>.change_failed` of a change that just settled (none for pending or
 * superseded ones). Its id is the change's and the type's: whoever notices the settlement (the sync, a
 * live read, both racing) yields the same event, and a receiver deduplicating on the id sees it once.
 * `idField`: the data's field naming the device (`heat_pump_id`); null for a subject that is the user's
 * own (`charging_config`: its data names the user only).
 */
export function changeSettledEvent(change: DeviceChange, idField: string | null): BridgeEvent | null {
  if (change.status !== 'confirmed' && change.status !== 'failed') return null;
  const type = `${change.kind}.change_${change.status}` as EventType;
  return event(
    type,
    change.settledAt ?? change.requestedAt,
    {
      external_user_id: change.externalUserId,
      ...(idField === null ? {} : { [idField]: change.deviceId }),
      change: changeEventBody(change),
    } as never,
    [change.externalUserId, change.deviceId, change.id],
  );
}

/** The manufacturer a device reports (`device_model.manufacturer`), as a bounded metrics dimension. */
export function manufacturerOf(device: DeviceJson): string | null {
  const model = device.device_model;
  if (model === null || typeof model !== 'object') return null;
  const raw = (model as Record<string, unknown>).manufacturer;
  if (typeof raw !== 'string') return null;
  const slug = raw
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 32);
  return slug === '' ? null : slug;
}

/**
 * The open (pending) changes of one user's devices of one kind, and each device's latest change: what the
 * open-changes item holds (storage/open-changes.ts), apart from the device snapshots, which the sync
 * rewrites whole without a condition (ADR 0004) and so could drop a change recorded meanwhile. Every
 * observation settles the open changes of the devices it saw; a sync pass also fails those of any device
 * past their deadline (the sweep). `last` is what the health verdict reads ("last change not failed").
 */
export interface OpenChanges {
  readonly open: readonly DeviceChange[];
  /** Per device id: its latest change's id and status. */
  readonly last: Readonly<Record<string, { readonly id: string; readonly status: ChangeStatus }>>;
}

export const NO_OPEN_CHANGES: OpenChanges = { open: [], last: {} };

/** The latest change's status of a device (the `steerable` verdict's `lastChangeStatus`), or undefined. */
export function lastChangeStatus(changes: OpenChanges, deviceId: string): ChangeStatus | undefined {
  return changes.last[deviceId]?.status;
}

/** One observation of a device (its JSON as a sync pass or a live read saw it). */
export interface DeviceObservation {
  /** The device's JSON; absent when only a read-back was made (a `GET .../charge-policy`). */
  readonly device?: DeviceJson;
  readonly observedAt: string;
  /**
   * What the bridge read of the device beside its JSON, by the control whose fields only that read shows
   * (`charge_policy`: E8's `data`, the weekly policy the vehicle's JSON does not hold), each with its own
   * time. A change of such a control is settled by its read-back only, never by the device JSON.
   */
  readonly readBacks?: Readonly<
    Record<string, { readonly document: DeviceJson; readonly observedAt: string }>
  >;
}

/**
 * The observation a change is checked against: the device's JSON, or, for a control observed through a
 * read-back of its own (`readBack`: the control's name), that read-back; undefined when the observation
 * did not include it (the change waits for one that does, or for the sweep).
 */
export function observationFor(
  observation: DeviceObservation | undefined,
  readBack: string | undefined,
): { device: DeviceJson; observedAt: string } | undefined {
  if (observation === undefined) return undefined;
  if (readBack === undefined) {
    return observation.device === undefined
      ? undefined
      : { device: observation.device, observedAt: observation.observedAt };
  }
  const read = observation.readBacks?.[readBack];
  return read === undefined ? undefined : { device: read.document, observedAt: read.observedAt };
}

/** What settling the open changes did. */
export interface Settlement {
  readonly changes: OpenChanges;
  /** The changes that left `pending` (to store in the history, count and announce). */
  readonly settled: readonly DeviceChange[];
}

/**
 * Settles the open changes against the observations (by device id). With `sweepAt` (a sync pass), a
 * change of a device not observed (no longer listed, its read failed) fails once `sweepAt` is past its
 * deadline: no change stays pending past its timeout because nobody looked at its device. `readBackOf`
 * names, per change, the read-back it is observed through (DeviceObservation.readBacks), if any.
 */
export function settleOpenChanges(
  changes: OpenChanges,
  observations: ReadonlyMap<string, DeviceObservation>,
  appliedOf: (change: DeviceChange) => AppliedAt | undefined,
  sweepAt?: string,
  readBackOf: (change: DeviceChange) => string | undefined = () => undefined,
): Settlement {
  const settled: DeviceChange[] = [];
  const open: DeviceChange[] = [];
  for (const change of changes.open) {
    const observation = observationFor(observations.get(change.deviceId), readBackOf(change));
    // A change of a control the kind no longer declares cannot be checked: its timeout fails it.
    let next = observation ? settleChange(change, observation, appliedOf(change) ?? (() => false)) : change;
    if (
      next.status === 'pending' &&
      sweepAt !== undefined &&
      Date.parse(sweepAt) >= Date.parse(next.deadlineAt)
    ) {
      next = { ...next, status: 'failed', settledAt: sweepAt, reason: 'timeout' };
    }
    if (next.status === 'pending') open.push(next);
    else settled.push(next);
  }
  return { changes: withSettled({ open, last: changes.last }, settled), settled };
}

/** `last` once these changes settled (with the status the history kept: the history is the truth). */
export function withSettled(changes: OpenChanges, settled: readonly DeviceChange[]): OpenChanges {
  const gone = new Set(settled.map((change) => change.id));
  const last = { ...changes.last };
  for (const change of settled) {
    if (last[change.deviceId]?.id === change.id)
      last[change.deviceId] = { id: change.id, status: change.status };
  }
  return { open: changes.open.filter((change) => !gone.has(change.id)), last };
}

/** The open changes once `recorded` is requested: it is its device's last, those it supersedes leave. */
export function withRecordedChange(
  changes: OpenChanges,
  recorded: DeviceChange,
): { changes: OpenChanges; superseded: DeviceChange[] } {
  const superseded = supersededBy(changes.open, recorded);
  const gone = new Set(superseded.map((change) => change.id));
  return {
    changes: {
      open: [...changes.open.filter((change) => !gone.has(change.id)), recorded],
      last: { ...changes.last, [recorded.deviceId]: { id: recorded.id, status: recorded.status } },
    },
    superseded,
  };
}

/** The open changes without a device's (it was offboarded: its history is erased with it). */
export function withoutDevice(changes: OpenChanges, deviceId: string): OpenChanges {
  const { [deviceId]: _gone, ...last } = changes.last;
  return { open: changes.open.filter((change) => change.deviceId !== deviceId), last };
}
