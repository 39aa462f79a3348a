import { describe, expect, it } from 'vitest';
import { parseOr422, SimHttpError } from '../src/errors';
import {
  advanceCharging,
  BOOST_START_DELAY_MS,
  boostStateOf,
  type ChargingContext,
  type ChargingSettings,
  chargingPowerW,
  goalFor,
  HEMS_MIN_POWER_W,
  initialChargingState,
  requestBoost,
  rhythmDay,
  setBatteryLevel,
  setPlugged,
} from '../src/model/charging';
import { priceAt } from '../src/model/living';
import {
  type InverterSettings,
  type SolarContext,
  solarModel,
  solarProductionW,
  sunElevationSine,
} from '../src/model/solar';
import type { ChargingState } from '../src/store';
import {
  type ChargingConfigMode,
  chargePolicyBodySchema,
  chargingConfigBodySchema,
  generalDeviceUpdateBodySchema,
  inverterDataQuerySchema,
  sessionsQuerySchema,
  updateElectricVehicleBodySchema,
} from '../src/wire-devices';

const ID = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CONNECTED = Date.parse('2026-03-10T12:00:00Z');

const evSettings = (overrides: Partial<ChargingSettings> = {}): ChargingSettings => ({
  is_smart_optimization_active: true,
  charge_target_min: 20,
  charge_target_max: 90,
  minimum_charge_limit: 80,
  charge_deadline_at: '07:00',
  is_charge_policy_enabled: false,
  pause_power_until: null,
  is_pause_power_active: false,
  ...overrides,
});

/**
 * `hems` without an inverter is the behaviour the car had before the charging configuration steered it: from
 * the grid, as late as still reaches the target.
 */
function context(
  settings = evSettings(),
  mode: ChargingConfigMode = 'hems',
  surplusW: ChargingContext['surplusW'] = null,
): ChargingContext {
  return {
    seed: 7,
    id: ID,
    car: { capacityKwh: 60, rateW: 7_400, kwhPerKm: 0.18 },
    settings,
    policy: null,
    priceZone: 'AT',
    mode,
    surplusW,
  };
}

/** The first evening (after `fromMs`) on which the car leaves and comes back. */
function nextTripDay(fromMs: number): number {
  for (let day = Math.floor(fromMs / DAY); ; day++) if (!rhythmDay(7, ID, day).homeDay) return day;
}

