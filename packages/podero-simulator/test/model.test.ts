import { describe, expect, it } from 'vitest';
import {
  copAt,
  type HeatPumpSettings,
  hotWaterTemperatureAt,
  inHotWaterCycle,
  modeAt,
  outdoorTemperatureAt,
  powerAt,
  profileFor,
  readingAt,
} from '../src/model/living';
import {
  bucketsBetween,
  dataSeries,
  energyBetween,
  periodStart,
  type SeriesContext,
} from '../src/model/series';

const ID = '8c6efd5a-36d2-4c3d-83a8-b7c9f39242cd';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WINTER_NOON = Date.parse('2026-01-15T12:00:00Z');

const settings = (overrides: Partial<HeatPumpSettings> = {}): HeatPumpSettings => ({
  is_smart_optimization_active: false,
  optimization_level: 'Mid',
  indoor_target_temperature_offset: 0,
  dhw_standard_temperature: 50,
  is_space_heating_enabled: true,
  is_hot_water_heating_enabled: true,
  pause_power_until: null,
  is_pause_power_active: false,
  is_away_mode_enabled: false,
  away_mode_start: null,
  away_mode_end: null,
  away_mode_minimum_temperature_limit: null,
  minimum_temperature_limit: null,
  maximum_temperature_limit: null,
  ...overrides,
});

describe('living heat pump model', () => {
  it('is deterministic for a seed and id, and differs between seeds and ids', () => {
    const a = readingAt(7, ID, profileFor(7, ID), settings(), WINTER_NOON);
    const b = readingAt(7, ID, profileFor(7, ID), settings(), WINTER_NOON);
    const otherSeed = readingAt(8, ID, profileFor(8, ID), settings(), WINTER_NOON);
    const otherId = readingAt(
      7,
      `${ID.slice(0, -1)}e`,
      profileFor(7, `${ID.slice(0, -1)}e`),
      settings(),
      WINTER_NOON,
    );
    expect(a).toEqual(b);
    expect(otherSeed).not.toEqual(a);
    expect(otherId).not.toEqual(a);
  });

  it('follows a daily outdoor cycle: afternoons are warmer than nights, winter colder than summer', () => {
    const profile = profileFor(1, ID);
    const meanAt = (startMs: number) => {
      let sum = 0;
      for (let day = 0; day < 14; day++) sum += outdoorTemperatureAt(1, ID, profile, startMs + day * DAY);
      return sum / 14;
    };
    expect(meanAt(Date.parse('2026-01-10T15:00:00Z'))).toBeGreaterThan(
      meanAt(Date.parse('2026-01-10T03:00:00Z')) + 2,
    );
    expect(meanAt(Date.parse('2026-07-10T12:00:00Z'))).toBeGreaterThan(
      meanAt(Date.parse('2026-01-10T12:00:00Z')) + 8,
    );
  });

  it('has a COP that falls as it gets colder', () => {
    expect(copAt(-10)).toBeLessThan(copAt(0));
    expect(copAt(0)).toBeLessThan(copAt(10));
    expect(copAt(-10)).toBeGreaterThan(1.5);
  });

  it('draws more power in a cold month than in a mild one', () => {
    const profile = profileFor(3, ID);
    const context = (nowMs: number): SeriesContext => ({
      seed: 3,
      id: ID,
      profile,
      settings: settings(),
      priceZone: 'AT',
      availableFromMs: 0,
      nowMs,
    });
    const january = energyBetween(
      context(Date.parse('2026-02-01T00:00:00Z')),
      Date.parse('2026-01-01T00:00:00Z'),
      Date.parse('2026-02-01T00:00:00Z'),
    );
    const may = energyBetween(
      context(Date.parse('2026-06-01T00:00:00Z')),
      Date.parse('2026-05-01T00:00:00Z'),
      Date.parse('2026-06-01T00:00:00Z'),
    );
    expect(january.estimatedWh).toBeGreaterThan(may.estimatedWh * 1.5);
    // A plausible household heat pump in January: between 200 and 2,000 kWh.
    expect(january.estimatedWh / 1000).toBeGreaterThan(200);
    expect(january.estimatedWh / 1000).toBeLessThan(2000);
  });

  it('keeps the indoor temperature close to the target while heating', () => {
    const profile = { ...profileFor(5, ID), hasIndoorSensor: true };
    for (let hour = 0; hour < 48; hour++) {
      const reading = readingAt(5, ID, profile, settings(), WINTER_NOON + hour * HOUR);
      expect(
        Math.abs((reading.indoor_actual_temperature ?? 0) - reading.indoor_target_temperature),
      ).toBeLessThan(1);
    }
  });

  it('raises the indoor target by the steering offset', () => {
    const profile = profileFor(5, ID);
    const base = readingAt(5, ID, profile, settings(), WINTER_NOON);
    const raised = readingAt(
      5,
      ID,
      profile,
      settings({ indoor_target_temperature_offset: 1.5 }),
      WINTER_NOON,
    );
    expect(raised.indoor_target_temperature).toBeCloseTo(base.indoor_target_temperature + 1.5, 5);
  });

  it('runs hot-water cycles that heat the tank to its setpoint and let it cool afterwards', () => {
    const profile = profileFor(9, ID);
    const dayStart = Date.parse('2026-01-15T00:00:00Z');
    const cycleStart = dayStart + profile.dhwCycleStartHours[0] * HOUR;
    const cycleEnd = cycleStart + profile.dhwCycleMinutes * 60_000;
    expect(inHotWaterCycle(profile, cycleStart + 60_000)).toBe(true);
    expect(inHotWaterCycle(profile, cycleEnd + 60_000)).toBe(false);
    const during = powerAt(9, ID, profile, settings(), cycleStart + 60_000).estimatedW;
    const before = powerAt(9, ID, profile, settings(), cycleStart - 60_000).estimatedW;
    expect(during - before).toBeGreaterThan(1000);
    expect(hotWaterTemperatureAt(profile, settings(), cycleEnd - 1)).toBeCloseTo(50, 0);
    expect(hotWaterTemperatureAt(profile, settings(), cycleEnd + 3 * HOUR)).toBeLessThan(49);
  });

  it('shifts load to cheap hours only when smart optimisation is on', () => {
    const profile = profileFor(2, ID);
    const night = Date.parse('2026-01-15T02:30:00Z');
    const evening = Date.parse('2026-01-15T18:30:00Z');
    const on = settings({ is_smart_optimization_active: true, optimization_level: 'Max' });
    expect(powerAt(2, ID, profile, on, night).estimatedW).toBeGreaterThan(
      powerAt(2, ID, profile, on, night).unoptimizedW,
    );
    expect(powerAt(2, ID, profile, on, evening).estimatedW).toBeLessThan(
      powerAt(2, ID, profile, on, evening).unoptimizedW,
    );
    const off = powerAt(2, ID, profile, settings(), evening);
    expect(off.estimatedW).toBe(off.unoptimizedW);
    expect(modeAt(on, night)).toBe('max');
    expect(modeAt(on, evening)).toBe('min');
    expect(modeAt(settings(), evening)).toBe('mid');
  });

  it('pauses consumption until pause_power_until', () => {
    const profile = profileFor(2, ID);
    const paused = settings({ pause_power_until: new Date(WINTER_NOON + HOUR).toISOString() });
    expect(powerAt(2, ID, profile, paused, WINTER_NOON).estimatedW).toBe(profile.standbyPowerW);
    expect(powerAt(2, ID, profile, paused, WINTER_NOON + 2 * HOUR).estimatedW).toBeGreaterThan(
      profile.standbyPowerW,
    );
    expect(readingAt(2, ID, profile, paused, WINTER_NOON).current_mode).toBe('min');
  });
});

