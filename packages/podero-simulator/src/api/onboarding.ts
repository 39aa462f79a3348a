/**
 * O1, O2: Connect-UI onboarding sessions. Not under /org/{org_id}: the session belongs to the org of
 * the body's `user_id`, which must be a live user of the token's org (else 404, like any foreign id).
 */
import { type Handler, iso, jsonBody } from '../core';
import { requireBuilding, requireUser } from '../domain';
import { notFound, parseOr422 } from '../errors';
import type { OnboardingRecord } from '../store';
import { onboardingView } from '../views';
import { createOnboardingBodySchema } from '../wire';

const DAY_MS = 86_400_000;

export const createOnboardingSession: Handler = (core, request) => {
  const body = parseOr422(createOnboardingBodySchema, jsonBody(request), ['body']);
  const user = requireUser(core, request.orgId, body.user_id);
  if (body.building_id) requireBuilding(core, user, body.building_id);
  const nowMs = core.clock.nowMs();
  const session: OnboardingRecord = {
    id: core.newId(),
    org_id: request.orgId,
    user_id: user.id,
    language: body.language,
    price_zone_default: body.price_zone_default,
    is_smart_optimization_active_default: body.is_smart_optimization_active_default ?? false,
    success_url: body.success_url,
    cancel_url: body.cancel_url,
    building_id: body.building_id ?? null,
    device_type: body.device_type ?? null,
    created_at: iso(nowMs),
    // "Valid until the end of the next day": the next UTC calendar date.
    expiration_date: new Date(nowMs + DAY_MS).toISOString().slice(0, 10),
    object_id: null,
    used_at: null,
  };
  core.store.onboardingSessions.set(session.id, session);
  core.changed();
  return { status: 200, json: onboardingView(core, session) };
};

export const getOnboardingSession: Handler = (core, request) => {
  const session = core.store.onboardingSessions.get(request.params.onboarding_session_id ?? '');
  if (!session || session.org_id !== request.orgId) throw notFound();
  return { status: 200, json: onboardingView(core, session) };
};

/** The first instant at which the session no longer works: midnight UTC after `expiration_date`. */
export function sessionExpiresAtMs(session: OnboardingRecord): number {
  return Date.parse(`${session.expiration_date}T00:00:00Z`) + DAY_MS;
}
