/**
 * Day-ahead trading over HTTP, in each variant, on the simulated clock (start 2026-01-15T07:00Z = 08:00 CET):
 * upload -> not ready -> ready -> curves (cheaper quarter-hours draw more; energy conserved) -> confirm ->
 * counters; and every refusal: late, duplicate, bad days, a confirmation after its deadline.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index';
import { marketQuarterHours } from '../src/model/trading';
import { api, field, issueToken, startTestSimulator } from '../src/testing';

const START = new Date('2026-01-15T07:00:00Z');
const DAY = '2026-01-16';
const READY = '2026-01-15T09:30:00Z';

let sim: Simulator;
let token: string;
beforeAll(async () => {
  sim = await startTestSimulator({ startTime: START });
});
afterAll(() => sim.close());

async function resetTo(variant: 'reference' | 'guide') {
  sim.control.reset();
  sim.control.setModes({ tradingVariant: variant });
  sim.control.seed({ users: 4, heatPumpsPerUser: 1 });
  token = await issueToken(sim);
}

const isoOf = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const priceOf = (index: number, n: number) =>
  Math.round((60 + 45 * Math.sin((2 * Math.PI * (index - 30)) / n)) * 100) / 100;
const referenceRows = (day: string) => {
  const starts = marketQuarterHours(day);
  return starts.map((start, index) => ({ timestamp: isoOf(start), price: priceOf(index, starts.length) }));
};
const referenceBody = (data: unknown[], zone = 'AT') => ({
  metadata: { price_zone: zone, timezone_override: 'Europe/Berlin' },
  data,
});
const guideBody = (day: string, zone = 'AT') => ({
  date: day,
  price_zone: zone,
  prices: referenceRows(day).map((row) => ({ timestamp: row.timestamp, price_eur_mwh: row.price })),
});

const PRICES = () => `/org/${sim.orgId}/trading/dayahead/prices`;
const CURVE = (zone = 'AT') => `/org/${sim.orgId}/trading/dayahead/loadcurve/pricezone/${zone}`;
const GUIDE = '/organizations/trading/dayahead';

interface Curves {
  optimized: { timestamp: string; energy_wh: number }[];
  unoptimized: { timestamp: string; energy_wh: number }[];
}

/** Energy conserved to the Wh; the cheaper quarter of the day gains, the dearer quarter loses. */
function expectShiftedToCheap(curves: Curves, prices: number[]) {
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const optimized = curves.optimized.map((p) => p.energy_wh);
  const unoptimized = curves.unoptimized.map((p) => p.energy_wh);
  expect(optimized.every(Number.isInteger)).toBe(true);
  expect(sum(optimized)).toBe(sum(unoptimized));
  expect(sum(unoptimized)).toBeGreaterThan(0);
  const order = prices.map((price, index) => ({ price, index })).sort((a, b) => a.price - b.price);
  const quarter = Math.floor(prices.length / 4);
  const gain = (slice: { index: number }[]) =>
    sum(slice.map(({ index }) => (optimized[index] ?? 0) - (unoptimized[index] ?? 0)));
  expect(gain(order.slice(0, quarter))).toBeGreaterThan(0);
  expect(gain(order.slice(-quarter))).toBeLessThan(0);
}

