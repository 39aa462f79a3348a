import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminClaims, apiEvent, bodyOf, userClaims } from '../../../../test-support/api-event';
import {
  type HeatPumpWorld,
  HP_GET_ROUTE,
  type OnboardedTestUser,
  startHeatPumpWorld,
} from '../../../../test-support/device-world';
import { INSIGHTS_MAX_AGE_SECONDS, SAVINGS_MAX_RANGE_DAYS } from '../../../devices/insights-schemas';
import { UserStore } from '../../../storage/users';

const P = '/api/partners/v2.0/org/{org_id}';
const STATISTICS_ROUTE = `GET ${P}/users/{user_id}/heat-pumps/{heat_pump_id}/statistics`;
const SAVINGS_ROUTE = `GET ${P}/users/{user_id}/heat-pumps/{heat_pump_id}/savings`;
const ORG_SAVINGS_ROUTE = `GET ${P}/devices/savings`;

let world: HeatPumpWorld;
let alice: OnboardedTestUser;
let bob: OnboardedTestUser;

beforeAll(async () => {
  world = await startHeatPumpWorld();
  [alice, bob] = (await world.onboard(2, 1, 'insights')) as [OnboardedTestUser, OnboardedTestUser];
  // A few days of history, so that savings are not all zero.
  world.advance(3 * 86_400);
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => {
  world.sim.control.clearFaults();
});

interface Bucket {
  resolution: string | null;
  period: { start: string | null; end: string | null };
  savings: { total: number | null; percentage: number | null } | null;
  consumption_total: number | null;
  estimated_consumption_wh: number | null;
}
interface InsightsBody {
  buckets: Bucket[];
  units: Record<string, string>;
  source: 'cache' | 'live';
  fetched_at: string;
  max_age_seconds: number;
}

const params = (user: OnboardedTestUser) => ({
  external_user_id: user.externalUserId,
  heat_pump_id: user.deviceIds[0] ?? '',
});
const iso = (ms: number) => new Date(ms).toISOString();
const lastTwoDays = () => ({ from: iso(world.clock.now - 2 * 86_400_000), to: iso(world.clock.now) });

describe('GET .../heat-pumps/{heat_pump_id}/savings', () => {
  it('answers buckets from Podero, then from the cache for the declared age, with a Cache-Control to match', async () => {
    const query = { ...lastTwoDays(), resolution: '1DAY' };
    const before = world.requests(SAVINGS_ROUTE);
    const live = await world.api(
      apiEvent('getHeatPumpSavings', {
        params: params(alice),
        query,
        claims: userClaims(alice.externalUserId),
      }),
    );
    expect(live.statusCode).toBe(200);
    const body = bodyOf<InsightsBody>(live);
    expect(body.source).toBe('live');
    expect(body.max_age_seconds).toBe(INSIGHTS_MAX_AGE_SECONDS);
    expect(body.buckets.length).toBeGreaterThanOrEqual(2);
    expect(Date.parse(body.buckets[0]?.period.start ?? '')).toBe(Date.parse(query.from));
    expect(body.buckets.every((b) => typeof b.savings?.total === 'number')).toBe(true);
    expect(body.units).toMatchObject({ savings: 'EUR' });
    expect(live.headers?.['cache-control']).toBe(`private, max-age=${INSIGHTS_MAX_AGE_SECONDS}`);
    expect(world.requests(SAVINGS_ROUTE)).toBe(before + 1);

    world.clock.now += 600_000;
    const cached = await world.api(apiEvent('getHeatPumpSavings', { params: params(alice), query }));
    expect(bodyOf<InsightsBody>(cached)).toEqual({ ...body, source: 'cache' });
    expect(cached.headers?.['cache-control']).toBe(`private, max-age=${INSIGHTS_MAX_AGE_SECONDS - 600}`);
    expect(world.requests(SAVINGS_ROUTE)).toBe(before + 1);

    // A caller asking for fresher gets Podero again; past the declared age everyone does.
    const fresher = await world.api(
      apiEvent('getHeatPumpSavings', { params: params(alice), query: { ...query, max_age_seconds: '60' } }),
    );
    expect(bodyOf<InsightsBody>(fresher).source).toBe('live');
    world.clock.now += (INSIGHTS_MAX_AGE_SECONDS + 1) * 1000;
    const expired = await world.api(apiEvent('getHeatPumpSavings', { params: params(alice), query }));
    expect(bodyOf<InsightsBody>(expired).source).toBe('live');
    expect(world.requests(SAVINGS_ROUTE)).toBe(before + 3);
  });

  it('refuses a reversed or too long range, a resolution Podero does not know, and an age above the declared one', async () => {
    const { from, to } = lastTwoDays();
    const cases: [Record<string, string>, string][] = [
      [{ from: to, to: from }, 'query.to'],
      [{ from: '2015-01-01T00:00:00Z', to }, 'query.to'],
      [{ from, to, resolution: '1HOUR' }, 'query.resolution'],
      [{ from, to, max_age_seconds: String(INSIGHTS_MAX_AGE_SECONDS + 1) }, 'query.max_age_seconds'],
      [{ from: '2026-01-01', to }, 'query.from'],
      [{ to }, 'query.from'],
    ];
    const before = world.requests(SAVINGS_ROUTE);
    for (const [query, field] of cases) {
      const res = await world.api(apiEvent('getHeatPumpSavings', { params: params(alice), query }));
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(JSON.stringify(bodyOf(res)), JSON.stringify(query)).toContain(field);
    }
    expect(world.requests(SAVINGS_ROUTE)).toBe(before);
  });

  it("never serves another user's device or cache: 403 across users, 404 for a device that is not theirs", async () => {
    const query = lastTwoDays();
    const warm = await world.api(apiEvent('getHeatPumpSavings', { params: params(bob), query }));
    expect(warm.statusCode).toBe(200);
    const crossUser = await world.api(
      apiEvent('getHeatPumpSavings', {
        params: params(bob),
        query,
        claims: userClaims(alice.externalUserId),
      }),
    );
    expect(crossUser.statusCode).toBe(403);
    // Alice's path with Bob's device: not hers, even though Bob's answer is cached.
    const before = world.requests(SAVINGS_ROUTE);
    const notHers = await world.api(
      apiEvent('getHeatPumpSavings', {
        params: { external_user_id: alice.externalUserId, heat_pump_id: bob.deviceIds[0] ?? '' },
        query,
        claims: userClaims(alice.externalUserId),
      }),
    );
    expect(notHers.statusCode).toBe(404);
    expect(world.requests(SAVINGS_ROUTE)).toBe(before);
    const unknownUser = await world.api(
      apiEvent('getHeatPumpSavings', {
        params: { external_user_id: 'nobody', heat_pump_id: bob.deviceIds[0] ?? '' },
        query,
      }),
    );
    expect(unknownUser.statusCode).toBe(404);
  });

  it('answers and caches the longest documented query: 1DAY buckets over 1,827 days', async () => {
    const query = {
      from: iso(world.clock.now - SAVINGS_MAX_RANGE_DAYS * 86_400_000),
      to: iso(world.clock.now),
      resolution: '1DAY',
    };
    const before = world.requests(SAVINGS_ROUTE);
    const live = await world.api(apiEvent('getHeatPumpSavings', { params: params(alice), query }));
    expect(live.statusCode, live.body).toBe(200);
    const body = bodyOf<InsightsBody>(live);
    expect(body.buckets).toHaveLength(SAVINGS_MAX_RANGE_DAYS + 1);
    expect(body.source).toBe('live');
    const cached = await world.api(apiEvent('getHeatPumpSavings', { params: params(alice), query }));
    expect(bodyOf<InsightsBody>(cached)).toEqual({ ...body, source: 'cache' });
    expect(world.requests(SAVINGS_ROUTE)).toBe(before + 1);
  });

  it('maps Podero failing to 502 and stores nothing', async () => {
    const query = { ...lastTwoDays(), resolution: '1WEEK' };
    world.sim.control.setFaults([{ route: SAVINGS_ROUTE, status: 500 }]);
    const failed = await world.api(apiEvent('getHeatPumpSavings', { params: params(alice), query }));
    expect(failed.statusCode).toBe(502);
    world.sim.control.clearFaults();
    const after = await world.api(apiEvent('getHeatPumpSavings', { params: params(alice), query }));
    expect(bodyOf<InsightsBody>(after).source).toBe('live');
  });
});

describe('GET .../heat-pumps/{heat_pump_id}/statistics', () => {
  it('reports each requested period so far, and caches per distinct query (order and repeats do not matter)', async () => {
    const before = world.requests(STATISTICS_ROUTE);
    const res = await world.api(
      apiEvent('getHeatPumpStatistics', {
        params: params(alice),
        query: { resolution: '1WEEK,1DAY', keywords: 'savings' },
        claims: userClaims(alice.externalUserId),
      }),
    );
    expect(res.statusCode).toBe(200);
    const body = bodyOf<InsightsBody>(res);
    expect(body.buckets.map((b) => b.resolution).sort()).toEqual(['1DAY', '1WEEK']);
    expect(body.buckets.every((b) => b.consumption_total === null && b.savings !== null)).toBe(true);
    const same = await world.api(
      apiEvent('getHeatPumpStatistics', {
        params: params(alice),
        query: { resolution: '1DAY,1WEEK,1DAY', keywords: 'savings' },
      }),
    );
    expect(bodyOf<InsightsBody>(same).source).toBe('cache');
    expect(world.requests(STATISTICS_ROUTE)).toBe(before + 1);
    const other = await world.api(
      apiEvent('getHeatPumpStatistics', { params: params(alice), query: { resolution: '1MONTH' } }),
    );
    expect(bodyOf<InsightsBody>(other).source).toBe('live');
    expect(world.requests(STATISTICS_ROUTE)).toBe(before + 2);
  });

  it('refuses an unknown keyword or resolution naming the field', async () => {
    for (const [query, field] of [
      [{ keywords: 'savings,weather' }, 'query.keywords'],
      [{ resolution: '' }, 'query.resolution'],
      [{ resolution: '1DAY', extra: 'x' }, 'query'],
    ] as const) {
      const res = await world.api(apiEvent('getHeatPumpStatistics', { params: params(alice), query }));
      expect(res.statusCode).toBe(400);
      expect(JSON.stringify(bodyOf(res))).toContain(field);
    }
  });

  it('answers 404 for a device that neither our snapshot nor Podero knows under the user', async () => {
    const [carol] = (await world.onboard(1, 1, 'insights-gone')) as [OnboardedTestUser];
    const before = world.requests(HP_GET_ROUTE);
    const res = await world.api(
      apiEvent('getHeatPumpStatistics', {
        params: {
          external_user_id: carol.externalUserId,
          heat_pump_id: '00000000-0000-4000-8000-000000000000',
        },
      }),
    );
    expect(res.statusCode).toBe(404);
    expect(world.requests(HP_GET_ROUTE)).toBe(before + 1);
  });
});

describe('GET /savings (organisation)', () => {
  it('is for admins: a user token is refused, an admin gets the totals, cached', async () => {
    const query = lastTwoDays();
    const refused = await world.api(
      apiEvent('getOrganisationSavings', { query, claims: userClaims(alice.externalUserId) }),
    );
    expect(refused.statusCode).toBe(403);
    const before = world.requests(ORG_SAVINGS_ROUTE);
    const res = await world.api(apiEvent('getOrganisationSavings', { query, claims: adminClaims() }));
    expect(res.statusCode).toBe(200);
    const body = bodyOf<{ total_savings: number; heat_pump_savings: number; source: string; from: string }>(
      res,
    );
    expect(body).toMatchObject({ source: 'live', from: query.from });
    expect(typeof body.total_savings).toBe('number');
    const again = await world.api(apiEvent('getOrganisationSavings', { query, claims: adminClaims() }));
    expect(bodyOf<{ source: string }>(again).source).toBe('cache');
    expect(world.requests(ORG_SAVINGS_ROUTE)).toBe(before + 1);
    const reversed = await world.api(
      apiEvent('getOrganisationSavings', {
        query: { from: query.to, to: query.from },
        claims: adminClaims(),
      }),
    );
    expect(reversed.statusCode).toBe(400);
  });
});

describe('an inverter’s and an EV’s savings (Appendix B, E12) through the simulator', () => {
  let dora: OnboardedTestUser;
  let inverterId: string;
  let from: string;

  beforeAll(async () => {
    [dora] = (await world.onboard(1, 0, 'insights-home')) as [OnboardedTestUser];
    const users = new UserStore(world.aws.db, world.aws.tableNames.main);
    const at = new Date(world.clock.now).toISOString();
    world.sim.control.addDevice(dora.poderoUserId, { kind: 'electric_vehicle' });
    inverterId = world.sim.control.addDevice(dora.poderoUserId, { kind: 'inverter' }).id;
    for (const kind of ['electric_vehicle', 'inverter'] as const)
      await users.addDeviceKind(dora.externalUserId, kind, at);
    // Podero's HEMS steers the home battery (and so saves) only under a hems mode.
    const mode = await world.api(
      apiEvent('updateChargingConfig', {
        params: { external_user_id: dora.externalUserId },
        body: { mode: 'hems' },
        claims: userClaims(dora.externalUserId),
      }),
    );
    expect(mode.statusCode).toBe(200);
    from = iso(world.clock.now);
    world.advance(2 * 86_400);
  });

  it('passes on production, export and self-consumption per bucket, and the saving', async () => {
    const res = await world.api(
      apiEvent('getInverterSavings', {
        params: { external_user_id: dora.externalUserId, inverter_id: inverterId },
        query: { from, to: iso(world.clock.now), resolution: '1DAY', max_age_seconds: '0' },
        claims: userClaims(dora.externalUserId),
      }),
    );
    expect(res.statusCode).toBe(200);
    const buckets = bodyOf<{ buckets: (Bucket & Record<string, number | null>)[] }>(res).buckets;
    expect(buckets.length).toBeGreaterThanOrEqual(2);
    for (const bucket of buckets) {
      expect(bucket.estimated_consumption_wh).toBeNull();
      expect(bucket.charge_session_count).toBeNull();
      expect(typeof bucket.solar_production_wh).toBe('number');
      expect(typeof bucket.grid_export_wh).toBe('number');
      expect(bucket.self_consumption_wh).toBe(
        (bucket.solar_production_wh ?? 0) - (bucket.grid_export_wh ?? 0),
      );
    }
    expect(buckets.reduce((sum, bucket) => sum + (bucket.solar_production_wh ?? 0), 0)).toBeGreaterThan(0);
    expect(buckets.reduce((sum, bucket) => sum + (bucket.savings?.total ?? 0), 0)).toBeGreaterThan(0);
  });

  it('counts the inverter in the organisation’s savings (S1)', async () => {
    const res = await world.api(
      apiEvent('getOrganisationSavings', {
        query: { from, to: iso(world.clock.now), max_age_seconds: '0' },
        claims: adminClaims(),
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(bodyOf<{ inverter_savings: number }>(res).inverter_savings).toBeGreaterThan(0);
  });

  it('answers 404 for the statistics of a kind Podero offers them only for heat pumps (H6)', async () => {
    const savings = apiEvent('getInverterSavings', {
      params: { external_user_id: dora.externalUserId, inverter_id: inverterId },
      claims: userClaims(dora.externalUserId),
    });
    const statistics = {
      ...savings,
      routeKey: 'GET /users/{external_user_id}/inverters/{inverter_id}/statistics',
      rawPath: savings.rawPath.replace(/savings$/, 'statistics'),
    };
    const res = await world.api(statistics);
    expect(res.statusCode).toBe(404);
    expect(JSON.stringify(bodyOf(res))).toContain('route_not_found');
  });
});
