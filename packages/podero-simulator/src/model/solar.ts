/**
 * The living solar inverter with its home battery: production, household consumption, battery and grid as
 * functions of (seed, id, settings, time), like the heat pump.
 *
 * - production: the sun's elevation at 48.2° N, 14.3° E (central Europe; UTC, no equation of time) through a
 *   tilted-panel curve, times the day's cloudiness (drawn per day, or fixed by the control plane's `sun`);
 *   zero at night, a summer noon several times a winter noon;
 * - household: a base load with morning and evening peaks and smooth noise;
 * - battery (when connected): steered by Podero's HEMS (the owner's charging configuration `hems` or
 *   `hems_and_spot`, with smart optimisation on) it absorbs the surplus and covers the deficit at up to 0.5 C,
 *   held between `min_battery_charge` and `max_battery_charge`; otherwise Podero leaves it idle and it holds its
 *   level. Its level is integrated in quarter hours from midnight UTC,
 *   starting where a one-day warm-up from the middle of the band ends, so each day is computed on its own;
 * - signs as §3.9: `battery_charge_discharge_power_w` is **positive when discharging**, negative when
 *   charging; `current_power_to_grid_w` is positive when exporting, negative when importing;
 *   `solar_surplus_w` = production − household.
 */
import { unitHash } from '../random';
import { priceAt } from './living';

const MINUTE_MS = 60_000;
export const QUARTER_MS = 15 * MINUTE_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const QUARTERS_PER_DAY = 96;
export const LATITUDE_DEG = 48.2;
export const LONGITUDE_DEG = 14.3;
const RAD = Math.PI / 180;
/** The battery's power limit as a share of its capacity per hour (0.5 C). */
const BATTERY_C_RATE = 0.5;

export interface InverterSettings {
  solar_power_rating_kw: number;
  is_battery_connected: boolean;
  battery_capacity_kwh: number | null;
  min_battery_charge: number;
  max_battery_charge: number;
  sun_override: number | null;
  battery_override: { at_ms: number; level: number } | null;
}

export interface SolarContext {
  seed: number;
  id: string;
  settings: InverterSettings;
  priceZone: string;
  /** Podero's HEMS steers the battery (charging configuration `hems` or `hems_and_spot`). */
  hems: boolean;
}

export interface InverterReading {
  solar_production_w: number;
  household_consumption_w: number;
  solar_surplus_w: number;
  /** + discharging, − charging; null without a battery. */
  battery_charge_discharge_power_w: number | null;
  battery_charge_level_percent: number | null;
  /** + export, − import. */
  current_power_to_grid_w: number;
}

/** sin(solar elevation) at `tMs`; negative when the sun is below the horizon. */
export function sunElevationSine(tMs: number): number {
  const dayOfYear = (tMs - Date.UTC(new Date(tMs).getUTCFullYear(), 0, 1)) / DAY_MS;
  const declination = 23.44 * RAD * Math.sin((2 * Math.PI * (284 + dayOfYear)) / 365);
  const solarHours = ((tMs % DAY_MS) / HOUR_MS + LONGITUDE_DEG / 15) % 24;
  const hourAngle = (solarHours - 12) * 15 * RAD;
  const latitude = LATITUDE_DEG * RAD;
  return (
    Math.sin(latitude) * Math.sin(declination) +
    Math.cos(latitude) * Math.cos(declination) * Math.cos(hourAngle)
  );
}

/** The share of clear-sky production that gets through: the day's weather, with smooth hourly variation. */
export function cloudFactorAt(context: SolarContext, tMs: number): number {
  if (context.settings.sun_override !== null) return context.settings.sun_override;
  const day = Math.floor(tMs / DAY_MS);
  const daily = 0.25 + 0.75 * unitHash(context.seed, context.id, 'sky', day);
  return daily * (0.85 + 0.15 * smoothUnit(context.seed, context.id, 'cloud', tMs));
}

export function solarProductionW(context: SolarContext, tMs: number): number {
  const sine = sunElevationSine(tMs);
  if (sine <= 0) return 0;
  const clearSky = context.settings.solar_power_rating_kw * 1000 * 0.82 * sine ** 1.2;
  return clearSky * cloudFactorAt(context, tMs);
}

export function householdW(context: SolarContext, tMs: number): number {
  const base = 220 + 160 * unitHash(context.seed, context.id, 'base-load');
  const hour = (tMs % DAY_MS) / HOUR_MS;
  const peak =
    hour >= 5 && hour < 7.5 ? 550 : hour >= 10 && hour < 12 ? 250 : hour >= 16 && hour < 20.5 ? 850 : 0;
  const night = hour >= 22 || hour < 5 ? -60 : 0;
  return base + peak + night + 120 * (smoothUnit(context.seed, context.id, 'load', tMs) - 0.5);
}

function hasBattery(
  settings: InverterSettings,
): settings is InverterSettings & { battery_capacity_kwh: number } {
  return settings.is_battery_connected && settings.battery_capacity_kwh !== null;
}

/** The HEMS battery's power for a surplus at a level: + discharging, − charging, 0 at its bounds. */
function steeredBatteryPowerFor(
  settings: InverterSettings,
  surplusW: number,
  level: number,
  hours: number,
): number {
  if (!hasBattery(settings)) return 0;
  const capacityWh = settings.battery_capacity_kwh * 1000;
  const limitW = capacityWh * BATTERY_C_RATE;
  if (surplusW > 0) {
    const roomWh = Math.max(0, ((settings.max_battery_charge - level) / 100) * capacityWh);
    return -Math.min(surplusW, limitW, roomWh / hours);
  }
  const availableWh = Math.max(0, ((level - settings.min_battery_charge) / 100) * capacityWh);
  return Math.min(-surplusW, limitW, availableWh / hours);
}