describe('trading, reference variant', () => {
  beforeEach(() => resetTo('reference'));

  it('runs the loop: upload, not ready (425), ready, curves from the fleet, counters', async () => {
    const rows = referenceRows(DAY);
    const uploaded = await api(sim, token, 'PATCH', PRICES(), referenceBody(rows));
    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toEqual({ state: 'success', next_load_curve_calculation: READY, error: null });

    const early = await api(sim, token, 'GET', `${CURVE()}?resolution=15MIN`);
    expect(early.status).toBe(425);
    expect(field(early.body, 'next_load_curve_calculation')).toBe(READY);
    expect(early.headers.get('retry-after')).toBe(String(2.5 * 3600));

    sim.control.setClock(new Date(READY));
    const ready = await api(sim, token, 'GET', CURVE());
    expect(ready.status).toBe(200);
    expect(field(ready.body, 'delivery_day')).toBe(DAY);
    expect(field(ready.body, 'expiration')).toBe('2026-01-15T22:30:00Z');
    const curves = field<Curves>(ready.body, 'curves');
    expect(curves.optimized).toHaveLength(96);
    expect(curves.optimized[0]?.timestamp).toBe('2026-01-15T23:00:00Z');
    expectShiftedToCheap(
      curves,
      rows.map((r) => r.price),
    );

    const hourly = await api(sim, token, 'GET', `${CURVE()}?resolution=1HOUR`);
    const hours = field<Curves>(hourly.body, 'curves');
    expect(hours.optimized).toHaveLength(24);
    expect(hours.optimized.reduce((a, p) => a + p.energy_wh, 0)).toBe(
      curves.optimized.reduce((a, p) => a + p.energy_wh, 0),
    );

    const read = await api(
      sim,
      token,
      'GET',
      `${PRICES()}?from_dt=2026-01-15T23:00:00Z&to_dt=2026-01-16T23:00:00Z&price_zone=AT`,
    );
    expect(field<unknown[]>(read.body, 'data')).toHaveLength(96);

    const again = await api(sim, token, 'PATCH', PRICES(), referenceBody(rows));
    expect(field(again.body, 'state')).toBe('late');
    expect(sim.control.trading.snapshot().counters).toEqual({
      uploads_received: 2,
      uploads_accepted: 1,
      confirmations_received: 0,
      confirmations_accepted: 0,
    });
    const overHttp = await fetch(`${sim.baseUrl}/__sim/trading`).then((r) => r.json());
    expect(field(overHttp, 'counters')).toEqual(sim.control.trading.snapshot().counters);
  });

  it('answers existing on a second upload of the same day, empty without data, non_existing without a fleet', async () => {
    const rows = referenceRows(DAY);
    expect(field((await api(sim, token, 'PATCH', PRICES(), referenceBody(rows))).body, 'state')).toBe(
      'success',
    );
    const second = await api(
      sim,
      token,
      'PATCH',
      PRICES(),
      referenceBody(rows.map((r) => ({ ...r, price: 1 }))),
    );
    expect(second.body).toEqual({ state: 'existing', next_load_curve_calculation: READY, error: null });
    expect(field((await api(sim, token, 'PATCH', PRICES(), referenceBody([]))).body, 'state')).toBe('empty');
    expect(field((await api(sim, token, 'PATCH', PRICES(), referenceBody(rows, 'BE'))).body, 'state')).toBe(
      'non_existing',
    );
    const snapshot = sim.control.trading.snapshot();
    expect(snapshot.counters.uploads_accepted).toBe(1);
    expect(snapshot.trades[0]?.upload_requests).toBe(2);
  });

  it('answers late after 09:00 Europe/Berlin on D−1', async () => {
    sim.control.setClock(new Date('2026-01-15T08:00:00Z'));
    const late = await api(sim, token, 'PATCH', PRICES(), referenceBody(referenceRows(DAY)));
    expect(late.body).toMatchObject({ state: 'late', next_load_curve_calculation: null });
    expect(sim.control.trading.snapshot().counters.uploads_accepted).toBe(0);
  });

  it('refuses bad days with 422: a gap, a duplicate, a misaligned timestamp, 95 intervals, a UTC day', async () => {
    const rows = referenceRows(DAY);
    const utcDay = Array.from({ length: 96 }, (_, i) => ({
      timestamp: isoOf(Date.parse('2026-01-16T00:00:00Z') + i * 900_000),
      price: 1,
    }));
    const bad = {
      gap: [...rows.slice(0, 40), ...rows.slice(41)],
      duplicate: [...rows.slice(0, 41), ...rows.slice(40, 95)],
      misaligned: rows.map((r, i) =>
        i === 5 ? { ...r, timestamp: r.timestamp.replace(':15:00Z', ':17:00Z') } : r,
      ),
      ninetyFive: rows.slice(0, 95),
      utcDay,
      notUtc: rows.map((r, i) => (i === 0 ? { ...r, timestamp: '2026-01-16T00:00:00+01:00' } : r)),
    };
    for (const [name, data] of Object.entries(bad)) {
      const answer = await api(sim, token, 'PATCH', PRICES(), referenceBody(data));
      expect(answer.status, name).toBe(422);
      expect(JSON.stringify(answer.body), name).toContain('"loc":["body"');
    }
    expect(sim.control.trading.snapshot().counters.uploads_received).toBe(0);
  });

  it('takes 92 and 100 quarter-hours on the clock-change days, and only those', async () => {
    sim.control.setClock(new Date('2026-03-27T07:00:00Z'));
    token = await issueToken(sim);
    expect(
      field(
        (await api(sim, token, 'PATCH', PRICES(), referenceBody(referenceRows('2026-03-29')))).body,
        'state',
      ),
    ).toBe('success');
    sim.control.setClock(new Date('2026-10-23T07:00:00Z'));
    token = await issueToken(sim);
    const autumn = referenceRows('2026-10-25');
    expect(autumn).toHaveLength(100);
    expect((await api(sim, token, 'PATCH', PRICES(), referenceBody(autumn.slice(0, 96)))).status).toBe(422);
    expect(field((await api(sim, token, 'PATCH', PRICES(), referenceBody(autumn))).body, 'state')).toBe(
      'success',
    );
  });

  it("does not speak the guide's paths (404, not 405)", async () => {
    expect((await api(sim, token, 'GET', `${GUIDE}/prices`)).status).toBe(404);
    expect(
      (await api(sim, token, 'POST', `${GUIDE}/load-curve-confirmation`, { trade_id: 'x', accepted: true }))
        .status,
    ).toBe(404);
  });
});

