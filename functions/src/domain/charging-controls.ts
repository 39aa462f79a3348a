/**
 * The rules of the charging controls (electric vehicles and wallboxes: boost, the weekly charge policy,
 * charging sessions; the user's charging configuration), pure: what a boost will do, how Podero's refusals
 * are told, and the cursor over Podero's offset-paged sessions. The routes' schemas are
 * devices/charging-schemas.ts, the service devices/charging.ts.
 */
import { BOOST_STATES, BoostRefusedError } from '@podero-bridge/podero-client';
import type { DeviceJson } from './devices/state';
import { ConflictError, InvalidError } from './errors';

/** Podero's documented 409 reasons (§3.7, §3.8); a newer one is told as `unknown`. */
export const BOOST_REFUSAL_REASONS = [
  'already_charging',
  'fully_charged',
  'no_active_session',
  'internal_error',
  'unknown',
] as const;
export type BoostRefusalReason = (typeof BOOST_REFUSAL_REASONS)[number];

/** `boost_state` as a refusal tells it (§6); a newer one is `unknown`. */
export const BOOST_REFUSAL_STATES = [...BOOST_STATES, 'unknown'] as const;
export type BoostRefusalState = (typeof BOOST_REFUSAL_STATES)[number];

/**
 * What a boost does, by Podero's rule (E6, W4): plugged in, charging starts now (`started`); unplugged, the
 * boost is armed for the next plug-in (`armed`). Read from the device just before the call: the answer says
 * which one the caller asked for.
 */
export type BoostOutcome = 'started' | 'armed';

export function boostOutcomeOf(device: DeviceJson): BoostOutcome {
  // A wallbox tells it by its `mode` (§3.8) where it does not report `is_plugged_in`.
  const pluggedIn =
    device.is_plugged_in === true || device.mode === 'PLUGGED_IN' || device.mode === 'CHARGING';
  return pluggedIn ? 'started' : 'armed';
}

const oneOf = <T extends string>(allowed: readonly T[], value: string | undefined, fallback: T): T =>
  value !== undefined && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;

/**
 * Podero refused a boost (409): passed on as 409 `boost_refused` with `reason` and `state`, each one of the
 * documented values (never Podero's own words).
 */
export class BoostRefusal extends ConflictError {
  override readonly name = 'BoostRefusal';
  readonly reason: BoostRefusalReason;
  readonly state: BoostRefusalState;

  constructor(noun: string, upstream: BoostRefusedError) {
    const reason = oneOf(BOOST_REFUSAL_REASONS, upstream.reason, 'unknown');
    const state = oneOf(BOOST_REFUSAL_STATES, upstream.state, 'unknown');
    super(`Podero refused to boost the ${noun}: ${reason}`, {
      code: 'boost_refused',
      attributes: { reason, state },
      cause: upstream,
    });
    this.reason = reason;
    this.state = state;
  }
}

/** The refusal an error from a boost call is, or undefined when it is something else. */
export function boostRefusalOf(noun: string, error: unknown): BoostRefusal | undefined {
  return error instanceof BoostRefusedError ? new BoostRefusal(noun, error) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The sessions cursor: Podero pages sessions by offset within a day range (E10); the bridge's convention is
// an opaque `cursor` valid only for the request it was issued for.

export interface SessionsPosition {
  readonly deviceId: string;
  readonly from: string;
  readonly to: string;
  readonly offset: number;
}

export class InvalidSessionsCursorError extends InvalidError {
  override readonly name = 'InvalidSessionsCursorError';
  constructor() {
    super('not a cursor returned by this API for this vehicle and range', {
      summary: 'the cursor is not valid for this request',
      fields: [
        { field: 'query.cursor', message: 'not a cursor returned by this API for this vehicle and range' },
      ],
    });
  }
}

export function encodeSessionsCursor(position: SessionsPosition): string {
  const body = { v: 1, ev: position.deviceId, f: position.from, t: position.to, o: position.offset };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The offset a cursor points at; refused unless it was issued for this vehicle and range. */
export function decodeSessionsCursor(cursor: string, expected: Omit<SessionsPosition, 'offset'>): number {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw new InvalidSessionsCursorError();
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidSessionsCursorError();
  }
  const b = body as Record<string, unknown> | null;
  const offset = b?.o;
  if (
    b?.v !== 1 ||
    b.ev !== expected.deviceId ||
    b.f !== expected.from ||
    b.t !== expected.to ||
    typeof offset !== 'number' ||
    !Number.isInteger(offset) ||
    offset < 0
  ) {
    throw new InvalidSessionsCursorError();
  }
  return offset;
}

/** The next page's cursor, or null when this page reached Podero's `total` (or came back empty). */
export function nextSessionsCursor(
  position: SessionsPosition,
  received: number,
  total: number,
): string | null {
  const next = position.offset + received;
  return received === 0 || next >= total ? null : encodeSessionsCursor({ ...position, offset: next });
}
