import { LANGUAGES, PRICE_ZONES } from '@podero-bridge/podero-client';
import * as z from 'zod';
import { DEVICE_KIND_NAMES } from '../../../domain/devices/kind-apis';
import { onboardingStateSchema } from '../../../storage/onboarding-sessions';
import { timestampSchema, userPathSchema, uuidSchema } from '../schemas';
import { defineRoute } from './types';

const REFUSED_SCHEMES = new Set(['javascript', 'data', 'file', 'vbscript', 'blob', 'about', 'filesystem']);

/**
 * Where the Connect UI sends the end user's browser back to: an absolute https/http URL with a host, or
 * an app deep link `scheme://...` (mobile apps). Script-capable and local schemes and relative URLs are
 * refused, because the Connect UI would redirect a browser to them.
 */
export function isAllowedRedirectUrl(value: string): boolean {
  // Control characters and whitespace could smuggle a different URL past a naive parser.
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code <= 0x20 || code === 0x7f || /\s/.test(ch)) return false;
  }
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value);
  if (!match?.[1]) return false;
  const scheme = match[1].toLowerCase();
  if (REFUSED_SCHEMES.has(scheme)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (scheme === 'http' || scheme === 'https')
    return url.hostname.length > 0 && !url.username && !url.password;
  return true;
}

const redirectUrlSchema = z
  .string()
  .max(8000)
  .refine(isAllowedRedirectUrl, {
    message:
      'must be an absolute http(s) URL or an app deep link (myapp://...); javascript:, data:, file:, vbscript: are refused',
  })
  .meta({ example: 'https://partner.example/onboarding/done' });

export const createOnboardingSessionBodySchema = z
  .strictObject({
    language: z.enum(LANGUAGES),
    price_zone_default: z.enum(PRICE_ZONES),
    success_url: redirectUrlSchema,
    cancel_url: redirectUrlSchema,
    building_id: uuidSchema.optional(),
    is_smart_optimization_active_default: z.boolean().optional(),
  })
  .meta({ id: 'CreateOnboardingSessionRequest' });

export const onboardingSessionCreatedSchema = z
  .object({
    id: z.string(),
    authentication_url: z.string(),
    expiration_date: z.string().nullable(),
  })
  .meta({ id: 'OnboardingSessionCreated' });

export const onboardingSessionStateSchema = z
  .object({
    id: z.string(),
    authentication_url: z
      .string()
      .meta({ description: 'Where the end user connects the device (while pending)' }),
    state: onboardingStateSchema,
    device_id: z.string().nullable().meta({ description: 'The connected heat pump, once completed' }),
    device_kind: z.enum(DEVICE_KIND_NAMES).nullable().optional().meta({
      description:
        'The kind of the connected device, once completed (its routes: heat-pumps, electric-vehicles, wallboxes, inverters)',
    }),
    expiration_date: z.string().nullable(),
    building_id: z.string().nullable(),
    created_at: timestampSchema,
    updated_at: timestampSchema,
  })
  .meta({ id: 'OnboardingSession' });

export const createOnboardingSession = defineRoute({
  operationId: 'createOnboardingSession',
  params: userPathSchema,
  body: createOnboardingSessionBodySchema,
  responses: {
    201: { description: 'Send the end user to authentication_url', schema: onboardingSessionCreatedSchema },
    404: { description: 'No such user' },
  },
  handle: async ({ params, body, deps }) => {
    const record = await deps.services.onboardingSessions.open(params.external_user_id, body);
    return {
      status: 201,
      body: {
        id: record.id,
        authentication_url: record.authentication_url,
        expiration_date: record.expiration_date,
      },
    };
  },
});

export const getOnboardingSession = defineRoute({
  operationId: 'getOnboardingSession',
  params: userPathSchema.extend({ session_id: uuidSchema }),
  responses: {
    200: {
      description: 'pending, completed (with device_id) or expired',
      schema: onboardingSessionStateSchema,
    },
    404: { description: 'No such user or session' },
  },
  handle: async ({ params, deps }) => {
    // The record's bookkeeping (the device ids known at opening) is not part of the answer.
    const {
      known_device_ids: _known,
      device_kind: kind,
      ...session
    } = await deps.services.onboardingSessions.state(params.external_user_id, params.session_id);
    const deviceKind = DEVICE_KIND_NAMES.find((name) => name === kind);
    return {
      status: 200,
      body: deviceKind === undefined ? session : { ...session, device_kind: deviceKind },
    };
  },
});
