/**
 * Day-ahead trading (contract §3.13, Appendix E) behind one interface, whichever of Podero's two
 * documented variants an environment speaks (docs/adr/0014-day-ahead-trading-variants.md):
 *
 * - `reference` (the generated API reference, the default): T1 `GET` / T2 `PATCH
 *   /org/{org_id}/trading/dayahead/prices`, T3 `GET /org/{org_id}/trading/dayahead/loadcurve/pricezone/{key}`;
 *   no confirmation endpoint.
 * - `guide` (the Day-Ahead guide): `POST /organizations/trading/dayahead/prices`,
 *   `GET .../load-curves?date=`, `POST .../load-curve-confirmation`.
 *
 * `podero conformance` (check `trading.variant`) tells which one an environment speaks. Requests are
 * validated strictly (a delivery day's quarter-hours exactly as `marketDay` lists them); responses
 * tolerantly: unknown states become `unknown` with the raw value kept, unknown price zones stay strings,
 * extra fields are kept in `raw`.
 */
import * as z from 'zod';
import { PoderoError } from './errors';
import { isoUtc, MARKET_TIME_ZONE, marketDay, parseDay } from './market-day';
import type { HttpMethod } from './retry';
import { PRICE_ZONES } from './schemas';
import type { QueryValue } from './urls';

export const TRADING_VARIANTS = ['reference', 'guide'] as const;
export type TradingVariant = (typeof TRADING_VARIANTS)[number];
export const DEFAULT_TRADING_VARIANT: TradingVariant = 'reference';

/** The reference's trading price-zone enum (T1), smaller than the devices' one. */
export const TRADING_PRICE_ZONES = [
  'AT',
  'BE',
  'EE',
  'DE_LU',
  'PT',
  'SE_1',
  'SE_2',
  'SE_3',
  'SE_4',
  'UK',
] as const;
/** Either enum: the guide's zones are not listed, so a request may name any zone Podero knows. */
export const ANY_PRICE_ZONES = [...new Set<string>([...TRADING_PRICE_ZONES, ...PRICE_ZONES])] as [
  string,
  ...string[],
];
/** A known zone, or (in a response) whatever string Podero answered. */
export type TradingPriceZone =
  | (typeof TRADING_PRICE_ZONES)[number]
  | (typeof PRICE_ZONES)[number]
  | (string & {});

/** The reference's upload states (T2). */
export const REFERENCE_UPLOAD_STATES = ['success', 'existing', 'non_existing', 'late', 'empty'] as const;
export const UPLOAD_STATUSES = ['accepted', 'existing', 'late', 'empty', 'rejected', 'unknown'] as const;
/**
 * What became of an upload: `accepted` (`success` / `accepted`), `existing` (this day's prices were already
 * there and were kept), `late` (after the upload deadline), `empty` (no data), `rejected` (`non_existing`:
 * Podero knows no fleet for that zone), `unknown` (a state this client has not seen: see `rawState`).
 */
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

const STATUS_BY_STATE: Record<string, UploadStatus> = {
  success: 'accepted',
  accepted: 'accepted',
  existing: 'existing',
  late: 'late',
  empty: 'empty',
  non_existing: 'rejected',
};

/** Maps a raw upload state of either variant onto UploadStatus (unknown ones to `unknown`). */
export function uploadStatusOf(state: unknown): UploadStatus {
  return typeof state === 'string' ? (STATUS_BY_STATE[state] ?? 'unknown') : 'unknown';
}

export interface QuarterHourPrice {
  /** The quarter-hour's start: an instant (`Date` or ISO-8601 with offset). */
  start: string | Date;
  /** EUR/MWh; negative prices are allowed. */
  priceEurMwh: number;
}

export interface UploadPricesInput {
  /** `YYYY-MM-DD`, the delivery day in market time (Europe/Berlin). */
  deliveryDay: string;
  priceZone: TradingPriceZone;
  /** Every quarter-hour of the delivery day, as `marketDay(deliveryDay).quarterHours` lists them. */
  quarterHours: readonly QuarterHourPrice[];
}

