import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminClaims, apiEvent, bodyOf, userClaims } from '../../../../test-support/api-event';
import {
  type HeatPumpWorld,
  HP_GET_ROUTE,
  HP_LIST_ROUTE,
  HP_PUT_ROUTE,
  type OnboardedTestUser,
  startHeatPumpWorld,
} from '../../../../test-support/device-world';
import { encodeReadingsCursor, readingExpiry, readingItem } from '../../../storage/readings';

let world: HeatPumpWorld;
let alice: OnboardedTestUser;
let bob: OnboardedTestUser;

beforeAll(async () => {
  world = await startHeatPumpWorld();
  [alice, bob] = (await world.onboard(2, 2, 'hp-route')) as [OnboardedTestUser, OnboardedTestUser];
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => {
  world.sim.control.clearFaults();
});

type HeatPumpBody = { id: string } & Record<string, unknown>;
interface ListBody {
  items: HeatPumpBody[];
  next_cursor: null;
  source: string;
  fetched_at: string;
  stale: boolean;
}
interface OneBody {
  heat_pump: HeatPumpBody;
  source: string;
  fetched_at: string;
  stale: boolean;
}

const hpParams = (user: OnboardedTestUser, index = 0) => ({
  external_user_id: user.externalUserId,
  heat_pump_id: user.deviceIds[index] ?? '',
});

describe('GET /users/{external_user_id}/heat-pumps', () => {
  it('fetches live, then serves the snapshot while it is younger than max_age_seconds', async () => {
    const params = { external_user_id: alice.externalUserId };
    const before = world.requests(HP_LIST_ROUTE);

    const live = await world.api(
      apiEvent('listHeatPumps', { params, claims: userClaims(alice.externalUserId) }),
    );
    expect(live.statusCode).toBe(200);
    const liveBody = bodyOf<ListBody>(live);
    expect(liveBody.source).toBe('live');
    expect(liveBody.items.map((hp) => hp.id).sort()).toEqual([...alice.deviceIds].sort());
    expect(world.requests(HP_LIST_ROUTE)).toBe(before + 1);

    world.clock.now += 20_000;
    const cached = bodyOf<ListBody>(await world.api(apiEvent('listHeatPumps', { params })));
    expect(cached).toEqual({ ...liveBody, source: 'cache' });
    expect(world.requests(HP_LIST_ROUTE)).toBe(before + 1);

    // max_age_seconds=0: always live.
    const forced = bodyOf<ListBody>(
      await world.api(apiEvent('listHeatPumps', { params, query: { max_age_seconds: '0' } })),
    );
    expect(forced.source).toBe('live');
    expect(forced.fetched_at).toBe(new Date(world.clock.now).toISOString());
    expect(world.requests(HP_LIST_ROUTE)).toBe(before + 2);

    // Older than the default 30 s: live again.
    world.clock.now += 31_000;
    const expired = bodyOf<ListBody>(await world.api(apiEvent('listHeatPumps', { params })));
    expect(expired.source).toBe('live');
    expect(world.requests(HP_LIST_ROUTE)).toBe(before + 3);
  });

  it('serves a fresh snapshot while Podero fails, and maps the failure when the snapshot is too old', async () => {
    const params = { external_user_id: bob.externalUserId };
    const live = bodyOf<ListBody>(
      await world.api(apiEvent('listHeatPumps', { params, query: { max_age_seconds: '0' } })),
    );
    world.sim.control.setFaults([{ route: HP_LIST_ROUTE, status: 503 }]);

    const fresh = await world.api(apiEvent('listHeatPumps', { params }));
    expect(fresh.statusCode).toBe(200);
    expect(bodyOf<ListBody>(fresh)).toMatchObject({
      source: 'cache',
      stale: false,
      fetched_at: live.fetched_at,
    });

    const tooOld = await world.api(apiEvent('listHeatPumps', { params, query: { max_age_seconds: '0' } }));
    expect(tooOld.statusCode).toBe(502);
    expect(bodyOf(tooOld)).toMatchObject({ error: { code: 'upstream_error' } });

    // Opt-in stale-if-error: the old snapshot, flagged.
    const stale = await world.api(
      apiEvent('listHeatPumps', { params, query: { max_age_seconds: '0', stale_if_error_seconds: '600' } }),
    );
    expect(stale.statusCode).toBe(200);
    expect(bodyOf<ListBody>(stale)).toMatchObject({
      source: 'cache',
      stale: true,
      fetched_at: live.fetched_at,
    });

    world.sim.control.setFaults([{ route: HP_LIST_ROUTE, status: 429, retry_after_seconds: 7 }]);
    const limited = await world.api(apiEvent('listHeatPumps', { params, query: { max_age_seconds: '0' } }));
    expect(limited.statusCode).toBe(503);
    expect(limited.headers?.['retry-after']).toBe('7');
  });

  it('answers 404 for a user that was never onboarded', async () => {
    const res = await world.api(apiEvent('listHeatPumps', { params: { external_user_id: 'nobody-here' } }));
    expect(res.statusCode).toBe(404);
    expect(bodyOf(res)).toMatchObject({ error: { code: 'not_found', message: 'user not found' } });
  });

  it('validates the query: bad numbers and unknown parameters are 400 naming the field', async () => {
    const params = { external_user_id: alice.externalUserId };
    for (const [query, field] of [
      [{ max_age_seconds: 'abc' }, 'query.max_age_seconds'],
      [{ max_age_seconds: '-1' }, 'query.max_age_seconds'],
      [{ max_age_seconds: '86401' }, 'query.max_age_seconds'],
      [{ stale_if_error_seconds: '1.5' }, 'query.stale_if_error_seconds'],
      [{ maxage: '5' }, 'query.maxage'],
    ] as const) {
      const res = await world.api(apiEvent('listHeatPumps', { params, query }));
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(bodyOf(res)).toMatchObject({ error: { code: 'validation_error', details: [{ field }] } });
    }
  });

  it("refuses another user's token with 403", async () => {
    const res = await world.api(
      apiEvent('listHeatPumps', {
        params: { external_user_id: alice.externalUserId },
        claims: userClaims(bob.externalUserId),
      }),
    );
    expect(res.statusCode).toBe(403);
  });
});

describe('GET /users/{external_user_id}/heat-pumps/{heat_pump_id}', () => {
  it('reads live, then from the snapshot, with the state of the simulated heat pump', async () => {
    const params = hpParams(alice, 1);
    const live = bodyOf<OneBody>(
      await world.api(apiEvent('getHeatPump', { params, query: { max_age_seconds: '0' } })),
    );
    expect(live).toMatchObject({ source: 'live', heat_pump: { id: params.heat_pump_id } });
    expect(typeof live.heat_pump.current_state_last_updated_at).toBe('string');
    const gets = world.requests(HP_GET_ROUTE);
    const cached = bodyOf<OneBody>(
      await world.api(apiEvent('getHeatPump', { params, claims: userClaims(alice.externalUserId) })),
    );
    expect(cached).toEqual({ ...live, source: 'cache' });
    expect(world.requests(HP_GET_ROUTE)).toBe(gets);
  });

  it('maps a Podero failure to 502 unless the caller accepts a stale snapshot', async () => {
    const params = hpParams(bob, 1);
    const live = bodyOf<OneBody>(
      await world.api(apiEvent('getHeatPump', { params, query: { max_age_seconds: '0' } })),
    );
    world.clock.now += 120_000;
    world.sim.control.setFaults([{ route: HP_GET_ROUTE, status: 502 }]);
    const failed = await world.api(apiEvent('getHeatPump', { params }));
    expect(failed.statusCode).toBe(502);
    const stale = await world.api(
      apiEvent('getHeatPump', { params, query: { stale_if_error_seconds: '300' } }),
    );
    expect(bodyOf<OneBody>(stale)).toMatchObject({
      source: 'cache',
      stale: true,
      fetched_at: live.fetched_at,
    });
    // Older than the accepted staleness: the failure again.
    const tooStale = await world.api(
      apiEvent('getHeatPump', { params, query: { stale_if_error_seconds: '60' } }),
    );
    expect(tooStale.statusCode).toBe(502);
  });

  it("answers 404 for another user's heat pump, even for an admin, and for an unknown id", async () => {
    const foreign = await world.api(
      apiEvent('getHeatPump', {
        params: { external_user_id: alice.externalUserId, heat_pump_id: bob.deviceIds[0] ?? '' },
        claims: adminClaims(),
      }),
    );
    expect(foreign.statusCode).toBe(404);
    expect(bodyOf(foreign)).toMatchObject({ error: { code: 'not_found', message: 'heat pump not found' } });
    const unknown = await world.api(
      apiEvent('getHeatPump', {
        params: {
          external_user_id: alice.externalUserId,
          heat_pump_id: '0b6c9f7e-1d2a-4c3b-9e8f-7a6b5c4d3e2f',
        },
      }),
    );
    expect(unknown.statusCode).toBe(404);
  });

  it('answers 400 naming the path parameter for a heat_pump_id that is not a UUID', async () => {
    const res = await world.api(
      apiEvent('getHeatPump', {
        params: { external_user_id: alice.externalUserId, heat_pump_id: 'not-a-uuid' },
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res)).toMatchObject({ error: { details: [{ field: 'path.heat_pump_id' }] } });
  });
});

describe('PATCH /users/{external_user_id}/heat-pumps/{heat_pump_id}', () => {
  const patch = (
    params: ReturnType<typeof hpParams>,
    body: unknown,
    claims = userClaims(params.external_user_id),
  ) => world.api(apiEvent('updateHeatPump', { params, body, claims }));

  it('forwards the settings to Podero, returns the updated heat pump and refreshes the snapshot', async () => {
    const params = hpParams(alice, 0);
    const puts = world.requests(HP_PUT_ROUTE);
    const res = await patch(params, {
      is_smart_optimization_active: true,
      optimization_level: 'Max',
      minimum_temperature_limit: 19.5,
      maximum_temperature_limit: 23,
      is_away_mode_enabled: true,
      away_mode_start: '2026-07-01T08:00:00Z',
      away_mode_end: '2026-07-14T18:00:00Z',
      away_mode_minimum_temperature_limit: 12,
    });
    expect(res.statusCode).toBe(200);
    const body = bodyOf<OneBody>(res);
    expect(body).toMatchObject({
      source: 'live',
      heat_pump: {
        id: params.heat_pump_id,
        optimization_level: 'Max',
        minimum_temperature_limit: 19.5,
        maximum_temperature_limit: 23,
        is_away_mode_enabled: true,
        away_mode_minimum_temperature_limit: 12,
      },
    });
    expect(world.requests(HP_PUT_ROUTE)).toBe(puts + 1);

    const cached = bodyOf<OneBody>(await world.api(apiEvent('getHeatPump', { params })));
    expect(cached.source).toBe('cache');
    expect(cached.heat_pump.optimization_level).toBe('Max');
  });

  it('pauses and resumes power and sets every other documented control, checked against the device', async () => {
    const params = hpParams(alice, 1);
    const pauseUntil = new Date(world.clock.now + 2 * 3_600_000).toISOString();
    const res = await patch(params, {
      pause_power_until: pauseUntil,
      indoor_target_temperature_offset: 1.5,
      dhw_standard_temperature: 52,
      is_space_heating_enabled: true,
      is_hot_water_heating_enabled: true,
      is_pool_heating_enabled: false,
      is_space_cooling_enabled: false,
      price_zone: 'AT',
    });
    expect(res.statusCode).toBe(200);
    const paused = bodyOf<OneBody>(res).heat_pump;
    expect(Date.parse(String(paused.pause_power_until))).toBe(Date.parse(pauseUntil));
    expect(paused).toMatchObject({
      indoor_target_temperature_offset: 1.5,
      dhw_standard_temperature: 52,
      is_pool_heating_enabled: false,
      price_zone: 'AT',
    });
    const resumed = bodyOf<OneBody>(await patch(params, { pause_power_until: null })).heat_pump;
    expect(resumed.pause_power_until ?? null).toBeNull();

    const puts = world.requests(HP_PUT_ROUTE);
    const past = await patch(params, { pause_power_until: new Date(world.clock.now - 1000).toISOString() });
    expect(past.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(past))).toContain('body.pause_power_until');
    const outOfRange = await patch(params, { indoor_target_temperature_offset: 15 });
    expect(outOfRange.statusCode).toBe(400);
    expect(world.requests(HP_PUT_ROUTE)).toBe(puts);
  });

  it('rejects invalid settings with 400 naming the field, without calling Podero', async () => {
    const params = hpParams(alice, 0);
    const puts = world.requests(HP_PUT_ROUTE);
    const cases: [unknown, string][] = [
      [{ optimization_level: 'High' }, 'body.optimization_level'],
      [{ minimum_temperature_limit: 40 }, 'body.minimum_temperature_limit'],
      [{ maximum_temperature_limit: '22' }, 'body.maximum_temperature_limit'],
      [{ is_smart_optimization_active: 'yes' }, 'body.is_smart_optimization_active'],
      [{ away_mode_start: 'next monday' }, 'body.away_mode_start'],
      [{ price_zone: 'XX' }, 'body.price_zone'],
      [{ current_power_consumption_w: 5 }, 'body.current_power_consumption_w'],
      [{}, 'body'],
      // Cross-field rules on the merged result (current maximum is 23 from the previous test).
      [{ minimum_temperature_limit: 24 }, 'body.minimum_temperature_limit'],
      [{ minimum_temperature_limit: 22, maximum_temperature_limit: 21 }, 'body.minimum_temperature_limit'],
      [
        { away_mode_start: '2026-08-02T00:00:00Z', away_mode_end: '2026-08-01T00:00:00Z' },
        'body.away_mode_start',
      ],
      [{ away_mode_end: '2026-06-01T00:00:00Z' }, 'body.away_mode_end'],
    ];
    for (const [body, field] of cases) {
      const res = await patch(params, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      const details = bodyOf<{ error: { details?: { field: string }[] } }>(res).error.details ?? [];
      expect(
        details.map((d) => d.field),
        JSON.stringify(body),
      ).toContain(field);
    }
    expect(world.requests(HP_PUT_ROUTE)).toBe(puts);
  });

  it('maps a failing Podero PUT to 502 and leaves the snapshot as it was', async () => {
    const params = hpParams(bob, 0);
    const before = bodyOf<OneBody>(
      await world.api(apiEvent('getHeatPump', { params, query: { max_age_seconds: '0' } })),
    );
    world.sim.control.setFaults([{ route: HP_PUT_ROUTE, status: 500 }]);
    const res = await patch(params, {
      optimization_level: before.heat_pump.optimization_level === 'Low' ? 'Mid' : 'Low',
    });
    expect(res.statusCode).toBe(502);
    expect(bodyOf(res)).toMatchObject({ error: { code: 'upstream_error' } });
    const after = bodyOf<OneBody>(await world.api(apiEvent('getHeatPump', { params })));
    expect(after).toMatchObject({
      source: 'cache',
      heat_pump: { optimization_level: before.heat_pump.optimization_level },
    });
  });

  it("answers 404 for another user's heat pump and never sends the PUT", async () => {
    const puts = world.requests(HP_PUT_ROUTE);
    const res = await patch(
      { external_user_id: alice.externalUserId, heat_pump_id: bob.deviceIds[1] ?? '' },
      { optimization_level: 'Low' },
      adminClaims(),
    );
    expect(res.statusCode).toBe(404);
    expect(world.requests(HP_PUT_ROUTE)).toBe(puts);
  });

  it('rejects a body that is not JSON with 415, and malformed JSON with 400', async () => {
    const params = hpParams(alice, 0);
    const text = await world.api(
      apiEvent('updateHeatPump', {
        params,
        body: 'optimization_level=Low',
        headers: { 'content-type': 'text/plain' },
      }),
    );
    expect(text.statusCode).toBe(415);
    const broken = await world.api(apiEvent('updateHeatPump', { params, body: '{"optimization_level":' }));
    expect(broken.statusCode).toBe(400);
  });
});

describe('GET /users/{external_user_id}/heat-pumps/{heat_pump_id}/readings', () => {
  const total = 1234;
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  const at = (i: number) => new Date(start + i * 300_000).toISOString();

  beforeAll(async () => {
    const deviceId = bob.deviceIds[0] ?? '';
    const items = Array.from({ length: total }, (_, i) =>
      readingItem({
        deviceId,
        stateAt: at(i),
        recordedAt: at(i),
        values: { current_power_consumption_w: i },
        expiresAt: readingExpiry(at(i), 400),
      }),
    );
    for (let i = 0; i < items.length; i += 25) {
      await world.aws.db.send(
        new BatchWriteCommand({
          RequestItems: {
            [world.aws.tableNames.readings]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
    }
  });

  it('pages through every reading in time order with the opaque cursor', async () => {
    const params = hpParams(bob, 0);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string> = { limit: '100', ...(cursor ? { cursor } : {}) };
      const res = await world.api(
        apiEvent('listHeatPumpReadings', { params, query, claims: userClaims(bob.externalUserId) }),
      );
      expect(res.statusCode).toBe(200);
      const body = bodyOf<{
        items: { state_at: string; values: Record<string, number> }[];
        next_cursor: string | null;
      }>(res);
      seen.push(...body.items.map((r) => r.state_at));
      cursor = body.next_cursor;
      pages++;
    } while (cursor !== null && pages < 50);
    expect(pages).toBe(13);
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => at(i)));
  });

  it('filters by from (inclusive) and to (exclusive) and defaults to 100 per page', async () => {
    const params = hpParams(bob, 0);
    const ranged = bodyOf<{ items: { state_at: string }[]; next_cursor: string | null }>(
      await world.api(
        apiEvent('listHeatPumpReadings', {
          params,
          query: { from: at(10), to: '2026-01-01T01:05:00+00:00' },
        }),
      ),
    );
    expect(ranged.items.map((r) => r.state_at)).toEqual([at(10), at(11), at(12)]);
    expect(ranged.next_cursor).toBeNull();
    const page = bodyOf<{ items: unknown[] }>(await world.api(apiEvent('listHeatPumpReadings', { params })));
    expect(page.items).toHaveLength(100);
  });

  it('lists newest first with order=desc (limit=1 is the latest), and keeps a cursor to its order', async () => {
    const params = hpParams(bob, 0);
    const latest = bodyOf<{ items: { state_at: string }[]; next_cursor: string }>(
      await world.api(apiEvent('listHeatPumpReadings', { params, query: { order: 'desc', limit: '1' } })),
    );
    expect(latest.items.map((r) => r.state_at)).toEqual([at(total - 1)]);
    const next = bodyOf<{ items: { state_at: string }[] }>(
      await world.api(
        apiEvent('listHeatPumpReadings', {
          params,
          query: { order: 'desc', limit: '2', cursor: latest.next_cursor },
        }),
      ),
    );
    expect(next.items.map((r) => r.state_at)).toEqual([at(total - 2), at(total - 3)]);
    const mixed = await world.api(
      apiEvent('listHeatPumpReadings', { params, query: { cursor: latest.next_cursor } }),
    );
    expect(mixed.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(mixed))).toContain('other order');
  });

  it('aggregates into UTC buckets with count and avg/min/max per value, in either order', async () => {
    const params = hpParams(bob, 0);
    const hourly = bodyOf<{
      items: {
        start: string;
        end: string;
        count: number;
        values: Record<string, { avg: number; min: number; max: number }>;
      }[];
      bucket: string;
      next_cursor: null;
    }>(
      await world.api(
        apiEvent('listHeatPumpReadings', { params, query: { bucket: '1h', from: at(0), to: at(24) } }),
      ),
    );
    expect(hourly.bucket).toBe('1h');
    expect(hourly.next_cursor).toBeNull();
    expect(hourly.items).toEqual([
      {
        start: at(0),
        end: at(12),
        count: 12,
        values: { current_power_consumption_w: { avg: 5.5, min: 0, max: 11 } },
      },
      {
        start: at(12),
        end: at(24),
        count: 12,
        values: { current_power_consumption_w: { avg: 17.5, min: 12, max: 23 } },
      },
    ]);
    const daily = bodyOf<{ items: { start: string; count: number }[] }>(
      await world.api(
        apiEvent('listHeatPumpReadings', {
          params,
          query: { bucket: '1d', from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z', order: 'desc' },
        }),
      ),
    );
    expect(daily.items.map((b) => b.count)).toEqual([1234 - 4 * 288, 288, 288, 288, 288]);
    expect(daily.items.at(-1)?.start).toBe(at(0));
  });

  it('refuses buckets without a range, over too long a range, or with a cursor', async () => {
    const params = hpParams(bob, 0);
    const cases: [Record<string, string>, string][] = [
      [{ bucket: '1h' }, 'query.from'],
      [{ bucket: '15m', from: at(0), to: '2026-01-09T00:00:00Z' }, 'query.to'],
      [
        { bucket: '1h', from: at(0), to: at(10), cursor: encodeReadingsCursor(params.heat_pump_id, at(3)) },
        'query.cursor',
      ],
      [{ bucket: '5m', from: at(0), to: at(10) }, 'query.bucket'],
    ];
    for (const [query, field] of cases) {
      const res = await world.api(apiEvent('listHeatPumpReadings', { params, query }));
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(JSON.stringify(bodyOf(res)), JSON.stringify(query)).toContain(field);
    }
  });

  it('exports a page or the buckets as CSV on Accept: text/csv, with the next cursor in a header', async () => {
    const params = hpParams(bob, 0);
    const page = await world.api(
      apiEvent('listHeatPumpReadings', { params, query: { limit: '3' }, headers: { accept: 'text/csv' } }),
    );
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toBe('text/csv; charset=utf-8');
    expect(page.headers?.['content-disposition']).toContain('.csv');
    expect(page.body).toBe(
      `state_at,recorded_at,source,current_power_consumption_w\r\n${[0, 1, 2].map((i) => `${at(i)},${at(i)},sync,${i}`).join('\r\n')}\r\n`,
    );
    const next = String(page.headers?.['x-next-cursor'] ?? '');
    const following = await world.api(
      apiEvent('listHeatPumpReadings', {
        params,
        query: { limit: '1', cursor: next },
        headers: { accept: 'application/json, text/csv;q=0.5' },
      }),
    );
    expect(String(following.body).split('\r\n')[1]).toBe(`${at(3)},${at(3)},sync,3`);
    const buckets = await world.api(
      apiEvent('listHeatPumpReadings', {
        params,
        query: { bucket: '1h', from: at(0), to: at(12) },
        headers: { accept: 'text/csv' },
      }),
    );
    expect(String(buckets.body).split('\r\n').slice(0, 2)).toEqual([
      'start,end,count,current_power_consumption_w_avg,current_power_consumption_w_min,current_power_consumption_w_max',
      `${at(0)},${at(12)},12,5.5,0,11`,
    ]);
    const json = await world.api(
      apiEvent('listHeatPumpReadings', {
        params,
        query: { limit: '1' },
        headers: { accept: 'text/csv;q=0' },
      }),
    );
    expect(json.headers?.['content-type']).toContain('application/json');
  });

  it('rejects tampered, foreign and malformed cursors and bad ranges with 400 naming the field', async () => {
    const params = hpParams(bob, 0);
    const foreignCursor = encodeReadingsCursor(bob.deviceIds[1] ?? '', at(3));
    const cases: [Record<string, string>, string][] = [
      [{ cursor: 'bm90LWEtY3Vyc29y' }, 'query.cursor'],
      [{ cursor: `${encodeReadingsCursor(params.heat_pump_id, at(3))}!` }, 'query.cursor'],
      [{ cursor: foreignCursor }, 'query.cursor'],
      [{ limit: '0' }, 'query.limit'],
      [{ limit: '1001' }, 'query.limit'],
      [{ from: 'yesterday' }, 'query.from'],
      [{ from: at(5), to: at(5) }, 'query.to'],
    ];
    for (const [query, field] of cases) {
      const res = await world.api(apiEvent('listHeatPumpReadings', { params, query }));
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(bodyOf(res)).toMatchObject({ error: { details: [{ field }] } });
    }
  });

  it("answers 404 for another user's heat pump, even with readings stored for it", async () => {
    const res = await world.api(
      apiEvent('listHeatPumpReadings', {
        params: { external_user_id: alice.externalUserId, heat_pump_id: bob.deviceIds[0] ?? '' },
      }),
    );
    expect(res.statusCode).toBe(404);
  });
});
