/**
 * The customer timeline (`GET /users/{external_user_id}/timeline`): the customer's published change events
 * (storage/event-history.ts) and the writes about the customer (storage/audit.ts), merged newest first.
 *
 * Each page reads at most `limit` items from each source, from where that source stopped, keeps the newest
 * `limit` of the merge, and its cursor records each source's position after what it kept (or that the source
 * is spent). Webhook deliveries are not a third source: their log is kept per endpoint
 * (`WEBHOOK#<id>`, keyed by attempt time), with no way to find one customer's deliveries but reading every
 * endpoint's log. Each event names the endpoints it was queued for (`webhook_ids`) instead; their delivery
 * logs say how each went.
 */
import * as z from 'zod';
import { InvalidError } from '../domain/errors';
import { type AuditEntry, type AuditStore, auditUserCursorAfter } from '../storage/audit';
import { type EventHistoryStore, type HistoryEvent, historySk } from '../storage/event-history';

export type TimelineItem =
  | { source: 'event'; at: string; event: HistoryEvent }
  | { source: 'audit'; at: string; audit: AuditEntry };

export interface TimelinePage {
  items: TimelineItem[];
  next_cursor: string | null;
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
        ({ sk: _sk, ...event }): TimelineItem => ({ source: 'event', at: event.timestamp, event }),
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
