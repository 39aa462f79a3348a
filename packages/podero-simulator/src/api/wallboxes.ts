/**
 * W1..W7 and Appendix B's claim-token status: a user's wallboxes, their boost, and the one-time claim token an
 * installer's app hands to a box (the box then connects to `wss_url`; in the simulator the control plane's
 * `POST /__sim/wallboxes/claims` plays the box).
 */
import { randomBytes } from 'node:crypto';
import { type Handler, iso, jsonBody, queryObject, type SimCore } from '../core';
import {
  advanceWallbox,
  electricVehicleContext,
  kindDeviceModel,
  linkedElectricVehicle,
  newWallboxRecord,
  requireWallbox,
  wallboxContext,
} from '../device-kinds';
import { requireUser } from '../domain';
import { notFound, parseOr422 } from '../errors';
import { recordIssuedToken } from '../issued-secrets-log';
import { cancelBoost, requestBoost } from '../model/charging';
import type { ClaimTokenRecord, WallboxRecord } from '../store';
import { wallboxView } from '../views-devices';
import { includeDeletedQuerySchema } from '../wire';
import {
  claimTokenBodySchema,
  createWallboxBodySchema,
  emptyBodySchema,
  updateWallboxBodySchema,
} from '../wire-devices';
import { applyDeviceBody } from './devices';
import { boostRefusal, UNREACHABLE } from './electric-vehicles';

/** How long a claim token can be used (not in the contract: INFERRED, a working day for the installer). */
export const CLAIM_TOKEN_TTL_MS = 24 * 3_600_000;

function wallboxOf(core: SimCore, request: Parameters<Handler>[1], includeDeleted = false) {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  return { user, wallbox: requireWallbox(core, user, request.params.wallbox_id ?? '', includeDeleted) };
}

export const listWallboxes: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const wallboxes = core.store.wallboxesOf(user.id).filter((wallbox) => wallbox.deleted_at === null);
  for (const wallbox of wallboxes) advanceWallbox(core, wallbox);
  return { status: 200, json: wallboxes.map((wallbox) => wallboxView(core, wallbox)) };
};

/** W7 register ([INFERRED]): like H2, an empty body registers an empty, never-connected box. */
export const createWallbox: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const body = parseOr422(createWallboxBodySchema, jsonBody(request) ?? {}, ['body']);
  const wallbox = newWallboxRecord(core, {
    orgId: request.orgId,
    ownerId: user.id,
    buildingId: null,
    priceZone: body.price_zone ?? 'AT',
    deviceModel: kindDeviceModel('wallbox', null),
    authenticated: false,
    smartOptimizationActive: body.is_smart_optimization_active ?? false,
  });
  applyDeviceBody(core, user, wallbox, body);
  core.store.wallboxes.set(wallbox.id, wallbox);
  core.changed();
  return { status: 200, json: wallboxView(core, wallbox) };
};

export const getWallbox: Handler = (core, request) => {
  const { include_deleted } = parseOr422(includeDeletedQuerySchema, queryObject(request), ['query']);
  return { status: 200, json: wallboxView(core, wallboxOf(core, request, include_deleted).wallbox) };
};

export const updateWallbox: Handler = (core, request) => {
  const { user, wallbox } = wallboxOf(core, request);
  const body = parseOr422(updateWallboxBodySchema, jsonBody(request) ?? {}, ['body']);
  // Checked now (a refusal is the write's answer); applied when the device's write fault lets it.
  applyDeviceBody(core, user, structuredClone(wallbox), body);
  core.writeFaults.write(wallbox.id, core.clock.nowMs(), () => {
    applyDeviceBody(core, user, wallbox, body);
    const nowIso = iso(core.clock.nowMs());
    if (
      body.is_charge_policy_enabled !== undefined ||
      body.charge_deadline_at !== undefined ||
      body.minimum_charge_limit !== undefined
    ) {
      wallbox.charge_policy_last_updated_at = nowIso;
    }
    wallbox.updated_at = nowIso;
  });
  core.changed();
  return { status: 200, json: wallboxView(core, wallbox) };
};

