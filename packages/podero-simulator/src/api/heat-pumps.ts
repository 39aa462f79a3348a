/** H1..H8: a user's heat pumps, their settings, and statistics/savings/data from the living model. */
import { type Handler, iso, jsonBody, queryObject, type SimCore } from '../core';
import { applyDataHistory } from '../data-history';
import {
  emptyDeviceModel,
  newHeatPumpRecord,
  now,
  requireBuilding,
  requireHeatPump,
  requireUser,
} from '../domain';
import { parseOr422, SimHttpError, validationError } from '../errors';
import { profileFor } from '../model/living';
import {
  bucketsBetween,
  dataSeries,
  nextPeriodStart,
  periodStart,
  type SeriesContext,
  statisticsEntry,
} from '../model/series';
import type { HeatPumpRecord } from '../store';
import { heatPumpView } from '../views';
import {
  type CreateHeatPumpBody,
  createHeatPumpBodySchema,
  dataQuerySchema,
  fillMissingHeaderSchema,
  includeDeletedQuerySchema,
  parseDateTime,
  savingsQuerySchema,
  statisticsQuerySchema,
  type UpdateHeatPumpBody,
  updateHeatPumpBodySchema,
} from '../wire';
import { withoutUndefined } from './users';

/** Upper bound on buckets per series request (a year of 15-minute values). */
const MAX_BUCKETS = 35_136;
/** On connection the manufacturer cloud hands over this much history (INFERRED, for useful demos). */
export const IMPORTED_HISTORY_MS = 30 * 86_400_000;

export const listHeatPumps: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const heatPumps = core.store.heatPumpsOf(user.id).filter((heatPump) => heatPump.deleted_at === null);
  return { status: 200, json: heatPumps.map((heatPump) => heatPumpView(core, heatPump)) };
};

export const createHeatPump: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const body = parseOr422(createHeatPumpBodySchema, jsonBody(request) ?? {}, ['body']);
  if (body.building_id) requireBuilding(core, user, body.building_id);
  const heatPump = newHeatPumpRecord(core, {
    orgId: request.orgId,
    ownerId: user.id,
    buildingId: body.building_id ?? null,
    priceZone: body.price_zone ?? 'AT',
    deviceModel: emptyDeviceModel(),
    authenticated: false,
    smartOptimizationActive: body.is_smart_optimization_active ?? false,
  });
  applySettings(heatPump, body);
  core.store.addHeatPump(heatPump);
  core.changed();
  return { status: 200, json: heatPumpView(core, heatPump) };
};

export const getHeatPump: Handler = (core, request) => {
  const { include_deleted } = parseOr422(includeDeletedQuerySchema, queryObject(request), ['query']);
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const heatPump = requireHeatPump(core, user, request.params.heat_pump_id ?? '', include_deleted);
  return { status: 200, json: heatPumpView(core, heatPump) };
};

export const updateHeatPump: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const heatPump = requireHeatPump(core, user, request.params.heat_pump_id ?? '');
  const body = parseOr422(updateHeatPumpBodySchema, jsonBody(request) ?? {}, ['body']);
  if (body.building_id) requireBuilding(core, user, body.building_id);
  core.writeFaults.write(heatPump.id, core.clock.nowMs(), () => {
    applySettings(heatPump, body);
    heatPump.updated_at = now(core);
  });
  core.changed();
  return { status: 200, json: heatPumpView(core, heatPump) };
};

export const deleteHeatPump: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const heatPump = requireHeatPump(core, user, request.params.heat_pump_id ?? '');
  heatPump.deleted_at = now(core);
  heatPump.updated_at = heatPump.deleted_at;
  core.changed();
  return { status: 204, empty: true };
};

export const heatPumpStatistics: Handler = (core, request) => {
  const query = parseOr422(statisticsQuerySchema, queryObject(request), ['query']);
  const context = seriesContext(core, request.orgId, request.params);
  // Statistics take no range: each requested resolution reports its current calendar period so far.
  const data = query.resolution.map((resolution) => {
    const start = periodStart(resolution, context.nowMs);
    return statisticsEntry(context, resolution, start, nextPeriodStart(resolution, start), query.keywords);
  });
  return {
    status: 200,
    json: {
      metadata: {
        requested_at: iso(context.nowMs),
        query: { resolution: query.resolution, keywords: query.keywords },
        units: { savings: 'EUR', consumption: 'kWh', estimated_consumption_wh: 'Wh' },
        error: '',
      },
      data,
    },
  };
};

