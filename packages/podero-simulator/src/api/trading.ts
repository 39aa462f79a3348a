/**
 * Day-ahead trading (contract §3.13, Appendix E), one variant at a time (`core.modes.tradingVariant`; the
 * other variant's routes answer 404 as unknown paths). Strict: a delivery day's quarter-hours exactly, in
 * order, UTC with `Z`; the timing on the simulated clock (model/trading.ts). Choices the documentation
 * leaves open are [INFERRED] and listed in docs/adr/0014-day-ahead-trading-variants.md.
 */
import * as z from 'zod';
import { type Handler, iso, jsonBody, queryObject, type SimCore, type SimResponse } from '../core';
import { parseOr422, SimHttpError, type ValidationDetail, validationError } from '../errors';
import { profileFor } from '../model/living';
import {
  berlinDay,
  computeLoadCurves,
  isCalendarDay,
  MARKET_TIME_ZONE,
  marketQuarterHours,
  QUARTER_HOUR_MS,
  TRADING_PRICE_ZONES,
  type Trade,
  TradingBook,
  toHours,
  tradeTimes,
} from '../model/trading';
import { dateTimeSchema, PRICE_ZONES, parseDateTime } from '../wire';

const RESOLUTIONS = ['15MIN', '1HOUR'] as const;
const tradingZoneSchema = z.enum(TRADING_PRICE_ZONES);
const utcInstant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.0+)?)?Z$/, 'Input should be a UTC datetime ending in Z');

const referenceUploadSchema = z.strictObject({
  metadata: z.strictObject({
    price_zone: z.enum(TRADING_PRICE_ZONES),
    timezone_override: z.string().nullish(),
  }),
  data: z.array(z.strictObject({ timestamp: utcInstant, price: z.number() })),
});
const guideUploadSchema = z.strictObject({
  date: z.string().refine(isCalendarDay, 'Input should be a valid date'),
  // [INFERRED] the guide's body names no zone; the simulator takes one (default AT, the seeded fleet's).
  price_zone: z.enum(PRICE_ZONES).optional(),
  prices: z.array(z.strictObject({ timestamp: utcInstant, price_eur_mwh: z.number() })),
});
const referencePricesQuerySchema = z.strictObject({
  from_dt: dateTimeSchema,
  to_dt: dateTimeSchema,
  price_zone: z.enum(TRADING_PRICE_ZONES),
});
const resolutionQuerySchema = z.strictObject({ resolution: z.enum(RESOLUTIONS).default('15MIN') });
const guideCurvesQuerySchema = z.strictObject({
  date: z.string().refine(isCalendarDay, 'Input should be a valid date'),
  price_zone: z.enum(PRICE_ZONES).optional(),
  resolution: z.enum(RESOLUTIONS).default('15MIN'),
});
const guideByZoneQuerySchema = z.strictObject({
  date: z.string().refine(isCalendarDay, 'Input should be a valid date'),
  resolution: z.enum(RESOLUTIONS).default('15MIN'),
});
const confirmationSchema = z.strictObject({ trade_id: z.string().min(1), accepted: z.boolean() });

type UploadState = 'success' | 'existing' | 'non_existing' | 'late' | 'empty';

interface UploadOutcome {
  state: UploadState;
  trade: Trade | null;
  error: string | null;
}

/**
 * The shared upload rules of both variants. Order: empty -> shape of the day (422) -> late -> no fleet in
 * the zone (`non_existing`) -> a trade already there (`existing`, the first prices kept) -> a new trade.
 */