describe('trading, guide variant', () => {
  beforeEach(() => resetTo('guide'));

  async function uploadAndWait() {
    const uploaded = await api(sim, token, 'POST', `${GUIDE}/prices`, guideBody(DAY));
    expect(uploaded.body).toEqual({ state: 'accepted', next_calculation_ready_at: READY });
    return uploaded;
  }

  it('runs the loop: upload, not ready, curves with a trade id, confirm once, counters', async () => {
    await uploadAndWait();
    const early = await api(sim, token, 'GET', `${GUIDE}/load-curves?date=${DAY}&price_zone=AT`);
    expect(early.status).toBe(425);
    expect(field(early.body, 'next_calculation_ready_at')).toBe(READY);

    sim.control.advanceClock(2.5 * 3600);
    const ready = await api(sim, token, 'GET', `${GUIDE}/load-curves?date=${DAY}`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ date: DAY, price_zone: 'AT', expiration: '2026-01-15T22:30:00Z' });
    const tradeId = field<string>(ready.body, 'trade_id');
    expectShiftedToCheap(
      field<Curves>(ready.body, 'curves'),
      referenceRows(DAY).map((r) => r.price),
    );
    const byZone = await api(sim, token, 'GET', `${GUIDE}/load-curves/by-price-zone?date=${DAY}`);
    expect((byZone.body as unknown[]).map((t) => field(t, 'trade_id'))).toEqual([tradeId]);

    const confirmed = await api(sim, token, 'POST', `${GUIDE}/load-curve-confirmation`, {
      trade_id: tradeId,
      accepted: true,
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ trade_id: tradeId, accepted: true, state: 'confirmed' });
    // A retry with the same answer is harmless; the other answer is a conflict.
    expect(
      (
        await api(sim, token, 'POST', `${GUIDE}/load-curve-confirmation`, {
          trade_id: tradeId,
          accepted: true,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api(sim, token, 'POST', `${GUIDE}/load-curve-confirmation`, {
          trade_id: tradeId,
          accepted: false,
        })
      ).status,
    ).toBe(409);
    expect(sim.control.trading.snapshot().counters).toEqual({
      uploads_received: 1,
      uploads_accepted: 1,
      confirmations_received: 3,
      confirmations_accepted: 1,
    });
    expect(sim.control.trading.snapshot().trades[0]?.confirmation).toMatchObject({ accepted: true });
  });

  it('refuses a confirmation after its deadline (14:30 for an intraday partner) with 409', async () => {
    const settings = await fetch(`${sim.baseUrl}/__sim/trading/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ confirmation_deadline: '14:30' }),
    });
    expect(settings.status).toBe(200);
    await uploadAndWait();
    sim.control.setClock(new Date('2026-01-15T13:30:00Z'));
    const ready = await api(sim, token, 'GET', `${GUIDE}/load-curves?date=${DAY}&price_zone=AT`);
    expect(field(ready.body, 'expiration')).toBe('2026-01-15T13:30:00Z');
    const late = await api(sim, token, 'POST', `${GUIDE}/load-curve-confirmation`, {
      trade_id: field(ready.body, 'trade_id'),
      accepted: true,
    });
    expect(late.status).toBe(409);
    expect(field(late.body, 'detail')).toBe('The confirmation deadline has passed.');
    expect(sim.control.trading.snapshot().counters.confirmations_accepted).toBe(0);
  });

  it('answers existing, late, and refuses a wrong day shape', async () => {
    await uploadAndWait();
    expect(field((await api(sim, token, 'POST', `${GUIDE}/prices`, guideBody(DAY))).body, 'state')).toBe(
      'existing',
    );
    const short = guideBody('2026-01-17');
    short.prices = short.prices.slice(0, 95);
    expect((await api(sim, token, 'POST', `${GUIDE}/prices`, short)).status).toBe(422);
    sim.control.setClock(new Date('2026-01-15T09:00:00Z'));
    expect(
      field((await api(sim, token, 'POST', `${GUIDE}/prices`, guideBody(DAY, 'AT'))).body, 'state'),
    ).toBe('late');
  });

  it("does not speak the reference's paths", async () => {
    expect(
      (
        await api(
          sim,
          token,
          'GET',
          `${PRICES()}?from_dt=2026-01-01T00:00:00Z&to_dt=2026-01-02T00:00:00Z&price_zone=AT`,
        )
      ).status,
    ).toBe(404);
    expect((await api(sim, token, 'GET', CURVE())).status).toBe(404);
  });
});
