/** I1..I7 and Appendix B's savings: a user's solar inverters with their home batteries. */
import { type Handler, iso, jsonBody, queryObject, type SimCore } from '../core';
import { bucketWithoutData } from '../data-history';
import {
  inverterModel,
  isHemsSteered,
  kindDeviceModel,
  newInverterRecord,
  requireInverter,
} from '../device-kinds';
import { requireUser } from '../domain';
import { parseOr422, SimHttpError, validationError } from '../errors';
import { bucketsBetween, round } from '../model/series';
import { QUARTER_MS } from '../model/solar';
import type { InverterRecord } from '../store';
import { inverterView } from '../views-devices';
import { fillMissingHeaderSchema, includeDeletedQuerySchema, parseDateTime } from '../wire';
import {
  createInverterBodySchema,
  INVERTER_DATA_KEYWORDS,
  type InverterDataKeyword,
  inverterDataQuerySchema,
  schedulesQuerySchema,
  updateInverterBodySchema,
} from '../wire-devices';
import { applyDeviceBody, savingsResponse } from './devices';

const MAX_BUCKETS = 35_136;
const HOUR_MS = 3_600_000;
/** As for heat pumps: a connected inverter brings 30 days of history from its cloud. */
const IMPORTED_HISTORY_MS = 30 * 24 * HOUR_MS;
const MAX_SCHEDULE_MS = 7 * 24 * HOUR_MS;

function inverterOf(core: SimCore, request: Parameters<Handler>[1], includeDeleted = false) {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  return { user, inverter: requireInverter(core, user, request.params.inverter_id ?? '', includeDeleted) };
}

export const listInverters: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const inverters = core.store.invertersOf(user.id).filter((inverter) => inverter.deleted_at === null);
  return { status: 200, json: inverters.map((inverter) => inverterView(core, inverter)) };
};

/** The battery fields must agree: capacity when a battery is connected, min ≤ max. 422 naming the field. */
function checkBattery(inverter: InverterRecord): void {
  if (inverter.is_battery_connected && inverter.battery_capacity_kwh === null) {
    throw validationError([
      {
        type: 'value_error',
        loc: ['body', 'battery_capacity_kwh'],
        msg: 'battery_capacity_kwh is required when a battery is connected',
      },
    ]);
  }
  if (inverter.min_battery_charge > inverter.max_battery_charge) {
    throw validationError([
      {
        type: 'value_error',
        loc: ['body', 'min_battery_charge'],
        msg: 'min_battery_charge must not exceed max_battery_charge',
      },
    ]);
  }
}

export const createInverter: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const body = parseOr422(createInverterBodySchema, jsonBody(request) ?? {}, ['body']);
  const inverter = newInverterRecord(
    core,
    {
      orgId: request.orgId,
      ownerId: user.id,
      buildingId: null,
      priceZone: body.price_zone ?? 'AT',
      deviceModel: kindDeviceModel('inverter', null),
      authenticated: false,
      smartOptimizationActive: body.is_smart_optimization_active ?? false,
    },
    false,
  );
  applyDeviceBody(core, user, inverter, body);
  checkBattery(inverter);
  core.store.inverters.set(inverter.id, inverter);
  core.changed();
  return { status: 200, json: inverterView(core, inverter) };
};

export const getInverter: Handler = (core, request) => {
  const { include_deleted } = parseOr422(includeDeletedQuerySchema, queryObject(request), ['query']);
  return { status: 200, json: inverterView(core, inverterOf(core, request, include_deleted).inverter) };
};

/** I4: partial; the battery limits are checked against the stored values they combine with. */
export const updateInverter: Handler = (core, request) => {
  const { user, inverter } = inverterOf(core, request);
  const body = parseOr422(updateInverterBodySchema, jsonBody(request) ?? {}, ['body']);
  const candidate: InverterRecord = structuredClone(inverter);
  applyDeviceBody(core, user, candidate, body);
  checkBattery(candidate);
  core.writeFaults.write(inverter.id, core.clock.nowMs(), () => {
    // Applied on the inverter as it is then (a late write must not roll back what changed meanwhile).
    applyDeviceBody(core, user, inverter, body);
    inverter.updated_at = iso(core.clock.nowMs());
  });
  core.changed();
  return { status: 200, json: inverterView(core, inverter) };
};

function availableFromMs(inverter: InverterRecord): number | null {
  return inverter.is_authenticated && inverter.connected_at !== null
    ? Date.parse(inverter.connected_at) - IMPORTED_HISTORY_MS
    : null;
}