function upload(
  core: SimCore,
  orgId: string,
  priceZone: string,
  rows: readonly { timestamp: string; price: number }[],
  rowsLoc: string,
  stated: { day: string; loc: (string | number)[] } | null,
): UploadOutcome {
  const book = core.trading;
  if (rows.length === 0) {
    book.counters.uploads_received++;
    return { state: 'empty', trade: null, error: 'No price data in the upload.' };
  }
  const starts = rows.map((row) => parseDateTime(row.timestamp));
  const day = stated?.day ?? berlinDay(starts[0] ?? 0);
  const expected = marketQuarterHours(day);
  const problems: ValidationDetail[] = [];
  const problem = (loc: (string | number)[], msg: string) => problems.push({ type: 'value_error', loc, msg });
  if (stated === null && starts[0] !== expected[0]) {
    problem(
      ['body', rowsLoc, 0, 'timestamp'],
      `The first interval must start the delivery day at local midnight (${MARKET_TIME_ZONE}).`,
    );
  } else {
    starts.forEach((start, index) => {
      if (start % QUARTER_HOUR_MS !== 0) {
        problem(['body', rowsLoc, index, 'timestamp'], 'Timestamps must be aligned to :00/:15/:30/:45.');
      } else if (index < expected.length && start !== expected[index]) {
        problem(
          ['body', rowsLoc, index, 'timestamp'],
          `Expected ${iso(expected[index] ?? 0)}: intervals must be consecutive quarter-hours without gaps or duplicates.`,
        );
      }
    });
    if (starts.length !== expected.length) {
      problem(
        stated?.loc ?? ['body', rowsLoc],
        `The delivery day ${day} has exactly ${expected.length} intervals in ${MARKET_TIME_ZONE}; got ${starts.length}.`,
      );
    }
  }
  if (problems.length > 0) throw validationError(problems.slice(0, 10));
  book.counters.uploads_received++;

  const nowMs = core.clock.nowMs();
  const deadline = book.deadlineOf(orgId);
  const times = tradeTimes(day, deadline);
  const key = TradingBook.key(orgId, priceZone, day);
  const existing = book.trades.get(key);
  if (existing) existing.uploadRequests++;
  if (nowMs >= times.uploadDeadlineMs) {
    return {
      state: 'late',
      trade: existing ?? null,
      error: `The upload deadline (${iso(times.uploadDeadlineMs)}) has passed.`,
    };
  }
  if (fleetOf(core, orgId, priceZone).length === 0) {
    return {
      state: 'non_existing',
      trade: null,
      error: `No devices of the organisation are in price zone ${priceZone}.`,
    };
  }
  if (existing) return { state: 'existing', trade: existing, error: null };
  const trade: Trade = {
    id: core.newId(),
    orgId,
    priceZone,
    deliveryDay: day,
    uploadedAtMs: nowMs,
    quarterHours: expected,
    prices: rows.map((row) => row.price),
    times,
    curves: null,
    confirmation: null,
    uploadRequests: 1,
    confirmationRequests: 0,
  };
  book.trades.set(key, trade);
  book.counters.uploads_accepted++;
  core.changed();
  return { state: 'success', trade, error: null };
}

/** The organisation's authenticated, live heat pumps in a price zone. */
function fleetOf(core: SimCore, orgId: string, priceZone: string) {
  return [...core.store.heatPumps.values()]
    .filter(
      (hp) =>
        hp.org_id === orgId && hp.deleted_at === null && hp.is_authenticated && hp.price_zone === priceZone,
    )
    .map((hp) => ({ seed: core.seed, id: hp.id, profile: profileFor(core.seed, hp.id), settings: hp }));
}

/** Curves once the calculation is ready (computed on first read from the fleet as it is then). */
function curvesOf(core: SimCore, trade: Trade) {
  trade.curves ??= computeLoadCurves(
    fleetOf(core, trade.orgId, trade.priceZone),
    trade.quarterHours,
    trade.prices,
  );
  return trade.curves;
}

function notReady(core: SimCore, trade: Trade, readyField: string): SimHttpError {
  const seconds = Math.max(1, Math.ceil((trade.times.readyAtMs - core.clock.nowMs()) / 1000));
  return new SimHttpError(
    425,
    { detail: 'Load curves are not ready yet.', [readyField]: iso(trade.times.readyAtMs) },
    { 'retry-after': String(seconds) },
  );
}

function curveBody(core: SimCore, trade: Trade, resolution: (typeof RESOLUTIONS)[number]) {
  const curves = curvesOf(core, trade);
  const hourly = resolution === '1HOUR';
  const starts = hourly ? trade.quarterHours.filter((_, index) => index % 4 === 0) : trade.quarterHours;
  const series = (values: number[]) =>
    (hourly ? toHours(values) : values).map((energy, index) => ({
      timestamp: iso(starts[index] ?? 0),
      energy_wh: energy,
    }));
  return {
    trade_id: trade.id,
    date: trade.deliveryDay,
    price_zone: trade.priceZone,
    resolution,
    expiration: iso(trade.times.expirationMs),
    curves: { optimized: series(curves.optimized), unoptimized: series(curves.unoptimized) },
  };
}