export interface UploadPricesResult {
  variant: TradingVariant;
  status: UploadStatus;
  /** The state exactly as Podero answered it. */
  rawState: unknown;
  /** When the load curves are expected (`next_load_curve_calculation` / `next_calculation_ready_at`). */
  calculationReadyAt?: string;
  /** The reference's `error`, when not null. */
  error?: string;
  raw: Record<string, unknown>;
}

export interface EnergyPoint {
  /** The quarter-hour's (or hour's) start, as Podero sent it. */
  start: string;
  /** Energy in the interval, Wh. */
  energyWh: number;
}

export type LoadCurvesResult =
  | { ready: false; variant: TradingVariant; readyAt?: string; raw: unknown }
  | {
      ready: true;
      variant: TradingVariant;
      deliveryDay: string;
      priceZone?: string;
      /** The guide's trade id, which its confirmation names. */
      tradeId?: string;
      /** The confirmation deadline (the guide's `expiration`). */
      expiresAt?: string;
      optimized: EnergyPoint[];
      unoptimized: EnergyPoint[];
      raw: unknown;
    };

export interface FetchLoadCurvesInput {
  deliveryDay: string;
  priceZone: TradingPriceZone;
  /** Default `15MIN`. */
  resolution?: '15MIN' | '1HOUR';
}

export type ConfirmInput =
  | { tradeId: string; accepted: boolean }
  | { deliveryDay: string; priceZone: TradingPriceZone; accepted: boolean };

export interface ConfirmResult {
  variant: TradingVariant;
  tradeId: string;
  accepted: boolean;
  raw: unknown;
}

export interface PricesResult {
  variant: TradingVariant;
  quarterHours: { start: string; priceEurMwh: number }[];
  raw: unknown;
}

/** The variant in use has no endpoint for this operation: nothing was sent. */
export class TradingOperationUnsupportedError extends Error {
  override name = 'TradingOperationUnsupportedError';
  constructor(
    readonly variant: TradingVariant,
    readonly operation: string,
    message: string,
  ) {
    super(message);
  }
}

/** The reference has no confirmation endpoint (§3.13: confirmation exists only in the guide). */
export class ConfirmationUnsupportedError extends TradingOperationUnsupportedError {
  override name = 'ConfirmationUnsupportedError';
  constructor(variant: TradingVariant) {
    super(
      variant,
      'confirm',
      `the ${variant} variant of Podero's trading API has no load-curve confirmation; confirm another way or switch to trading.variant "guide" if podero conformance finds it`,
    );
  }
}

/** A confirmation by delivery day found no trade: the load curves are not ready (or were never calculated). */
export class NoTradeToConfirmError extends Error {
  override name = 'NoTradeToConfirmError';
}

export interface TradingClient {
  readonly variant: TradingVariant;
  /** T2 (reference) or the guide's POST: one delivery day's price forecast for a zone. */
  uploadPrices(input: UploadPricesInput): Promise<UploadPricesResult>;
  /** T1 (reference only): the prices uploaded for a delivery day. */
  getPrices(input: { deliveryDay: string; priceZone: TradingPriceZone }): Promise<PricesResult>;
  /** T3 (reference) or the guide's `load-curves`: `{ready: false}` until the calculation is done. */
  fetchLoadCurves(input: FetchLoadCurvesInput): Promise<LoadCurvesResult>;
  /** The guide's confirmation; the reference throws ConfirmationUnsupportedError without sending. */
  confirm(input: ConfirmInput): Promise<ConfirmResult>;
}

/** What the trading client needs from createPoderoClient (its request plumbing). */
export interface TradingDeps {
  variant: TradingVariant;
  /** `/org/{org_id}` with the id encoded. */
  orgPath: string;
  call<T>(
    operation: string,
    method: HttpMethod,
    path: string,
    extra: { query?: Record<string, QueryValue>; body?: unknown },
    schema: z.ZodType<T>,
  ): Promise<T>;
  check<S extends z.ZodType>(
    method: HttpMethod,
    template: string,
    field: string,
    schema: S,
    value: unknown,
  ): z.output<S>;
}

