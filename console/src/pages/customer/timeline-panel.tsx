import { expectData, type Schemas } from '../../api/client';
import { may } from '../../auth/role';
import { AuditActor, changesText } from '../../components/audit-entry';
import { usePaged } from '../../components/paged';
import { ErrorNote, formatTime } from '../../components/status';
import { useConsole } from '../../context';
import { href } from '../../router';
import { useLoad } from '../../use-load';

type TimelineItem = Schemas['TimelineItem'];
type TimelineDelivery = Schemas['TimelineDelivery'];

/** What each delivery status reads as, and its badge's tone (the connection badges' colours). */
const DELIVERY_STATUS: Record<TimelineDelivery['status'], { label: string; tone?: string }> = {
  delivered: { label: 'delivered', tone: 'connected' },
  failing: { label: 'failing', tone: 'reauthentication_required' },
  dead_lettered: { label: 'dead-lettered', tone: 'disconnected' },
  pending: { label: 'pending' },
  unknown: { label: 'not recorded' },
};

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function DeliveryLine({
  delivery,
  endpoint,
  linked,
}: {
  delivery: TimelineDelivery;
  endpoint: string;
  /** Whether the signed-in role may open the attempt's detail (the webhooks page is an admin's). */
  linked: boolean;
}) {
  const status = DELIVERY_STATUS[delivery.status];
  const answer =
    delivery.status_code !== null ? `HTTP ${delivery.status_code}` : (delivery.error ?? undefined);
  const facts = [
    answer,
    delivery.attempts > 0
      ? `${delivery.attempts} ${delivery.attempts === 1 ? 'attempt' : 'attempts'}`
      : undefined,
    delivery.duration_ms !== null ? `${delivery.duration_ms} ms` : undefined,
  ].filter((fact): fact is string => fact !== undefined);
  return (
    <li class="timeline-delivery" data-delivery-status={delivery.status}>
      <span class={status.tone ? `badge badge-${status.tone}` : 'badge-plain'}>{status.label}</span> to{' '}
      <strong>{endpoint}</strong>
      {delivery.last_attempt_at !== null && (
        <>
          {' '}
          at <time dateTime={delivery.last_attempt_at}>{formatTime(delivery.last_attempt_at)}</time>
        </>
      )}
      {facts.length > 0 && <span class="muted"> · {facts.join(' · ')}</span>}
      {delivery.next_attempt_at !== null && (
        <span class="muted">
          {' '}
          · next attempt{' '}
          <time dateTime={delivery.next_attempt_at}>{formatTime(delivery.next_attempt_at)}</time>
        </span>
      )}
      {linked && delivery.delivery_id !== null && (
        <>
          {' '}
          ·{' '}
          <a
            href={href.webhooks({ webhookId: delivery.webhook_id, deliveryId: delivery.delivery_id })}
            aria-label={`Attempt detail: ${status.label} to ${endpoint}`}
          >
            attempt detail
          </a>
        </>
      )}
    </li>
  );
}

function Entry({
  item,
  endpointName,
  linked,
}: {
  item: TimelineItem;
  endpointName: (webhookId: string) => string;
  linked: boolean;
}) {
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
      {event.deliveries.length > 0 && (
        <ul class="timeline-deliveries" aria-label={`Webhook deliveries of ${event.type}`}>
          {event.deliveries.map((delivery) => (
            <DeliveryLine
              key={delivery.webhook_id}
              delivery={delivery}
              endpoint={endpointName(delivery.webhook_id)}
              linked={linked}
            />
          ))}
        </ul>
      )}
    </li>
  );
}

/**
 * The customer's change events, each with its webhook deliveries, and the writes about it, newest first
 * (`GET /users/{id}/timeline`).
 */
export function TimelinePanel({ externalUserId, version }: { externalUserId: string; version?: unknown }) {
  const { api, role } = useConsole();
  const admin = may(role, 'admin');
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
  // An admin reads the endpoints (admin only) to name them; other roles see their ids.
  const [endpoints] = useLoad(
    async () => (admin ? (await expectData(api.GET('/webhooks'))).items : []),
    [api, admin],
  );
  const endpointName = (webhookId: string) => {
    const endpoint =
      endpoints.state === 'ready' ? endpoints.value.find((w) => w.id === webhookId) : undefined;
    if (endpoint === undefined) return webhookId;
    return endpoint.description ?? hostOf(endpoint.url);
  };
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
            endpointName={endpointName}
            linked={admin}
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
