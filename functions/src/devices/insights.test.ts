import { PoderoNotFoundError, type StatisticsResponse } from '@podero-bridge/podero-client';
import { describe, expect, it } from 'vitest';
import { electricVehicleKind } from '../domain/devices/electric-vehicle';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { inverterKind } from '../domain/devices/inverter';
import { wallboxKind } from '../domain/devices/wallbox';
import { UnknownUserError } from '../domain/errors';
import type { CachedInsight, InsightOwner, InsightsCache } from '../storage/insights-cache';
import { DeviceInsightsService, type InsightsUpstream } from './insights';
import { INSIGHTS_MAX_AGE_SECONDS } from './insights-schemas';
import { UnknownDeviceError } from './service';

const NOW = Date.parse('2026-06-01T12:00:00Z');
/** A heat pump's bucket has none of the figures of the other kinds' parts. */
const NO_OTHER_KIND_FIGURES = {
  charge_session_count: null,
  average_charge_power_w: null,
  solar_production_wh: null,
  grid_export_wh: null,
  self_consumption_wh: null,
};

function world(
  options: { keep?: boolean; created?: boolean; tooLarge?: boolean; answer?: StatisticsResponse } = {},
) {
  const cache = new Map<string, CachedInsight>();
  const calls = {
    podero: [] as unknown[],
    gets: 0,
    puts: [] as { keepSeconds: number }[],
    kept: 0,
    keptKeys: [] as string[],
  };
  const keyOf = (owner: InsightOwner, kind: string, queryKey: string) =>
    `${'organisation' in owner ? 'ORG' : `${owner.externalUserId}/${owner.deviceId}`}|${kind}|${queryKey}`;
  const answer: StatisticsResponse = options.answer ?? {
    metadata: { requested_at: 'x', units: { savings: 'EUR', consumption: 'kWh', bogus: 3 }, error: '' },
    data: [
      {
        resolution: '1DAY',
        period: { start_period: '2026-06-01T00:00:00Z', end_period: '2026-06-02T00:00:00Z' },
        savings: { total: 1.25, percentage: 12.5 },
        consumption: { total: 7.5 },
        heat_pump: { estimated_consumption_wh: 7500 },
      },
      { resolution: '1WEEK', period: {}, savings: null },
    ],
  };
  const podero: InsightsUpstream = {
    heatPumps: {
      statistics: async (userId, deviceId, query) => {
        calls.podero.push(['statistics', userId, deviceId, query]);
        return answer;
      },
      savings: async (userId, deviceId, query) => {
        calls.podero.push(['savings', userId, deviceId, query]);
        return answer;
      },
    },
    electricVehicles: {
      savings: async (userId, deviceId, query) => {
        calls.podero.push(['ev-savings', userId, deviceId, query]);
        return {
          ...answer,
          data: [
            {
              resolution: '1MONTH',
              period: {},
              electric_vehicle: {
                estimated_consumption_wh: 900,
                charge_session_count: 3,
                average_charge_power_w: 7100,
              },
              heat_pump: { estimated_consumption_wh: 1 },
            },
          ],
        };
      },
    },
    inverters: {
      savings: async (userId, deviceId, query) => {
        calls.podero.push(['inverter-savings', userId, deviceId, query]);
        return {
          ...answer,
          data: [
            {
              resolution: '1MONTH',
              period: {},
              savings: { total: 3.5, percentage: 20 },
              inverter: { solar_production_wh: 9000, grid_export_wh: 4000 },
              heat_pump: { estimated_consumption_wh: 1 },
            },
            {
              resolution: '1MONTH',
              period: {},
              inverter: { solar_production_wh: 9000, grid_export_wh: 4000, self_consumption_wh: 4800 },
            },
            { resolution: '1MONTH', period: {}, inverter: { solar_production_wh: 9000 } },
          ],
        };
      },
    },
    devices: {
      savings: async (query) => {
        calls.podero.push(['org', query]);
        return {
          total_savings: 10,
          heat_pump_savings: 10,
          electric_vehicle_savings: null,
        };
      },
    },
  };
  const store = {
    get: async (owner: InsightOwner, kind: string, queryKey: string) => {
      calls.gets++;
      return cache.get(keyOf(owner, kind, queryKey));
    },
    put: async (
      owner: InsightOwner,
      kind: string,
      queryKey: string,
      body: unknown,
      fetchedAt: string,
      keepSeconds: number,
    ) => {
      calls.puts.push({ keepSeconds });
      if (options.tooLarge) return undefined;
      const key = keyOf(owner, kind, queryKey);
      const created = options.created ?? !cache.has(key);
      cache.set(key, { body, fetchedAt });
      return { created, sk: key };
    },
  };
  let now = NOW;
  const service = new DeviceInsightsService({
    podero,
    requireOwned: async (_kind, ext, hp) => {
      if (ext === 'nobody') throw new UnknownUserError(ext);
      if (hp === 'not-hers') throw new UnknownDeviceError('heat pump', hp);
      return `podero-${ext}`;
    },
    keepIfOnboarded: async (_ext, _podero, sortKeys) => {
      calls.kept++;
      calls.keptKeys.push(...sortKeys);
      return options.keep ?? true;
    },
    cache: store as unknown as InsightsCache,
    now: () => now,
  });
  return { service, calls, cache, tick: (seconds: number) => (now += seconds * 1000) };
}

