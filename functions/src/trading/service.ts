/**
 * The day-ahead trading service (docs/adr/0015-day-ahead-trading-workflow.md): takes a delivery day's
 * forecast from the partner, advances each open day one stored step at a time (upload, curves, decision,
 * confirmation, or missed), and records the trading desk's decision. The rules are domain/trading/; every
 * outcome is a conditional write (storage/trading-days.ts) with its change event.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  ConfirmationUnsupportedError,
  PoderoConflictError,
  PoderoError,
  PoderoNotFoundError,
  type TradingClient,
} from '@podero-bridge/podero-client';
import { type BridgeEvent, outboxEntriesOf } from '../domain/events/catalogue';
import { summariseCurves } from '../domain/trading/curves';
import {
  curvesReadyEvents,
  decidedEvent,
  failedEvent,
  missedEvent,
  pricesUploadedEvent,
} from '../domain/trading/events';
import type { ForecastPoint, TradingCalendar } from '../domain/trading/market';
import {
  type AutoConfirmPolicy,
  decisionRefusal,
  isFinal,
  nextStep,
  retryAt,
  type TradingState,
  type WorkflowStep,
} from '../domain/trading/workflow';
import type { Clock } from '../platform/clock';
import type { DayChange, DayKey, TradingDay, TradingDayPage, TradingDayStore } from '../storage/trading-days';
import { TradingConflictError, UnknownTradingDayError } from './errors';
import { ForecastIntake } from './forecast-intake';

/** A step as the service states it: its events as events (the store takes them as outbox entries). */
type StepChange = Omit<DayChange, 'events'> & { readonly events?: readonly BridgeEvent[] };

export { InvalidForecastError, TradingConflictError, UnknownTradingDayError } from './errors';

export interface TradingServiceDeps {
  readonly store: TradingDayStore;
  /** Podero's trading API in the stage's variant (podero-client's `client.trading`). */
  readonly podero: TradingClient;
  readonly calendar: TradingCalendar;
  readonly autoConfirm: AutoConfirmPolicy;
  readonly now: Clock;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Tests: called at each step boundary (the kill-at-each-step test kills its process there). */
  readonly step?: (name: TradingStepName) => void;
}

/** The boundaries where a crash leaves something half done (what the kill-at-each-step test kills at). */
export const TRADING_STEP_NAMES = [
  'after-upload-counted',
  'after-upload-sent',
  'after-uploaded-recorded',
  'after-curves-fetched',
  'after-curves-recorded',
  'after-decision-recorded',
  'after-confirm-counted',
  'after-confirm-sent',
] as const;
export type TradingStepName = (typeof TRADING_STEP_NAMES)[number];

export interface AdvanceSummary {
  readonly days: number;
  readonly steps: number;
  readonly failures: number;
  readonly missed: number;
  /** Open days whose curves are not stored although `curves_late_at` has passed. */
  readonly curvesLate: number;
  /** Undecided days with curves past `confirmation_due_at`. */
  readonly confirmationsDue: number;
}

const MAX_STEPS_PER_DAY = 8;
const NOT_READY_RETRY_MS = 60_000;

/** Podero failures worth another try inside the window: 429, 5xx, timeouts and connection errors, 401. */
function isRetryable(error: unknown): boolean {
  if (!(error instanceof PoderoError)) return true;
  const status = error.status;
  return (
    status === undefined ||
    status === 0 ||
    status === 401 ||
    status === 408 ||
    status === 429 ||
    status >= 500
  );
}

/** A failure as the day records it: class and status, never a body (which could echo a token). */
function describe(error: unknown): string {
  if (error instanceof PoderoError) return `${error.name} ${error.status ?? ''}`.trim();
  return error instanceof Error ? error.name : 'error';
}

export class TradingService {
  private readonly intake: ForecastIntake;

  constructor(private readonly deps: TradingServiceDeps) {
    this.intake = new ForecastIntake({
      store: deps.store,
      calendar: deps.calendar,
      variant: deps.podero.variant,
      now: deps.now,
    });
  }

  private nowIso(): string {
    return new Date(this.deps.now()).toISOString().replace('.000Z', 'Z');
  }

  // ------------------------------------------------------------------------------------ the partner

  /**
   * Stores a delivery day's forecast (`created`: a new day): trading/forecast-intake.ts, the one home of the
   * rule for the route and the file drop alike.
   */
  async submitPrices(
    zone: string,
    deliveryDay: string,
    points: readonly ForecastPoint[],
  ): Promise<{ created: boolean; day: TradingDay }> {
    const { created, day } = await this.intake.submit(zone, deliveryDay, points);
    return { created, day };
  }

