/**
 * The living car on a charger (an EV, or the virtual car of a wallbox without a connected EV), on the
 * simulated clock. Unlike the heat pump, a car has state that the partner changes (a boost, a plug-in from the
 * control plane), so its state is stored and stepped forward from event to event whenever it is read:
 *
 * - a daily rhythm drawn from (seed, id, day): it leaves home in the morning (06:00–08:00 UTC), drives 25–95 km,
 *   comes back in the evening (16:00–19:30 UTC) and plugs in; about one day in seven it stays at home;
 * - plugged in at home it charges at its rate: at once up to `charge_target_min`, then towards the target of its
 *   deadline (the weekly charge policy when enabled, else `minimum_charge_limit` by `charge_deadline_at`), at
 *   once without smart optimisation, or as late as still reaches the target by the deadline with it;
 * - a boost charges at once to the OEM cap (`charge_target_max`, else 100 %): `requested` for a minute (the car
 *   wakes up), then `ongoing` until the cap or the unplug; armed while unplugged, it fires at the next plug-in;
 * - each unplug closes a charging session (E10) with its energy, cost and savings against charging at once.
 *
 * Everything is a function of the seed, the id, the settings and the calls made: the same story replays.
 * Steps are events (departure, arrival, a level reached, the hour for pricing), so a day costs about ten steps.
 */