const stats = (extra: Record<string, unknown> = {}) => ({
  max_age_seconds: INSIGHTS_MAX_AGE_SECONDS,
  ...extra,
});

describe('DeviceInsightsService', () => {
  it('asks Podero as the device’s Podero user, with the documented defaults, and allow-lists the buckets', async () => {
    const w = world();
    const answer = await w.service.statistics(heatPumpKind, 'ada', 'hp-1', stats());
    expect(w.calls.podero).toEqual([
      ['statistics', 'podero-ada', 'hp-1', { resolution: ['1DAY'], keywords: ['consumption', 'savings'] }],
    ]);
    expect(answer).toEqual({
      buckets: [
        {
          resolution: '1DAY',
          period: { start: '2026-06-01T00:00:00Z', end: '2026-06-02T00:00:00Z' },
          savings: { total: 1.25, percentage: 12.5 },
          consumption_total: 7.5,
          estimated_consumption_wh: 7500,
          ...NO_OTHER_KIND_FIGURES,
        },
        {
          resolution: '1WEEK',
          period: { start: null, end: null },
          savings: null,
          consumption_total: null,
          estimated_consumption_wh: null,
          ...NO_OTHER_KIND_FIGURES,
        },
      ],
      units: { savings: 'EUR', consumption: 'kWh' },
      source: 'live',
      fetched_at: new Date(NOW).toISOString(),
      max_age_seconds: INSIGHTS_MAX_AGE_SECONDS,
    });
    await w.service.savings(heatPumpKind, 'ada', 'hp-1', { from: 'a', to: 'b', max_age_seconds: 60 });
    expect(w.calls.podero[1]).toEqual([
      'savings',
      'podero-ada',
      'hp-1',
      { from: 'a', to: 'b', resolution: '1MONTH' },
    ]);
  });

  it('serves the cache while it is no older than the age asked for (inclusive), and never reads it for age 0', async () => {
    const w = world();
    await w.service.statistics(heatPumpKind, 'ada', 'hp-1', stats());
    w.tick(INSIGHTS_MAX_AGE_SECONDS);
    expect((await w.service.statistics(heatPumpKind, 'ada', 'hp-1', stats())).source).toBe('cache');
    w.tick(1);
    expect((await w.service.statistics(heatPumpKind, 'ada', 'hp-1', stats())).source).toBe('live');
    const gets = w.calls.gets;
    expect(
      (await w.service.statistics(heatPumpKind, 'ada', 'hp-1', stats({ max_age_seconds: 0 }))).source,
    ).toBe('live');
    expect(w.calls.gets).toBe(gets);
    expect(w.calls.podero).toHaveLength(3);
    // Entries are kept beyond the longest age a caller may ask for, for TTL to remove.
    expect(w.calls.puts.every((p) => p.keepSeconds > INSIGHTS_MAX_AGE_SECONDS)).toBe(true);
  });

  it('reads odd answers tolerantly: no metadata, units that are not text, savings that are not an object', async () => {
    const w = world({
      answer: {
        data: [{ resolution: 5, period: { start_period: 1 }, savings: 3, consumption: 'x', heat_pump: null }],
      } as unknown as StatisticsResponse,
    });
    const answer = await w.service.statistics(heatPumpKind, 'ada', 'hp-1', stats());
    expect(answer.units).toEqual({});
    expect(answer.buckets).toEqual([
      {
        resolution: null,
        period: { start: null, end: null },
        savings: null,
        consumption_total: null,
        estimated_consumption_wh: null,
        ...NO_OTHER_KIND_FIGURES,
      },
    ]);
    const textUnits = world({
      answer: { metadata: { units: 'EUR' }, data: [] } as unknown as StatisticsResponse,
    });
    expect((await textUnits.service.statistics(heatPumpKind, 'ada', 'hp-1', stats())).units).toEqual({});
  });

  it('keys the cache by the query: other keywords or resolutions are other entries', async () => {
    const w = world();
    await w.service.statistics(heatPumpKind, 'ada', 'hp-1', stats({ resolution: ['1DAY', '1WEEK'] }));
    await w.service.statistics(heatPumpKind, 'ada', 'hp-1', stats({ resolution: ['1DAY'] }));
    await w.service.statistics(
      heatPumpKind,
      'ada',
      'hp-1',
      stats({ resolution: ['1DAY'], keywords: ['savings'] }),
    );
    expect(w.calls.podero).toHaveLength(3);
    await w.service.savings(heatPumpKind, 'ada', 'hp-1', {
      from: 'a',
      to: 'b',
      resolution: '1DAY',
      max_age_seconds: 60,
    });
    await w.service.savings(heatPumpKind, 'ada', 'hp-1', {
      from: 'a',
      to: 'c',
      resolution: '1DAY',
      max_age_seconds: 60,
    });
    expect(w.calls.podero).toHaveLength(5);
  });

  it('checks the erasure guard only for new entries, and answers 404 when the user went meanwhile', async () => {
    const w = world({ created: false });
    await w.service.statistics(heatPumpKind, 'ada', 'hp-1', stats());
    expect(w.calls.kept).toBe(0);
    const gone = world({ keep: false });
    await expect(gone.service.statistics(heatPumpKind, 'ada', 'hp-1', stats())).rejects.toBeInstanceOf(
      UnknownUserError,
    );
    expect(gone.calls.kept).toBe(1);
    // The guard is told which entry it must remove again.
    expect(gone.calls.keptKeys).toEqual(['ada/hp-1|statistics|r=1DAY;k=consumption,savings']);
  });

  it('serves an answer too large to cache live, without the erasure guard, and asks Podero again next time', async () => {
    const w = world({ tooLarge: true });
    const query = { from: 'a', to: 'b', resolution: '1DAY' as const, max_age_seconds: 60 };
    const first = await w.service.savings(heatPumpKind, 'ada', 'hp-1', query);
    expect(first).toMatchObject({ source: 'live', fetched_at: new Date(NOW).toISOString() });
    expect(first.buckets).toHaveLength(2);
    expect(w.calls.kept).toBe(0);
    expect((await w.service.savings(heatPumpKind, 'ada', 'hp-1', query)).source).toBe('live');
    expect(w.calls.podero).toHaveLength(2);
  });

  it("asks an electric vehicle's savings through its kind, and reads the bucket's vehicle part", async () => {
    const w = world();
    const answer = await w.service.savings(electricVehicleKind, 'ada', 'ev-1', {
      from: 'a',
      to: 'b',
      max_age_seconds: 0,
    });
    expect(w.calls.podero).toEqual([
      ['ev-savings', 'podero-ada', 'ev-1', { from: 'a', to: 'b', resolution: '1MONTH' }],
    ]);
    expect(answer.buckets[0]).toMatchObject({
      estimated_consumption_wh: 900,
      charge_session_count: 3,
      average_charge_power_w: 7100,
      solar_production_wh: null,
    });
  });

  it("reads an inverter's production, export and self-consumption from the bucket's inverter part", async () => {
    const w = world();
    const answer = await w.service.savings(inverterKind, 'ada', 'iv-1', {
      from: 'a',
      to: 'b',
      max_age_seconds: 0,
    });
    expect(w.calls.podero).toEqual([
      ['inverter-savings', 'podero-ada', 'iv-1', { from: 'a', to: 'b', resolution: '1MONTH' }],
    ]);
    const figures = answer.buckets.map(
      ({ estimated_consumption_wh, solar_production_wh, grid_export_wh, self_consumption_wh, savings }) => ({
        estimated_consumption_wh,
        solar_production_wh,
        grid_export_wh,
        self_consumption_wh,
        savings,
      }),
    );
    expect(figures).toEqual([
      // Without Podero's own figure: production minus export. The heat-pump part is not the inverter's.
      {
        estimated_consumption_wh: null,
        solar_production_wh: 9000,
        grid_export_wh: 4000,
        self_consumption_wh: 5000,
        savings: { total: 3.5, percentage: 20 },
      },
      // Podero's own figure when it sends one (INFERRED field).
      {
        estimated_consumption_wh: null,
        solar_production_wh: 9000,
        grid_export_wh: 4000,
        self_consumption_wh: 4800,
        savings: null,
      },
      // Nothing to derive from.
      {
        estimated_consumption_wh: null,
        solar_production_wh: 9000,
        grid_export_wh: null,
        self_consumption_wh: null,
        savings: null,
      },
    ]);
  });

  it('refuses a kind Podero offers no such figures for, before asking anyone', async () => {
    const w = world();
    await expect(w.service.statistics(electricVehicleKind, 'ada', 'ev-1', stats())).rejects.toThrow(
      /no statistics/,
    );
    await expect(
      w.service.savings(wallboxKind, 'ada', 'wb-1', { from: 'a', to: 'b', max_age_seconds: 0 }),
    ).rejects.toThrow(/no savings/);
    expect(w.calls.podero).toEqual([]);
  });

  it('refuses before Podero when ownership is not proven, and maps Podero’s 404 to an unknown device', async () => {
    const w = world();
    await expect(w.service.statistics(heatPumpKind, 'nobody', 'hp-1', stats())).rejects.toBeInstanceOf(
      UnknownUserError,
    );
    await expect(
      w.service.savings(heatPumpKind, 'ada', 'not-hers', { from: 'a', to: 'b', max_age_seconds: 0 }),
    ).rejects.toBeInstanceOf(UnknownDeviceError);
    expect(w.calls.podero).toEqual([]);
    const missing = world();
    missing.service = new DeviceInsightsService({
      podero: {
        heatPumps: {
          statistics: async () => {
            throw new PoderoNotFoundError('gone', { method: 'GET', path: '/x', status: 404 });
          },
          savings: async () => {
            throw new Error('boom');
          },
        },
        electricVehicles: { savings: async () => ({ data: [] }) },
        inverters: { savings: async () => ({ data: [] }) },
        devices: { savings: async () => ({}) },
      },
      requireOwned: async () => 'p',
      keepIfOnboarded: async () => true,
      cache: {
        get: async () => undefined,
        put: async () => ({ created: false, sk: 'x' }),
      } as unknown as InsightsCache,
    });
    await expect(missing.service.statistics(heatPumpKind, 'ada', 'hp-1', stats())).rejects.toBeInstanceOf(
      UnknownDeviceError,
    );
    await expect(
      missing.service.savings(heatPumpKind, 'ada', 'hp-1', { from: 'a', to: 'b', max_age_seconds: 0 }),
    ).rejects.toThrow('boom');
  });

  it('reads the organisation’s totals, numbers only, cached like the rest', async () => {
    const w = world();
    const first = await w.service.organisationSavings({ from: 'a', to: 'b', max_age_seconds: 60 });
    expect(first).toMatchObject({
      total_savings: 10,
      heat_pump_savings: 10,
      electric_vehicle_savings: null,
      inverter_savings: null,
      from: 'a',
      to: 'b',
      source: 'live',
    });
    expect((await w.service.organisationSavings({ from: 'a', to: 'b', max_age_seconds: 60 })).source).toBe(
      'cache',
    );
    expect(w.calls.podero).toEqual([['org', { from: 'a', to: 'b' }]]);
  });
});
