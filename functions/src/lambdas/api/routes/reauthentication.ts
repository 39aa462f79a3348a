/**
 * Re-authentication of a device (devices/reauthentication.ts; the start route is generated per kind): the partner starts it for a device
 * whose `connection.state` is `reauthentication_required` and sends the end user to `redirect_url`; the
 * Connect UI brings the browser back to the public callback, which reports the outcome to Podero and
 * redirects to the partner's URL. No caller ever sees the cue's secret. The partner's URLs must be on the
 * stage's return origins (devices/return-urls.ts), so the callback cannot redirect anywhere else.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import type { OperationId } from '../../../declarations';
import { deviceOperationIds } from '../../../domain/devices/kind-api';
import type { DeviceKind } from '../../../domain/devices/kinds';
import { deviceIdOf, devicePathSchema } from './device-shared';
import { defineRoute, errorResponse, type RouteDefinition } from './types';

const partnerUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
  .max(2000)
  .meta({ example: 'https://app.partner.example/heat-pump/reconnected' });

export const startReauthenticationBodySchema = z
  .strictObject({
    success_url: partnerUrl.meta({
      description:
        "Where the end user lands after signing in again; on one of the stage's return URL origins (`returnUrls.allowOrigins`)",
    }),
    cancel_url: partnerUrl.meta({
      description:
        "Where the end user lands on cancel or a failed sign-in; on one of the stage's return URL origins",
    }),
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be an IETF language tag')
      .max(35)
      .optional()
      .meta({ description: 'Language of the Connect UI page (IETF tag, e.g. de or en-GB)' }),
  })
  .meta({ id: 'StartReauthenticationRequest' });

export const reauthenticationStartedSchema = z
  .strictObject({
    redirect_url: z.string().meta({ description: "Send the end user's browser here" }),
    expires_at: z.string().meta({ description: 'The link works until then (the cue secret’s lifetime)' }),
  })
  .meta({ id: 'ReauthenticationStarted' });

/**
 * The answer for a kind Podero re-authenticates through its `auth_session`: the URL carries Podero's
 * single-use sign-in token, a secret shown in this answer only. A replay (same Idempotency-Key) answers it
 * as null, so the idempotency record never holds it.
 */
export const authSessionStartedSchema = z
  .strictObject({
    redirect_url: z.string().nullable().meta({
      description:
        "Send the end user's browser here (Podero's sign-in, with a single-use token). Shown once: null when the answer is a replay",
    }),
    expires_at: z.string().meta({ description: 'The link works until then' }),
  })
  .meta({ id: 'AuthSessionStarted' });

const issuedSecret = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the one the bridge issued');

const callbackQuerySchema = z
  // Not strict: the Connect UI may add its own parameters to the redirect (the contract cannot say, §5.4).
  .object({
    token: issuedSecret,
    outcome: z.enum(['success', 'fail']),
    proof: issuedSecret.meta({
      description: "The outcome's own secret: the success and the cancel link each carry a different one",
    }),
  })
  .meta({ id: 'ReauthenticationCallbackQuery' });

/** This API's own base URL as the caller reached it (custom domain or execute-api, stage included). */
function callbackUrlOf(event: APIGatewayProxyEventV2, headers: Readonly<Record<string, string>>): string {
  const proto = headers['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  const stage = event.requestContext.stage;
  const prefix = stage && stage !== '$default' ? `/${stage}` : '';
  return `${proto}://${event.requestContext.domainName}${prefix}/reauthentication/callback`;
}

/** A kind's `POST .../reauthentication` (for a kind whose `api.reauthentication` says it can be repaired). */
export function deviceReauthenticationRoute(kind: DeviceKind): RouteDefinition {
  return defineRoute({
    operationId: deviceOperationIds(kind.api).reauthentication as OperationId,
    params: devicePathSchema(kind),
    body: startReauthenticationBodySchema,
    responses: {
      201: {
        description: 'Send the end user to redirect_url',
        schema: kind.authSession ? authSessionStartedSchema : reauthenticationStartedSchema,
      },
      400: errorResponse(
        "Invalid path or body, or a success_url / cancel_url outside the stage's return URL origins (details name the field)",
      ),
      401: errorResponse('No valid token'),
      403: errorResponse('The token may not access this user'),
      404: errorResponse(`Unknown user, or ${kind.api.aNoun} that is not this user’s`),
      409: errorResponse(
        `The ${kind.api.noun} needs no re-authentication (connected), or cannot be re-authenticated (disconnected: onboard it again)`,
      ),
      413: errorResponse('Body larger than 64 KB'),
      415: errorResponse('Body is not JSON'),
      502: errorResponse('Podero failed or timed out'),
      503: {
        ...errorResponse('Podero is rate-limiting; retry after Retry-After seconds'),
        headers: { 'retry-after': 'seconds' },
      },
    },
    // Podero's auth-session URL is a secret: never stored for a replay (idempotency.ts).
    ...(kind.authSession ? { shownOnce: ['redirect_url'] } : {}),
    handle: async ({ params, body, deps, event, headers }) => ({
      status: 201,
      body: await deps.services.reauthentication.start(
        kind,
        params.external_user_id,
        deviceIdOf(kind, params),
        body,
        callbackUrlOf(event, headers),
      ),
    }),
  });
}

export const completeReauthentication = defineRoute({
  operationId: 'completeReauthentication',
  query: callbackQuerySchema,
  responses: {
    303: {
      description:
        "The outcome reached Podero: on to the partner's success_url or cancel_url. A link used again goes to the partner's URL for the outcome already reported (nothing is reported twice)",
      headers: { location: "the partner's URL" },
    },
    400: errorResponse('The link is malformed'),
    404: errorResponse('No such re-authentication, or a link whose proof is not its outcome’s'),
    410: errorResponse('The link has expired'),
    502: errorResponse('Podero did not take the outcome; reload to retry'),
    503: {
      ...errorResponse('Podero is rate-limiting; retry after Retry-After seconds'),
      headers: { 'retry-after': 'seconds' },
    },
  },
  handle: async ({ query, deps }) => {
    const { location } = await deps.services.reauthentication.complete(
      query.token,
      query.outcome,
      query.proof,
    );
    return { status: 303, headers: { location } };
  },
});
