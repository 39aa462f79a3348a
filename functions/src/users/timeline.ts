/**
 * The customer timeline (`GET /users/{external_user_id}/timeline`): the customer's published change events
 * (storage/event-history.ts) and the writes about the customer (storage/audit.ts), merged newest first.
 *
 * Each page reads at most `limit` items from each source, from where that source stopped, keeps the newest
 * `limit` of the merge, and its cursor records each source's position after what it kept (or that the source
 * is spent).
 *
 * Webhook deliveries are nested under their event, not a third stream: a delivery's state changes for a day
 * (retries, a replay, a resend) while its event's place in time does not, so the cursor stays stable, and the
 * agent reads "connection lost 03:12, delivered to the CRM endpoint 03:12:04" on one line. The states ride
 * on the event's own item (the delivery worker writes each attempt's outcome there), so they cost no read of
 * their own: a page is one Query of the events and one of the audit entries, each of at most `limit` + 1
 * items.
 */
import * as z from 'zod';
import { InvalidError } from '../domain/errors';
import { type AuditEntry, type AuditStore, auditUserCursorAfter } from '../storage/audit';
import {
  type DeliveryState,
  type EventHistoryStore,
  type HistoryEvent,
  historySk,
} from '../storage/event-history';

/**
 * How one endpoint's delivery of an event stands. `failing`: the last attempt failed and another is
 * scheduled; `pending`: queued, not attempted yet; `unknown`: the event was kept before the timeline kept
 * deliveries (the endpoint's own log may still say).
 */
export type TimelineDeliveryStatus = 'pending' | 'delivered' | 'failing' | 'dead_lettered' | 'unknown';
export interface TimelineDelivery {
  webhook_id: string;
  status: TimelineDeliveryStatus;
  /** The latest attempt's number (a resend or replay counts from 1 again); 0 before the first. */
  attempts: number;
  last_attempt_at: string | null;
  status_code: number | null;
  error: string | null;
  duration_ms: number | null;
  next_attempt_at: string | null;
  delivery_id: string | null;
}
export type TimelineEvent = Omit<HistoryEvent, 'deliveries'> & { deliveries: TimelineDelivery[] };

export type TimelineItem =
  | { source: 'event'; at: string; event: TimelineEvent }
  | { source: 'audit'; at: string; audit: AuditEntry };

const STATUS_OF_OUTCOME = {
  delivered: 'delivered',
  retrying: 'failing',
  dead_lettered: 'dead_lettered',
} as const satisfies Record<DeliveryState['outcome'], TimelineDeliveryStatus>;

function deliveryOf(webhookId: string, state: DeliveryState | undefined, known: boolean): TimelineDelivery {
  if (state === undefined)
    return {
      webhook_id: webhookId,
      status: known ? 'pending' : 'unknown',
      attempts: 0,
      last_attempt_at: null,
      status_code: null,
      error: null,
      duration_ms: null,
      next_attempt_at: null,
      delivery_id: null,
    };
  return {
    webhook_id: webhookId,
    status: STATUS_OF_OUTCOME[state.outcome],
    attempts: state.attempt,
    last_attempt_at: state.attempted_at,
    status_code: state.status_code,
    error: state.error,
    duration_ms: state.duration_ms,
    next_attempt_at: state.next_attempt_at,
    delivery_id: state.delivery_id,
  };
}

/** The event with its deliveries: the endpoints it was queued for, then any it was resent to since. */
export function timelineEventOf({ deliveries, ...event }: HistoryEvent): TimelineEvent {
  const states = deliveries ?? {};
  const resentTo = Object.keys(states)
    .filter((id) => !event.webhook_ids.includes(id))
    .sort();
  return {
    ...event,
    deliveries: [...event.webhook_ids, ...resentTo].map((id) =>
      deliveryOf(id, states[id], deliveries !== undefined),
    ),
  };
}

export interface TimelinePage {
  items: TimelineItem[];
  next_cursor: string | null;
}

