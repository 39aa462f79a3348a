/**
 * Heat-pump routes: cached or live reads, settings updates and stored readings. Adapters: the schemas
 * validate, ../../devices/service.ts does the work, lambdas/api/errors.ts maps what it refuses.
 */

import * as z from 'zod';
import {
  heatPumpListResponseSchema,
  heatPumpReadQuerySchema,
  heatPumpResponseSchema,
  type ReadingBucketsResponse,
  type ReadingsResponse,
  readingBucketsResponseSchema,
  readingsQuerySchema,
  readingsResponseSchema,
  updateHeatPumpSettingsSchema,
} from '../../../devices/schemas';
import { toCsv, wantsCsv } from '../csv';
import type { RouteResult } from '../http';
import { userPathSchema } from '../schemas';
import { heatPumpErrors, heatPumpPathSchema } from './heat-pump-shared';
import { defineRoute, errorResponse } from './types';

export const listHeatPumps = defineRoute({
  operationId: 'listHeatPumps',
  params: userPathSchema,
  query: heatPumpReadQuerySchema,
  responses: {
    200: { description: "The user's heat pumps", schema: heatPumpListResponseSchema },
    ...heatPumpErrors,
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
  responses: { 200: { description: 'The heat pump', schema: heatPumpResponseSchema }, ...heatPumpErrors },
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
    ...heatPumpErrors,
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
    204: {
      description:
        'Offboarded (also when it already was); its readings are erased within minutes (`GET /users/{external_user_id}/erasure`)',
    },
    ...heatPumpErrors,
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
    200: {
      description:
        'One page of readings in time order, or with `bucket` their aggregates; `Accept: text/csv` answers the same as CSV (a page carries its `next_cursor` in the `x-next-cursor` header)',
      schema: z.union([readingsResponseSchema, readingBucketsResponseSchema]),
      csv: true,
    },
    ...heatPumpErrors,
  },
  handle: async ({ params, query, deps, headers }) => {
    const csv = wantsCsv(headers.accept);
    const { external_user_id: user, heat_pump_id: device } = params;
    if (query.bucket) {
      const body = await deps.services.heatPumps.readingBuckets(user, device, {
        ...query,
        bucket: query.bucket,
      });
      return csv ? csvAnswer(bucketsCsv(body), `${device}-${query.bucket}.csv`) : { status: 200, body };
    }
    const body = await deps.services.heatPumps.readings(user, device, query);
    if (!csv) return { status: 200, body };
    return csvAnswer(readingsCsv(body), `${device}-readings.csv`, body.next_cursor);
  },
});

function csvAnswer(text: string, filename: string, nextCursor?: string | null): RouteResult {
  return {
    status: 200,
    text,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      ...(nextCursor ? { 'x-next-cursor': nextCursor } : {}),
    },
  };
}

/** One row per reading: its times, then every value any reading of the page has, in name order. */
function readingsCsv(page: ReadingsResponse): string {
  const fields = [...new Set(page.items.flatMap((r) => Object.keys(r.values)))].sort();
  return toCsv(
    ['state_at', 'recorded_at', ...fields],
    page.items.map((r) => [r.state_at, r.recorded_at, ...fields.map((f) => r.values[f])]),
  );
}

/** One row per bucket: its span and count, then avg, min and max of every value. */
function bucketsCsv(buckets: ReadingBucketsResponse): string {
  const fields = [...new Set(buckets.items.flatMap((b) => Object.keys(b.values)))].sort();
  return toCsv(
    ['start', 'end', 'count', ...fields.flatMap((f) => [`${f}_avg`, `${f}_min`, `${f}_max`])],
    buckets.items.map((b) => [
      b.start,
      b.end,
      b.count,
      ...fields.flatMap((f) => [b.values[f]?.avg, b.values[f]?.min, b.values[f]?.max]),
    ]),
  );
}
