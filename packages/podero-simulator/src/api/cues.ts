/** Q1..Q3: starting a pending action, reporting its outcome, marking information read (contract §3.12). */
import { type Handler, iso, jsonBody, queryObject } from '../core';
import { newPageToken, requireCue } from '../cues';
import { findDevice } from '../device-kinds';
import { parseOr422, SimHttpError } from '../errors';
import {
  cueSecretQuerySchema,
  cueStateBodySchema,
  informationResolveBodySchema,
  resolveCueBodySchema,
} from '../wire';

const wrongCode = (expected: string) =>
  new SimHttpError(400, { detail: `This action is not resolved this way (expected code ${expected}).` });

/** Q1 (Bearer): opens the re-authentication page for the device; the action is then in progress. */
export const resolveCue: Handler = (core, request) => {
  const { secret } = parseOr422(cueSecretQuerySchema, queryObject(request), ['query']);
  const cue = requireCue(core, request.params.cue_id ?? '', secret, request.orgId);
  if (cue.code !== 'reauthenticate') throw wrongCode('information: use /information/resolve');
  const body = parseOr422(resolveCueBodySchema, jsonBody(request), ['body']);
  cue.state = 'in_progress';
  cue.success_url = body.successUrl;
  cue.cancel_url = body.cancelUrl;
  // A new resolve replaces an earlier page: only the newest link works.
  cue.page_token = newPageToken();
  core.changed();
  return {
    status: 200,
    json: { redirect_url: `${core.baseUrl()}/connect/reauthenticate?token=${cue.page_token}` },
  };
};

/**
 * Q2 (no Authorization: the secret authorises): `success` ends the action, `fail` returns it to pending so
 * `/resolve` can be retried. 404 once the action is no longer active.
 */
export const reportCueState: Handler = (core, request) => {
  const { secret } = parseOr422(cueSecretQuerySchema, queryObject(request), ['query']);
  const cue = requireCue(core, request.params.cue_id ?? '', secret, null);
  const body = parseOr422(cueStateBodySchema, jsonBody(request), ['body']);
  cue.state = body.state === 'success' ? 'done' : 'pending';
  cue.page_token = null;
  const device = findDevice(core, cue.device_id)?.record;
  if (device) device.updated_at = iso(core.clock.nowMs());
  core.changed();
  return { status: 200, json: { action_id: cue.action_id } };
};

/** Q3 (Bearer): an information action is read and ends. */
export const resolveInformationCue: Handler = (core, request) => {
  const { secret } = parseOr422(cueSecretQuerySchema, queryObject(request), ['query']);
  const cue = requireCue(core, request.params.cue_id ?? '', secret, request.orgId);
  if (cue.code !== 'information') throw wrongCode('reauthenticate: use /resolve');
  parseOr422(informationResolveBodySchema, jsonBody(request) ?? {}, ['body']);
  cue.state = 'done';
  core.changed();
  return { status: 200, json: { action_id: cue.action_id } };
};
