import { describe, expect, it } from 'vitest';
import type { DeliveryState, HistoryEvent } from '../storage/event-history';
import { asSeenByCustomer, type TimelinePage, timelineEventOf } from './timeline';

const event = (deliveries: HistoryEvent['deliveries']): HistoryEvent => ({
  id: 'evt_1',
  type: 'heat_pump.connection_lost',
  timestamp: '2026-12-01T03:12:00.000Z',
  data: { external_user_id: 'ann' },
  webhook_ids: ['wh_crm', 'wh_erp', 'wh_new'],
  ...(deliveries === undefined ? {} : { deliveries }),
});
const attempt = (
  outcome: DeliveryState['outcome'],
  attemptNo: number,
  next: string | null = null,
): DeliveryState => ({
  attempt: attemptNo,
  attempted_at: '2026-12-01T03:12:04.000Z',
  outcome,
  status_code: outcome === 'delivered' ? 200 : 503,
  error: outcome === 'delivered' ? null : 'http_status',
  duration_ms: 120,
  next_attempt_at: next,
  delivery_id: `d-${outcome}`,
});

describe("an event's deliveries on the timeline", () => {
  it('names each queued endpoint in order: delivered, failing with its next attempt, dead-lettered, or pending', () => {
    const shown = timelineEventOf(
      event({
        wh_crm: attempt('delivered', 1),
        wh_erp: attempt('retrying', 3, '2026-12-01T05:12:04.000Z'),
        wh_resent: attempt('dead_lettered', 8),
      }),
    );
    expect(shown).not.toHaveProperty('deliveries.wh_crm');
    expect(shown.deliveries.map((d) => [d.webhook_id, d.status, d.attempts, d.next_attempt_at])).toEqual([
      ['wh_crm', 'delivered', 1, null],
      ['wh_erp', 'failing', 3, '2026-12-01T05:12:04.000Z'],
      ['wh_new', 'pending', 0, null],
      // Resent to an endpoint it was not first queued for: after the others.
      ['wh_resent', 'dead_lettered', 8, null],
    ]);
    expect(shown.deliveries[1]).toMatchObject({
      status_code: 503,
      error: 'http_status',
      delivery_id: 'd-retrying',
    });
  });

  it('says unknown, not pending, for an event kept before the timeline recorded deliveries', () => {
    expect(timelineEventOf(event(undefined)).deliveries.map((d) => d.status)).toEqual([
      'unknown',
      'unknown',
      'unknown',
    ]);
  });
});

describe('the timeline as the customer sees it', () => {
  it("drops the endpoints, the deliveries and an operator's name, and keeps the customer's own name on its writes", () => {
    const audit = (role: 'support' | 'user', actor: string) => ({
      request_id: `r-${role}`,
      at: '2026-12-01T09:40:00.000Z',
      actor,
      role,
      action: 'updateHeatPump',
      target: { external_user_id: 'ann', method: 'PATCH', path: '/users/ann/heat-pumps/hp-1' },
      changes: { is_smart_optimization_active: false },
      outcome: 'succeeded' as const,
      status: 200,
      erased_at: null,
    });
    const page: TimelinePage = {
      items: [
        { source: 'event', at: '2026-12-01T03:12:00.000Z', event: timelineEventOf(event({})) },
        { source: 'audit', at: '2026-12-01T09:40:00.000Z', audit: audit('support', 'agent-7@desk.example') },
        { source: 'audit', at: '2026-12-01T09:41:00.000Z', audit: audit('user', 'ann') },
      ],
      next_cursor: 'c',
    };
    const seen = asSeenByCustomer(page);
    expect(seen.next_cursor).toBe('c');
    const [shown, byAgent, byAnn] = seen.items;
    expect(shown?.source === 'event' && [shown.event.webhook_ids, shown.event.deliveries]).toEqual([[], []]);
    expect(shown?.source === 'event' && shown.event.data).toEqual({ external_user_id: 'ann' });
    expect(byAgent?.source === 'audit' && byAgent.audit.actor).toBeNull();
    expect(byAgent?.source === 'audit' && byAgent.audit.action).toBe('updateHeatPump');
    expect(byAnn?.source === 'audit' && byAnn.audit.actor).toBe('ann');
    // The operators' page is left as it was.
    expect(page.items[0]?.source === 'event' && page.items[0].event.deliveries).toHaveLength(3);
  });
});