describe('series', () => {
  it('aligns periods to UTC calendar boundaries, weeks on Monday', () => {
    const thursday = Date.parse('2026-01-15T10:20:00Z');
    expect(new Date(periodStart('15MIN', thursday)).toISOString()).toBe('2026-01-15T10:15:00.000Z');
    expect(new Date(periodStart('1WEEK', thursday)).toISOString()).toBe('2026-01-12T00:00:00.000Z');
    expect(new Date(periodStart('1QUARTER', Date.parse('2026-05-20T00:00:00Z'))).toISOString()).toBe(
      '2026-04-01T00:00:00.000Z',
    );
  });

  it('splits a range into buckets and refuses ranges with too many', () => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    expect(bucketsBetween('1HOUR', from, from + DAY, 1000)).toHaveLength(24);
    expect(bucketsBetween('1MONTH', from, Date.parse('2026-12-31T00:00:00Z'), 1000)).toHaveLength(12);
    expect(bucketsBetween('15MIN', from, from + 400 * DAY, 35_136)).toBeNull();
  });

  it('integrates power into energy: one hour at average power P gives P Wh', () => {
    const profile = profileFor(4, ID);
    const context: SeriesContext = {
      seed: 4,
      id: ID,
      profile,
      settings: settings(),
      priceZone: 'AT',
      availableFromMs: 0,
      nowMs: WINTER_NOON + DAY,
    };
    const { points } = dataSeries(
      context,
      [{ start: WINTER_NOON, end: WINTER_NOON + HOUR }],
      ['estimated_consumption'],
      false,
    );
    const energy = energyBetween(context, WINTER_NOON, WINTER_NOON + HOUR);
    expect(points[0]?.estimated_consumption).toBeCloseTo(energy.estimatedWh, 0);
  });

  it('leaves out buckets without data, or returns them as null with fill-missing', () => {
    const profile = profileFor(4, ID);
    const context: SeriesContext = {
      seed: 4,
      id: ID,
      profile,
      settings: settings(),
      priceZone: 'AT',
      availableFromMs: WINTER_NOON,
      nowMs: WINTER_NOON + 2 * HOUR,
    };
    const buckets = bucketsBetween('1HOUR', WINTER_NOON - 2 * HOUR, WINTER_NOON + 4 * HOUR, 100) ?? [];
    const sparse = dataSeries(context, buckets, ['price'], false);
    expect(sparse.points.map((point) => point.time)).toEqual([
      '2026-01-15T12:00:00Z',
      '2026-01-15T13:00:00Z',
    ]);
    const filled = dataSeries(context, buckets, ['price'], true);
    expect(filled.points).toHaveLength(6);
    expect(filled.points[0]).toEqual({ time: '2026-01-15T10:00:00Z', price: null });
    const none = dataSeries({ ...context, availableFromMs: null }, buckets, undefined, false);
    expect(none).toEqual({ points: [], hasData: false });
  });
});

describe('status evolution', () => {
  it('reports a connection hiccup on roughly one day in twenty, for one hour', async () => {
    const { connectionHiccupAt } = await import('../src/model/living');
    const start = Date.parse('2026-01-01T00:00:00Z');
    let hiccupHours = 0;
    for (let hour = 0; hour < 365 * 24; hour++) {
      if (connectionHiccupAt(11, ID, start + hour * HOUR)) hiccupHours += 1;
    }
    expect(hiccupHours).toBeGreaterThan(5);
    expect(hiccupHours).toBeLessThan(40);
  });
});
