/**
 * The living heat pump: every reading is a pure function of (seed, heat-pump id, settings, time).
 * Nothing is stored or ticked, so 10,000 heat pumps cost nothing until somebody reads one, and the
 * same seed always tells the same story.
 *
 * Physics, kept simple but plausible:
 * - outdoor temperature = per-site climate + a seasonal swing (coldest in late January) + a daily
 *   cycle (coldest around 03:00 UTC, warmest around 15:00) + smooth hourly noise;
 * - heat demand = heat-loss coefficient x (indoor target - outdoor), zero above a 16 °C balance point;
 * - electrical power = heat demand / COP, with a COP that falls as it gets colder;
 * - two hot-water cycles a day heat the tank to its setpoint; it cools slowly in between;
 * - with smart optimisation on, load shifts towards cheap hours (the `current_mode` follows);
 * - indoor temperature tracks the target, a little above it when boosting, below it when throttled.
 */
import { unitHash } from '../random';
import type { HeatPumpMode, OptimizationLevel } from '../wire';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The per-installation constants, drawn once from (seed, id). */
export interface HeatPumpProfile {
  climateMeanC: number;
  dailyAmplitudeC: number;
  heatLossWPerK: number;
  baseTargetC: number;
  dhwCycleStartHours: readonly [number, number];
  dhwCycleMinutes: number;
  dhwHeaterPowerW: number;
  hasIndoorSensor: boolean;
  standbyPowerW: number;
}

/** The settings that change behaviour; a subset of the heat-pump record. */
export interface HeatPumpSettings {
  is_smart_optimization_active: boolean;
  optimization_level: OptimizationLevel;
  indoor_target_temperature_offset: number;
  dhw_standard_temperature: number | null;
  is_space_heating_enabled: boolean;
  is_hot_water_heating_enabled: boolean;
  pause_power_until: string | null;
  is_pause_power_active: boolean;
  is_away_mode_enabled: boolean;
  away_mode_start: string | null;
  away_mode_end: string | null;
  away_mode_minimum_temperature_limit: number | null;
  minimum_temperature_limit: number | null;
  maximum_temperature_limit: number | null;
}

export interface HeatPumpReading {
  current_power_consumption_w: number;
  outdoor_temperature: number;
  indoor_actual_temperature: number | null;
  indoor_target_temperature: number;
  inlet_temperature: number;
  outlet_temperature: number;
  dhw_temperature: number;
  dhw_target_temperature: number;
  current_mode: HeatPumpMode;
}

export interface PowerSample {
  /** What the heat pump actually draws (optimised when smart optimisation is on), W. */
  estimatedW: number;
  /** What it would have drawn without Podero's optimisation, W. */
  unoptimizedW: number;
}

export function profileFor(seed: number, id: string): HeatPumpProfile {
  const draw = (name: string) => unitHash(seed, id, name);
  return {
    climateMeanC: 6 + draw('climate') * 6, // 6..12 °C yearly mean (central Europe)
    dailyAmplitudeC: 2.5 + draw('amplitude') * 3.5,
    heatLossWPerK: 120 + draw('heat-loss') * 160, // 120..280 W/K: flat to detached house
    baseTargetC: round1(20 + draw('target') * 2.5),
    dhwCycleStartHours: [5 + draw('dhw-morning') * 2, 17 + draw('dhw-evening') * 3],
    dhwCycleMinutes: 35 + Math.floor(draw('dhw-length') * 30),
    dhwHeaterPowerW: 1600 + Math.floor(draw('dhw-power') * 1000),
    hasIndoorSensor: draw('indoor-sensor') > 0.1,
    standbyPowerW: 8 + Math.floor(draw('standby') * 10),
  };
}

/** Outdoor temperature at `tMs`, °C. */
export function outdoorTemperatureAt(
  seed: number,
  id: string,
  profile: HeatPumpProfile,
  tMs: number,
): number {
  const dayOfYear = (tMs % (365.25 * DAY_MS)) / DAY_MS;
  const seasonal = -8 * Math.cos((2 * Math.PI * (dayOfYear - 20)) / 365.25);
  const hourOfDay = (tMs % DAY_MS) / HOUR_MS;
  const daily = profile.dailyAmplitudeC * Math.sin((2 * Math.PI * (hourOfDay - 9)) / 24);
  return profile.climateMeanC + seasonal + daily + smoothNoise(seed, id, tMs) * 1.5;
}