// ------------------------------------------------------------------------------------------- requests

const daySchema = z.string().refine(
  (day) => {
    try {
      parseDay(day);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'a calendar date YYYY-MM-DD' },
);
const zoneSchema = z.enum(ANY_PRICE_ZONES);
const instantSchema = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((value, ctx) => {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'an instant' });
    return z.NEVER;
  }
  return ms;
});

const uploadInputSchema = z
  .strictObject({
    deliveryDay: daySchema,
    priceZone: zoneSchema,
    quarterHours: z.array(z.strictObject({ start: instantSchema, priceEurMwh: z.number().finite() })),
  })
  .superRefine((input, ctx) => {
    let expected: string[];
    try {
      expected = marketDay(input.deliveryDay).quarterHours;
    } catch {
      return;
    }
    const given = input.quarterHours.map((q) => isoUtc(q.start));
    if (given.length !== expected.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['quarterHours'],
        message: `the delivery day ${input.deliveryDay} has ${expected.length} quarter-hours in ${MARKET_TIME_ZONE}, got ${given.length}`,
      });
      return;
    }
    const at = given.findIndex((start, index) => start !== expected[index]);
    if (at !== -1) {
      ctx.addIssue({
        code: 'custom',
        path: ['quarterHours', at, 'start'],
        message: `expected ${expected[at]} (the day's quarter-hours in order, no gaps or duplicates)`,
      });
    }
  });

const dayAndZoneSchema = z.strictObject({ deliveryDay: daySchema, priceZone: zoneSchema });
const fetchInputSchema = z.strictObject({
  deliveryDay: daySchema,
  priceZone: zoneSchema,
  resolution: z.enum(['15MIN', '1HOUR']).optional(),
});
const confirmInputSchema = z.union([
  z.strictObject({ tradeId: z.string().min(1).max(200), accepted: z.boolean() }),
  z.strictObject({ deliveryDay: daySchema, priceZone: zoneSchema, accepted: z.boolean() }),
]);

// ------------------------------------------------------------------------------------------ responses

const looseText = z.string().nullish();
const referenceUploadResponseSchema = z.looseObject({
  state: z.unknown(),
  next_load_curve_calculation: looseText,
  error: looseText,
});
const guideUploadResponseSchema = z.looseObject({ state: z.unknown(), next_calculation_ready_at: looseText });
const energyPointSchema = z.looseObject({
  timestamp: z.string(),
  energy_wh: z.number().optional(),
  // Spellings seen nowhere yet but plausible for a reference response that is not documented.
  energy: z.number().optional(),
  value: z.number().optional(),
});
const curvesSchema = z.looseObject({
  optimized: z.array(energyPointSchema).optional(),
  unoptimized: z.array(energyPointSchema).optional(),
  optimised: z.array(energyPointSchema).optional(),
  unoptimised: z.array(energyPointSchema).optional(),
});
const loadCurvesResponseSchema = z.looseObject({
  trade_id: looseText,
  date: looseText,
  delivery_day: looseText,
  price_zone: looseText,
  expiration: looseText,
  curves: curvesSchema.nullish(),
  // The reference's T3 may answer rows with both curves side by side ([INFERRED]).
  data: z
    .array(
      z.looseObject({
        timestamp: z.string(),
        optimized: z.number().nullish(),
        unoptimized: z.number().nullish(),
        optimized_wh: z.number().nullish(),
        unoptimized_wh: z.number().nullish(),
      }),
    )
    .nullish(),
});
const notReadyBodySchema = z.looseObject({
  next_calculation_ready_at: looseText,
  next_load_curve_calculation: looseText,
});
const referencePricesResponseSchema = z.union([
  z.looseObject({ data: z.array(z.looseObject({ timestamp: z.string(), price: z.number() })) }),
  z.array(z.looseObject({ timestamp: z.string(), price: z.number() })),
]);
const confirmResponseSchema = z.looseObject({ trade_id: looseText, accepted: z.boolean().nullish() });

