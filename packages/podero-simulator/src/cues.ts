/**
 * Pending actions ("cues", contract §3.12 and §5.5 step 6): what a lost manufacturer connection raises, how
 * its signed secrets are handed out and checked, and how the device is restored.
 *
 * Secrets: each read of a device (any kind) shows a `resolution_link.url` with a secret. A secret is valid for one
 * hour of simulated time after it was issued ([REF]: "expires 1 hour after it is issued"); a read shows the
 * newest secret while it has more than half its life left and issues a fresh one otherwise, so a client that
 * reads and then resolves always holds a usable one.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { iso, type SimCore } from './core';
import { notFound, SimHttpError } from './errors';
import { recordIssuedToken } from './issued-secrets-log';
import type { CueRecord, DeviceRecord } from './store';
import { API_PREFIX } from './wire';

export const CUE_SECRET_TTL_MS = 3_600_000;
const REISSUE_AFTER_MS = CUE_SECRET_TTL_MS / 2;

/** `lifecycle_state` of a device waiting for its owner to sign in again (the full enum is unknown: INFERRED). */
export const REAUTHENTICATION_PENDING = 'reauthentication_pending';

function newSecret(): string {
  // Base64url of 24 random bytes, like a signed token's payload; fake by design.
  return randomBytes(24).toString('base64url');
}

/** Raises a cue of `code` on the device (one active cue per code: raising twice keeps the first). */
export function raiseCue(
  core: SimCore,
  device: DeviceRecord,
  code: CueRecord['code'],
  message: string | null = null,
): CueRecord {
  const existing = core.store.activeCuesOf(device.id).find((cue) => cue.code === code);
  if (existing) return existing;
  const cue: CueRecord = {
    id: core.newId(),
    action_id: core.newId(),
    org_id: device.org_id,
    device_id: device.id,
    code,
    message,
    state: 'pending',
    created_at: iso(core.clock.nowMs()),
    secrets: [],
    success_url: null,
    cancel_url: null,
    page_token: null,
  };
  core.store.cues.set(cue.id, cue);
  return cue;
}

/** The manufacturer connection lapses: unauthenticated, and (unless `raiseReauthentication` is false) a cue. */
export function loseConnection(core: SimCore, device: DeviceRecord, raiseReauthentication: boolean): void {
  device.is_authenticated = false;
  device.lifecycle_state = raiseReauthentication ? REAUTHENTICATION_PENDING : 'error';
  device.lifecycle_error = raiseReauthentication ? null : 'Manufacturer authorisation revoked';
  device.updated_at = iso(core.clock.nowMs());
  if (raiseReauthentication) raiseCue(core, device, 'reauthenticate');
  else closeCues(core, device, 'reauthenticate');
}

/**
 * The connection is live again. A cue nobody started is no longer needed; one in progress (a `resolve`
 * was called) stays until its outcome is reported (Q2), as the contract says, unless `closeAll`.
 */
export function restoreConnection(core: SimCore, device: DeviceRecord, closeAll = false): void {
  device.is_authenticated = true;
  device.lifecycle_state = 'authenticated';
  device.lifecycle_error = null;
  device.connected_at ??= iso(core.clock.nowMs());
  device.updated_at = iso(core.clock.nowMs());
  closeCues(core, device, 'reauthenticate', closeAll ? undefined : 'pending');
}

/** Ends the device's active cues of `code` (only those in `onlyState`, when given). */
function closeCues(
  core: SimCore,
  device: DeviceRecord,
  code: CueRecord['code'],
  onlyState?: CueRecord['state'],
): void {
  for (const cue of core.store.activeCuesOf(device.id)) {
    if (cue.code === code && (onlyState === undefined || cue.state === onlyState)) cue.state = 'done';
  }
}

/** A secret for the link a read shows: the newest while it is young enough, else a fresh one. */
function currentSecret(core: SimCore, cue: CueRecord): string {
  const nowMs = core.clock.nowMs();
  const newest = cue.secrets.at(-1);
  if (newest && nowMs - newest.issued_at_ms < REISSUE_AFTER_MS) return newest.value;
  const value = newSecret();
  // Older secrets stay valid until their hour is over; expired ones are dropped.
  cue.secrets = [
    ...cue.secrets.filter((s) => nowMs - s.issued_at_ms < CUE_SECRET_TTL_MS),
    { value, issued_at_ms: nowMs },
  ];
  recordIssuedToken(value);
  core.changed();
  return value;
}

/** The `actions` entries and `action_needed` flag of a device's detail and list responses (every kind). */
export function actionsView(core: SimCore, device: DeviceRecord) {
  const actions = core.store.activeCuesOf(device.id).map((cue) => {
    const secret = currentSecret(core, cue);
    const base = `${core.baseUrl()}${API_PREFIX}/cues/${cue.id}`;
    return cue.code === 'reauthenticate'
      ? {
          code: cue.code,
          created_at: cue.created_at,
          resolution_link: {
            url: `${base}/resolve?secret=${secret}`,
            required_parameters: ['successUrl', 'cancelUrl'],
          },
        }
      : {
          code: cue.code,
          created_at: cue.created_at,
          message: cue.message,
          resolution_link: { url: `${base}/information/resolve?secret=${secret}`, required_parameters: [] },
        };
  });
  return { action_needed: actions.length > 0, actions };
}

/**
 * The cue a request names, if its secret is one this cue issued within the hour. An unknown cue, a cue
 * no longer active, and a cue of another organisation answer 404 (`orgId` null: the unauthenticated
 * state route, where the secret alone authorises); a wrong or expired secret answers 403.
 */
export function requireCue(
  core: SimCore,
  cueId: string,
  secret: string | null,
  orgId: string | null,
): CueRecord {
  const cue = core.store.cues.get(cueId);
  if (!cue || cue.state === 'done' || (orgId !== null && cue.org_id !== orgId)) throw notFound();
  const nowMs = core.clock.nowMs();
  const valid =
    secret !== null &&
    cue.secrets.some(
      (issued) => nowMs - issued.issued_at_ms < CUE_SECRET_TTL_MS && sameText(issued.value, secret),
    );
  if (!valid) throw new SimHttpError(403, { detail: 'Invalid or expired secret.' });
  return cue;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function newPageToken(): string {
  return randomBytes(18).toString('base64url');
}
