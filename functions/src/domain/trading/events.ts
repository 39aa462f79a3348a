/**
 * The trading day's change events (domain/events/catalogue.ts holds their data schemas). Each type happens
 * once per price zone and delivery day, so its id is the day's and the type's: a step recorded again after a
 * crash (it cannot be: the write is conditional) would still carry the same id.
 */
import type { BridgeEvent } from '../events/catalogue';
import { event } from '../events/rules';
import type { DecisionSource } from './workflow';

export interface DaySubject {
  readonly price_zone: string;
  readonly delivery_day: string;
}

const subject = (day: DaySubject) => ({ price_zone: day.price_zone, delivery_day: day.delivery_day });
const identity = (day: DaySubject) => [day.price_zone, day.delivery_day];

export function pricesUploadedEvent(
  day: DaySubject,
  at: string,
  uploadStatus: string,
  calculationReadyAt: string | null,
): BridgeEvent {
  return event(
    'trading.prices_uploaded',
    at,
    { ...subject(day), upload_status: uploadStatus, calculation_ready_at: calculationReadyAt },
    identity(day),
  );
}

export function curvesReadyEvents(
  day: DaySubject,
  at: string,
  figures: { optimized_wh: number; unoptimized_wh: number; expected_saving_eur: number; confirm_by: string },
  autoConfirm: boolean,
): BridgeEvent[] {
  return [
    event('trading.curves_ready', at, { ...subject(day), ...figures }, identity(day)),
    event(
      'trading.confirmation_due',
      at,
      { ...subject(day), confirm_by: figures.confirm_by, auto_confirm: autoConfirm },
      identity(day),
    ),
  ];
}

export function decidedEvent(
  day: DaySubject,
  at: string,
  accepted: boolean,
  decidedBy: DecisionSource,
  poderoConfirmation: 'sent' | 'unsupported',
): BridgeEvent {
  const data = { ...subject(day), decided_by: decidedBy, podero_confirmation: poderoConfirmation };
  return accepted
    ? event('trading.confirmed', at, data, identity(day))
    : event('trading.rejected', at, data, identity(day));
}

export function missedEvent(day: DaySubject, at: string, previousState: string, reason: string): BridgeEvent {
  return event(
    'trading.missed',
    at,
    { ...subject(day), previous_state: previousState, reason },
    identity(day),
  );
}

/**
 * Podero refused a step for good (a 4xx, or an upload it did not take): the day ends `failed`. Catalogue v3; until
 * then a failed day showed only in its state and the workflow's alarm.
 */
export function failedEvent(day: DaySubject, at: string, previousState: string, reason: string): BridgeEvent {
  return event(
    'trading.failed',
    at,
    { ...subject(day), previous_state: previousState, reason },
    identity(day),
  );
}