// ------------------------------------------------------------------------------------------ reference

/** T2 PATCH: always 200 with `{state, next_load_curve_calculation, error}` once the body is well-formed. */
export const referenceUploadPrices: Handler = (core, request) => {
  const body = parseOr422(referenceUploadSchema, jsonBody(request), ['body']);
  const override = body.metadata.timezone_override;
  if (override !== undefined && override !== null && override !== MARKET_TIME_ZONE) {
    throw validationError([
      {
        type: 'value_error',
        loc: ['body', 'metadata', 'timezone_override'],
        msg: `The simulator knows the market's time only: ${MARKET_TIME_ZONE}.`,
      },
    ]);
  }
  const outcome = upload(core, request.orgId, body.metadata.price_zone, body.data, 'data', null);
  return {
    status: 200,
    json: {
      state: outcome.state,
      next_load_curve_calculation: outcome.trade ? iso(outcome.trade.times.readyAtMs) : null,
      error: outcome.error,
    },
  };
};

/** T1 GET: the uploaded prices of a zone with quarter-hours in [from_dt, to_dt). */
export const referenceGetPrices: Handler = (core, request) => {
  const query = parseOr422(referencePricesQuerySchema, queryObject(request), ['query']);
  const from = parseDateTime(query.from_dt);
  const to = parseDateTime(query.to_dt);
  const data = core.trading
    .tradesOf(request.orgId)
    .filter((trade) => trade.priceZone === query.price_zone)
    .flatMap((trade) =>
      trade.quarterHours.map((start, index) => ({ start, price: trade.prices[index] ?? 0 })),
    )
    .filter((row) => row.start >= from && row.start < to)
    .sort((a, b) => a.start - b.start)
    .map((row) => ({ timestamp: iso(row.start), price: row.price }));
  return { status: 200, json: { metadata: { price_zone: query.price_zone }, data } };
};

/**
 * T3 GET: no date parameter, so the zone's latest ready calculation; 425 while the only ones are pending,
 * 404 when the zone has none.
 */
export const referenceLoadCurve: Handler = (core, request) => {
  const zone = parseOr422(tradingZoneSchema, request.params.price_zone_key, ['path', 'price_zone_key']);
  const { resolution } = parseOr422(resolutionQuerySchema, queryObject(request), ['query']);
  const nowMs = core.clock.nowMs();
  const trades = core.trading
    .tradesOf(request.orgId)
    .filter((trade) => trade.priceZone === zone)
    .sort((a, b) => (a.deliveryDay < b.deliveryDay ? 1 : -1));
  const ready = trades.find((trade) => trade.times.readyAtMs <= nowMs);
  if (!ready) {
    const pending = trades.at(-1);
    if (pending) throw notReady(core, pending, 'next_load_curve_calculation');
    throw new SimHttpError(404, { detail: 'No load curve for this price zone.' });
  }
  const { trade_id: _tradeId, date, ...rest } = curveBody(core, ready, resolution);
  return { status: 200, json: { delivery_day: date, ...rest } };
};

// ---------------------------------------------------------------------------------------------- guide

export const guideUploadPrices: Handler = (core, request) => {
  const body = parseOr422(guideUploadSchema, jsonBody(request), ['body']);
  const rows = body.prices.map((row) => ({ timestamp: row.timestamp, price: row.price_eur_mwh }));
  const outcome = upload(core, request.orgId, body.price_zone ?? 'AT', rows, 'prices', {
    day: body.date,
    loc: ['body', 'prices'],
  });
  const state = outcome.state === 'success' ? 'accepted' : outcome.state;
  return {
    status: 200,
    json: {
      state,
      next_calculation_ready_at: outcome.trade ? iso(outcome.trade.times.readyAtMs) : null,
      ...(outcome.error === null ? {} : { detail: outcome.error }),
    },
  };
};

