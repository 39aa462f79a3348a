/**
 * Heat-pump routes: cached or live reads, settings updates and stored readings. The logic lives in
 * ../../heat-pumps/service.ts; this module validates, calls it and maps its errors to the API shape.
 */

import {
  heatPumpListResponseSchema,
  heatPumpReadQuerySchema,
  heatPumpResponseSchema,
  readingsQuerySchema,
  readingsResponseSchema,
  updateHeatPumpSettingsSchema,
} from '../../heat-pumps/schemas';
import {
  HeatPumpService,
  SettingsConflictError,
  UnknownHeatPumpError,
  UnknownUserError,
} from '../../heat-pumps/service';
import { HeatPumpSnapshotStore } from '../../storage/heat-pump-snapshots';
import { InvalidCursorError, ReadingsStore } from '../../storage/readings';
import { UserStore } from '../../storage/users';
import type { ApiDeps } from '../deps';
import { badRequest, errorBodySchema, notFound } from '../http';
import { userPathSchema, uuidSchema } from '../schemas';
import { defineRoute, type ResponseSpec } from './types';

const heatPumpPathSchema = userPathSchema.extend({ heat_pump_id: uuidSchema });

/** Service objects are stateless wrappers; one per deps object (i.e. per container). */
const services = new WeakMap<ApiDeps, HeatPumpService>();
function serviceFor(deps: ApiDeps): HeatPumpService {
  let service = services.get(deps);
  if (!service) {
    const users = new UserStore(deps.db, deps.config.mainTableName);
    service = new HeatPumpService({
      podero: deps.podero,
      findPoderoUserId: async (externalUserId) => (await users.get(externalUserId))?.podero_user_id ?? null,
      removeUnlessOnboarded: (externalUserId, poderoUserId, sortKeys) =>
        users.removeUnlessOnboarded(externalUserId, poderoUserId, sortKeys),
      snapshots: new HeatPumpSnapshotStore(deps.db, deps.config.mainTableName),
      readings: new ReadingsStore(deps.db, deps.config.readingsTableName),
      now: () => deps.now().getTime(),
      logger: deps.logger,
    });
    services.set(deps, service);
  }
  return service;
}

/** The service's domain errors as API errors; Podero errors pass through to the shared mapping. */
async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UnknownUserError) throw notFound('user');
    if (error instanceof UnknownHeatPumpError) throw notFound('heat pump');
    if (error instanceof InvalidCursorError) {
      throw badRequest('the cursor is not valid for this request', [
        { field: 'query.cursor', message: error.message },
      ]);
    }
    if (error instanceof SettingsConflictError) {
      throw badRequest(
        'the settings are inconsistent',
        error.issues.map((i) => ({ field: ['body', ...i.path].join('.'), message: i.message })),
      );
    }
    throw error;
  }
}

const error = (description: string): ResponseSpec => ({ description, schema: errorBodySchema });
const commonErrors = {
  400: error('Invalid path, query or body (details name the field)'),
  401: error('No valid token'),
  403: error('The token may not access this user'),
  404: error('Unknown user, or a heat pump that is not this user’s'),
  502: error('Podero failed or timed out'),
  503: {
    ...error('Podero is rate-limiting; retry after Retry-After seconds'),
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
    body: await mapped(() => serviceFor(deps).list(params.external_user_id, query)),
  }),
});

export const getHeatPump = defineRoute({
  operationId: 'getHeatPump',
  params: heatPumpPathSchema,
  query: heatPumpReadQuerySchema,
  responses: { 200: { description: 'The heat pump', schema: heatPumpResponseSchema }, ...commonErrors },
  handle: async ({ params, query, deps }) => ({
    status: 200,
    body: await mapped(() => serviceFor(deps).get(params.external_user_id, params.heat_pump_id, query)),
  }),
});

export const updateHeatPump = defineRoute({
  operationId: 'updateHeatPump',
  params: heatPumpPathSchema,
  body: updateHeatPumpSettingsSchema,
  responses: {
    200: { description: 'The updated heat pump (live from Podero)', schema: heatPumpResponseSchema },
    ...commonErrors,
    413: error('Body larger than 64 KB'),
    415: error('Body is not JSON'),
  },
  handle: async ({ params, body, deps, logger }) => {
    const result = await mapped(() =>
      serviceFor(deps).updateSettings(params.external_user_id, params.heat_pump_id, body),
    );
    logger.info('heat-pump settings updated', {
      heat_pump_id: params.heat_pump_id,
      fields: Object.keys(body),
    });
    return { status: 200, body: result };
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
    body: await mapped(() => serviceFor(deps).readings(params.external_user_id, params.heat_pump_id, query)),
  }),
});
