/** `GET /users/{external_user_id}/devices`: every kind's devices in one list (../../../devices/all-devices.ts). */
import * as z from 'zod';
import { deviceReadQuerySchema } from '../../../devices/schemas';
import { deviceKinds } from '../../../domain/devices/kinds';
import { userPathSchema } from '../schemas';
import { defineRoute, errorResponse } from './types';

/** Each kind's view with its `type` (the kind's name); the views themselves are the kinds' own schemas. */
const entries = deviceKinds.map((kind) =>
  (kind.viewSchema as z.ZodObject)
    .extend({ type: z.literal(kind.name).meta({ description: 'The device kind' }) })
    .meta({ id: `${kind.api.singular}Entry` }),
);

const deviceListSchema = z
  .strictObject({
    items: z.array(z.discriminatedUnion('type', entries as unknown as [z.ZodObject, ...z.ZodObject[]])),
    next_cursor: z.null().meta({ description: 'Always null: every device of the user is on the one page' }),
    source: z.enum(['cache', 'live']).meta({
      description: 'cache: every kind’s part came from stored snapshots; live: at least one was read now',
    }),
    fetched_at: z.string().meta({ description: 'When the oldest part was read from Podero (ISO)' }),
    stale: z
      .boolean()
      .meta({ description: 'True when any part was a stale snapshot served because Podero failed' }),
  })
  .meta({ id: 'DeviceList' });

export const listDevices = defineRoute({
  operationId: 'listDevices',
  params: userPathSchema,
  query: deviceReadQuerySchema,
  responses: {
    200: { description: 'Every device of the user, of every kind', schema: deviceListSchema },
    400: errorResponse('Invalid path or query (details name the field)'),
    401: errorResponse('No valid token'),
    403: errorResponse('The token may not access this user'),
    404: errorResponse('Unknown user'),
    502: errorResponse('Podero failed or timed out'),
    503: {
      ...errorResponse('Podero is rate-limiting; retry after Retry-After seconds'),
      headers: { 'retry-after': 'seconds' },
    },
  },
  handle: async ({ params, query, deps }) => ({
    status: 200,
    body: await deps.services.allDevices.list(params.external_user_id, query),
  }),
});
