/** The operator's routes (admin): adapters over ../../operator/service.ts. Stored data only: no Podero call. */
import {
  listUsersQuerySchema,
  syncStatusSchema,
  userListSchema,
  userSummarySchema,
} from '../../../operator/schemas';
import { userPathSchema } from '../schemas';
import { defineRoute, errorResponse } from './types';

const adminErrors = {
  401: errorResponse('No valid token'),
  403: errorResponse('Admin only'),
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