interface BatteryDay {
  /** Level at the start of each quarter (97 entries: the last is the next midnight). */
  levels: number[];
  /** Battery power through each quarter, W. */
  powers: number[];
}

/**
 * A solar model with a per-day cache of the battery's quarter-hour integration: one read costs at most two
 * days of 96 steps, a month of 15-minute data about 60 days' worth.
 */
export function solarModel(context: SolarContext) {
  const days = new Map<number, BatteryDay>();
  const { settings } = context;
  const batteryPowerFor = (forSettings: InverterSettings, surplusW: number, level: number, hours: number) =>
    context.hems ? steeredBatteryPowerFor(forSettings, surplusW, level, hours) : 0;

  function integrate(
    dayStart: number,
    startLevel: number,
    override: { at_ms: number; level: number } | null,
  ) {
    const levels = [startLevel];
    const powers: number[] = [];
    let level = startLevel;
    for (let quarter = 0; quarter < QUARTERS_PER_DAY; quarter++) {
      const quarterStart = dayStart + quarter * QUARTER_MS;
      const midpoint = quarterStart + QUARTER_MS / 2;
      const surplus = solarProductionW(context, midpoint) - householdW(context, midpoint);
      let power = batteryPowerFor(settings, surplus, level, 0.25);
      if (override !== null && override.at_ms >= quarterStart && override.at_ms < quarterStart + QUARTER_MS) {
        // Start this quarter where the set level is reached at the override's instant.
        power = batteryPowerFor(settings, surplus, override.level, 0.25);
        level = override.level + levelChange(power, override.at_ms - quarterStart) * -1;
        levels[quarter] = level;
      }
      powers.push(power);
      level = clampLevel(level + levelChange(power, QUARTER_MS));
      levels.push(level);
    }
    return { levels, powers };
  }

  function levelChange(powerW: number, durationMs: number): number {
    if (!hasBattery(settings)) return 0;
    return (-(powerW * durationMs) / HOUR_MS / (settings.battery_capacity_kwh * 1000)) * 100;
  }

  function clampLevel(level: number): number {
    return Math.min(100, Math.max(0, level));
  }

  function batteryDay(day: number): BatteryDay {
    const cached = days.get(day);
    if (cached) return cached;
    const middle = (settings.min_battery_charge + settings.max_battery_charge) / 2;
    const warmUp = integrate((day - 1) * DAY_MS, middle, null);
    const override =
      settings.battery_override !== null && Math.floor(settings.battery_override.at_ms / DAY_MS) === day
        ? settings.battery_override
        : null;
    const result = integrate(day * DAY_MS, warmUp.levels[QUARTERS_PER_DAY] ?? middle, override);
    days.set(day, result);
    return result;
  }

  /** The battery level at `tMs` (%), interpolated within its quarter. */
  function batteryLevelAt(tMs: number): number | null {
    if (!hasBattery(settings)) return null;
    const day = Math.floor(tMs / DAY_MS);
    const quarter = Math.floor((tMs - day * DAY_MS) / QUARTER_MS);
    const { levels, powers } = batteryDay(day);
    const start = levels[quarter] ?? 0;
    return clampLevel(start + levelChange(powers[quarter] ?? 0, tMs - day * DAY_MS - quarter * QUARTER_MS));
  }

  function readingAt(tMs: number): InverterReading {
    const production = solarProductionW(context, tMs);
    const household = householdW(context, tMs);
    const level = batteryLevelAt(tMs);
    const battery = level === null ? null : batteryPowerFor(settings, production - household, level, 0.25);
    // Rounded first, so the reported figures add up exactly: surplus = production − household, grid = surplus + battery.
    const producedW = Math.round(production);
    const consumedW = Math.round(household);
    const batteryW = battery === null ? null : Math.round(battery);
    return {
      solar_production_w: producedW,
      household_consumption_w: consumedW,
      solar_surplus_w: producedW - consumedW,
      battery_charge_discharge_power_w: batteryW,
      battery_charge_level_percent: level === null ? null : Math.round(level),
      current_power_to_grid_w: producedW - consumedW + (batteryW ?? 0),
    };
  }

  /** Quarter-hour samples at their midpoints over [fromMs, toMs), for series and savings. */
  function quarterSample(quarterStart: number) {
    const midpoint = quarterStart + QUARTER_MS / 2;
    const day = Math.floor(quarterStart / DAY_MS);
    const quarter = Math.floor((quarterStart - day * DAY_MS) / QUARTER_MS);
    const production = solarProductionW(context, midpoint);
    const household = householdW(context, midpoint);
    const battery = hasBattery(settings) ? (batteryDay(day).powers[quarter] ?? 0) : null;
    return {
      production,
      household,
      battery,
      level: batteryLevelAt(midpoint),
      grid: production - household + (battery ?? 0),
      price: priceAt(context.priceZone, midpoint),
    };
  }

  return { readingAt, batteryLevelAt, quarterSample };
}

/** Value noise in [0, 1], linear between hourly knots. */
function smoothUnit(seed: number, id: string, name: string, tMs: number): number {
  const hours = tMs / HOUR_MS;
  const knot = Math.floor(hours);
  const a = unitHash(seed, id, name, knot);
  const b = unitHash(seed, id, name, knot + 1);
  return a + (b - a) * (hours - knot);
}