/** The car the box charges: the connected EV's, else the box's virtual car. */
function chargerOf(core: SimCore, wallbox: WallboxRecord) {
  const vehicle = linkedElectricVehicle(core, wallbox);
  return vehicle === null
    ? { context: wallboxContext(core, wallbox), state: wallbox.charging }
    : { context: electricVehicleContext(core, vehicle), state: vehicle.charging };
}

/** W4: full rate now when plugged in, armed when unplugged; 409 `already_charging` / `fully_charged`. */
export const boostWallbox: Handler = (core, request) => {
  const { wallbox } = wallboxOf(core, request);
  parseOr422(emptyBodySchema, jsonBody(request) ?? {}, ['body']);
  if (!wallbox.is_authenticated || !wallbox.is_ocpp_connected) throw boostRefusal(UNREACHABLE);
  const { context, state } = chargerOf(core, wallbox);
  const outcome = requestBoost(context, state, core.clock.nowMs());
  // `no_active_session` is documented for EVs only: a box reports a car charging elsewhere as internal.
  if (!outcome.done)
    throw boostRefusal(
      outcome.reason === 'no_active_session' ? { ...outcome, reason: 'internal_error' } : outcome,
    );
  core.changed();
  return { status: 204, empty: true };
};

/** W5: cancels a live boost (back to HEMS control) and clears the arm; 204, idempotent. */
export const cancelWallboxBoost: Handler = (core, request) => {
  const { wallbox } = wallboxOf(core, request);
  const { context, state } = chargerOf(core, wallbox);
  cancelBoost(context, state);
  core.changed();
  return { status: 204, empty: true };
};

/** W6: 201 `{token, wss_url, expires_at}`; the token works once (a secret until it is used). */
export const createClaimToken: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const body = parseOr422(claimTokenBodySchema, jsonBody(request) ?? {}, ['body']);
  if (body.onboarding_session_id) {
    const session = core.store.onboardingSessions.get(body.onboarding_session_id);
    if (!session || session.org_id !== request.orgId || session.user_id !== user.id) throw notFound();
  }
  const nowMs = core.clock.nowMs();
  const claim: ClaimTokenRecord = {
    token: randomBytes(24).toString('base64url'),
    org_id: request.orgId,
    user_id: user.id,
    onboarding_session_id: body.onboarding_session_id ?? null,
    created_at: iso(nowMs),
    expires_at: iso(nowMs + CLAIM_TOKEN_TTL_MS),
    claimed_at: null,
    wallbox_id: null,
  };
  recordIssuedToken(claim.token);
  core.store.claimTokens.set(claim.token, claim);
  core.changed();
  return {
    status: 201,
    json: { token: claim.token, wss_url: wssUrl(core), expires_at: claim.expires_at },
  };
};

/** Where a box would open its OCPP WebSocket: the simulator's own host (nothing listens there). */
function wssUrl(core: SimCore): string {
  return `${core.baseUrl().replace(/^http/, 'ws')}/ocpp`;
}

/**
 * Appendix B `GET /device-onboarding/{onboarding_session_id}/wallbox-claim-tokens/{token}/status` (no bearer:
 * the token authorises): `{claimed, wallbox_id, manufacturer, model, firmware_version}`. A token of another
 * session, or unknown, is 404.
 */
export const claimTokenStatus: Handler = (core, request) => {
  const session = core.store.onboardingSessions.get(request.params.onboarding_session_id ?? '');
  const claim = core.store.claimTokens.get(request.params.token ?? '');
  if (!session || !claim || claim.user_id !== session.user_id || claim.org_id !== session.org_id)
    throw notFound();
  if (claim.onboarding_session_id !== null && claim.onboarding_session_id !== session.id) throw notFound();
  const wallbox = claim.wallbox_id === null ? undefined : core.store.wallboxes.get(claim.wallbox_id);
  return {
    status: 200,
    json: {
      claimed: claim.claimed_at !== null,
      wallbox_id: claim.wallbox_id,
      manufacturer: wallbox?.device_model.manufacturer ?? null,
      model: wallbox?.device_model.model ?? null,
      firmware_version: wallbox?.firmware_version ?? null,
    },
  };
};
