/** The operator's routes (an operator role, viewer or higher): adapters over ../../operator/service.ts. Stored data only: no Podero call. */
import * as z from 'zod';
import {
  fleetDaysQuerySchema,
  fleetDaysSchema,
  listUsersQuerySchema,
  syncStatusSchema,
  userListSchema,
  userSummarySchema,
} from '../../../operator/schemas';
import { timestampSchema, userPathSchema } from '../schemas';
import { defineRoute, errorResponse } from './types';

const adminErrors = {
  401: errorResponse('No valid token'),
  403: errorResponse('An operator role (viewer or higher) only'),
};

export const listUsers = defineRoute({
  operationId: 'listUsers',
  query: listUsersQuerySchema,
  responses: {
    200: { description: 'One page of onboarded users in external_user_id order', schema: userListSchema },
    400: errorResponse('Invalid query, or a cursor issued for other filters'),
    ...adminErrors,
  },
  handle: async ({ query, deps }) => ({ status: 200, body: await deps.services.operator.listUsers(query) }),
});

export const getUserSummary = defineRoute({
  operationId: 'getUserSummary',
  params: userPathSchema,
  responses: {
    200: { description: 'The customer at a glance', schema: userSummarySchema },
    400: errorResponse('Invalid path'),
    404: errorResponse('No such user'),
    ...adminErrors,
  },
  handle: async ({ params, deps }) => ({
    status: 200,
    body: await deps.services.operator.summary(params.external_user_id),
  }),
});

export const getSyncStatus = defineRoute({
  operationId: 'getSyncStatus',
  responses: {
    200: { description: 'The latest runs and the failing users', schema: syncStatusSchema },
    ...adminErrors,
  },
  handle: async ({ deps }) => ({ status: 200, body: await deps.services.operator.syncStatus() }),
});

export const getFleetDays = defineRoute({
  operationId: 'getFleetDays',
  query: fleetDaysQuerySchema,
  responses: {
    200: { description: "The fleet's figures per UTC day, oldest first", schema: fleetDaysSchema },
    400: errorResponse('Invalid query'),
    ...adminErrors,
  },
  handle: async ({ query, deps }) => ({
    status: 200,
    body: await deps.services.operator.fleetDays(query.days),
  }),
});

const erasureJobSchema = z
  .object({
    scope: z.enum(['user', 'heat_pump', 'electric_vehicle', 'wallbox', 'inverter']).meta({
      description: "`user`: the customer's offboarding; `heat_pump`: one device's offboarding",
    }),
    heat_pump_id: z.string().nullable(),
    device_id: z
      .string()
      .optional()
      .meta({ description: "The device of one device's offboarding, of any kind" }),
    status: z.enum(['in_progress', 'done']).meta({
      description:
        '`done` after the last sweep, which runs a few minutes after the offboarding, once no sync run or request that read the customer before it can still write',
    }),
    requested_at: timestampSchema,
    finished_at: timestampSchema.nullable(),
    sweeps: z.number().int(),
    readings_deleted: z.number().int(),
  })
  .meta({ id: 'ErasureJob' });

export const erasureStatusSchema = z
  .object({ external_user_id: z.string(), items: z.array(erasureJobSchema) })
  .meta({ id: 'ErasureStatus' });

export const getUserErasure = defineRoute({
  operationId: 'getUserErasure',
  params: userPathSchema,
  responses: {
    200: {
      description:
        "The erasure jobs of the customer's offboarding and of its offboarded devices: their readings, the sync's failure record and its re-authentication attempts",
      schema: erasureStatusSchema,
    },
    400: errorResponse('Invalid path'),
    404: errorResponse('No offboarding of this user or its devices is on record (or its record expired)'),
    ...adminErrors,
  },
  handle: async ({ params, deps }) => ({
    status: 200,
    body: await deps.services.erasure.status(params.external_user_id),
  }),
});