  async get(zone: string, deliveryDay: string): Promise<TradingDay> {
    return this.require({ zone, day: deliveryDay });
  }

  history(zone: string, limit: number, cursor?: string): Promise<TradingDayPage> {
    return this.deps.store.history(zone, limit, cursor);
  }

  /**
   * The trading desk's decision (once per day, while the curves are ready and before the confirmation
   * deadline; the same decision again is answered as stored). The workflow's next run sends it to Podero.
   */
  async decide(zone: string, deliveryDay: string, accepted: boolean): Promise<TradingDay> {
    const key = { zone, day: deliveryDay };
    const day = await this.require(key);
    if (day.decision?.accepted === accepted && day.decision.by === 'desk') return day;
    const refusal = decisionRefusal(day, this.deps.now());
    if (refusal !== null) throw new TradingConflictError('decision_refused', refusal);
    const recorded = await this.recordDecision(key, accepted, 'desk');
    if (!recorded) return this.decide(zone, deliveryDay, accepted);
    return this.require(key);
  }

  // ------------------------------------------------------------------------------------ the workflow

  /** Advances every open day as far as it can go now. */
  async advanceAll(): Promise<AdvanceSummary> {
    const keys = await this.deps.store.open();
    let steps = 0;
    let failures = 0;
    let missed = 0;
    let curvesLate = 0;
    let confirmationsDue = 0;
    for (const key of keys) {
      try {
        const outcome = await this.advance(key);
        steps += outcome.steps;
        if (outcome.day?.state === 'missed') missed++;
        const day = outcome.day;
        const nowMs = this.deps.now();
        if (day && !isFinal(day.state)) {
          if (day.curves === null && nowMs >= Date.parse(day.deadlines.curves_late_at)) curvesLate++;
          if (day.state === 'curves_ready' && nowMs >= Date.parse(day.deadlines.confirmation_due_at)) {
            confirmationsDue++;
          }
        }
      } catch (error) {
        failures++;
        this.deps.logger.error('trading day could not be advanced', {
          price_zone: key.zone,
          delivery_day: key.day,
          error: describe(error),
        });
      }
    }
    return { days: keys.length, steps, failures, missed, curvesLate, confirmationsDue };
  }

  /** Advances one day: step by step until it must wait, is final, or another runner moved it. */
  async advance(key: DayKey): Promise<{ steps: number; day: TradingDay | null }> {
    let steps = 0;
    let day = await this.deps.store.get(key);
    while (day && steps < MAX_STEPS_PER_DAY) {
      const step = nextStep(day, this.deps.now(), this.deps.autoConfirm);
      if (step.kind === 'done' || step.kind === 'wait') break;
      const moved = await this.perform(key, day, step);
      steps++;
      day = await this.deps.store.get(key);
      if (!moved) break;
    }
    return { steps, day };
  }

  private async perform(key: DayKey, day: TradingDay, step: WorkflowStep): Promise<boolean> {
    switch (step.kind) {
      case 'upload':
        return this.upload(key, day, step.verifyFirst);
      case 'fetch_curves':
        return this.fetchCurves(key, day);
      case 'decide':
        return this.recordDecision(key, step.accepted, 'auto');
      case 'confirm':
        return this.confirm(key, day, step.accepted);
      case 'miss':
        return this.miss(key, day, step.reason);
      default:
        return false;
    }
  }

  private async upload(key: DayKey, day: TradingDay, verifyFirst: boolean): Promise<boolean> {
    try {
      if (verifyFirst && (await this.poderoHasPrices(day))) {
        // An earlier attempt reached Podero but died before recording it: record it now, send nothing.
        return this.recordUploaded(key, day, 'existing', null);
      }
    } catch (error) {
      return this.failed(key, day, error, day.deadlines.upload_by);
    }
    // Counted before it is sent: a crash after sending leaves the trace that makes the successor verify.
    const counted = await this.apply(key, {
      from: 'prices_received',
      set: {},
      add: { upload_attempts: 1 },
      condition: {
        expression: '#c0 = :c0',
        names: { '#c0': 'upload_attempts' },
        values: { ':c0': day.upload_attempts },
      },
    });
    if (!counted) return false;
    this.deps.step?.('after-upload-counted');
    let result: Awaited<ReturnType<TradingClient['uploadPrices']>>;
    try {
      result = await this.deps.podero.uploadPrices({
        deliveryDay: day.delivery_day,
        priceZone: day.price_zone,
        quarterHours: day.forecast.map((p) => ({ start: p.start, priceEurMwh: p.price_eur_mwh })),
      });
    } catch (error) {
      return this.failed(key, day, error, day.deadlines.upload_by);
    }
    this.deps.step?.('after-upload-sent');
    switch (result.status) {
      case 'accepted':
      case 'existing':
        return this.recordUploaded(key, day, result.status, result.calculationReadyAt ?? null);
      case 'late':
        return this.miss(key, day, 'Podero answered the upload as late');
      default:
        return this.fail(key, day, `Podero did not take the forecast (${result.status})`);
    }
  }

