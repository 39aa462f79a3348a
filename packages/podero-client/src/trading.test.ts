import { describe, expect, it } from 'vitest';
import { createPoderoClient } from './client';
import { PoderoConflictError, PoderoRequestError } from './errors';
import { marketDay } from './market-day';
import { createFakeFetch, type Handler, json, ORG_ID } from './test-support/fake-fetch';
import { staticTokenProvider } from './token';
import {
  ConfirmationUnsupportedError,
  TradingOperationUnsupportedError,
  type TradingVariant,
} from './trading';

const API = '/api/partners/v2.0';
const ORG = `${API}/org/${ORG_ID}`;

function setup(variant: TradingVariant | undefined, handler: Handler) {
  const fake = createFakeFetch(handler);
  const client = createPoderoClient({
    baseUrl: 'https://podero.test',
    orgId: ORG_ID,
    tokenProvider: staticTokenProvider('token-abc'),
    fetch: fake.fetch,
    sleep: async () => undefined,
    ...(variant ? { trading: { variant } } : {}),
  });
  return { trading: client.trading, requests: fake.requests };
}

function prices(day: string) {
  return marketDay(day).quarterHours.map((start, index) => ({
    start,
    priceEurMwh: index % 7 === 0 ? -5.5 : 80 + index,
  }));
}

const READY_AT = '2026-01-15T09:30:00Z';

describe('trading, reference variant (the default)', () => {
  it('uploads a market day with PATCH {metadata, data} in UTC with timezone_override, and maps success', async () => {
    const { trading, requests } = setup(undefined, () =>
      json(200, { state: 'success', next_load_curve_calculation: READY_AT, error: null, extra: 1 }),
    );
    expect(trading.variant).toBe('reference');
    const result = await trading.uploadPrices({
      deliveryDay: '2026-03-29',
      priceZone: 'DE_LU',
      quarterHours: prices('2026-03-29'),
    });
    expect(result).toMatchObject({ status: 'accepted', rawState: 'success', calculationReadyAt: READY_AT });
    expect(result.raw).toHaveProperty('extra', 1);
    const sent = requests[0];
    expect(sent?.method).toBe('PATCH');
    expect(sent?.path).toBe(`${ORG}/trading/dayahead/prices`);
    const body = sent?.body as { metadata: unknown; data: { timestamp: string; price: number }[] };
    expect(body.metadata).toEqual({ price_zone: 'DE_LU', timezone_override: 'Europe/Berlin' });
    expect(body.data).toHaveLength(92);
    expect(body.data[0]).toEqual({ timestamp: '2026-03-28T23:00:00Z', price: -5.5 });
  });

  it.each([
    ['existing', 'existing'],
    ['late', 'late'],
    ['empty', 'empty'],
    ['non_existing', 'rejected'],
    ['queued_for_later', 'unknown'],
  ] as const)('maps the state %s to %s and keeps the raw value', async (state, status) => {
    const { trading } = setup('reference', () =>
      json(200, { state, next_load_curve_calculation: null, error: 'why' }),
    );
    const result = await trading.uploadPrices({
      deliveryDay: '2026-01-16',
      priceZone: 'AT',
      quarterHours: prices('2026-01-16'),
    });
    expect(result.status).toBe(status);
    expect(result.rawState).toBe(state);
    expect(result.error).toBe('why');
  });

  it('refuses locally, sending nothing, a day with a gap, a duplicate, 95 intervals or a UTC day', async () => {
    const { trading, requests } = setup('reference', () => json(200, { state: 'success' }));
    const day = prices('2026-01-16');
    const gap = [...day.slice(0, 10), ...day.slice(11)];
    const duplicate = [...day.slice(0, 10), day[9], ...day.slice(11)].filter((q) => q !== undefined);
    const utcDay = Array.from({ length: 96 }, (_, i) => ({
      start: new Date(Date.parse('2026-01-16T00:00:00Z') + i * 900_000),
      priceEurMwh: 1,
    }));
    for (const quarterHours of [gap, duplicate, utcDay, day.slice(0, 95)]) {
      await expect(
        trading.uploadPrices({ deliveryDay: '2026-01-16', priceZone: 'AT', quarterHours }),
      ).rejects.toBeInstanceOf(PoderoRequestError);
    }
    await expect(
      trading.uploadPrices({ deliveryDay: '2026-01-16', priceZone: 'XX', quarterHours: day }),
    ).rejects.toBeInstanceOf(PoderoRequestError);
    expect(requests).toHaveLength(0);
  });

  it('reads prices with T1 over the market day (from_dt/to_dt in UTC)', async () => {
    const { trading, requests } = setup('reference', () =>
      json(200, {
        metadata: { price_zone: 'AT' },
        data: [{ timestamp: '2026-01-15T23:00:00Z', price: 12.5 }],
      }),
    );
    const result = await trading.getPrices({ deliveryDay: '2026-01-16', priceZone: 'AT' });
    expect(result.quarterHours).toEqual([{ start: '2026-01-15T23:00:00Z', priceEurMwh: 12.5 }]);
    expect(requests[0]?.query).toEqual({
      from_dt: '2026-01-15T23:00:00Z',
      to_dt: '2026-01-16T23:00:00Z',
      price_zone: 'AT',
    });
  });

  it('fetches T3 per price zone; an earlier day or a 425 is "not ready"', async () => {
    const curves = {
      delivery_day: '2026-01-16',
      price_zone: 'SE_9',
      curves: {
        optimized: [{ timestamp: '2026-01-15T23:00:00Z', energy_wh: 1200 }],
        unoptimized: [{ timestamp: '2026-01-15T23:00:00Z', energy_wh: 1000 }],
      },
    };
    const { trading, requests } = setup('reference', (request) =>
      request.query.resolution === '1HOUR'
        ? json(425, { detail: 'Load curves are not ready yet.', next_load_curve_calculation: READY_AT })
        : json(200, curves),
    );
    const ready = await trading.fetchLoadCurves({ deliveryDay: '2026-01-16', priceZone: 'AT' });
    expect(ready).toMatchObject({
      ready: true,
      priceZone: 'SE_9',
      optimized: [{ start: '2026-01-15T23:00:00Z', energyWh: 1200 }],
      unoptimized: [{ start: '2026-01-15T23:00:00Z', energyWh: 1000 }],
    });
    expect(requests[0]?.path).toBe(`${ORG}/trading/dayahead/loadcurve/pricezone/AT`);
    expect(requests[0]?.query).toEqual({ resolution: '15MIN' });
    expect(await trading.fetchLoadCurves({ deliveryDay: '2026-01-17', priceZone: 'AT' })).toMatchObject({
      ready: false,
    });
    expect(
      await trading.fetchLoadCurves({ deliveryDay: '2026-01-16', priceZone: 'AT', resolution: '1HOUR' }),
    ).toMatchObject({
      ready: false,
      readyAt: READY_AT,
    });
  });

  it('has no confirmation: a typed error, nothing sent', async () => {
    const { trading, requests } = setup('reference', () => json(200, {}));
    const attempt = trading.confirm({ tradeId: 't-1', accepted: true });
    await expect(attempt).rejects.toBeInstanceOf(ConfirmationUnsupportedError);
    await expect(attempt).rejects.toBeInstanceOf(TradingOperationUnsupportedError);
    expect(requests).toHaveLength(0);
  });
});