export const guideLoadCurves: Handler = (core, request) => {
  const query = parseOr422(guideCurvesQuerySchema, queryObject(request), ['query']);
  const trades = core.trading
    .tradesOf(request.orgId)
    .filter(
      (trade) =>
        trade.deliveryDay === query.date &&
        (query.price_zone === undefined || trade.priceZone === query.price_zone),
    );
  if (trades.length === 0) throw new SimHttpError(404, { detail: 'No load curves for this date.' });
  if (trades.length > 1) {
    throw validationError([
      {
        type: 'missing',
        loc: ['query', 'price_zone'],
        msg: 'Several price zones have curves for this date: name one.',
      },
    ]);
  }
  const trade = trades[0] as Trade;
  if (core.clock.nowMs() < trade.times.readyAtMs) throw notReady(core, trade, 'next_calculation_ready_at');
  return { status: 200, json: curveBody(core, trade, query.resolution) };
};

export const guideLoadCurvesByZone: Handler = (core, request) => {
  const query = parseOr422(guideByZoneQuerySchema, queryObject(request), ['query']);
  const nowMs = core.clock.nowMs();
  const ready = core.trading
    .tradesOf(request.orgId)
    .filter((trade) => trade.deliveryDay === query.date && trade.times.readyAtMs <= nowMs)
    .sort((a, b) => (a.priceZone < b.priceZone ? -1 : 1));
  return { status: 200, json: ready.map((trade) => curveBody(core, trade, query.resolution)) };
};

/**
 * The confirmation: 404 unknown trade, 425 before the curves exist, 409 after `expiration` or when it
 * contradicts an earlier confirmation; a repeat with the same answer is 200 again (a retry is harmless).
 */
export const guideConfirm: Handler = (core, request): SimResponse => {
  const body = parseOr422(confirmationSchema, jsonBody(request), ['body']);
  const trade = core.trading.tradesOf(request.orgId).find((candidate) => candidate.id === body.trade_id);
  if (!trade) throw new SimHttpError(404, { detail: 'Unknown trade.' });
  const book = core.trading;
  book.counters.confirmations_received++;
  trade.confirmationRequests++;
  const nowMs = core.clock.nowMs();
  if (nowMs < trade.times.readyAtMs) throw notReady(core, trade, 'next_calculation_ready_at');
  if (trade.confirmation !== null) {
    if (trade.confirmation.accepted !== body.accepted) {
      throw new SimHttpError(409, { detail: 'This trade was already confirmed with the other answer.' });
    }
  } else {
    if (nowMs >= trade.times.expirationMs) {
      throw new SimHttpError(409, {
        detail: 'The confirmation deadline has passed.',
        expiration: iso(trade.times.expirationMs),
      });
    }
    trade.confirmation = { accepted: body.accepted, atMs: nowMs };
    book.counters.confirmations_accepted++;
    core.changed();
  }
  return {
    status: 200,
    json: {
      trade_id: trade.id,
      accepted: trade.confirmation.accepted,
      state: trade.confirmation.accepted ? 'confirmed' : 'rejected',
      confirmed_at: iso(trade.confirmation.atMs),
    },
  };
};

// ------------------------------------------------------------------------------------ control plane

/** `GET /__sim/trading`: the variant, the counters and every trade (for tests and the bridge's). */
export function tradingSnapshot(core: SimCore) {
  const book = core.trading;
  return {
    variant: core.modes.tradingVariant,
    counters: { ...book.counters },
    confirmation_deadlines: Object.fromEntries(
      core.orgs.map((org) => [org.orgId, book.deadlineOf(org.orgId)]),
    ),
    trades: [...book.trades.values()].map((trade) => ({
      trade_id: trade.id,
      org_id: trade.orgId,
      price_zone: trade.priceZone,
      delivery_day: trade.deliveryDay,
      uploaded_at: iso(trade.uploadedAtMs),
      upload_deadline: iso(trade.times.uploadDeadlineMs),
      ready_at: iso(trade.times.readyAtMs),
      expiration: iso(trade.times.expirationMs),
      upload_requests: trade.uploadRequests,
      confirmation_requests: trade.confirmationRequests,
      confirmation:
        trade.confirmation === null
          ? null
          : { accepted: trade.confirmation.accepted, at: iso(trade.confirmation.atMs) },
    })),
  };
}