  private async poderoHasPrices(day: TradingDay): Promise<boolean> {
    const input = { deliveryDay: day.delivery_day, priceZone: day.price_zone };
    if (this.deps.podero.variant === 'reference') {
      return (await this.deps.podero.getPrices(input)).quarterHours.length > 0;
    }
    // The guide has no price read; its load-curve read knows the day from the upload on (425, then 200).
    try {
      await this.deps.podero.fetchLoadCurves(input);
      return true;
    } catch (error) {
      if (error instanceof PoderoNotFoundError) return false;
      throw error;
    }
  }

  private async recordUploaded(
    key: DayKey,
    day: TradingDay,
    status: string,
    readyAt: string | null,
  ): Promise<boolean> {
    const at = this.nowIso();
    const calculationReadyAt = readyAt ?? day.deadlines.curves_expected_at;
    const recorded = await this.apply(key, {
      from: 'prices_received',
      set: {
        state: 'uploaded',
        upload_status: status,
        calculation_ready_at: calculationReadyAt,
        uploaded_at: at,
        failures: 0,
        next_attempt_at: null,
        last_error: null,
      },
      events: [pricesUploadedEvent(day, at, status, calculationReadyAt)],
    });
    this.deps.step?.('after-uploaded-recorded');
    return recorded;
  }

  private async fetchCurves(key: DayKey, day: TradingDay): Promise<boolean> {
    let curves: Awaited<ReturnType<TradingClient['fetchLoadCurves']>>;
    try {
      curves = await this.deps.podero.fetchLoadCurves({
        deliveryDay: day.delivery_day,
        priceZone: day.price_zone,
        resolution: '15MIN',
      });
    } catch (error) {
      return this.failed(key, day, error, day.deadlines.confirm_by);
    }
    if (!curves.ready) {
      const readyMs = curves.readyAt ? Date.parse(curves.readyAt) : Number.NaN;
      const nextMs = Math.max(this.deps.now() + NOT_READY_RETRY_MS, Number.isNaN(readyMs) ? 0 : readyMs);
      await this.apply(key, {
        from: 'uploaded',
        set: {
          next_attempt_at: new Date(Math.min(nextMs, Date.parse(day.deadlines.confirm_by))).toISOString(),
        },
        add: { curve_attempts: 1 },
      });
      return false;
    }
    this.deps.step?.('after-curves-fetched');
    const summary = summariseCurves(day.forecast, curves.optimized, curves.unoptimized);
    const at = this.nowIso();
    const recorded = await this.apply(key, {
      from: 'uploaded',
      set: {
        state: 'curves_ready',
        curves: summary.points,
        optimized_wh: summary.optimized_wh,
        unoptimized_wh: summary.unoptimized_wh,
        expected_saving_eur: summary.expected_saving_eur,
        trade_id: curves.tradeId ?? null,
        curves_at: at,
        failures: 0,
        next_attempt_at: null,
        last_error: null,
      },
      add: { curve_attempts: 1 },
      events: curvesReadyEvents(
        day,
        at,
        {
          optimized_wh: summary.optimized_wh,
          unoptimized_wh: summary.unoptimized_wh,
          expected_saving_eur: summary.expected_saving_eur,
          confirm_by: day.deadlines.confirm_by,
        },
        this.deps.autoConfirm === 'accept',
      ),
    });
    this.deps.step?.('after-curves-recorded');
    return recorded;
  }

  private async recordDecision(key: DayKey, accepted: boolean, by: 'desk' | 'auto'): Promise<boolean> {
    const recorded = await this.apply(key, {
      from: 'curves_ready',
      set: { decision: { accepted, by, at: this.nowIso() } },
      condition: { expression: 'attribute_not_exists(#c0)', names: { '#c0': 'decision' }, values: {} },
    });
    if (by === 'auto') this.deps.step?.('after-decision-recorded');
    return recorded;
  }

