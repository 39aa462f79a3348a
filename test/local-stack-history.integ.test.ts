/**
 * Done-when of gap-free history, through the local stack (`pnpm dev`) on the simulated clock: the clock moves
 * on for three sync passes that never run, the readings routes' coverage shows their quarter-hours as gaps,
 * and one run of `history-backfill` fills them from Podero's `/data` (coverage back to 100 %). A second time,
 * Podero itself lacks one of the missed quarter-hours (a `/__sim/` outage): that one stays a gap, recorded as
 * `no_data_at_podero`, and every quarter-hour Podero still had is filled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, connectHeatPump, onboardUser } from './support/flows';
import { startTestStack, type TestStack } from './support/local-stack';

interface CoverageBody {
  from: string;
  to: string;
  total: { expected: number; covered: number; ratio: number };
  days: { day: string; expected: number; covered: number; backfilled: number; gaps: Gap[] }[];
  backfill: {
    available: boolean;
    filled_quarters: number;
    unfillable: (Gap & { reason: string })[];
  };
}
interface Gap {
  from: string;
  to: string;
}

const USER = 'history-1';
const QUARTER_S = 900;
const QUARTER_MS = QUARTER_S * 1000;
/** The backfill leaves the latest half hour to the sync (BACKFILL_DEFAULTS.settleMinutes). */
const SETTLE_S = 1800;
let t: TestStack;
let admin: string;
let deviceId: string;
/** The first whole quarter-hour the sync saw. */
let firstQuarter: string;

const nowMs = () => t.stack.simulator.control.now().getTime();
const iso = (ms: number) => new Date(ms).toISOString();

/** `count` passes a quarter-hour apart; the first `missed` of them never run (the clock moves on alone). */
async function syncPasses(count: number, missed = 0): Promise<void> {
  for (let pass = 0; pass < count; pass++) {
    if (pass >= missed) {
      const run = await t.stack.runSchedule('heat-pump-sync');
      expect(run.ok, JSON.stringify(run)).toBe(true);
    }
    t.stack.simulator.control.advanceClock(QUARTER_S);
  }
}

/** The coverage route from the first synced quarter-hour to the backfill's horizon (now less the settle time). */
async function coverage(): Promise<CoverageBody> {
  const to = iso(Math.floor((nowMs() - SETTLE_S * 1000) / QUARTER_MS) * QUARTER_MS);
  const answer = await apiCall(
    t.stack.apiUrl,
    admin,
    'GET',
    `/users/${USER}/heat-pumps/${deviceId}/readings/coverage?from=${firstQuarter}&to=${to}`,
  );
  expect(answer.status, answer.text).toBe(200);
  return answer.json as CoverageBody;
}

async function backfill(): Promise<void> {
  const run = await t.stack.runSchedule('history-backfill');
  expect(run.ok, JSON.stringify(run)).toBe(true);
}

beforeAll(async () => {
  t = await startTestStack({ simulator: { startTime: new Date('2026-03-10T11:50:00.000Z') } });
  admin = await t.stack.mintToken({ admin: true });
  await onboardUser(t.stack.apiUrl, admin, USER);
  ({ deviceId } = await connectHeatPump(t.stack.apiUrl, admin, USER));
  firstQuarter = iso(Math.ceil(nowMs() / QUARTER_MS) * QUARTER_MS);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('gap-free history through the local stack', () => {
  it('fills the quarter-hours of three missed sync passes: coverage back to 100 %', async () => {
    await syncPasses(4);
    await syncPasses(3, 3);
    await syncPasses(4);
    t.stack.simulator.control.advanceClock(SETTLE_S);

    const before = await coverage();
    expect(before.total.covered).toBeLessThan(before.total.expected);
    const missing = before.total.expected - before.total.covered;
    // Three missed passes leave at least their three quarter-hours without a reading.
    expect(missing).toBeGreaterThanOrEqual(3);
    expect(before.days.flatMap((day) => day.gaps).length).toBeGreaterThan(0);
    expect(before.backfill).toMatchObject({ available: true, filled_quarters: 0 });

    await backfill();

    const after = await coverage();
    expect(after.total).toEqual({
      expected: before.total.expected,
      covered: before.total.expected,
      ratio: 1,
    });
    expect(after.days.flatMap((day) => day.gaps)).toEqual([]);
    expect(after.days.reduce((sum, day) => sum + day.backfilled, 0)).toBe(missing);
    expect(after.backfill).toMatchObject({ filled_quarters: missing, unfillable: [] });

    // The filled quarter-hours are readings marked with their source.
    const readings = await apiCall(
      t.stack.apiUrl,
      admin,
      'GET',
      `/users/${USER}/heat-pumps/${deviceId}/readings?from=${after.from}&to=${after.to}&limit=200`,
    );
    expect(readings.status, readings.text).toBe(200);
    const items = (readings.json as { items: { source: string }[] }).items;
    expect(items.filter((item) => item.source === 'backfill')).toHaveLength(missing);

    // The operator sees the run.
    const status = await apiCall(t.stack.apiUrl, admin, 'GET', '/history/backfill');
    expect(status.status, status.text).toBe(200);
    expect(status.json).toMatchObject({ run: { pass: 1, last_run_ending: 'pass_complete' } });
  }, 240_000);

  it('fills what Podero still has and records the quarter-hour it lacks', async () => {
    const outageFrom = nowMs() - (nowMs() % QUARTER_MS) + QUARTER_MS;
    const outage = { from: iso(outageFrom), to: iso(outageFrom + QUARTER_MS) };
    const gapsRoute = await fetch(`${t.stack.simulatorUrl}/__sim/devices/${deviceId}/data-gaps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(outage),
    });
    expect(gapsRoute.status, await gapsRoute.text()).toBe(200);

    // Three more missed passes, the first of whose quarter-hours Podero never got.
    t.stack.simulator.control.advanceClock((outageFrom - nowMs()) / 1000);
    await syncPasses(3, 3);
    await syncPasses(3);
    t.stack.simulator.control.advanceClock(SETTLE_S);
    await backfill();

    const after = await coverage();
    expect(after.days.flatMap((day) => day.gaps)).toEqual([outage]);
    expect(after.total.covered).toBe(after.total.expected - 1);
    expect(after.backfill.unfillable).toEqual([{ ...outage, reason: 'no_data_at_podero' }]);
  }, 240_000);
});