describe('the living EV', () => {
  it('leaves in the morning, plugs in in the evening, and charges to its target by the deadline when optimised', () => {
    const ctx = context();
    const state = initialChargingState(7, ID, CONNECTED);
    advanceCharging(ctx, state, CONNECTED);
    const day = nextTripDay(CONNECTED + DAY);
    const rhythm = rhythmDay(7, ID, day);

    advanceCharging(ctx, state, rhythm.departMs + HOUR);
    expect(state.plugged_in).toBe(false);
    expect(boostStateOf(state)).toBe('unavailable');

    advanceCharging(ctx, state, rhythm.arriveMs + 60_000);
    expect(state.plugged_in).toBe(true);
    const levelAtArrival = state.battery_level;
    expect(levelAtArrival).toBeLessThan(80);
    // Optimised: no charging in the evening peak right after plug-in (the level is above the minimum).
    expect(chargingPowerW(ctx, state)).toBe(0);

    const deadline = goalFor(ctx, rhythm.arriveMs).deadlineMs;
    advanceCharging(ctx, state, deadline - 10 * 60_000);
    expect(chargingPowerW(ctx, state)).toBe(7_400);
    advanceCharging(ctx, state, deadline);
    expect(state.battery_level).toBeCloseTo(80, 5);
    expect(chargingPowerW(ctx, state)).toBe(0);
  });

  it('charges at once after plug-in without smart optimisation', () => {
    const ctx = context(evSettings({ is_smart_optimization_active: false }));
    const state = initialChargingState(7, ID, CONNECTED);
    const rhythm = rhythmDay(7, ID, nextTripDay(CONNECTED + DAY));
    advanceCharging(ctx, state, rhythm.arriveMs + 60_000);
    expect(state.battery_level).toBeLessThan(80);
    expect(chargingPowerW(ctx, state)).toBe(7_400);
  });

  it('records each unplug as a completed session with its energy, levels and times', () => {
    const ctx = context();
    const state = initialChargingState(7, ID, CONNECTED);
    advanceCharging(ctx, state, CONNECTED);
    expect(state.sessions.length).toBeGreaterThan(15);
    for (const session of state.sessions) {
      expect(Date.parse(session.unplug_time ?? '')).toBeGreaterThan(Date.parse(session.plug_in_time));
      expect(session.final_soc_pct).toBeGreaterThanOrEqual(session.initial_soc_pct);
      expect(session.energy_charged_kwh).toBeCloseTo(
        ((session.final_soc_pct - session.initial_soc_pct) / 100) * 60,
        0,
      );
      expect(session.is_at_home).toBe(true);
    }
    expect(state.sessions.some((session) => session.energy_charged_kwh > 1)).toBe(true);
  });

  it('walks a boost requested -> ongoing -> done, and refuses with the documented reasons', () => {
    const ctx = context();
    const state = initialChargingState(7, ID, CONNECTED);
    const rhythm = rhythmDay(7, ID, nextTripDay(CONNECTED + DAY));
    advanceCharging(ctx, state, rhythm.arriveMs + 60_000);
    const t0 = state.at_ms;

    expect(requestBoost(ctx, state, t0)).toEqual({ done: true });
    expect(boostStateOf(state)).toBe('requested');
    expect(requestBoost(ctx, state, t0)).toEqual({
      done: false,
      reason: 'already_charging',
      state: 'requested',
    });

    advanceCharging(ctx, state, t0 + BOOST_START_DELAY_MS);
    expect(boostStateOf(state)).toBe('ongoing');
    expect(chargingPowerW(ctx, state)).toBe(7_400);
    expect(requestBoost(ctx, state, state.at_ms)).toMatchObject({
      reason: 'already_charging',
      state: 'ongoing',
    });

    // A boost from the evening arrival to the 90 % cap takes under three hours, long before the morning trip.
    advanceCharging(ctx, state, t0 + 4 * HOUR);
    expect(state.battery_level).toBeCloseTo(90, 5);
    expect(boostStateOf(state)).toBe('available');
    expect(requestBoost(ctx, state, state.at_ms)).toEqual({
      done: false,
      reason: 'fully_charged',
      state: 'available',
    });
  });

  it('arms a boost while unplugged and fires it at the next plug-in; away from home it has no session', () => {
    const ctx = context();
    const state = initialChargingState(7, ID, CONNECTED);
    advanceCharging(ctx, state, CONNECTED);
    setPlugged(ctx, state, false, true);
    expect(requestBoost(ctx, state, state.at_ms)).toEqual({ done: true });
    expect(requestBoost(ctx, state, state.at_ms)).toEqual({ done: true }); // re-arming is idempotent
    expect(state.boost_armed).toBe(true);
    setPlugged(ctx, state, true, true);
    expect(state.boost_armed).toBe(false);
    expect(boostStateOf(state)).toBe('requested');

    setPlugged(ctx, state, false, true);
    setBatteryLevel(ctx, state, 40);
    setPlugged(ctx, state, true, false);
    expect(requestBoost(ctx, state, state.at_ms)).toEqual({
      done: false,
      reason: 'no_active_session',
      state: 'available',
    });
  });

  it('replays the same day for the same seed and id', () => {
    const a = initialChargingState(7, ID, CONNECTED);
    const b = initialChargingState(7, ID, CONNECTED);
    advanceCharging(context(), a, CONNECTED + 2 * DAY);
    advanceCharging(context(), b, CONNECTED + DAY);
    advanceCharging(context(), b, CONNECTED + 2 * DAY);
    expect(b).toEqual(a);
  });
});

/**
 * A car plugged in at home at `hour`:00 UTC of a day after which it stays home past the 07:00 deadline (the
 * next morning's trip leaves later, or not at all), at `level` %.
 */
