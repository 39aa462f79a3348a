/**
 * Savings and statistics routes (a device's are generated from its kind): adapters over ../../devices/insights.ts. Each answer says whether it
 * came from the cache (and how old it may be) and carries a matching `Cache-Control`.
 */

import type { OperationId } from '../../../declarations';
import {
  insightsResponseSchema,
  organisationSavingsQuerySchema,
  organisationSavingsResponseSchema,
  savingsQuerySchema,
  statisticsQuerySchema,
} from '../../../devices/insights-schemas';
import { deviceOperationIds } from '../../../domain/devices/kind-api';
import type { DeviceKind } from '../../../domain/devices/kinds';
import { deviceErrors, deviceIdOf, devicePathSchema } from './device-shared';
import { defineRoute, errorResponse, type RouteDefinition } from './types';

const cacheHeaders = { 'cache-control': 'private, max-age=<seconds left>' };

/** Private: the figures are one customer's. The age left is what the caller's cache may add to it. */
function cacheControl(fetchedAt: string, maxAgeSeconds: number, nowMs: number): Record<string, string> {
  const left = Math.max(0, Math.floor(maxAgeSeconds - (nowMs - Date.parse(fetchedAt)) / 1000));
  return { 'cache-control': left > 0 ? `private, max-age=${left}` : 'private, no-cache' };
}

/**
 * A kind's statistics and savings of one device, each where the kind's `api` says Podero offers it (the
 * insights service asks through the kind: devices/insights.ts).
 */
export function deviceInsightsRoutes(kind: DeviceKind): RouteDefinition[] {
  const ids = deviceOperationIds(kind.api);
  const errors = deviceErrors(kind);
  const params = devicePathSchema(kind);
  const statistics = defineRoute({
    operationId: ids.statistics as OperationId,
    params,
    query: statisticsQuerySchema,
    responses: {
      200: {
        description: 'One bucket per requested resolution, each its current calendar period so far',
        schema: insightsResponseSchema,
        headers: cacheHeaders,
      },
      ...errors,
    },
    handle: async ({ params, query, deps }) => {
      const body = await deps.services.insights.statistics(
        kind,
        params.external_user_id,
        deviceIdOf(kind, params),
        query,
      );
      return {
        status: 200,
        body,
        headers: cacheControl(body.fetched_at, body.max_age_seconds, deps.now()),
      };
    },
  });
  const savings = defineRoute({
    operationId: ids.savings as OperationId,
    params,
    query: savingsQuerySchema,
    responses: {
      200: {
        description: 'One bucket per calendar period of `resolution`, clipped to the range',
        schema: insightsResponseSchema,
        headers: cacheHeaders,
      },
      ...errors,
    },
    handle: async ({ params, query, deps }) => {
      const body = await deps.services.insights.savings(
        kind,
        params.external_user_id,
        deviceIdOf(kind, params),
        query,
      );
      return {
        status: 200,
        body,
        headers: cacheControl(body.fetched_at, body.max_age_seconds, deps.now()),
      };
    },
  });
  return [...(kind.api.statistics ? [statistics] : []), ...(kind.api.savings ? [savings] : [])];
}

export const getOrganisationSavings = defineRoute({
  operationId: 'getOrganisationSavings',
  query: organisationSavingsQuerySchema,
  responses: {
    200: {
      description: "The organisation's savings in the range, by device type",
      schema: organisationSavingsResponseSchema,
      headers: cacheHeaders,
    },
    400: errorResponse('Invalid query (details name the field)'),
    401: errorResponse('No valid token'),
    403: errorResponse('Admin only'),
    502: errorResponse('Podero failed or timed out'),
    503: {
      ...errorResponse('Podero is rate-limiting; retry after Retry-After seconds'),
      headers: { 'retry-after': 'seconds' },
    },
  },
  handle: async ({ query, deps }) => {
    const body = await deps.services.insights.organisationSavings(query);
    return {
      status: 200,
      body,
      headers: cacheControl(body.fetched_at, body.max_age_seconds, deps.now()),
    };
  },
});