  private async confirm(key: DayKey, day: TradingDay, accepted: boolean): Promise<boolean> {
    const decidedBy = day.decision?.by ?? 'auto';
    let podero: 'sent' | 'unsupported' = 'unsupported';
    if (this.deps.podero.variant !== 'reference') {
      const counted = await this.apply(key, {
        from: 'curves_ready',
        set: {},
        add: { confirm_attempts: 1 },
        condition: {
          expression: '#c0 = :c0',
          names: { '#c0': 'confirm_attempts' },
          values: { ':c0': day.confirm_attempts },
        },
      });
      if (!counted) return false;
      this.deps.step?.('after-confirm-counted');
      try {
        await this.deps.podero.confirm(
          day.trade_id
            ? { tradeId: day.trade_id, accepted }
            : { deliveryDay: day.delivery_day, priceZone: day.price_zone, accepted },
        );
        podero = 'sent';
        this.deps.step?.('after-confirm-sent');
      } catch (error) {
        if (!(error instanceof ConfirmationUnsupportedError)) {
          if (error instanceof PoderoConflictError) {
            return this.miss(
              key,
              day,
              'Podero refused the confirmation (its deadline passed, or another answer)',
            );
          }
          return this.failed(key, day, error, day.deadlines.confirm_by);
        }
      }
    }
    const at = this.nowIso();
    return this.end(key, day, accepted ? 'confirmed' : 'rejected', null, {
      podero_confirmation: podero,
      events: [decidedEvent(day, at, accepted, decidedBy, podero)],
    });
  }

  private miss(key: DayKey, day: TradingDay, reason: string): Promise<boolean> {
    return this.end(key, day, 'missed', reason, {
      events: [missedEvent(day, this.nowIso(), day.state, reason)],
    });
  }

  /** Ends the day `failed`, its `trading.failed` event in the same conditional write (so once). */
  private fail(key: DayKey, day: TradingDay, reason: string): Promise<boolean> {
    return this.end(key, day, 'failed', reason, {
      events: [failedEvent(day, this.nowIso(), day.state, reason)],
    });
  }

  private async end(
    key: DayKey,
    day: TradingDay,
    state: Extract<TradingState, 'confirmed' | 'rejected' | 'missed' | 'failed'>,
    reason: string | null,
    extra: { podero_confirmation?: 'sent' | 'unsupported'; events?: readonly BridgeEvent[] } = {},
  ): Promise<boolean> {
    const ended = await this.apply(key, {
      from: day.state,
      set: {
        state,
        reason,
        finished_at: this.nowIso(),
        next_attempt_at: null,
        ...(extra.podero_confirmation ? { podero_confirmation: extra.podero_confirmation } : {}),
      },
      ...(extra.events ? { events: extra.events } : {}),
      final: true,
    });
    if (ended) {
      this.deps.logger.info('trading day ended', {
        price_zone: day.price_zone,
        delivery_day: day.delivery_day,
        state,
        ...(reason ? { reason } : {}),
      });
    }
    return ended;
  }

  /** A Podero failure: back off within the window, or end the day `failed` when Podero refused for good. */
  private async failed(key: DayKey, day: TradingDay, error: unknown, windowEnd: string): Promise<boolean> {
    this.deps.logger.warn('trading step failed', {
      price_zone: day.price_zone,
      delivery_day: day.delivery_day,
      state: day.state,
      error: describe(error),
    });
    if (!isRetryable(error)) {
      return this.fail(key, day, `Podero refused the ${day.state} step (${describe(error)})`);
    }
    const failures = day.failures + 1;
    await this.apply(key, {
      from: day.state,
      set: {
        failures,
        last_error: describe(error),
        next_attempt_at: new Date(retryAt(this.deps.now(), failures, Date.parse(windowEnd))).toISOString(),
      },
    });
    return false;
  }

  private apply(key: DayKey, change: StepChange): Promise<boolean> {
    const { events, ...rest } = change;
    return this.deps.store.apply(
      key,
      { ...rest, ...(events ? { events: outboxEntriesOf(events) } : {}) },
      this.nowIso(),
    );
  }

  private async require(key: DayKey): Promise<TradingDay> {
    const day = await this.deps.store.get(key);
    if (!day) throw new UnknownTradingDayError();
    return day;
  }
}
