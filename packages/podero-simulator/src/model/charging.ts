/**
 * The living car on a charger (an EV, or the virtual car of a wallbox without a connected EV), on the
 * simulated clock. Unlike the heat pump, a car has state that the partner changes (a boost, a plug-in from the
 * control plane), so its state is stored and stepped forward from event to event whenever it is read:
 *
 * - a daily rhythm drawn from (seed, id, day): it leaves home in the morning (06:00–08:00 UTC), drives 25–95 km,
 *   comes back in the evening (16:00–19:30 UTC) and plugs in; about one day in seven it stays at home;
 * - plugged in at home it charges at its rate: at once up to `charge_target_min`, then towards the target of its
 *   deadline (the weekly charge policy when enabled, else `minimum_charge_limit` by `charge_deadline_at`) as the
 *   owner's charging configuration (CC1 `mode`, the projection of Podero's DesiredSteering) says:
 *   - `none` (NO_STEERING, and always without smart optimisation): at once, at full rate;
 *   - `spot` (DAY_AHEAD): in the cheapest hours of the day-ahead-like price curve (`priceAt`, the heat pumps'
 *     price) before the deadline;
 *   - `hems` (HEMS): from the home's solar surplus (what the inverter would export once its battery took its
 *     share), at least HEMS_MIN_POWER_W, and from the grid only as late as still reaches the target;
 *   - `hems_and_spot` (DAY_AHEAD_HEMS): from the surplus whenever there is one, the rest in the cheapest hours;
 * - a boost charges at once to the OEM cap (`charge_target_max`, else 100 %): `requested` for a minute (the car
 *   wakes up), then `ongoing` until the cap or the unplug; armed while unplugged, it fires at the next plug-in;
 * - each unplug closes a charging session (E10) with its energy, its cost (the grid's share at the hour's price:
 *   surplus is free) and its savings against charging at once from the grid (0 under `none`).
 *
 * Everything is a function of the seed, the id, the settings and the calls made: the same story replays.
 * Steps are events (departure, arrival, a level reached, the hour for pricing), so a day costs about ten steps.
 */
import { iso } from '../core';
import { hash32, unitHash } from '../random';
import type { ChargingSessionRecord, ChargingState, WeeklyPolicyRecord } from '../store';
import type { BoostRefusalReason, BoostState, ChargingConfigMode, Weekday } from '../wire-devices';
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
/** A charger cannot run below 6 A on one phase: a smaller surplus is left to the grid (INFERRED threshold). */
export const HEMS_MIN_POWER_W = 1_400;
const QUARTER_MS = 15 * MINUTE_MS;

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
  /** The owner's charging configuration (CC1); smart optimisation off overrides it with `none`. */
  mode: ChargingConfigMode;
  /**
   * The home's solar surplus the car may take at an instant, W (constant within a quarter hour), or null
   * without a connected inverter.
   */
  surplusW: ((tMs: number) => number) | null;
}

/** The mode that steers the car: the configuration's, unless Podero is told not to optimise it. */
export function steeringMode(context: ChargingContext): ChargingConfigMode {
  return context.settings.is_smart_optimization_active ? context.mode : 'none';
}

export function usesSurplus(mode: ChargingConfigMode): boolean {
  return mode === 'hems' || mode === 'hems_and_spot';
}

function usesSpotPrices(mode: ChargingConfigMode): boolean {
  return mode === 'spot' || mode === 'hems_and_spot';
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
  /** The part of `powerW` drawn from the grid (the rest is solar surplus), W. */
  gridW: number;
  untilMs: number;
  /** The level reached at `untilMs` (snapped to avoid floating drift), when the segment charges to one. */
  reachesLevel: number | null;
}

const IDLE: Segment = { powerW: 0, gridW: 0, untilMs: Number.POSITIVE_INFINITY, reachesLevel: null };

function msToCharge(car: CarProfile, fromLevel: number, toLevel: number, powerW = car.rateW): number {
  return Math.max(0, ((toLevel - fromLevel) / 100) * car.capacityKwh * 3_600_000_000) / powerW;
}

