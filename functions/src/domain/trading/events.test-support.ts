/** One of each trading event (tests: the catalogue's coverage in domain/events/rules.test.ts). */
import type { BridgeEvent } from '../events/catalogue';
import { curvesReadyEvents, decidedEvent, failedEvent, missedEvent, pricesUploadedEvent } from './events';

export function tradingDayEvents(): BridgeEvent[] {
  const day = { price_zone: 'DE_LU', delivery_day: '2026-10-25' };
  const at = '2026-10-24T08:00:00Z';
  return [
    pricesUploadedEvent(day, at, 'accepted', '2026-10-24T08:30:00Z'),
    ...curvesReadyEvents(
      day,
      at,
      { optimized_wh: 10, unoptimized_wh: 10, expected_saving_eur: 0.5, confirm_by: '2026-10-24T21:30:00Z' },
      false,
    ),
    decidedEvent(day, at, true, 'desk', 'sent'),
    decidedEvent(day, at, false, 'auto', 'unsupported'),
    missedEvent(day, at, 'uploaded', 'no load curves before the confirmation deadline'),
    failedEvent(
      day,
      at,
      'prices_received',
      'Podero refused the prices_received step (PoderoValidationError 422)',
    ),
  ];
}
