/**
 * A device kind's routes, generated from the kind (domain/devices/kinds.ts): cached or live reads, its
 * controls, offboarding and stored readings, plus re-authentication and savings/statistics where the kind
 * declares them. Adapters: the kind's schemas validate, ../../../devices/service.ts does the work,
 * lambdas/api/errors.ts maps what it refuses. Method, path and access come from `routeDeclarations`
 * (declarations.ts builds the kind's from the same names).
 */
import * as z from 'zod';
import type { OperationId } from '../../../declarations';
import {
  changeAnswerSchema,
  changeListSchema,
  changePathSchema,
  changeSchema,
  changesQuerySchema,
} from '../../../devices/change-schemas';
import {
  coverageQuerySchema,
  coverageResponseSchema,
  deviceReadQuerySchema,
  type ReadingBucketsResponse,
  type ReadingsResponse,
  readingBucketsResponseSchema,
  readingsQuerySchema,
  readingsResponseSchema,
} from '../../../devices/schemas';
import { type DeviceOperationId, deviceOperationIds } from '../../../domain/devices/kind-api';
import type { DeviceKind } from '../../../domain/devices/kinds';
import { toCsv, wantsCsv } from '../csv';
import type { RouteResult } from '../http';
import { userPathSchema } from '../schemas';
import { deviceErrors, deviceIdOf, devicePathSchema } from './device-shared';
import { deviceInsightsRoutes } from './insights';
import { deviceReauthenticationRoute } from './reauthentication';
import { defineRoute, errorResponse, type RouteDefinition } from './types';

const readingsAnswerSchema = z.union([readingsResponseSchema, readingBucketsResponseSchema]);