function pluggedInAt(ctx: ChargingContext, hour: number, level: number) {
  let day = Math.floor(CONNECTED / DAY) + 1;
  while (true) {
    const next = rhythmDay(7, ID, day + 1);
    if (next.homeDay || next.departMs >= (day + 1) * DAY + 7.5 * HOUR) break;
    day++;
  }
  const plugMs = day * DAY + hour * HOUR;
  const state = initialChargingState(7, ID, CONNECTED);
  Object.assign(state, { at_ms: plugMs, plugged_in: false, session: null, battery_level: level });
  setPlugged(ctx, state, true, true);
  return { state, plugMs, deadlineMs: (day + 1) * DAY + 7 * HOUR };
}

/** Energy drawn per hour from `fromMs` to `toMs`, kWh, with the hour's price. */
function energyByHour(ctx: ChargingContext, state: ChargingState, fromMs: number, toMs: number) {
  const hours: { startMs: number; kwh: number; price: number }[] = [];
  for (let t = fromMs; t < toMs; t += HOUR) {
    const before = state.battery_level;
    advanceCharging(ctx, state, t + HOUR);
    hours.push({ startMs: t, kwh: ((state.battery_level - before) / 100) * 60, price: priceAt('AT', t) });
  }
  return hours;
}

describe("the charging configuration's mode steers the living car", () => {
  it('none: a car plugged in at 18:00 charges at once, at full rate, until its target', () => {
    const ctx = context(evSettings(), 'none');
    const { state, plugMs } = pluggedInAt(ctx, 18, 30);
    expect(chargingPowerW(ctx, state)).toBe(7_400);
    // 50 % of 60 kWh at 7.4 kW: about four hours, all of them right after the plug-in.
    const hours = energyByHour(ctx, state, plugMs, plugMs + 6 * HOUR);
    expect(hours.slice(0, 4).every((hour) => hour.kwh > 7)).toBe(true);
    expect(state.battery_level).toBeCloseTo(80, 3);
  });

  it('spot: a car plugged in at 18:00 with a 07:00 deadline charges in the cheap hours, not the expensive ones', () => {
    const ctx = context(evSettings(), 'spot');
    const { state, plugMs, deadlineMs } = pluggedInAt(ctx, 18, 50);
    expect(chargingPowerW(ctx, state)).toBe(0); // the evening peak is the dearest time of day
    const hours = energyByHour(ctx, state, plugMs, deadlineMs);
    const byPrice = [...hours].sort((a, b) => a.price - b.price);
    const cheapHalf = byPrice.slice(0, Math.floor(byPrice.length / 2));
    const dearHalf = byPrice.slice(Math.ceil(byPrice.length / 2));
    const sum = (list: typeof hours) => list.reduce((total, hour) => total + hour.kwh, 0);
    expect(sum(cheapHalf)).toBeCloseTo(18, 1); // all 30 % of 60 kWh
    expect(sum(dearHalf)).toBe(0);
    expect(state.battery_level).toBeCloseTo(80, 3);
    // The hours it charged in are the cheapest of the night.
    const used = hours.filter((hour) => hour.kwh > 0.01);
    const cheapestUnused = Math.min(...hours.filter((hour) => hour.kwh <= 0.01).map((hour) => hour.price));
    expect(Math.max(...used.map((hour) => hour.price))).toBeLessThanOrEqual(cheapestUnused);
  });

  it('spot: the session records the planned start in the cheap hours and a saving against charging at once', () => {
    const ctx = context(evSettings(), 'spot');
    const { state, plugMs, deadlineMs } = pluggedInAt(ctx, 18, 50);
    const plannedStart = state.session?.desired_start_ms ?? 0;
    expect(plannedStart).toBeGreaterThan(plugMs);
    expect(state.session?.desired_end_ms ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(deadlineMs);
    advanceCharging(ctx, state, deadlineMs);
    setPlugged(ctx, state, false, true);
    const session = state.sessions.at(-1);
    expect(session?.energy_charged_kwh).toBeCloseTo(18, 1);
    expect(session?.actual_savings_eur ?? 0).toBeGreaterThan(0.5);
  });

  it('none saves nothing: every session it charged costs what charging at once costs', () => {
    const ctx = context(evSettings(), 'none');
    const state = initialChargingState(7, ID, CONNECTED);
    advanceCharging(ctx, state, CONNECTED);
    const charged = state.sessions.filter((session) => session.energy_charged_kwh > 1);
    expect(charged.length).toBeGreaterThan(10);
    for (const session of state.sessions) expect(session.actual_savings_eur).toBe(0);
    // The same month under spot saves money.
    const spot = initialChargingState(7, ID, CONNECTED);
    advanceCharging(context(evSettings(), 'spot'), spot, CONNECTED);
    expect(spot.sessions.reduce((sum, session) => sum + session.actual_savings_eur, 0)).toBeGreaterThan(1);
  });

  it('hems: charges from the surplus while there is one, and from the grid only to meet the deadline', () => {
    const sunny = (tMs: number) => ((tMs % DAY) / HOUR >= 10 && (tMs % DAY) / HOUR < 14 ? 5_000 : 0);
    const ctx = context(evSettings(), 'hems', sunny);
    const { state, plugMs, deadlineMs } = pluggedInAt(ctx, 9, 40);
    expect(chargingPowerW(ctx, state)).toBe(0); // no sun yet, and the deadline is far
    advanceCharging(ctx, state, plugMs + 2 * HOUR);
    expect(chargingPowerW(ctx, state)).toBe(5_000);
    advanceCharging(ctx, state, plugMs + 5 * HOUR);
    // 4 h × 5 kW = 20 kWh of 60: a third of the battery, free.
    expect(state.battery_level).toBeCloseTo(40 + 100 / 3, 3);
    expect(state.session?.cost_eur).toBe(0);
    // The last 4 kWh from the grid, as late as possible: about 32 minutes at 7.4 kW.
    advanceCharging(ctx, state, deadlineMs - 40 * 60_000);
    expect(chargingPowerW(ctx, state)).toBe(0);
    advanceCharging(ctx, state, deadlineMs - 20 * 60_000);
    expect(chargingPowerW(ctx, state)).toBe(7_400);
    advanceCharging(ctx, state, deadlineMs);
    expect(state.battery_level).toBeCloseTo(80, 3);
    expect(state.session?.cost_eur).toBeGreaterThan(0);
  });

  it('hems without a surplus big enough for the charger leaves it to the grid', () => {
    const ctx = context(evSettings(), 'hems', () => HEMS_MIN_POWER_W - 1);
    const { state } = pluggedInAt(ctx, 11, 40);
    expect(chargingPowerW(ctx, state)).toBe(0);
  });

  it('hems_and_spot: the surplus first, the rest in the cheapest hours', () => {
    const sunny = (tMs: number) => ((tMs % DAY) / HOUR >= 10 && (tMs % DAY) / HOUR < 12 ? 3_000 : 0);
    const ctx = context(evSettings(), 'hems_and_spot', sunny);
    const { state, plugMs, deadlineMs } = pluggedInAt(ctx, 9, 40);
    advanceCharging(ctx, state, plugMs + 90 * 60_000);
    expect(chargingPowerW(ctx, state)).toBe(3_000);
    advanceCharging(ctx, state, plugMs + 3 * HOUR);
    expect(state.battery_level).toBeCloseTo(50, 3); // 2 h × 3 kW = 6 kWh
    const hours = energyByHour(ctx, state, plugMs + 3 * HOUR, deadlineMs);
    const used = hours.filter((hour) => hour.kwh > 0.01);
    const cheapestUnused = Math.min(...hours.filter((hour) => hour.kwh <= 0.01).map((hour) => hour.price));
    expect(Math.max(...used.map((hour) => hour.price))).toBeLessThanOrEqual(cheapestUnused);
    expect(state.battery_level).toBeCloseTo(80, 3);
  });

  it('a boost overrides the mode while it lasts', () => {
    const ctx = context(evSettings(), 'spot');
    const { state, plugMs } = pluggedInAt(ctx, 18, 50);
    expect(chargingPowerW(ctx, state)).toBe(0);
    requestBoost(ctx, state, plugMs);
    advanceCharging(ctx, state, plugMs + BOOST_START_DELAY_MS);
    expect(chargingPowerW(ctx, state)).toBe(7_400);
  });

  it('smart optimisation off is `none` whatever the configuration says', () => {
    const ctx = context(evSettings({ is_smart_optimization_active: false }), 'spot');
    const { state } = pluggedInAt(ctx, 18, 50);
    expect(chargingPowerW(ctx, state)).toBe(7_400);
  });
});

const inverterSettings = (overrides: Partial<InverterSettings> = {}): InverterSettings => ({
  solar_power_rating_kw: 10,
  is_battery_connected: true,
  battery_capacity_kwh: 10,
  min_battery_charge: 20,
  max_battery_charge: 90,
  sun_override: null,
  battery_override: null,
  ...overrides,
});
const solar = (settings = inverterSettings(), hems = true): SolarContext => ({
  seed: 7,
  id: ID,
  settings,
  priceZone: 'AT',
  hems,
});

describe('the living solar inverter', () => {
  it('produces nothing at night and far more at a summer noon than at a winter noon (central Europe)', () => {
    const ctx = solar(inverterSettings({ sun_override: 1 }));
    expect(solarProductionW(ctx, Date.parse('2026-06-21T00:00:00Z'))).toBe(0);
    expect(solarProductionW(ctx, Date.parse('2026-12-21T17:00:00Z'))).toBe(0);
    const summerNoon = solarProductionW(ctx, Date.parse('2026-06-21T11:00:00Z'));
    const winterNoon = solarProductionW(ctx, Date.parse('2026-12-21T11:00:00Z'));
    expect(summerNoon).toBeGreaterThan(6_000);
    expect(summerNoon).toBeLessThan(10_000);
    expect(winterNoon).toBeGreaterThan(500);
    expect(summerNoon / winterNoon).toBeGreaterThan(2.5);
    // Longer summer days: production at 05:00 UTC in June, none in December.
    expect(sunElevationSine(Date.parse('2026-06-21T04:30:00Z'))).toBeGreaterThan(0);
    expect(sunElevationSine(Date.parse('2026-12-21T06:30:00Z'))).toBeLessThan(0);
  });

  it('follows the hour: rising in the morning, peaking near 11:00 UTC, falling in the afternoon', () => {
    const ctx = solar(inverterSettings({ sun_override: 1 }));
    const at = (hour: number) =>
      solarProductionW(ctx, Date.parse(`2026-05-01T${String(hour).padStart(2, '0')}:00:00Z`));
    expect(at(6)).toBeLessThan(at(8));
    expect(at(8)).toBeLessThan(at(11));
    expect(at(14)).toBeLessThan(at(11));
    expect(at(17)).toBeLessThan(at(14));
  });

  it('holds the battery between its min and max charge, with the documented signs', () => {
    const model = solarModel(solar());
    const start = Date.parse('2026-06-01T00:00:00Z');
    let sawCharging = false;
    let sawDischarging = false;
    for (let t = start; t < start + 7 * DAY; t += 15 * 60_000) {
      const reading = model.readingAt(t);
      const level = reading.battery_charge_level_percent ?? -1;
      expect(level).toBeGreaterThanOrEqual(20);
      expect(level).toBeLessThanOrEqual(90);
      const battery = reading.battery_charge_discharge_power_w ?? 0;
      if (battery < 0) {
        sawCharging = true;
        expect(reading.solar_surplus_w).toBeGreaterThan(0); // charging only from a surplus
      }
      if (battery > 0) {
        sawDischarging = true;
        expect(reading.solar_surplus_w).toBeLessThan(0); // discharging covers a deficit
      }
      // grid = production − household + battery (+ export, − import), exactly as reported
      expect(reading.current_power_to_grid_w).toBe(
        reading.solar_production_w - reading.household_consumption_w + battery,
      );
    }
    expect(sawCharging).toBe(true);
    expect(sawDischarging).toBe(true);
  });

  it('leaves the battery idle unless HEMS steers it (charging configuration hems or hems_and_spot)', () => {
    const model = solarModel(solar(inverterSettings(), false));
    const start = Date.parse('2026-06-01T00:00:00Z');
    for (let t = start; t < start + 2 * DAY; t += 15 * 60_000) {
      const reading = model.readingAt(t);
      expect(reading.battery_charge_discharge_power_w).toBe(0);
      expect(reading.battery_charge_level_percent).toBe(55);
      expect(reading.current_power_to_grid_w).toBe(reading.solar_surplus_w);
    }
  });

  it('starts from a level set by the control plane and has no battery figures without a battery', () => {
    const at = Date.parse('2026-06-01T22:00:00Z');
    const model = solarModel(solar(inverterSettings({ battery_override: { at_ms: at, level: 55 } })));
    expect(model.batteryLevelAt(at)).toBeCloseTo(55, 5);
    const none = solarModel(
      solar(inverterSettings({ is_battery_connected: false, battery_capacity_kwh: null })),
    );
    expect(none.readingAt(at)).toMatchObject({
      battery_charge_level_percent: null,
      battery_charge_discharge_power_w: null,
    });
  });
});

function detailOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SimHttpError);
    return ((error as SimHttpError).body as { detail: unknown }).detail;
  }
  throw new Error('expected a 422');
}