describe('trading, guide variant', () => {
  const guideCurves = {
    trade_id: 'trade-7',
    date: '2026-10-25',
    expiration: '2026-10-24T21:30:00Z',
    curves: {
      optimized: [{ timestamp: '2026-10-24T22:00:00Z', energy_wh: 900 }],
      unoptimized: [{ timestamp: '2026-10-24T22:00:00Z', energy_wh: 800 }],
    },
    unknown_extra: true,
  };

  it('uploads with POST {date, prices} (same UTC quarter-hours) and maps accepted', async () => {
    const { trading, requests } = setup('guide', () =>
      json(200, { state: 'accepted', next_calculation_ready_at: READY_AT }),
    );
    const result = await trading.uploadPrices({
      deliveryDay: '2026-10-25',
      priceZone: 'AT',
      quarterHours: prices('2026-10-25'),
    });
    expect(result).toMatchObject({ variant: 'guide', status: 'accepted', calculationReadyAt: READY_AT });
    const sent = requests[0];
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe(`${API}/organizations/trading/dayahead/prices`);
    const body = sent?.body as {
      date: string;
      price_zone: string;
      prices: { timestamp: string; price_eur_mwh: number }[];
    };
    expect(body.date).toBe('2026-10-25');
    expect(body.prices).toHaveLength(100);
    expect(body.prices[1]).toEqual({ timestamp: '2026-10-24T22:15:00Z', price_eur_mwh: 81 });
  });

  it('fetches load curves by date and keeps trade id, expiration and extra fields', async () => {
    const { trading, requests } = setup('guide', () => json(200, guideCurves));
    const result = await trading.fetchLoadCurves({ deliveryDay: '2026-10-25', priceZone: 'AT' });
    expect(result).toMatchObject({
      ready: true,
      tradeId: 'trade-7',
      expiresAt: '2026-10-24T21:30:00Z',
      deliveryDay: '2026-10-25',
    });
    expect(result.raw).toHaveProperty('unknown_extra', true);
    expect(requests[0]?.path).toBe(`${API}/organizations/trading/dayahead/load-curves`);
    expect(requests[0]?.query).toEqual({ date: '2026-10-25', price_zone: 'AT' });
  });

  it('confirms by trade id, or by day (looking the trade up first)', async () => {
    const { trading, requests } = setup('guide', (request) =>
      request.method === 'GET'
        ? json(200, guideCurves)
        : json(200, { trade_id: 'trade-7', accepted: false, state: 'rejected' }),
    );
    const byDay = await trading.confirm({ deliveryDay: '2026-10-25', priceZone: 'AT', accepted: false });
    expect(byDay).toMatchObject({ tradeId: 'trade-7', accepted: false });
    expect(requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(requests[1]?.path).toBe(`${API}/organizations/trading/dayahead/load-curve-confirmation`);
    expect(requests[1]?.body).toEqual({ trade_id: 'trade-7', accepted: false });
    await trading.confirm({ tradeId: 'trade-7', accepted: true });
    expect(requests[2]?.body).toEqual({ trade_id: 'trade-7', accepted: true });
  });

  it('a confirmation after its deadline surfaces as the 409 it is', async () => {
    const { trading } = setup('guide', () => json(409, { detail: 'The confirmation deadline has passed.' }));
    await expect(trading.confirm({ tradeId: 'trade-7', accepted: true })).rejects.toBeInstanceOf(
      PoderoConflictError,
    );
  });

  it('documents no price read: a typed error, nothing sent', async () => {
    const { trading, requests } = setup('guide', () => json(200, {}));
    await expect(trading.getPrices({ deliveryDay: '2026-10-25', priceZone: 'AT' })).rejects.toBeInstanceOf(
      TradingOperationUnsupportedError,
    );
    expect(requests).toHaveLength(0);
  });

  it('refuses an unknown variant in the options', () => {
    expect(() =>
      createPoderoClient({
        baseUrl: 'https://podero.test',
        orgId: ORG_ID,
        tokenProvider: staticTokenProvider('t'),
        trading: { variant: 'intraday' as never },
      }),
    ).toThrow(TypeError);
  });
});
