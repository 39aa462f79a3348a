/**
 * `client.wallboxes` (§3.8, W1–W7, and Appendix B's claim-token status): the boxes, their boost, and the
 * one-time claim token an installer's app uses to connect a box.
 */
import * as z from 'zod';
import { createDeviceKindResource, type DeviceKindResource } from './device-kinds';
import { asBoostRefusal } from './errors';
import type { RequestContext } from './request-context';
import { segment } from './urls';
import {
  type CreateWallboxRequest,
  claimTokenParamSchema,
  createWallboxRequestSchema,
  type PoderoWallbox,
  poderoWallboxSchema,
  type UpdateWallboxRequest,
  updateWallboxRequestSchema,
  type WallboxClaimToken,
  type WallboxClaimTokenStatus,
  wallboxClaimTokenSchema,
  wallboxClaimTokenStatusSchema,
} from './wallbox-schemas';

const wallboxListSchema = z.array(poderoWallboxSchema);

export interface WallboxesResource
  extends DeviceKindResource<PoderoWallbox, CreateWallboxRequest, UpdateWallboxRequest> {
  /**
   * W4: an idle box (HEMS paused at 0 A, say) charges at full rate; an unplugged one is armed. A refusal is
   * a BoostRefusedError (409) with `reason` (`already_charging`, `fully_charged`, `internal_error`, or a
   * newer one) and `state`.
   */
  boost(userId: string, wallboxId: string): Promise<void>;
  /** W5: cancels a live boost (back to HEMS surplus control) and clears the arm; idempotent. */
  cancelBoost(userId: string, wallboxId: string): Promise<void>;
  /**
   * W6: a one-time token (201) for an installer's app to claim a box over `wss_url`. The token is a secret
   * until used: hand it over once, never log it.
   */
  claimToken(userId: string): Promise<WallboxClaimToken>;
  /**
   * Appendix B: whether the token was used, and by which box. The token travels in the path; errors and
   * metrics show `{token}` in its place.
   */
  claimTokenStatus(onboardingSessionId: string, token: string): Promise<WallboxClaimTokenStatus>;
}

export function createWallboxesResource(ctx: RequestContext): WallboxesResource {
  const { call, check, id } = ctx;
  const { resource, paths } = createDeviceKindResource(ctx, {
    collection: 'wallboxes',
    idName: 'wallbox_id',
    idField: 'wallboxId',
    operationPrefix: 'wallboxes',
    deviceSchema: poderoWallboxSchema,
    listSchema: wallboxListSchema,
    createSchema: createWallboxRequestSchema,
    updateSchema: updateWallboxRequestSchema,
  });
  const boostT = `${paths.deviceTemplate}/boost`;

  return {
    ...resource,
    async boost(userId, wallboxId) {
      const path = `${paths.device('POST', boostT, userId, wallboxId)}/boost`;
      await call('wallboxes.boost', 'POST', path, { refineError: asBoostRefusal }, undefined);
    },
    async cancelBoost(userId, wallboxId) {
      const path = `${paths.device('DELETE', boostT, userId, wallboxId)}/boost`;
      await call('wallboxes.cancelBoost', 'DELETE', path, {}, undefined);
    },
    async claimToken(userId) {
      const template = `${paths.collectionTemplate}/claim-tokens`;
      const path = `${paths.collection('POST', template, userId)}/claim-tokens`;
      // An error body is left out of the error: this endpoint's answers carry the token.
      return call('wallboxes.claimToken', 'POST', path, { hideBody: true }, wallboxClaimTokenSchema);
    },
    async claimTokenStatus(onboardingSessionId, token) {
      const template = '/device-onboarding/{onboarding_session_id}/wallbox-claim-tokens/{token}/status';
      const session = id('GET', template, 'onboardingSessionId', onboardingSessionId);
      const valid = check('GET', template, 'token', claimTokenParamSchema, token);
      const redactedPath = `/device-onboarding/${session}/wallbox-claim-tokens/{token}/status`;
      return call(
        'wallboxes.claimTokenStatus',
        'GET',
        `/device-onboarding/${session}/wallbox-claim-tokens/${segment(valid)}/status`,
        { redactedPath, hideBody: true, secrets: [valid, segment(valid)] },
        wallboxClaimTokenStatusSchema,
      );
    },
  };
}