function points(list: readonly z.infer<typeof energyPointSchema>[] | undefined): EnergyPoint[] {
  return (list ?? []).map((p) => ({ start: p.timestamp, energyWh: p.energy_wh ?? p.energy ?? p.value ?? 0 }));
}

const PRICES_PATH = '/organizations/trading/dayahead/prices';
const LOAD_CURVES_PATH = '/organizations/trading/dayahead/load-curves';
const CONFIRMATION_PATH = '/organizations/trading/dayahead/load-curve-confirmation';

export function createTradingClient(deps: TradingDeps): TradingClient {
  const { variant, orgPath, call, check } = deps;
  const refPricesT = '/org/{org_id}/trading/dayahead/prices';
  const refCurveT = '/org/{org_id}/trading/dayahead/loadcurve/pricezone/{price_zone_key}';

  async function notReadyOr(error: unknown): Promise<LoadCurvesResult> {
    // [INFERRED] 425 Too Early before the calculation is ready (the simulator's choice, ADR 0014).
    if (error instanceof PoderoError && error.status === 425) {
      const body = notReadyBodySchema.safeParse(error.body);
      const readyAt = body.success
        ? (body.data.next_calculation_ready_at ?? body.data.next_load_curve_calculation ?? undefined)
        : undefined;
      return { ready: false, variant, ...(readyAt ? { readyAt } : {}), raw: error.body };
    }
    throw error;
  }

  function curvesOf(
    raw: z.infer<typeof loadCurvesResponseSchema>,
    deliveryDay: string,
  ): LoadCurvesResult & { ready: true } {
    const rows = raw.data ?? [];
    const optimized = raw.curves
      ? points(raw.curves.optimized ?? raw.curves.optimised)
      : rows.map((r) => ({ start: r.timestamp, energyWh: r.optimized_wh ?? r.optimized ?? 0 }));
    const unoptimized = raw.curves
      ? points(raw.curves.unoptimized ?? raw.curves.unoptimised)
      : rows.map((r) => ({ start: r.timestamp, energyWh: r.unoptimized_wh ?? r.unoptimized ?? 0 }));
    return {
      ready: true,
      variant,
      deliveryDay: raw.date ?? raw.delivery_day ?? deliveryDay,
      ...(raw.price_zone ? { priceZone: raw.price_zone } : {}),
      ...(raw.trade_id ? { tradeId: raw.trade_id } : {}),
      ...(raw.expiration ? { expiresAt: raw.expiration } : {}),
      optimized,
      unoptimized,
      raw,
    };
  }

  const trading: TradingClient = {
    variant,
    async uploadPrices(input) {
      if (variant === 'reference') {
        const valid = check('PATCH', refPricesT, 'input', uploadInputSchema, input);
        const raw = await call(
          'trading.uploadPrices',
          'PATCH',
          `${orgPath}/trading/dayahead/prices`,
          {
            body: {
              metadata: { price_zone: valid.priceZone, timezone_override: MARKET_TIME_ZONE },
              data: valid.quarterHours.map((q) => ({ timestamp: isoUtc(q.start), price: q.priceEurMwh })),
            },
          },
          referenceUploadResponseSchema,
        );
        return {
          variant,
          status: uploadStatusOf(raw.state),
          rawState: raw.state,
          ...(raw.next_load_curve_calculation ? { calculationReadyAt: raw.next_load_curve_calculation } : {}),
          ...(raw.error ? { error: raw.error } : {}),
          raw,
        };
      }
      const valid = check('POST', PRICES_PATH, 'input', uploadInputSchema, input);
      const raw = await call(
        'trading.uploadPrices',
        'POST',
        PRICES_PATH,
        {
          body: {
            date: valid.deliveryDay,
            // [INFERRED] the guide's body names no zone; without one Podero could only assume the org's.
            price_zone: valid.priceZone,
            prices: valid.quarterHours.map((q) => ({
              timestamp: isoUtc(q.start),
              price_eur_mwh: q.priceEurMwh,
            })),
          },
        },
        guideUploadResponseSchema,
      );
      return {
        variant,
        status: uploadStatusOf(raw.state),
        rawState: raw.state,
        ...(raw.next_calculation_ready_at ? { calculationReadyAt: raw.next_calculation_ready_at } : {}),
        raw,
      };
    },

    async getPrices(input) {
      if (variant === 'guide') {
        throw new TradingOperationUnsupportedError(
          variant,
          'getPrices',
          "the guide variant of Podero's trading API documents no way to read uploaded prices",
        );
      }
      const valid = check('GET', refPricesT, 'input', dayAndZoneSchema, input);
      const day = marketDay(valid.deliveryDay);
      const raw = await call(
        'trading.getPrices',
        'GET',
        `${orgPath}/trading/dayahead/prices`,
        { query: { from_dt: day.startUtc, to_dt: day.endUtc, price_zone: valid.priceZone } },
        referencePricesResponseSchema,
      );
      const rows = Array.isArray(raw) ? raw : raw.data;
      return { variant, quarterHours: rows.map((r) => ({ start: r.timestamp, priceEurMwh: r.price })), raw };
    },

    async fetchLoadCurves(input) {
      if (variant === 'reference') {
        const valid = check('GET', refCurveT, 'input', fetchInputSchema, input);
        let raw: z.infer<typeof loadCurvesResponseSchema>;
        try {
          raw = await call(
            'trading.fetchLoadCurves',
            'GET',
            `${orgPath}/trading/dayahead/loadcurve/pricezone/${encodeURIComponent(valid.priceZone)}`,
            { query: { resolution: valid.resolution ?? '15MIN' } },
            loadCurvesResponseSchema,
          );
        } catch (error) {
          return notReadyOr(error);
        }
        const curves = curvesOf(raw, valid.deliveryDay);
        // T3 takes no date: it answers the zone's latest calculation, which may be an earlier day's.
        if (curves.deliveryDay !== valid.deliveryDay) return { ready: false, variant, raw };
        return curves;
      }
      const valid = check('GET', LOAD_CURVES_PATH, 'input', fetchInputSchema, input);
      try {
        const raw = await call(
          'trading.fetchLoadCurves',
          'GET',
          LOAD_CURVES_PATH,
          {
            query: {
              date: valid.deliveryDay,
              price_zone: valid.priceZone,
              ...(valid.resolution ? { resolution: valid.resolution } : {}),
            },
          },
          loadCurvesResponseSchema,
        );
        return curvesOf(raw, valid.deliveryDay);
      } catch (error) {
        return notReadyOr(error);
      }
    },

    async confirm(input) {
      if (variant === 'reference') throw new ConfirmationUnsupportedError(variant);
      const valid = check('POST', CONFIRMATION_PATH, 'input', confirmInputSchema, input);
      let tradeId: string;
      if ('tradeId' in valid) tradeId = valid.tradeId;
      else {
        const curves = await trading.fetchLoadCurves({
          deliveryDay: valid.deliveryDay,
          priceZone: valid.priceZone,
        });
        if (!curves.ready || curves.tradeId === undefined) {
          throw new NoTradeToConfirmError(
            `no trade to confirm for ${valid.deliveryDay} ${valid.priceZone}: the load curves are not ready`,
          );
        }
        tradeId = curves.tradeId;
      }
      const raw = await call(
        'trading.confirm',
        'POST',
        CONFIRMATION_PATH,
        { body: { trade_id: tradeId, accepted: valid.accepted } },
        confirmResponseSchema,
      );
      return { variant, tradeId: raw.trade_id ?? tradeId, accepted: raw.accepted ?? valid.accepted, raw };
    },
  };
  return trading;
}