function idleUntil(untilMs: number): Segment {
  return { powerW: 0, gridW: 0, untilMs, reachesLevel: null };
}

interface Slot {
  startMs: number;
  endMs: number;
  price: number;
}

/**
 * `spot`'s plan: the cheapest hours in [fromMs, deadlineMs) (the first and last clipped) that together last
 * `needMs`, in time order. Ties go to the earlier hour. Recomputed at every step with what is still needed, it
 * keeps choosing the same hours (the remaining chosen ones stay the cheapest of what remains).
 */
export function cheapestSlots(priceZone: string, fromMs: number, deadlineMs: number, needMs: number): Slot[] {
  const slots: Slot[] = [];
  for (let startMs = fromMs; startMs < deadlineMs; ) {
    const endMs = Math.min(deadlineMs, startMs - (startMs % HOUR_MS) + HOUR_MS);
    slots.push({ startMs, endMs, price: priceAt(priceZone, startMs) });
    startMs = endMs;
  }
  const byPrice = [...slots].sort((a, b) => a.price - b.price || a.startMs - b.startMs);
  const chosen: Slot[] = [];
  let covered = 0;
  for (const slot of byPrice) {
    if (covered >= needMs) break;
    chosen.push(slot);
    covered += slot.endMs - slot.startMs;
  }
  return chosen.sort((a, b) => a.startMs - b.startMs);
}

/** The planned grid charge of a session: when it starts and when it reaches the target (E10's desired times). */
function plannedWindow(
  context: ChargingContext,
  fromMs: number,
  deadlineMs: number,
  needMs: number,
): { startMs: number; endMs: number } {
  const mode = steeringMode(context);
  if (mode === 'none' || fromMs >= deadlineMs) return { startMs: fromMs, endMs: fromMs + needMs };
  if (!usesSpotPrices(mode)) {
    const startMs = Math.max(fromMs, deadlineMs - needMs);
    return { startMs, endMs: startMs + needMs };
  }
  const chosen = cheapestSlots(context.priceZone, fromMs, deadlineMs, needMs);
  let remaining = needMs;
  let endMs = fromMs + needMs;
  for (const slot of chosen) {
    const used = Math.min(remaining, slot.endMs - slot.startMs);
    remaining -= used;
    endMs = slot.startMs + used;
    if (remaining <= 0) break;
  }
  return { startMs: chosen[0]?.startMs ?? fromMs, endMs: remaining > 0 ? fromMs + needMs : endMs };
}

/** What the charger does from `tMs` on, and until when, given the state at `tMs`. */
function segmentAt(context: ChargingContext, state: ChargingState, tMs: number): Segment {
  if (!state.plugged_in) return IDLE;
  const { car, settings } = context;
  const chargeTo = (level: number): Segment => ({
    powerW: car.rateW,
    gridW: car.rateW,
    untilMs: tMs + Math.max(1, Math.ceil(msToCharge(car, state.battery_level, level))),
    reachesLevel: level,
  });
  const cap = boostTarget(settings);
  if (state.boost === 'requested') {
    return idleUntil(Math.max(tMs + 1, (state.boost_requested_at_ms ?? tMs) + BOOST_START_DELAY_MS));
  }
  if (state.boost === 'ongoing') return below(state, cap) ? chargeTo(cap) : IDLE;
  // Away from home the car charges on its own, unsteered.
  if (!state.at_home) return below(state, cap) ? chargeTo(cap) : IDLE;
  if (settings.pause_power_until !== null && Date.parse(settings.pause_power_until) > tMs) {
    return idleUntil(Date.parse(settings.pause_power_until));
  }
  if (settings.is_pause_power_active && settings.pause_power_until === null) return IDLE;
  const minimum = Math.min(settings.charge_target_min, cap);
  if (below(state, minimum)) return chargeTo(minimum);
  const goal = goalFor(context, state.session?.plug_in_ms ?? tMs);
  if (!below(state, goal.target)) return IDLE;
  return steeredSegment(context, state, tMs, goal);
}