/** Every route of `kind`, by operation id. */
export function deviceRoutes<K extends DeviceKind>(
  kind: K,
): Record<DeviceOperationId<K['api']>, RouteDefinition> {
  const ids = deviceOperationIds(kind.api);
  const errors = deviceErrors(kind);
  const pathSchema = devicePathSchema(kind);
  const idOf = (params: Record<string, unknown>) => deviceIdOf(kind, params);
  const routes: Record<string, RouteDefinition> = {};
  const add = (route: RouteDefinition) => {
    routes[route.operationId] = route;
  };

  add(
    defineRoute({
      operationId: ids.list as OperationId,
      params: userPathSchema,
      query: deviceReadQuerySchema,
      responses: {
        200: { description: `The user's ${kind.api.nounPlural}`, schema: kind.listResponseSchema },
        ...errors,
      },
      handle: async ({ params, query, deps }) => ({
        status: 200,
        body: await deps.services.devices.of(kind).list(params.external_user_id, query),
      }),
    }),
  );

  add(
    defineRoute({
      operationId: ids.get as OperationId,
      params: pathSchema,
      query: deviceReadQuerySchema,
      responses: { 200: { description: `The ${kind.api.noun}`, schema: kind.responseSchema }, ...errors },
      handle: async ({ params, query, deps }) => ({
        status: 200,
        body: await deps.services.devices.of(kind).get(params.external_user_id, idOf(params), query),
      }),
    }),
  );

  // A control's answer: the device as Podero answered the write, and the change it recorded.
  // Extended, not intersected: an allOf of two closed objects would refuse every answer (each side's
  // `additionalProperties: false` forbids the other's fields).
  const controlAnswerSchema = kind.responseSchema
    .extend({ change: changeSchema })
    .meta({ id: `${kind.api.singular}ControlAnswer` });
  for (const route of kind.api.controls) {
    const control = kind.controls[route.name];
    if (control === undefined) throw new Error(`${kind.name} declares no control ${route.name}`);
    add(
      defineRoute({
        operationId: route.operationId as OperationId,
        params: pathSchema,
        body: control.body,
        responses: {
          200: {
            description: `${route.answer}, with the change it recorded (\`pending\` until the ${kind.api.noun} is seen applying it)`,
            schema: controlAnswerSchema,
          },
          ...errors,
          413: errorResponse('Body larger than 64 KB'),
          415: errorResponse('Body is not JSON'),
        },
        handle: async ({ params, body, deps, logger, caller }) => {
          const deviceId = idOf(params);
          const result = await deps.services.devices
            .of(kind)
            .control(params.external_user_id, deviceId, route.name, body, caller?.sub ?? 'unknown');
          logger.info(route.logMessage, {
            [kind.api.idParam]: deviceId,
            fields: Object.keys(body as object),
            change_id: result.change.id,
          });
          return { status: 200, body: result };
        },
      }),
    );
  }

  add(
    defineRoute({
      operationId: ids.delete as OperationId,
      params: pathSchema,
      responses: {
        204: {
          description:
            'Offboarded (also when it already was); its readings are erased within minutes (`GET /users/{external_user_id}/erasure`)',
        },
        ...errors,
      },
      handle: async ({ params, deps }) => {
        await deps.services.devices.of(kind).offboard(params.external_user_id, idOf(params));
        return { status: 204 };
      },
    }),
  );

  if (kind.api.reauthentication) add(deviceReauthenticationRoute(kind));

  add(
    defineRoute({
      operationId: ids.readings as OperationId,
      params: pathSchema,
      query: readingsQuerySchema,
      responses: {
        200: {
          description:
            'One page of readings in time order, or with `bucket` their aggregates; `Accept: text/csv` answers the same as CSV (a page carries its `next_cursor` in the `x-next-cursor` header)',
          schema: readingsAnswerSchema,
          csv: true,
        },
        ...errors,
      },
      handle: async ({ params, query, deps, headers }) => {
        const csv = wantsCsv(headers.accept);
        const user = params.external_user_id;
        const device = idOf(params);
        const service = deps.services.devices.of(kind);
        if (query.bucket) {
          const body = await service.readingBuckets(user, device, { ...query, bucket: query.bucket });
          return csv ? csvAnswer(bucketsCsv(body), `${device}-${query.bucket}.csv`) : { status: 200, body };
        }
        const body = await service.readings(user, device, query);
        if (!csv) return { status: 200, body };
        return csvAnswer(readingsCsv(body), `${device}-readings.csv`, body.next_cursor);
      },
    }),
  );

  add(
    defineRoute({
      operationId: ids.changes as OperationId,
      params: pathSchema,
      query: changesQuerySchema,
      responses: {
        200: {
          description: `One page of the ${kind.api.noun}'s changes, newest first`,
          schema: changeListSchema,
        },
        ...errors,
      },
      handle: async ({ params, query, deps }) => ({
        status: 200,
        body: await deps.services.devices.of(kind).listChanges(params.external_user_id, idOf(params), query),
      }),
    }),
  );

  add(
    defineRoute({
      operationId: ids.change as OperationId,
      params: pathSchema.extend(changePathSchema.shape),
      responses: {
        200: { description: 'The change', schema: changeAnswerSchema },
        ...errors,
        404: errorResponse(
          `Unknown user, ${kind.api.aNoun} that is not this user’s, or no such change of it`,
        ),
      },
      handle: async ({ params, deps }) => ({
        status: 200,
        body: await deps.services.devices
          .of(kind)
          .getChange(params.external_user_id, idOf(params), params.change_id),
      }),
    }),
  );

  add(
    defineRoute({
      operationId: ids.coverage as OperationId,
      params: pathSchema,
      query: coverageQuerySchema,
      responses: {
        200: {
          description: `Per UTC day, the quarter-hours with a reading against those expected, the gaps, what the backfill filled, and what it could not fill and why${kind.history.available ? '' : ` (${kind.history.reason})`}`,
          schema: coverageResponseSchema,
        },
        ...errors,
      },
      handle: async ({ params, query, deps }) => ({
        status: 200,
        body: await deps.services.devices.of(kind).coverage(params.external_user_id, idOf(params), query),
      }),
    }),
  );

  for (const route of deviceInsightsRoutes(kind)) add(route);
  return routes as Record<DeviceOperationId<K['api']>, RouteDefinition>;
}

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
    ['state_at', 'recorded_at', 'source', ...fields],
    page.items.map((r) => [r.state_at, r.recorded_at, r.source, ...fields.map((f) => r.values[f])]),
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
