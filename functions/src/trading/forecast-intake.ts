/**
 * A delivery day's forecast taken in: the one home of the rule whichever way the forecast comes (the admin
 * route `PUT .../prices`, or a file dropped in the forecast bucket: trading/forecast-drop.ts). It validates
 * the forecast against the day (domain/trading/market.ts), then stores it or answers the day as stored.
 * Nothing here talks to Podero: the trading workflow uploads what is stored.
 */
import { createHash } from 'node:crypto';
import type { TradingVariant } from '@podero-bridge/podero-client';
import {
  deadlinesOf,
  type ForecastFieldNames,
  type ForecastPoint,
  forecastIssues,
  normalisedForecast,
  requestFieldNames,
  type TradingCalendar,
} from '../domain/trading/market';
import type { Clock } from '../platform/clock';
import type { TradingDay, TradingDayStore } from '../storage/trading-days';
import { InvalidForecastError, TradingConflictError, UnknownTradingDayError } from './errors';

export interface ForecastIntakeDeps {
  readonly store: Pick<TradingDayStore, 'get' | 'create' | 'apply'>;
  readonly calendar: TradingCalendar;
  /** Podero's trading API of the stage: a new day records which one it is sent through. */
  readonly variant: TradingVariant;
  readonly now: Clock;
}

export interface SubmittedForecast {
  /** A new day was stored (false: the same forecast again, or a new one replacing it before the upload). */
  readonly created: boolean;
  /** The same forecast as stored: nothing was written. */
  readonly unchanged: boolean;
  readonly day: TradingDay;
}

const digestOf = (forecast: readonly ForecastPoint[]) =>
  createHash('sha256').update(JSON.stringify(forecast)).digest('hex');

export class ForecastIntake {
  constructor(private readonly deps: ForecastIntakeDeps) {}

  /**
   * Stores a delivery day's forecast (`created`: a new day). Idempotent: the same forecast again answers the
   * day as stored (even after the upload deadline); a different one replaces it until the first upload
   * attempt, and is refused after. `names` names the fields of a refusal (the request's by default).
   */
  async submit(
    zone: string,
    deliveryDay: string,
    points: readonly ForecastPoint[],
    names: ForecastFieldNames = requestFieldNames,
  ): Promise<SubmittedForecast> {
    const issues = forecastIssues(deliveryDay, points, names);
    if (issues.length > 0) throw new InvalidForecastError(issues);
    const forecast = normalisedForecast(points);
    const digest = digestOf(forecast);
    const key = { zone, day: deliveryDay };
    const existing = await this.deps.store.get(key);
    if (existing?.forecast_digest === digest) return { created: false, unchanged: true, day: existing };
    const deadlines = deadlinesOf(deliveryDay, this.deps.calendar);
    const nowMs = this.deps.now();
    if (nowMs >= Date.parse(deadlines.upload_by)) {
      throw new TradingConflictError(
        'upload_deadline_passed',
        `the upload deadline of ${deliveryDay} (${deadlines.upload_by}) has passed`,
      );
    }
    const at = new Date(nowMs).toISOString().replace('.000Z', 'Z');
    if (!existing) {
      const created = await this.deps.store.create(
        {
          price_zone: zone,
          delivery_day: deliveryDay,
          forecast,
          forecast_digest: digest,
          deadlines,
          variant: this.deps.variant,
          created_at: at,
        },
        [],
      );
      if (created) return { created: true, unchanged: false, day: await this.require(key) };
      // Another caller created the day between our read and our write: judge against theirs.
      return this.submit(zone, deliveryDay, points, names);
    }
    const replaced = await this.deps.store.apply(
      key,
      {
        from: 'prices_received',
        set: { forecast, forecast_digest: digest },
        condition: { expression: '#c0 = :c0', names: { '#c0': 'upload_attempts' }, values: { ':c0': 0 } },
      },
      at,
    );
    if (!replaced) {
      throw new TradingConflictError(
        'forecast_already_uploaded',
        `a different forecast for ${deliveryDay} was already sent to Podero; it cannot be replaced`,
      );
    }
    return { created: false, unchanged: false, day: await this.require(key) };
  }

  private async require(key: { zone: string; day: string }): Promise<TradingDay> {
    const day = await this.deps.store.get(key);
    if (!day) throw new UnknownTradingDayError();
    return day;
  }
}
