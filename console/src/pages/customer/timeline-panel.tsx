import { expectData, type Schemas } from '../../api/client';
import { AuditActor, changesText } from '../../components/audit-entry';
import { usePaged } from '../../components/paged';
import { ErrorNote, formatTime } from '../../components/status';
import { useConsole } from '../../context';

type TimelineItem = Schemas['TimelineItem'];

function Entry({ item }: { item: TimelineItem }) {
  if (item.source === 'audit') {
    const { audit } = item;
    return (
      <li class="timeline-audit">
        <time dateTime={item.at}>{formatTime(item.at)}</time> <strong>{audit.action}</strong> by{' '}
        <AuditActor entry={audit} /> <span class="muted">· {audit.outcome}</span>
        {audit.changes !== null && <div class="muted">{changesText(audit.changes)}</div>}
      </li>
    );
  }
  const { event } = item;
  return (
    <li class="timeline-event">
      <time dateTime={item.at}>{formatTime(item.at)}</time> <strong>{event.type}</strong>
      {event.webhook_ids.length > 0 && (
        <span class="muted"> · sent to {event.webhook_ids.length} webhook endpoint(s)</span>
      )}
    </li>
  );
}

/** The customer's change events and the writes about it, newest first (`GET /users/{id}/timeline`). */
export function TimelinePanel({ externalUserId, version }: { externalUserId: string; version?: unknown }) {
  const { api } = useConsole();
  const timeline = usePaged(
    (cursor) =>
      expectData(
        api.GET('/users/{external_user_id}/timeline', {
          params: {
            path: { external_user_id: externalUserId },
            query: { limit: 25, ...(cursor === undefined ? {} : { cursor }) },
          },
        }),
      ),
    [api, externalUserId, version],
  );
  return (
    <section class="card timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      {timeline.items.length === 0 && !timeline.loading && !timeline.error && (
        <p class="muted">Nothing on record yet.</p>
      )}
      <ol class="timeline-items">
        {timeline.items.map((item) => (
          <Entry
            key={item.source === 'audit' ? `a:${item.audit.request_id}` : `e:${item.event.id}`}
            item={item}
          />
        ))}
      </ol>
      {timeline.error && <ErrorNote error={timeline.error} />}
      {timeline.loading && (
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      )}
      {timeline.more && !timeline.loading && (
        <button type="button" onClick={timeline.loadMore}>
          Load more
        </button>
      )}
    </section>
  );
}