/** Coefficient of performance of an air-to-water heat pump: about 2.1 at -10 °C, 4.0 at +10 °C. */
export function copAt(outdoorC: number): number {
  return clamp(3.05 + 0.095 * outdoorC, 1.6, 5.5);
}

/**
 * Relative attractiveness of consuming at this hour (UTC): positive when power is cheap (night,
 * midday solar), negative at the morning and evening peaks. Also shapes the simulated price.
 */
export function priceShapeAt(tMs: number): number {
  const hour = Math.floor((tMs % DAY_MS) / HOUR_MS);
  if (hour < 5) return 0.5;
  if (hour >= 6 && hour < 9) return -0.4;
  if (hour >= 11 && hour < 14) return 0.2;
  if (hour >= 17 && hour < 21) return -0.7;
  return 0;
}

/** Day-ahead-like price in EUR/MWh for a price zone at `tMs`. */
export function priceAt(priceZone: string, tMs: number): number {
  const hourIndex = Math.floor(tMs / HOUR_MS);
  const zoneBase = 60 + unitHash('zone', priceZone) * 50;
  return round1(zoneBase - 80 * priceShapeAt(tMs) + (unitHash('price', priceZone, hourIndex) - 0.5) * 12);
}

const SHIFT_BY_LEVEL: Record<OptimizationLevel, number> = { Low: 0.15, Mid: 0.3, Max: 0.45 };

export function indoorTargetAt(profile: HeatPumpProfile, settings: HeatPumpSettings, tMs: number): number {
  let target = profile.baseTargetC + settings.indoor_target_temperature_offset;
  if (isAway(settings, tMs)) target = settings.away_mode_minimum_temperature_limit ?? 16;
  if (settings.minimum_temperature_limit !== null)
    target = Math.max(target, settings.minimum_temperature_limit);
  if (settings.maximum_temperature_limit !== null)
    target = Math.min(target, settings.maximum_temperature_limit);
  return round1(target);
}

/** Electrical power at an instant, optimised and unoptimised. */
export function powerAt(
  seed: number,
  id: string,
  profile: HeatPumpProfile,
  settings: HeatPumpSettings,
  tMs: number,
): PowerSample {
  if (isPaused(settings, tMs)) return { estimatedW: profile.standbyPowerW, unoptimizedW: baseElectricW() };
  return { estimatedW: optimised(baseElectricW()), unoptimizedW: baseElectricW() };

  function baseElectricW(): number {
    const outdoor = outdoorTemperatureAt(seed, id, profile, tMs);
    const target = indoorTargetAt(profile, settings, tMs);
    const heatW =
      settings.is_space_heating_enabled && outdoor < 16
        ? profile.heatLossWPerK * Math.max(0, target - outdoor)
        : 0;
    const dhwW =
      settings.is_hot_water_heating_enabled && inHotWaterCycle(profile, tMs) ? profile.dhwHeaterPowerW : 0;
    return profile.standbyPowerW + heatW / copAt(outdoor) + dhwW;
  }

  function optimised(watts: number): number {
    if (!settings.is_smart_optimization_active) return watts;
    return watts * (1 + SHIFT_BY_LEVEL[settings.optimization_level] * priceShapeAt(tMs));
  }
}

/** The full state snapshot a detail/list response reports at `tMs`. */
export function readingAt(
  seed: number,
  id: string,
  profile: HeatPumpProfile,
  settings: HeatPumpSettings,
  tMs: number,
): HeatPumpReading {
  const outdoor = outdoorTemperatureAt(seed, id, profile, tMs);
  const target = indoorTargetAt(profile, settings, tMs);
  const power = powerAt(seed, id, profile, settings, tMs);
  const mode = modeAt(settings, tMs);
  const modeBias = { min: -0.5, low: -0.2, mid: 0, max: 0.4 }[mode];
  const heatingRuns = settings.is_space_heating_enabled && !isPaused(settings, tMs);
  const indoor = heatingRuns
    ? target + modeBias + smoothNoise(seed, id, tMs + 7 * HOUR_MS) * 0.3
    : Math.min(target, Math.max(outdoor + 6, 14));
  const dhwTarget = settings.dhw_standard_temperature ?? 50;
  const inCycle = settings.is_hot_water_heating_enabled && inHotWaterCycle(profile, tMs);
  const heatShare = clamp(power.estimatedW / 3000, 0, 1);
  const outlet = inCycle
    ? dhwTarget + 5
    : heatingRuns && outdoor < 16
      ? clamp(22 + (20 - outdoor) * 0.9, 25, 55)
      : indoor + 3;
  return {
    current_power_consumption_w: Math.round(power.estimatedW),
    outdoor_temperature: round1(outdoor),
    indoor_actual_temperature: profile.hasIndoorSensor ? round1(indoor) : null,
    indoor_target_temperature: target,
    inlet_temperature: round1(outlet - (2 + 5 * heatShare)),
    outlet_temperature: round1(outlet),
    dhw_temperature: round1(hotWaterTemperatureAt(profile, settings, tMs)),
    dhw_target_temperature: dhwTarget,
    current_mode: mode,
  };
}