import { iso } from '../core';
import { hash32, unitHash } from '../random';
import type { ChargingSessionRecord, ChargingState, WeeklyPolicyRecord } from '../store';
import type { BoostRefusalReason, BoostState, Weekday } from '../wire-devices';
import { priceAt } from './living';
import { round } from './series';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** A boost is `requested` until the car answers (Podero's guide polls every ~3 s while it is). */
export const BOOST_START_DELAY_MS = MINUTE_MS;
/** A read after a long jump of the clock replays at most this much (older history is skipped). */
const MAX_CATCH_UP_MS = 60 * DAY_MS;
/** Bound on steps per advance (about ten a day, so 60 days need ~600). */
const MAX_STEPS = 20_000;
const MAX_KEPT_SESSIONS = 400;
/** On connection the manufacturer cloud hands over this much history (as for heat pumps). */
export const CHARGING_HISTORY_MS = 30 * DAY_MS;

export interface CarProfile {
  capacityKwh: number;
  rateW: number;
  kwhPerKm: number;
}

/** The settings that steer charging: a subset of the EV or wallbox record. */
export interface ChargingSettings {
  is_smart_optimization_active: boolean;
  charge_target_min: number;
  charge_target_max: number | null;
  minimum_charge_limit: number;
  charge_deadline_at: string;
  is_charge_policy_enabled: boolean;
  pause_power_until: string | null;
  is_pause_power_active: boolean;
}

export interface ChargingContext {
  seed: number;
  id: string;
  car: CarProfile;
  settings: ChargingSettings;
  /** The weekly policy (EVs only); used when `is_charge_policy_enabled`. */
  policy: WeeklyPolicyRecord | null;
  priceZone: string;
}

export interface RhythmDay {
  homeDay: boolean;
  departMs: number;
  arriveMs: number;
  tripKm: number;
}

/** The day's trip, drawn from (seed, id, day index). */
export function rhythmDay(seed: number, id: string, day: number): RhythmDay {
  const dayStart = day * DAY_MS;
  return {
    homeDay: unitHash(seed, id, 'home-day', day) < 0.15,
    departMs: dayStart + Math.round((6 + 2 * unitHash(seed, id, 'depart', day)) * 60) * MINUTE_MS,
    arriveMs: dayStart + Math.round((16 + 3.5 * unitHash(seed, id, 'arrive', day)) * 60) * MINUTE_MS,
    tripKm: Math.round(25 + 70 * unitHash(seed, id, 'trip', day)),
  };
}

interface RhythmEvent {
  atMs: number;
  kind: 'depart' | 'arrive';
  day: number;
}

/** The first departure or arrival strictly after `tMs`. */
export function nextRhythmEvent(seed: number, id: string, tMs: number): RhythmEvent {
  const firstDay = Math.floor(tMs / DAY_MS);
  // Home days have no events; 30 home days in a row cannot happen with p = 0.15, but the loop stays bounded.
  for (let day = firstDay; day < firstDay + 30; day++) {
    const rhythm = rhythmDay(seed, id, day);
    if (rhythm.homeDay) continue;
    if (rhythm.departMs > tMs) return { atMs: rhythm.departMs, kind: 'depart', day };
    if (rhythm.arriveMs > tMs) return { atMs: rhythm.arriveMs, kind: 'arrive', day };
  }
  return { atMs: (firstDay + 30) * DAY_MS, kind: 'arrive', day: firstDay + 30 };
}

/** The level a boost (and an away-from-home charge) stops at: the OEM cap, else full. */
export function boostTarget(settings: ChargingSettings): number {
  return Math.min(100, settings.charge_target_max ?? 100);
}

const WEEKDAY_BY_UTC_DAY: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The session's goal: the first deadline after the plug-in and the level to reach by it. */
export function goalFor(context: ChargingContext, plugInMs: number): { target: number; deadlineMs: number } {
  const dayStart = plugInMs - (plugInMs % DAY_MS);
  for (const day of [0, 1, 2]) {
    const start = dayStart + day * DAY_MS;
    const weekday = WEEKDAY_BY_UTC_DAY[new Date(start).getUTCDay()] ?? 'mon';
    const usePolicy = context.settings.is_charge_policy_enabled && context.policy !== null;
    const dayPolicy = usePolicy ? context.policy?.[weekday] : undefined;
    const deadline = start + timeOfDayMs(dayPolicy?.charge_deadline ?? context.settings.charge_deadline_at);
    if (deadline > plugInMs) {
      const wanted = dayPolicy?.charge_percentage ?? context.settings.minimum_charge_limit;
      return { target: Math.min(wanted, boostTarget(context.settings)), deadlineMs: deadline };
    }
  }
  return { target: context.settings.minimum_charge_limit, deadlineMs: dayStart + 2 * DAY_MS };
}

function timeOfDayMs(text: string): number {
  const [hours = 0, minutes = 0] = text.split(':').map(Number);
  return hours * HOUR_MS + minutes * MINUTE_MS;
}

interface Segment {
  powerW: number;
  untilMs: number;
  /** The level reached at `untilMs` (snapped to avoid floating drift), when the segment charges to one. */
  reachesLevel: number | null;
}

const IDLE: Segment = { powerW: 0, untilMs: Number.POSITIVE_INFINITY, reachesLevel: null };

function msToCharge(car: CarProfile, fromLevel: number, toLevel: number): number {
  return Math.max(0, ((toLevel - fromLevel) / 100) * car.capacityKwh * 3_600_000_000) / car.rateW;
}

/** What the charger does from `tMs` on, and until when, given the state at `tMs`. */
function segmentAt(context: ChargingContext, state: ChargingState, tMs: number): Segment {
  if (!state.plugged_in) return IDLE;
  const { car, settings } = context;
  const chargeTo = (level: number): Segment => ({
    powerW: car.rateW,
    untilMs: tMs + Math.max(1, Math.ceil(msToCharge(car, state.battery_level, level))),
    reachesLevel: level,
  });
  const cap = boostTarget(settings);
  if (state.boost === 'requested') {
    return {
      powerW: 0,
      untilMs: Math.max(tMs + 1, (state.boost_requested_at_ms ?? tMs) + BOOST_START_DELAY_MS),
      reachesLevel: null,
    };
  }
  if (state.boost === 'ongoing') return below(state, cap) ? chargeTo(cap) : IDLE;
  // Away from home the car charges on its own, unsteered.
  if (!state.at_home) return below(state, cap) ? chargeTo(cap) : IDLE;
  if (settings.pause_power_until !== null && Date.parse(settings.pause_power_until) > tMs) {
    return { powerW: 0, untilMs: Date.parse(settings.pause_power_until), reachesLevel: null };
  }
  if (settings.is_pause_power_active && settings.pause_power_until === null) return IDLE;
  const minimum = Math.min(settings.charge_target_min, cap);
  if (below(state, minimum)) return chargeTo(minimum);
  const goal = goalFor(context, state.session?.plug_in_ms ?? tMs);
  if (!below(state, goal.target)) return IDLE;
  if (!settings.is_smart_optimization_active) return chargeTo(goal.target);
  const startMs = goal.deadlineMs - msToCharge(car, state.battery_level, goal.target);
  // Within a second of the planned start counts as started (floating drift must not stall the charge).
  if (tMs >= startMs - 1000) return chargeTo(goal.target);
  return { powerW: 0, untilMs: Math.ceil(startMs), reachesLevel: null };
}

/** Below a level by more than floating drift (a level reached within a millisecond of charge counts). */
function below(state: ChargingState, level: number): boolean {
  return state.battery_level < level - 1e-4;
}

/** The charging power at the state's instant, W. */
export function chargingPowerW(context: ChargingContext, state: ChargingState): number {
  return segmentAt(context, state, state.at_ms).powerW;
}

/** The state of a car that connected at `connectedMs`: its history starts 30 days earlier, at midnight. */
export function initialChargingState(seed: number, id: string, connectedMs: number): ChargingState {
  const startMs = connectedMs - CHARGING_HISTORY_MS;
  const midnight = startMs - (startMs % DAY_MS);
  const level = Math.round(45 + 30 * unitHash(seed, id, 'initial-level'));
  return {
    at_ms: midnight,
    battery_level: level,
    plugged_in: true,
    at_home: true,
    driving: false,
    charging_w: 0,
    boost: 'none',
    boost_requested_at_ms: null,
    boost_armed: false,
    session: newSession(seed, id, midnight, level),
    sessions: [],
  };
}

function newSession(seed: number, id: string, plugInMs: number, level: number): ChargingState['session'] {
  return {
    id: uuidFrom(`${seed}|${id}|session|${plugInMs}`),
    plug_in_ms: plugInMs,
    initial_soc: level,
    energy_kwh: 0,
    charging_ms: 0,
    peak_w: 0,
    cost_eur: 0,
    desired_start_ms: null,
    desired_end_ms: null,
  };
}

/** Steps the state forward to `toMs` (never backwards: a clock set back leaves the car where it was). */
export function advanceCharging(context: ChargingContext, state: ChargingState, toMs: number): void {
  if (toMs - state.at_ms > MAX_CATCH_UP_MS) state.at_ms = toMs - MAX_CATCH_UP_MS;
  for (let step = 0; state.at_ms < toMs && step < MAX_STEPS; step++) {
    settleBoost(context, state);
    const tMs = state.at_ms;
    const event = nextRhythmEvent(context.seed, context.id, tMs);
    const segment = segmentAt(context, state, tMs);
    let endMs = Math.min(toMs, event.atMs, segment.untilMs);
    // Prices change hourly: a charging segment ends at the hour so its cost uses the right price.
    if (segment.powerW > 0) endMs = Math.min(endMs, tMs - (tMs % HOUR_MS) + HOUR_MS);
    charge(context, state, tMs, endMs, segment.powerW);
    state.at_ms = endMs;
    if (segment.reachesLevel !== null && endMs === segment.untilMs)
      state.battery_level = segment.reachesLevel;
    if (endMs === event.atMs) applyRhythmEvent(context, state, event);
  }
  settleBoost(context, state);
  state.charging_w = chargingPowerW(context, state);
}

function charge(
  context: ChargingContext,
  state: ChargingState,
  fromMs: number,
  toMs: number,
  powerW: number,
) {
  if (powerW <= 0 || toMs <= fromMs) return;
  const energyKwh = (powerW * (toMs - fromMs)) / 3_600_000_000;
  state.battery_level = Math.min(100, state.battery_level + (energyKwh / context.car.capacityKwh) * 100);
  const session = state.session;
  if (session === null) return;
  session.energy_kwh += energyKwh;
  session.charging_ms += toMs - fromMs;
  session.peak_w = Math.max(session.peak_w, powerW);
  session.cost_eur += (energyKwh * priceAt(context.priceZone, (fromMs + toMs) / 2)) / 1000;
}

/** `requested` becomes `ongoing` once the car answered; a boost ends at the cap or with the session. */
function settleBoost(context: ChargingContext, state: ChargingState): void {
  if (
    state.boost === 'requested' &&
    state.at_ms >= (state.boost_requested_at_ms ?? state.at_ms) + BOOST_START_DELAY_MS
  ) {
    state.boost = 'ongoing';
  }
  if (state.boost === 'ongoing' && !below(state, boostTarget(context.settings))) {
    state.boost = 'none';
    state.boost_requested_at_ms = null;
  }
}

function applyRhythmEvent(context: ChargingContext, state: ChargingState, event: RhythmEvent): void {
  if (event.kind === 'depart') {
    if (state.plugged_in) unplug(context, state, event.atMs);
    state.driving = true;
    return;
  }
  if (state.driving) {
    const tripKwh = rhythmDay(context.seed, context.id, event.day).tripKm * context.car.kwhPerKm;
    state.battery_level = Math.max(3, state.battery_level - (tripKwh / context.car.capacityKwh) * 100);
    state.driving = false;
  }
  if (!state.plugged_in) plugIn(context, state, event.atMs, true);
}

/** The car is plugged in (by its rhythm or the control plane); an armed boost fires at home. */
export function plugIn(context: ChargingContext, state: ChargingState, atMs: number, atHome: boolean): void {
  if (state.plugged_in) return;
  state.plugged_in = true;
  state.at_home = atHome;
  state.driving = false;
  state.session = newSession(context.seed, context.id, atMs, state.battery_level);
  const goal = goalFor(context, atMs);
  const needMs = msToCharge(context.car, state.battery_level, goal.target);
  if (needMs > 0 && atHome && state.session !== null) {
    const startMs = context.settings.is_smart_optimization_active
      ? Math.max(atMs, goal.deadlineMs - needMs)
      : atMs;
    state.session.desired_start_ms = startMs;
    state.session.desired_end_ms = startMs + needMs;
  }
  if (state.boost_armed && atHome) {
    state.boost_armed = false;
    state.boost = 'requested';
    state.boost_requested_at_ms = atMs;
  }
}

/** The car is unplugged: the session becomes history; a running boost ends with it. */
export function unplug(context: ChargingContext, state: ChargingState, atMs: number): void {
  if (!state.plugged_in) return;
  if (state.session !== null) {
    state.sessions.push(sessionItem(context, state, state.session, atMs));
    if (state.sessions.length > MAX_KEPT_SESSIONS)
      state.sessions.splice(0, state.sessions.length - MAX_KEPT_SESSIONS);
  }
  state.plugged_in = false;
  state.at_home = true;
  state.session = null;
  state.boost = 'none';
  state.boost_requested_at_ms = null;
}

/** The session in E10's `SessionItem` shape; `unplugMs` null for the current one. */
export function sessionItem(
  context: ChargingContext,
  state: ChargingState,
  session: NonNullable<ChargingState['session']>,
  unplugMs: number | null,
): ChargingSessionRecord {
  const goal = goalFor(context, session.plug_in_ms);
  const chargedHours = session.charging_ms / HOUR_MS;
  const immediateCost = costOfChargingAt(context, session.plug_in_ms, session.energy_kwh);
  const savings = state.at_home ? round(immediateCost - session.cost_eur, 2) : 0;
  const finalLevel = round(state.battery_level, 1);
  const outcome = !state.at_home
    ? 'not_at_home'
    : unplugMs === null
      ? 'ongoing'
      : finalLevel >= goal.target - 0.5
        ? 'completed'
        : 'target_not_reached';
  const nextEvent = nextRhythmEvent(context.seed, context.id, state.at_ms);
  return {
    id: session.id,
    plug_in_time: iso(session.plug_in_ms),
    unplug_time: unplugMs === null ? null : iso(unplugMs),
    inferred_session_end: iso(unplugMs ?? (nextEvent.kind === 'depart' ? nextEvent.atMs : goal.deadlineMs)),
    desired_charging_start_time: session.desired_start_ms === null ? null : iso(session.desired_start_ms),
    desired_charging_end_time: session.desired_end_ms === null ? null : iso(session.desired_end_ms),
    charge_deadline: state.at_home ? iso(goal.deadlineMs) : null,
    target_soc_pct: state.at_home ? goal.target : boostTarget(context.settings),
    initial_soc_pct: round(session.initial_soc, 1),
    final_soc_pct: finalLevel,
    energy_charged_kwh: round(session.energy_kwh, 2),
    avg_charge_power_kw: chargedHours > 0 ? round(session.energy_kwh / chargedHours, 2) : 0,
    peak_charge_power_kw: round(session.peak_w / 1000, 2),
    actual_cost_eur: round(session.cost_eur, 2),
    expected_savings_eur: savings,
    actual_savings_eur: savings,
    is_at_home: state.at_home,
    session_outcome: outcome,
  };
}

/** What the energy would have cost charged at full rate from `startMs` (the unoptimised baseline). */
function costOfChargingAt(context: ChargingContext, startMs: number, energyKwh: number): number {
  let remainingMs = (energyKwh * 3_600_000_000) / context.car.rateW;
  let tMs = startMs;
  let cost = 0;
  for (let step = 0; remainingMs > 0 && step < 1_000; step++) {
    const endMs = Math.min(tMs - (tMs % HOUR_MS) + HOUR_MS, tMs + remainingMs);
    const kwh = (context.car.rateW * (endMs - tMs)) / 3_600_000_000;
    cost += (kwh * priceAt(context.priceZone, (tMs + endMs) / 2)) / 1000;
    remainingMs -= endMs - tMs;
    tMs = endMs;
  }
  return cost;
}

/** The boost state a read reports. */
export function boostStateOf(state: ChargingState): BoostState {
  if (!state.plugged_in) return 'unavailable';
  if (state.boost === 'requested') return 'requested';
  if (state.boost === 'ongoing') return 'ongoing';
  return 'available';
}

export function isFullyCharged(context: ChargingContext, state: ChargingState): boolean {
  return state.battery_level >= boostTarget(context.settings) - 0.5;
}

export type BoostOutcome = { done: true } | { done: false; reason: BoostRefusalReason; state: BoostState };

/**
 * E6/W4 on an advanced state: boost now when plugged in, arm when unplugged (idempotent), else the documented
 * 409 reasons: `already_charging` while a boost is requested or ongoing, `fully_charged` at the cap,
 * `no_active_session` when plugged in away from home (Podero has no session to steer there).
 */
export function requestBoost(context: ChargingContext, state: ChargingState, nowMs: number): BoostOutcome {
  const current = boostStateOf(state);
  if (!state.plugged_in) {
    state.boost_armed = true;
    return { done: true };
  }
  if (state.boost !== 'none') return { done: false, reason: 'already_charging', state: current };
  if (!state.at_home) return { done: false, reason: 'no_active_session', state: current };
  if (isFullyCharged(context, state)) return { done: false, reason: 'fully_charged', state: current };
  state.boost = 'requested';
  state.boost_requested_at_ms = nowMs;
  state.charging_w = chargingPowerW(context, state);
  return { done: true };
}

/** E7: clears the arm only; a running boost goes on (the user must unplug). */
export function disarmBoost(state: ChargingState): void {
  state.boost_armed = false;
}

/** W5: cancels a live boost (back to the plan) and clears the arm. */
export function cancelBoost(context: ChargingContext, state: ChargingState): void {
  state.boost_armed = false;
  state.boost = 'none';
  state.boost_requested_at_ms = null;
  state.charging_w = chargingPowerW(context, state);
}

/** Control plane: set the battery level now (0..100). */
export function setBatteryLevel(context: ChargingContext, state: ChargingState, level: number): void {
  state.battery_level = Math.min(100, Math.max(0, level));
  settleBoost(context, state);
  state.charging_w = chargingPowerW(context, state);
}

/** Control plane: plug in (at home or away) or unplug now. */
export function setPlugged(
  context: ChargingContext,
  state: ChargingState,
  plugged: boolean,
  atHome: boolean,
): void {
  if (plugged) {
    if (state.plugged_in && state.at_home !== atHome) unplug(context, state, state.at_ms);
    plugIn(context, state, state.at_ms, atHome);
  } else {
    unplug(context, state, state.at_ms);
  }
  state.charging_w = chargingPowerW(context, state);
}

/** A stable UUID-shaped id derived from text (session ids must not consume the seeded id stream). */
export function uuidFrom(text: string): string {
  const hex = [0, 1, 2, 3].map((part) => hash32(`${text}|${part}`).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