describe('strict bodies of the new kinds', () => {
  const day = { charge_percentage: 80, charge_deadline: '07:00' };

  it('needs every weekday in a charge policy and refuses a bad deadline or percentage', () => {
    const { sun: _sun, ...withoutSunday } = {
      mon: day,
      tue: day,
      wed: day,
      thu: day,
      fri: day,
      sat: day,
      sun: day,
    };
    expect(detailOf(() => parseOr422(chargePolicyBodySchema, withoutSunday, ['body']))).toEqual([
      { type: 'missing', loc: ['body', 'sun'], msg: 'Field required' },
    ]);
    const bad = { ...withoutSunday, sun: { charge_percentage: 101, charge_deadline: '25:00' } };
    expect(detailOf(() => parseOr422(chargePolicyBodySchema, bad, ['body']))).toEqual([
      expect.objectContaining({ type: 'less_than_equal', loc: ['body', 'sun', 'charge_percentage'] }),
      expect.objectContaining({ type: 'value_error', loc: ['body', 'sun', 'charge_deadline'] }),
    ]);
  });

  it('names the charging-config mode on an unknown value', () => {
    expect(detailOf(() => parseOr422(chargingConfigBodySchema, { mode: 'solar' }, ['body']))).toEqual([
      { type: 'enum', loc: ['body', 'mode'], msg: "Input should be 'none', 'spot', 'hems', 'hems_and_spot'" },
    ]);
  });

  it('calls read-only EV state read-only, and refuses unknown D1 fields', () => {
    expect(
      detailOf(() => parseOr422(updateElectricVehicleBodySchema, { battery_level: 50 }, ['body'])),
    ).toEqual([
      {
        type: 'extra_forbidden',
        loc: ['body', 'battery_level'],
        msg: 'Field is read-only and cannot be written',
      },
    ]);
    expect(detailOf(() => parseOr422(generalDeviceUpdateBodySchema, { nickname: 'x' }, ['body']))).toEqual([
      { type: 'extra_forbidden', loc: ['body', 'nickname'], msg: 'Extra inputs are not permitted' },
    ]);
  });

  it('requires from and to on sessions, bounds the limit, and refuses spaces in inverter keywords', () => {
    expect(detailOf(() => parseOr422(sessionsQuerySchema, { to: '2026-01-01' }, ['query']))).toEqual([
      { type: 'missing', loc: ['query', 'from'], msg: 'Field required' },
    ]);
    expect(
      detailOf(() =>
        parseOr422(sessionsQuerySchema, { from: '2026-01-01', to: '2026-01-02', limit: '201' }, ['query']),
      ),
    ).toEqual([expect.objectContaining({ loc: ['query', 'limit'] })]);
    expect(
      detailOf(() =>
        parseOr422(inverterDataQuerySchema, { keywords: 'solar_production_w, household_consumption_w' }, [
          'query',
        ]),
      ),
    ).toEqual([expect.objectContaining({ loc: ['query', 'keywords'] })]);
  });
});
