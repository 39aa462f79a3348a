/**
 * Heat-pump routes: cached or live reads, settings updates and stored readings. Adapters: the schemas
 * validate, ../../heat-pumps/service.ts does the work, api/errors.ts maps what it refuses.
 */

import {
  heatPumpListResponseSchema,
  heatPumpReadQuerySchema,
  heatPumpResponseSchema,
  readingsQuerySchema,
  readingsResponseSchema,
  updateHeatPumpSettingsSchema,
} from '../../heat-pumps/schemas';
import { userPathSchema, uuidSchema } from '../schemas';
import { defineRoute, errorResponse } from './types';

const heatPumpPathSchema = userPathSchema.extend({ heat_pump_id: uuidSchema });

const commonErrors = {
  400: errorResponse('Invalid path, query or body (details name the field)'),
  401: errorResponse('No valid token'),
  403: errorResponse('The token may not access this user'),
  404: errorResponse('Unknown user, or a heat pump that is not this user’s'),
  502: errorResponse('Podero failed or timed out'),
  503: {
    ...errorResponse('Podero is rate-limiting; retry after Retry-After seconds'),
    headers: { 'retry-after': 'seconds' },
  },
};

export const listHeatPumps = defineRoute({
  operationId: 'listHeatPumps',
  params: userPathSchema,
  query: heatPumpReadQuerySchema,
  responses: {
    200: { description: "The user's heat pumps", schema: heatPumpListResponseSchema },
    ...commonErrors,
  },
  handle: async ({ params, query, deps }) => ({
    status: 200,
    body: await deps.services.heatPumps.list(params.external_user_id, query),
  }),
});

export const getHeatPump = defineRoute({
  operationId: 'getHeatPump',
  params: heatPumpPathSchema,
  query: heatPumpReadQuerySchema,
  responses: { 200: { description: 'The heat pump', schema: heatPumpResponseSchema }, ...commonErrors },
  handle: async ({ params, query, deps }) => ({
    status: 200,
    body: await deps.services.heatPumps.get(params.external_user_id, params.heat_pump_id, query),
  }),
});

export const updateHeatPump = defineRoute({
  operationId: 'updateHeatPump',
  params: heatPumpPathSchema,
  body: updateHeatPumpSettingsSchema,
  responses: {
    200: { description: 'The updated heat pump (live from Podero)', schema: heatPumpResponseSchema },
    ...commonErrors,
    413: errorResponse('Body larger than 64 KB'),
    415: errorResponse('Body is not JSON'),
  },
  handle: async ({ params, body, deps, logger }) => {
    const result = await deps.services.heatPumps.updateSettings(
      params.external_user_id,
      params.heat_pump_id,
      body,
    );
    logger.info('heat-pump settings updated', {
      heat_pump_id: params.heat_pump_id,
      fields: Object.keys(body),
    });
    return { status: 200, body: result };
  },
});

export const deleteHeatPump = defineRoute({
  operationId: 'deleteHeatPump',
  params: heatPumpPathSchema,
  responses: {
    204: { description: 'Offboarded (also when it already was)' },
    ...commonErrors,
  },
  handle: async ({ params, deps }) => {
    await deps.services.heatPumps.offboard(params.external_user_id, params.heat_pump_id);
    return { status: 204 };
  },
});

export const listHeatPumpReadings = defineRoute({
  operationId: 'listHeatPumpReadings',
  params: heatPumpPathSchema,
  query: readingsQuerySchema,
  responses: {
    200: { description: 'One page of readings in time order', schema: readingsResponseSchema },
    ...commonErrors,
  },
  handle: async ({ params, query, deps }) => ({
    status: 200,
    body: await deps.services.heatPumps.readings(params.external_user_id, params.heat_pump_id, query),
  }),
});