export const heatPumpSavings: Handler = (core, request) => {
  const query = parseOr422(savingsQuerySchema, queryObject(request), ['query']);
  const fromMs = parseDateTime(query.from);
  const toMs = parseDateTime(query.to);
  if (toMs <= fromMs) {
    throw validationError([{ type: 'value_error', loc: ['query', 'to'], msg: '`to` must be after `from`' }]);
  }
  const context = seriesContext(core, request.orgId, request.params);
  const buckets = requireBuckets(bucketsBetween(query.resolution, fromMs, toMs, MAX_BUCKETS));
  const data = buckets.map((bucket) =>
    statisticsEntry(context, query.resolution, Math.max(bucket.start, fromMs), Math.min(bucket.end, toMs), [
      'savings',
      'consumption',
    ]),
  );
  return {
    status: 200,
    json: {
      metadata: {
        requested_at: iso(context.nowMs),
        query: { from: query.from, to: query.to, resolution: query.resolution },
        units: { savings: 'EUR', consumption: 'kWh', estimated_consumption_wh: 'Wh' },
        error: '',
      },
      data,
    },
  };
};

/** A heat pump's savings between two instants, EUR (S1's share of it: H6's figure for the window). */
export function heatPumpSavingsBetween(
  core: SimCore,
  orgId: string,
  heatPump: HeatPumpRecord,
  fromMs: number,
  toMs: number,
): number {
  const context = seriesContext(core, orgId, { user_id: heatPump.owner_id, heat_pump_id: heatPump.id });
  return statisticsEntry(context, '1DAY', fromMs, toMs, ['savings']).savings?.total ?? 0;
}

export const heatPumpData: Handler = (core, request) => {
  const query = parseOr422(dataQuerySchema, queryObject(request), ['query']);
  const fillMissing = parseOr422(fillMissingHeaderSchema, headerValue(request.headers['fill-missing']), [
    'header',
    'fill-missing',
  ]);
  const context = seriesContext(core, request.orgId, request.params);
  const toMs = query.to_datetime === undefined ? context.nowMs : parseDateTime(query.to_datetime);
  const fromMs = query.from_datetime === undefined ? toMs - 86_400_000 : parseDateTime(query.from_datetime);
  if (toMs <= fromMs) {
    throw validationError([
      {
        type: 'value_error',
        loc: ['query', 'to_datetime'],
        msg: '`to_datetime` must be after `from_datetime`',
      },
    ]);
  }
  const buckets = requireBuckets(bucketsBetween(query.resolution, fromMs, toMs, MAX_BUCKETS));
  const series = dataSeries(context, buckets, query.keywords, fillMissing);
  // Podero's retention and the device's outages (data-history.ts) take quarter-hours out of the model's series.
  const { points, hasData } = applyDataHistory(core, context.id, buckets, series.points, fillMissing);
  if (!hasData && !fillMissing) {
    throw new SimHttpError(400, { detail: 'No data available for the requested period.' });
  }
  return {
    status: 200,
    json: {
      metadata: {
        resolution: query.resolution,
        units: { consumption: 'W (average over the interval)', price: 'EUR/MWh', temperature: '°C' },
      },
      data: points,
    },
  };
};

function seriesContext(core: SimCore, orgId: string, params: Record<string, string>): SeriesContext {
  const user = requireUser(core, orgId, params.user_id ?? '');
  const heatPump = requireHeatPump(core, user, params.heat_pump_id ?? '');
  return {
    seed: core.seed,
    id: heatPump.id,
    profile: profileFor(core.seed, heatPump.id),
    settings: heatPump,
    priceZone: heatPump.price_zone,
    availableFromMs:
      heatPump.is_authenticated && heatPump.connected_at !== null
        ? Date.parse(heatPump.connected_at) - IMPORTED_HISTORY_MS
        : null,
    nowMs: core.clock.nowMs(),
  };
}

function requireBuckets<T>(buckets: T[] | null): T[] {
  if (buckets === null) {
    throw validationError([
      {
        type: 'value_error',
        loc: ['query'],
        msg: `The range is too long for this resolution (max ${MAX_BUCKETS} values).`,
      },
    ]);
  }
  return buckets;
}

function headerValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

/** Copies validated writable fields onto the record (`building_id` -> `building`, nested device model). */
function applySettings(heatPump: HeatPumpRecord, body: CreateHeatPumpBody | UpdateHeatPumpBody): void {
  const { device_model, building_id, ...flat } = body;
  Object.assign(heatPump, withoutUndefined(flat));
  if (building_id !== undefined) heatPump.building = building_id;
  if (device_model !== undefined) {
    const model = heatPump.device_model;
    if (device_model.device_type !== undefined) model.device_type = device_model.device_type;
    if (device_model.manufacturer !== undefined) model.manufacturer = device_model.manufacturer;
    if (device_model.model !== undefined) model.model = device_model.model;
    if (device_model.year !== undefined) model.year = device_model.year;
    if (device_model.cloud_service_id !== undefined) model.cloud_service = device_model.cloud_service_id;
  }
}