type InverterDataField = InverterDataKeyword | 'price' | 'estimated_consumption' | 'unoptimized_consumption';

/**
 * I6 (beta): like H8. Values per bucket are averages of the quarter hours in it (power in W, battery level in %,
 * price in EUR/MWh); `export_power_to_grid_w` is signed like `current_power_to_grid_w` (+ export, − import).
 */
export const inverterData: Handler = (core, request) => {
  const query = parseOr422(inverterDataQuerySchema, queryObject(request), ['query']);
  const header = request.headers['fill-missing'];
  const fillMissing = parseOr422(fillMissingHeaderSchema, Array.isArray(header) ? header[0] : header, [
    'header',
    'fill-missing',
  ]);
  const { inverter } = inverterOf(core, request);
  const nowMs = core.clock.nowMs();
  const toMs = query.to_datetime === undefined ? nowMs : parseDateTime(query.to_datetime);
  const fromMs = query.from_datetime === undefined ? toMs - 24 * HOUR_MS : parseDateTime(query.from_datetime);
  if (toMs <= fromMs) {
    throw validationError([
      {
        type: 'value_error',
        loc: ['query', 'to_datetime'],
        msg: '`to_datetime` must be after `from_datetime`',
      },
    ]);
  }
  const buckets = bucketsBetween(query.resolution, fromMs, toMs, MAX_BUCKETS);
  if (buckets === null) {
    throw validationError([
      {
        type: 'value_error',
        loc: ['query'],
        msg: `The range is too long for this resolution (max ${MAX_BUCKETS} values).`,
      },
    ]);
  }
  const fields: InverterDataField[] = query.keywords ?? [
    ...INVERTER_DATA_KEYWORDS,
    'price',
    'estimated_consumption',
    'unoptimized_consumption',
  ];
  const model = inverterModel(core, inverter);
  const available = availableFromMs(inverter);
  const points: Record<string, string | number | null>[] = [];
  let hasData = false;
  for (const bucket of buckets) {
    const sums = { production: 0, household: 0, battery: 0, level: 0, grid: 0, price: 0 };
    let quarters = 0;
    // Podero's retention and the device's outages (data-history.ts): no data in the bucket.
    if (available !== null && !bucketWithoutData(core, inverter.id, bucket.start, bucket.end)) {
      const start = Math.max(bucket.start, available);
      const end = Math.min(bucket.end, nowMs);
      for (let t = start - (start % QUARTER_MS); t + QUARTER_MS <= end; t += QUARTER_MS) {
        const sample = model.quarterSample(t);
        sums.production += sample.production;
        sums.household += sample.household;
        sums.battery += sample.battery ?? 0;
        sums.level += sample.level ?? 0;
        sums.grid += sample.grid;
        sums.price += sample.price;
        quarters += 1;
      }
    }
    const point: Record<string, string | number | null> = { time: iso(bucket.start) };
    if (quarters === 0) {
      if (!fillMissing) continue;
      for (const field of fields) point[field] = null;
      points.push(point);
      continue;
    }
    hasData = true;
    const battery = inverter.is_battery_connected && inverter.battery_capacity_kwh !== null;
    const values: Record<InverterDataField, number | null> = {
      solar_production_w: Math.round(sums.production / quarters),
      household_consumption_w: Math.round(sums.household / quarters),
      export_power_to_grid_w: Math.round(sums.grid / quarters),
      battery_charge_level_percent: battery ? round(sums.level / quarters, 1) : null,
      battery_charge_discharge_power_w: battery ? Math.round(sums.battery / quarters) : null,
      price: round(sums.price / quarters, 1),
      estimated_consumption: Math.round(sums.household / quarters),
      unoptimized_consumption: Math.round(sums.household / quarters),
    };
    for (const field of fields) point[field] = values[field];
    points.push(point);
  }
  if (!hasData && !fillMissing) {
    throw new SimHttpError(400, { detail: 'No data available for the requested period.' });
  }
  return {
    status: 200,
    json: {
      metadata: {
        resolution: query.resolution,
        units: { power: 'W (average over the interval)', battery: '%', price: 'EUR/MWh' },
      },
      data: points,
    },
  };
};

/**
 * I7 (beta, schema not published): a GUESS at a plausible shape, hourly battery plans for the range (default:
 * the next 24 h, at most 7 days): charge from the sun when a surplus is expected, discharge at the evening peak,
 * hold otherwise.
 */
