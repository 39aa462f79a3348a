import { useState } from 'preact/hooks';
import { expectData, type Schemas } from '../api/client';
import { Await, ErrorNote, formatTime } from '../components/status';
import { useConsole } from '../context';
import { useLoad } from '../use-load';

export function WebhooksPage() {
  const { api } = useConsole();
  const [webhooks] = useLoad(() => expectData(api.GET('/webhooks')), [api]);
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      <Await loaded={webhooks}>
        {(list) =>
          list.items.length === 0 ? (
            <p class="muted">No endpoint is registered.</p>
          ) : (
            list.items.map((w) => <WebhookCard key={w.id} webhook={w} />)
          )
        }
      </Await>
    </section>
  );
}

function WebhookCard({ webhook }: { webhook: Schemas['Webhook'] }) {
  const { api } = useConsole();
  const path = { webhook_id: webhook.id };
  const [deliveries, reload] = useLoad(
    () =>
      expectData(api.GET('/webhooks/{webhook_id}/deliveries', { params: { path, query: { limit: 20 } } })),
    [api, webhook.id],
  );
  const [sent, setSent] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const sendTest = async () => {
    setError(undefined);
    try {
      const event = await expectData(api.POST('/webhooks/{webhook_id}/test', { params: { path } }));
      setSent(event.event_id);
      reload();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    }
  };
  return (
    <article class="card" aria-labelledby={`wh-${webhook.id}`}>
      <header class="heat-pump-header">
        <h2 id={`wh-${webhook.id}`}>{webhook.url}</h2>
        <span class={`badge badge-${webhook.status === 'healthy' ? 'connected' : 'disconnected'}`}>
          {webhook.enabled ? webhook.status : 'disabled'}
        </span>
      </header>
      <p class="muted">
        {webhook.id} · events: {webhook.events?.join(', ') ?? 'all'}
        {webhook.failing_since && ` · failing since ${formatTime(webhook.failing_since)}`}
      </p>
      <button type="button" onClick={sendTest}>
        Send test event
      </button>
      {sent && <p role="status">Test event {sent} queued.</p>}
      {error && <ErrorNote error={error} />}
      <Await loaded={deliveries}>
        {(d) => (
          <div class="table-wrap">
            <table>
              <caption>Recent deliveries</caption>
              <thead>
                <tr>
                  <th scope="col">At</th>
                  <th scope="col">Event</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Status</th>
                  <th scope="col">Duration</th>
                </tr>
              </thead>
              <tbody>
                {d.items.length === 0 && (
                  <tr>
                    <td colSpan={6}>No delivery yet.</td>
                  </tr>
                )}
                {d.items.map((item) => (
                  <tr key={`${item.event_id}-${item.attempt}`}>
                    <td>{formatTime(item.attempted_at)}</td>
                    <td>{item.event_type}</td>
                    <td>{item.attempt}</td>
                    <td>{item.outcome}</td>
                    <td>{item.status_code ?? item.error ?? '—'}</td>
                    <td>{item.duration_ms} ms</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Await>
    </article>
  );
}