export function modeAt(settings: HeatPumpSettings, tMs: number): HeatPumpMode {
  if (isPaused(settings, tMs)) return 'min';
  if (!settings.is_smart_optimization_active) return 'mid';
  const shape = priceShapeAt(tMs);
  if (shape >= 0.5) return 'max';
  if (shape > 0) return 'mid';
  if (shape <= -0.5) return 'min';
  return shape < 0 ? 'low' : 'mid';
}

export function hotWaterTemperatureAt(
  profile: HeatPumpProfile,
  settings: HeatPumpSettings,
  tMs: number,
): number {
  const setpoint = settings.dhw_standard_temperature ?? 50;
  const floor = setpoint - 8;
  if (!settings.is_hot_water_heating_enabled) return Math.max(20, floor - 10);
  const cycleMs = profile.dhwCycleMinutes * 60_000;
  const dayStart = tMs - (tMs % DAY_MS);
  // The latest cycle start at or before tMs (today's or yesterday's).
  const starts = [-1, 0].flatMap((day) =>
    profile.dhwCycleStartHours.map((h) => dayStart + day * DAY_MS + h * HOUR_MS),
  );
  const lastStart = Math.max(...starts.filter((start) => start <= tMs));
  if (tMs < lastStart + cycleMs) return floor + ((tMs - lastStart) / cycleMs) * (setpoint - floor);
  const hoursSinceCycle = (tMs - lastStart - cycleMs) / HOUR_MS;
  return Math.max(floor, setpoint - 0.6 * hoursSinceCycle);
}

export function inHotWaterCycle(profile: HeatPumpProfile, tMs: number): boolean {
  const hourOfDay = (tMs % DAY_MS) / HOUR_MS;
  const lengthHours = profile.dhwCycleMinutes / 60;
  return profile.dhwCycleStartHours.some((start) => hourOfDay >= start && hourOfDay < start + lengthHours);
}

/**
 * On about one day in twenty the manufacturer cloud lags for an hour: `connection_status` reports
 * `warning` (readings keep coming, as they usually do when a cloud is merely slow).
 */
export function connectionHiccupAt(seed: number, id: string, tMs: number): boolean {
  const day = Math.floor(tMs / DAY_MS);
  if (unitHash(seed, id, 'hiccup', day) >= 0.05) return false;
  const startHour = Math.floor(unitHash(seed, id, 'hiccup-hour', day) * 24);
  const hourOfDay = (tMs % DAY_MS) / HOUR_MS;
  return hourOfDay >= startHour && hourOfDay < startHour + 1;
}

export function isPaused(settings: HeatPumpSettings, tMs: number): boolean {
  if (settings.pause_power_until !== null && Date.parse(settings.pause_power_until) > tMs) return true;
  return settings.is_pause_power_active && settings.pause_power_until === null;
}

function isAway(settings: HeatPumpSettings, tMs: number): boolean {
  if (!settings.is_away_mode_enabled) return false;
  const start =
    settings.away_mode_start === null ? Number.NEGATIVE_INFINITY : Date.parse(settings.away_mode_start);
  const end = settings.away_mode_end === null ? Number.POSITIVE_INFINITY : Date.parse(settings.away_mode_end);
  return tMs >= start && tMs < end;
}

/** Value noise in [-1, 1], linearly interpolated between hourly knots: smooth, deterministic, stateless. */
function smoothNoise(seed: number, id: string, tMs: number): number {
  const hours = tMs / HOUR_MS;
  const knot = Math.floor(hours);
  const fraction = hours - knot;
  const a = unitHash(seed, id, 'noise', knot) * 2 - 1;
  const b = unitHash(seed, id, 'noise', knot + 1) * 2 - 1;
  return a + (b - a) * fraction;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