export const inverterSchedules: Handler = (core, request) => {
  const query = parseOr422(schedulesQuerySchema, queryObject(request), ['query']);
  const { inverter } = inverterOf(core, request);
  const nowMs = core.clock.nowMs();
  const fromMs =
    query.from_datetime === undefined ? nowMs - (nowMs % HOUR_MS) : parseDateTime(query.from_datetime);
  const toMs = query.to_datetime === undefined ? fromMs + 24 * HOUR_MS : parseDateTime(query.to_datetime);
  if (toMs <= fromMs || toMs - fromMs > MAX_SCHEDULE_MS) {
    throw validationError([
      {
        type: 'value_error',
        loc: ['query', 'to_datetime'],
        msg: '`to_datetime` must be after `from_datetime`, within 7 days',
      },
    ]);
  }
  const model = inverterModel(core, inverter);
  const data: Record<string, string | number | null>[] = [];
  for (let t = fromMs - (fromMs % HOUR_MS); t < toMs; t += HOUR_MS) {
    const sample = model.quarterSample(t + 2 * QUARTER_MS);
    const hour = (t % (24 * HOUR_MS)) / HOUR_MS;
    const mode =
      sample.production > sample.household
        ? 'charge_from_solar'
        : hour >= 16 && hour < 21
          ? 'discharge'
          : 'hold';
    data.push({
      start_time: iso(t),
      end_time: iso(t + HOUR_MS),
      battery_mode: inverter.is_battery_connected ? mode : null,
      target_battery_level_percent: inverter.is_battery_connected
        ? mode === 'charge_from_solar'
          ? inverter.max_battery_charge
          : mode === 'discharge'
            ? inverter.min_battery_charge
            : null
        : null,
      expected_solar_production_w: Math.round(sample.production),
    });
  }
  return {
    status: 200,
    json: {
      metadata: { inverter_id: inverter.id, from_datetime: iso(fromMs), to_datetime: iso(toMs), error: null },
      data,
    },
  };
};

/**
 * One bucket of Appendix B's savings over [startMs, endMs) ∩ the data window, from quarter-hour samples:
 * `inverter` carries the production, the export and (INFERRED, not in the contract) the self-consumption
 * (production not exported: used in the home or stored in the battery), in Wh. The savings are the import the
 * PV and the battery avoided, valued at the hour's price, and only where Podero's HEMS steers the inverter (its
 * owner's charging configuration `hems` or `hems_and_spot`): under `none` or `spot` Podero did nothing for it,
 * so it saved 0.
 */
export function inverterSavingsEntry(
  core: SimCore,
  inverter: InverterRecord,
  startMs: number,
  endMs: number,
) {
  const model = inverterModel(core, inverter);
  const available = availableFromMs(inverter);
  let productionWh = 0;
  let exportWh = 0;
  let householdWh = 0;
  let savedEur = 0;
  let baselineEur = 0;
  if (available !== null) {
    const start = Math.max(startMs, available);
    const end = Math.min(endMs, core.clock.nowMs());
    for (let t = start - (start % QUARTER_MS); t + QUARTER_MS <= end; t += QUARTER_MS) {
      const sample = model.quarterSample(t);
      const importWh = Math.max(0, -sample.grid) / 4;
      productionWh += sample.production / 4;
      exportWh += Math.max(0, sample.grid) / 4;
      householdWh += sample.household / 4;
      savedEur += ((sample.household / 4 - importWh) * sample.price) / 1_000_000;
      baselineEur += ((sample.household / 4) * sample.price) / 1_000_000;
    }
  }
  if (!isHemsSteered(core, inverter)) savedEur = 0;
  return {
    savings: {
      total: round(savedEur, 2) + 0,
      percentage: baselineEur > 0 ? round((savedEur / baselineEur) * 100, 1) + 0 : 0,
    },
    consumption: { total: round(householdWh / 1000, 3) },
    heat_pump: null,
    electric_vehicle: null,
    inverter: {
      solar_production_wh: Math.round(productionWh),
      grid_export_wh: Math.round(exportWh),
      self_consumption_wh: Math.round(productionWh) - Math.round(exportWh),
    },
  };
}

/** Appendix B savings: H7's query and shape, one `inverterSavingsEntry` per bucket. */
export const inverterSavings: Handler = (core, request) => {
  const { inverter } = inverterOf(core, request);
  return savingsResponse(
    core,
    request,
    ({ startMs, endMs }) => inverterSavingsEntry(core, inverter, startMs, endMs),
    {
      savings: 'EUR',
      consumption: 'kWh',
      solar_production_wh: 'Wh',
      grid_export_wh: 'Wh',
      self_consumption_wh: 'Wh',
    },
  );
};
