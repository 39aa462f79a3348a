/**
 * What the electric-vehicle, wallbox and solar-inverter resources share, built once per kind from its path
 * and schemas: list, get, register, update, the documented soft delete, re-authentication, and the path of
 * one device for the kind's own calls. (Heat pumps predate it and keep their own code in client.ts.)
 */
import * as z from 'zod';
import {
  type AuthSessionRequest,
  type AuthSessionResponse,
  authSessionRequestSchema,
  authSessionResponseSchema,
  type SchedulesQuery,
  type SchedulesResponse,
  schedulesQuerySchema,
  schedulesResponseSchema,
} from './device-schemas';
import type { GetOptions, RequestContext } from './request-context';
import type { HttpMethod } from './retry';
import {
  type SavingsQuery,
  type SavingsResponse,
  savingsQuerySchema,
  savingsResponseSchema,
} from './schemas';

export interface DeviceKindResource<Device, CreateBody, UpdateBody> {
  list(userId: string): Promise<Device[]>;
  get(userId: string, deviceId: string, options?: GetOptions): Promise<Device>;
  /** Registers a device; with no body, an empty one that the owner then connects. */
  create(userId: string, body?: CreateBody): Promise<Device>;
  /** A partial update: only the fields sent change. */
  update(userId: string, deviceId: string, body: UpdateBody): Promise<Device>;
  /** The documented removal: `PUT {"deleted_at": at}` (default now). Returns the device as Podero answers. */
  softDelete(userId: string, deviceId: string, at?: Date): Promise<Device>;
  /**
   * A re-authentication session (§3.10): send the owner to `authentication_url` (a secret: it signs in
   * whoever holds it) to reconnect the manufacturer account.
   */
  authSession(userId: string, deviceId: string, body?: AuthSessionRequest): Promise<AuthSessionResponse>;
}

export interface DeviceKindSpec<Device, CreateBody, UpdateBody> {
  /** The path segment, e.g. `electric-vehicles`. */
  collection: string;
  /** The id's name in Podero's path template, e.g. `electric_vehicle_id`. */
  idName: string;
  /** The argument's name in errors, e.g. `electricVehicleId`. */
  idField: string;
  /** The resource's name in operation names, e.g. `electricVehicles`. */
  operationPrefix: string;
  deviceSchema: z.ZodType<Device>;
  /** Built once by the caller at module scope, like every schema (test/performance/schemas-built-once). */
  listSchema: z.ZodType<Device[]>;
  createSchema: z.ZodType<CreateBody>;
  updateSchema: z.ZodType<UpdateBody>;
}

export interface DeviceKindPaths {
  /** `/org/{org_id}/users/{user_id}/<collection>`, the template errors name. */
  readonly collectionTemplate: string;
  /** `.../<collection>/{<id>}`. */
  readonly deviceTemplate: string;
  /** The encoded path of one device, both ids validated against `template` (which errors name). */
  device(method: HttpMethod, template: string, userId: string, deviceId: string): string;
  /** The encoded path of the user's collection. */
  collection(method: HttpMethod, template: string, userId: string): string;
}

export function deviceKindPaths(
  ctx: RequestContext,
  collection: string,
  idName: string,
  idField: string,
): DeviceKindPaths {
  const collectionTemplate = `/org/{org_id}/users/{user_id}/${collection}`;
  const paths: DeviceKindPaths = {
    collectionTemplate,
    deviceTemplate: `${collectionTemplate}/{${idName}}`,
    collection: (method, template, userId) =>
      `${ctx.org}/users/${ctx.id(method, template, 'userId', userId)}/${collection}`,
    device: (method, template, userId, deviceId) =>
      `${paths.collection(method, template, userId)}/${ctx.id(method, template, idField, deviceId)}`,
  };
  return paths;
}

const softDeleteAtSchema = z.date().optional();

export function createDeviceKindResource<Device, CreateBody, UpdateBody>(
  ctx: RequestContext,
  spec: DeviceKindSpec<Device, CreateBody, UpdateBody>,
): { resource: DeviceKindResource<Device, CreateBody, UpdateBody>; paths: DeviceKindPaths } {
  const { call, check } = ctx;
  const paths = deviceKindPaths(ctx, spec.collection, spec.idName, spec.idField);
  const { collectionTemplate, deviceTemplate } = paths;
  const op = (name: string) => `${spec.operationPrefix}.${name}`;

  const resource: DeviceKindResource<Device, CreateBody, UpdateBody> = {
    async list(userId) {
      return call(
        op('list'),
        'GET',
        paths.collection('GET', collectionTemplate, userId),
        {},
        spec.listSchema,
      );
    },
    async get(userId, deviceId, options = {}) {
      const path = paths.device('GET', deviceTemplate, userId, deviceId);
      const query = options.includeDeleted === undefined ? {} : { include_deleted: options.includeDeleted };
      return call(op('get'), 'GET', path, { query }, spec.deviceSchema);
    },
    async create(userId, body) {
      const path = paths.collection('POST', collectionTemplate, userId);
      const valid =
        body === undefined ? undefined : check('POST', collectionTemplate, 'body', spec.createSchema, body);
      return call(op('create'), 'POST', path, { body: valid }, spec.deviceSchema);
    },
    async update(userId, deviceId, body) {
      const path = paths.device('PUT', deviceTemplate, userId, deviceId);
      const valid = check('PUT', deviceTemplate, 'body', spec.updateSchema, body);
      return call(op('update'), 'PUT', path, { body: valid }, spec.deviceSchema);
    },
    async softDelete(userId, deviceId, at) {
      const path = paths.device('PUT', deviceTemplate, userId, deviceId);
      const when = check('PUT', deviceTemplate, 'at', softDeleteAtSchema, at) ?? new Date();
      return call(
        op('softDelete'),
        'PUT',
        path,
        { body: { deleted_at: when.toISOString() } },
        spec.deviceSchema,
      );
    },
    async authSession(userId, deviceId, body = {}) {
      const template = `${deviceTemplate}/auth_session`;
      const path = `${paths.device('POST', template, userId, deviceId)}/auth_session`;
      const valid = check('POST', template, 'body', authSessionRequestSchema, body);
      // An error body is left out of the error: this endpoint's answers carry a sign-in link.
      return call(
        op('authSession'),
        'POST',
        path,
        { body: valid, hideBody: true },
        authSessionResponseSchema,
      );
    },
  };
  return { resource, paths };
}

/** `GET .../savings` of any kind (H7, E12, Appendix B's inverter savings): `from`, `to`, `resolution`. */
export async function getSavings(
  ctx: RequestContext,
  operation: string,
  template: string,
  path: string,
  query: SavingsQuery,
): Promise<SavingsResponse> {
  const q = ctx.check('GET', template, 'query', savingsQuerySchema, query);
  return ctx.call(
    operation,
    'GET',
    path,
    { query: { from: q.from, to: q.to, resolution: q.resolution } },
    savingsResponseSchema,
  );
}

/** `GET .../schedules` of a heat pump or an inverter (H9, I7; beta, unpublished parameters and shape). */
export async function getSchedules(
  ctx: RequestContext,
  operation: string,
  template: string,
  path: string,
  query: SchedulesQuery,
): Promise<SchedulesResponse> {
  const q = ctx.check('GET', template, 'query', schedulesQuerySchema, query);
  return ctx.call(operation, 'GET', path, { query: q }, schedulesResponseSchema);
}