/** Towards the session's goal, as the steering mode says (see the module's comment). */
function steeredSegment(
  context: ChargingContext,
  state: ChargingState,
  tMs: number,
  goal: { target: number; deadlineMs: number },
): Segment {
  const { car } = context;
  const mode = steeringMode(context);
  const needMs = msToCharge(car, state.battery_level, goal.target);
  const fromGrid = (): Segment => ({
    powerW: car.rateW,
    gridW: car.rateW,
    untilMs: tMs + Math.max(1, Math.ceil(needMs)),
    reachesLevel: goal.target,
  });
  // Within a second of the deadline's latest start counts as late (floating drift must not stall the charge).
  const latestStartMs = goal.deadlineMs - needMs;
  if (mode === 'none' || tMs >= latestStartMs - 1000) return withSurplus(fromGrid());
  let gridNow = false;
  let nextGridMs = Math.ceil(latestStartMs);
  if (usesSpotPrices(mode)) {
    const chosen = cheapestSlots(context.priceZone, tMs, goal.deadlineMs, needMs);
    const first = chosen[0];
    gridNow = first !== undefined && first.startMs <= tMs;
    nextGridMs = first?.startMs ?? nextGridMs;
  }
  if (gridNow) return withSurplus(fromGrid());
  const surplusW = usesSurplus(mode) && context.surplusW !== null ? context.surplusW(tMs) : 0;
  const quarterEndMs = tMs - (tMs % QUARTER_MS) + QUARTER_MS;
  if (surplusW < HEMS_MIN_POWER_W) {
    // The surplus is looked at again each quarter hour while there is an inverter to take it from.
    const watchesSurplus = usesSurplus(mode) && context.surplusW !== null;
    return idleUntil(Math.max(tMs + 1, watchesSurplus ? Math.min(quarterEndMs, nextGridMs) : nextGridMs));
  }
  const powerW = Math.min(car.rateW, surplusW);
  return {
    powerW,
    gridW: 0,
    untilMs: Math.min(
      quarterEndMs,
      nextGridMs,
      tMs + Math.max(1, Math.ceil(msToCharge(car, state.battery_level, goal.target, powerW))),
    ),
    reachesLevel: null,
  };

  /** Grid charging in a steered mode still takes the surplus it can: only the rest is bought. */
  function withSurplus(segment: Segment): Segment {
    if (!usesSurplus(mode) || context.surplusW === null) return segment;
    const free = Math.max(0, Math.min(segment.powerW, context.surplusW(tMs)));
    if (free === 0) return segment;
    return {
      ...segment,
      gridW: segment.powerW - free,
      untilMs: Math.min(segment.untilMs, quarterEndMs),
      reachesLevel: segment.untilMs <= quarterEndMs ? segment.reachesLevel : null,
    };
  }
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
    charge(context, state, tMs, endMs, segment);
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
  { powerW, gridW }: Segment,
) {
  if (powerW <= 0 || toMs <= fromMs) return;
  const energyKwh = (powerW * (toMs - fromMs)) / 3_600_000_000;
  state.battery_level = Math.min(100, state.battery_level + (energyKwh / context.car.capacityKwh) * 100);
  const session = state.session;
  if (session === null) return;
  session.energy_kwh += energyKwh;
  session.charging_ms += toMs - fromMs;
  session.peak_w = Math.max(session.peak_w, powerW);
  // Only the grid's share is bought; the surplus would otherwise have been exported unpaid (no feed-in tariff).
  const boughtKwh = (gridW * (toMs - fromMs)) / 3_600_000_000;
  session.cost_eur += (boughtKwh * priceAt(context.priceZone, (fromMs + toMs) / 2)) / 1000;
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
    const planned = plannedWindow(context, atMs, goal.deadlineMs, needMs);
    state.session.desired_start_ms = planned.startMs;
    state.session.desired_end_ms = planned.endMs;
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
  // `+ 0` turns a rounded −0 (charging at once: the same cost to the last bit) into 0.
  const savings = state.at_home ? round(immediateCost - session.cost_eur, 2) + 0 : 0;
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