/**
 * The page as the customer's own token sees it: its events and the writes about it, without the partner's
 * inside. The webhook endpoints and how each delivery went are the partner's systems, and the operator who
 * made a write is named by the partner's identity provider (an agent's `sub`, often an e-mail): both are
 * left out, the customer's own writes keep their actor.
 */
export function asSeenByCustomer(page: TimelinePage): TimelinePage {
  return {
    ...page,
    items: page.items.map((item) =>
      item.source === 'event'
        ? { ...item, event: { ...item.event, webhook_ids: [], deliveries: [] } }
        : { ...item, audit: { ...item.audit, actor: item.audit.role === 'user' ? item.audit.actor : null } },
    ),
  };
}

export class InvalidTimelineCursorError extends InvalidError {
  override readonly name = 'InvalidTimelineCursorError';
  constructor() {
    super('not a cursor returned by this API for this timeline', {
      summary: 'the cursor is not valid for this request',
      fields: [{ field: 'query.cursor', message: 'not a cursor returned by this API for this timeline' }],
    });
  }
}

/** A source's position: not read yet (absent), after an item (its key or cursor), or spent (null). */
const cursorSchema = z.strictObject({
  user: z.string(),
  events: z.string().min(1).nullable().optional(),
  audit: z.string().min(1).nullable().optional(),
});
type TimelineCursor = z.infer<typeof cursorSchema>;

function decodeCursor(cursor: string, externalUserId: string): TimelineCursor {
  let parsed: TimelineCursor;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidTimelineCursorError();
  }
  if (parsed.user !== externalUserId) throw new InvalidTimelineCursorError();
  return parsed;
}
const encodeCursor = (cursor: TimelineCursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

/** Newest first; at one instant the audit entry (the request) before the events it caused. */
function newestFirst(a: TimelineItem, b: TimelineItem): number {
  const byTime = Date.parse(b.at) - Date.parse(a.at);
  if (byTime !== 0) return byTime;
  if (a.source !== b.source) return a.source === 'audit' ? -1 : 1;
  return 0;
}

export class TimelineService {
  constructor(
    private readonly deps: {
      history: Pick<EventHistoryStore, 'listForUser'>;
      audit: Pick<AuditStore, 'listForUser'>;
    },
  ) {}

  async list(
    externalUserId: string,
    options: { limit: number; cursor?: string | undefined },
  ): Promise<TimelinePage> {
    const at =
      options.cursor === undefined ? { user: externalUserId } : decodeCursor(options.cursor, externalUserId);
    const { limit } = options;
    const [events, audit] = await Promise.all([
      at.events === null
        ? { items: [], more: false }
        : this.deps.history.listForUser(externalUserId, { limit, beforeSk: at.events }),
      at.audit === null
        ? { items: [], next_cursor: null }
        : this.deps.audit.listForUser(externalUserId, { limit, cursor: at.audit }),
    ]);
    const merged: TimelineItem[] = [
      ...events.items.map(
        ({ sk: _sk, ...event }): TimelineItem => ({
          source: 'event',
          at: event.timestamp,
          event: timelineEventOf(event),
        }),
      ),
      ...audit.items.map((entry): TimelineItem => ({ source: 'audit', at: entry.at, audit: entry })),
    ].sort(newestFirst);
    const items = merged.slice(0, limit);

    const lastEvent = items.findLast((item) => item.source === 'event');
    const lastAudit = items.findLast((item) => item.source === 'audit');
    const eventsShown = items.filter((item) => item.source === 'event').length;
    const auditShown = items.length - eventsShown;
    const next: TimelineCursor = {
      user: externalUserId,
      // A source all of whose read items were shown, with nothing beyond, is spent; one that showed none stays put.
      events:
        eventsShown === events.items.length && !events.more
          ? null
          : lastEvent?.source === 'event'
            ? historySk(lastEvent.event)
            : at.events,
      audit:
        auditShown === audit.items.length && audit.next_cursor === null
          ? null
          : lastAudit?.source === 'audit'
            ? auditUserCursorAfter(externalUserId, lastAudit.audit)
            : at.audit,
    };
    const spent = next.events === null && next.audit === null;
    return { items, next_cursor: spent ? null : encodeCursor(next) };
  }
}
