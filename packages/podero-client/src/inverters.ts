/**
 * `client.inverters` (§3.9, I1–I7, and Appendix B's savings): solar inverters with the home batteries
 * behind them (a battery has no endpoint of its own: it is the inverter's `battery_*` fields).
 */
import * as z from 'zod';
import { createDeviceKindResource, type DeviceKindResource, getSavings, getSchedules } from './device-kinds';
import type { SchedulesQuery, SchedulesResponse } from './device-schemas';
import {
  type CreateInverterRequest,
  createInverterRequestSchema,
  type InverterDataQuery,
  type InverterDataResponse,
  inverterDataQuerySchema,
  inverterDataResponseSchema,
  type PoderoInverter,
  poderoInverterSchema,
  type UpdateInverterRequest,
  updateInverterRequestSchema,
} from './inverter-schemas';
import type { RequestContext } from './request-context';
import type { SavingsQuery, SavingsResponse } from './schemas';

const inverterListSchema = z.array(poderoInverterSchema);

export interface InvertersResource
  extends DeviceKindResource<PoderoInverter, CreateInverterRequest, UpdateInverterRequest> {
  /** I6 (beta): production, consumption, grid and battery over time; `fillMissing` as the header. */
  data(userId: string, inverterId: string, query?: InverterDataQuery): Promise<InverterDataResponse>;
  /** Appendix B: bucketed savings, as for heat pumps (H7). */
  savings(userId: string, inverterId: string, query: SavingsQuery): Promise<SavingsResponse>;
  /** I7 (beta): parameters and shape unpublished; pass parameters by name, the answer comes back as is. */
  schedules(userId: string, inverterId: string, query?: SchedulesQuery): Promise<SchedulesResponse>;
}

export function createInvertersResource(ctx: RequestContext): InvertersResource {
  const { call, check } = ctx;
  const { resource, paths } = createDeviceKindResource(ctx, {
    collection: 'inverters',
    idName: 'inverter_id',
    idField: 'inverterId',
    operationPrefix: 'inverters',
    deviceSchema: poderoInverterSchema,
    listSchema: inverterListSchema,
    createSchema: createInverterRequestSchema,
    updateSchema: updateInverterRequestSchema,
  });
  const sub = (suffix: string, userId: string, inverterId: string) => {
    const template = `${paths.deviceTemplate}/${suffix}`;
    return { template, path: `${paths.device('GET', template, userId, inverterId)}/${suffix}` };
  };

  return {
    ...resource,
    async data(userId, inverterId, query = {}) {
      const { template, path } = sub('data', userId, inverterId);
      const q = check('GET', template, 'query', inverterDataQuerySchema, query);
      return call(
        'inverters.data',
        'GET',
        path,
        {
          query: {
            from_datetime: q.from_datetime,
            to_datetime: q.to_datetime,
            resolution: q.resolution,
            keywords: q.keywords,
          },
          ...(q.fillMissing === undefined ? {} : { headers: { 'fill-missing': String(q.fillMissing) } }),
        },
        inverterDataResponseSchema,
      );
    },
    async savings(userId, inverterId, query) {
      const { template, path } = sub('savings', userId, inverterId);
      return getSavings(ctx, 'inverters.savings', template, path, query);
    },
    async schedules(userId, inverterId, query = {}) {
      const { template, path } = sub('schedules', userId, inverterId);
      return getSchedules(ctx, 'inverters.schedules', template, path, query);
    },
  };
}
