import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { expectData, type Schemas } from '../api/client';
import { Await, ErrorNote, formatTime } from '../components/status';
import { TableWrap } from '../components/table-wrap';
import { useConsole } from '../context';
import { useLoad } from '../use-load';

type Webhook = Schemas['Webhook'];
type Delivery = Schemas['WebhookDeliveryList']['items'][number];

/** Runs an action, keeping what it said or the error it met (one per panel: the last action's). */
function useAction() {
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const run = async (action: () => Promise<string | undefined>) => {
    setBusy(true);
    setError(undefined);
    setSaid(undefined);
    try {
      setSaid(await action());
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };
  return { busy, said, error, run };
}

/** A signing secret shown once (created or rotated): selectable, never kept by the page after it goes. */
function SecretOnce({ secret, what }: { secret: string; what: string }) {
  return (
    <div class="link-to-send" role="status">
      <label>
        {what}: shown once, store it now
        <input type="text" readOnly value={secret} onFocus={(e) => e.currentTarget.select()} />
      </label>
    </div>
  );
}

/** `open`: an endpoint's attempt whose detail is shown at once (the customer timeline links one). */
export function WebhooksPage({ open }: { open?: { webhookId: string; deliveryId: string } }) {
  const { api } = useConsole();
  const [webhooks, reload] = useLoad(() => expectData(api.GET('/webhooks')), [api]);
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      <NewWebhook onCreated={reload} />
      <Await loaded={webhooks}>
        {(list) =>
          list.items.length === 0 ? (
            <p class="muted">No endpoint is registered.</p>
          ) : (
            list.items.map((w) => (
              <WebhookCard
                key={w.id}
                webhook={w}
                onChanged={reload}
                {...(open?.webhookId === w.id ? { openDelivery: open.deliveryId } : {})}
              />
            ))
          )
        }
      </Await>
    </section>
  );
}

/** An endpoint's URL and description, as the new-endpoint form and the edit form both ask for them. */
function EndpointFields(props: {
  url: string;
  setUrl: (url: string) => void;
  description: string;
  setDescription: (description: string) => void;
}) {
  return (
    <>
      <label class="field">
        URL
        <input type="url" required value={props.url} onInput={(e) => props.setUrl(e.currentTarget.value)} />
      </label>
      <label class="field">
        Description
        <input
          type="text"
          maxLength={200}
          value={props.description}
          onInput={(e) => props.setDescription(e.currentTarget.value)}
        />
      </label>
    </>
  );
}

function NewWebhook({ onCreated }: { onCreated: () => void }) {
  const { api } = useConsole();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [secret, setSecret] = useState<string | undefined>();
  const action = useAction();
  const create = (event: Event) => {
    event.preventDefault();
    setSecret(undefined);
    return action.run(async () => {
      const created = await expectData(
        api.POST('/webhooks', {
          body: { url, ...(description ? { description } : {}) },
          params: { header: { 'idempotency-key': crypto.randomUUID() } },
        }),
      );
      setSecret(created.secret ?? undefined);
      setUrl('');
      setDescription('');
      onCreated();
      return `Endpoint ${created.id} registered.`;
    });
  };
  return (
    <form class="card" aria-labelledby="new-webhook-title" onSubmit={create}>
      <h2 id="new-webhook-title">New endpoint</h2>
      <div class="controls">
        <EndpointFields url={url} setUrl={setUrl} description={description} setDescription={setDescription} />
        <button type="submit" disabled={action.busy}>
          Register endpoint
        </button>
      </div>
      {action.said && <p role="status">{action.said}</p>}
      {secret && <SecretOnce secret={secret} what="Signing secret" />}
      {action.error && <ErrorNote error={action.error} />}
    </form>
  );
}

type Destructive = 'disable' | 'rotate' | 'delete';

const CONFIRMATIONS: Record<Destructive, { question: string; yes: string }> = {
  disable: {
    question: 'Disable this endpoint? Events meanwhile are not kept for it.',
    yes: 'Yes, disable',
  },
  rotate: {
    question: 'Rotate the signing secret? The new one is shown once; the old one keeps signing for 24 hours.',
    yes: 'Yes, rotate',
  },
  delete: {
    question: 'Delete this endpoint and its secret? Queued deliveries are dropped. This cannot be undone.',
    yes: 'Yes, delete',
  },
};

function HealthBadge({ webhook }: { webhook: Webhook }) {
  const label = webhook.enabled ? webhook.status : 'disabled';
  const tone = !webhook.enabled
    ? 'reauthentication_required'
    : webhook.status === 'healthy'
      ? 'connected'
      : 'disconnected';
  return (
    <span class={`badge badge-${tone}`} data-health={label}>
      {label}
    </span>
  );
}

function WebhookCard({
  webhook,
  onChanged,
  openDelivery,
}: {
  webhook: Webhook;
  onChanged: () => void;
  openDelivery?: string;
}) {
  const { api } = useConsole();
  const path = { webhook_id: webhook.id };
  const [deliveries, reloadDeliveries] = useLoad(
    () =>
      expectData(api.GET('/webhooks/{webhook_id}/deliveries', { params: { path, query: { limit: 20 } } })),
    [api, webhook.id],
  );
  const [pending, setPending] = useState<Destructive | undefined>();
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState<string | undefined>();
  const [shown, setShown] = useState<string | undefined>(openDelivery);
  const action = useAction();
  const refresh = () => {
    onChanged();
    reloadDeliveries();
  };
  const header = { 'idempotency-key': crypto.randomUUID() };

  const sendTest = () =>
    action.run(async () => {
      const event = await expectData(api.POST('/webhooks/{webhook_id}/test', { params: { path, header } }));
      refresh();
      return `Test event ${event.event_id} queued.`;
    });
  const setEnabled = (enabled: boolean) =>
    action.run(async () => {
      await expectData(api.PATCH('/webhooks/{webhook_id}', { params: { path }, body: { enabled } }));
      onChanged();
      return enabled ? 'Endpoint enabled.' : 'Endpoint disabled.';
    });
  const replay = () =>
    action.run(async () => {
      const summary = await expectData(
        api.POST('/webhooks/{webhook_id}/dead-letters/replay', { params: { path, header } }),
      );
      refresh();
      const discarded =
        summary.discarded > 0 ? `, ${summary.discarded} of types no longer taken discarded` : '';
      const more = summary.more ? '; more remain: replay again' : '';
      return `Replayed ${summary.replayed} dead-lettered ${summary.replayed === 1 ? 'delivery' : 'deliveries'}${discarded}${more}.`;
    });
  const confirm = (what: Destructive) =>
    action.run(async () => {
      setPending(undefined);
      if (what === 'disable') {
        await expectData(api.PATCH('/webhooks/{webhook_id}', { params: { path }, body: { enabled: false } }));
        onChanged();
        return 'Endpoint disabled.';
      }
      if (what === 'rotate') {
        const rotated = await expectData(
          api.POST('/webhooks/{webhook_id}/rotate-secret', { params: { path, header } }),
        );
        setSecret(rotated.secret ?? undefined);
        return `Secret rotated; the old one signs until ${formatTime(rotated.previous_secret_expires_at)}.`;
      }
      await expectData(api.DELETE('/webhooks/{webhook_id}', { params: { path } }));
      onChanged();
      return undefined;
    });

  return (
    <article class="card" aria-labelledby={`wh-${webhook.id}`} data-webhook={webhook.id}>
      <header class="heat-pump-header">
        <h2 id={`wh-${webhook.id}`}>{webhook.url}</h2>
        <HealthBadge webhook={webhook} />
      </header>
      <p class="muted">
        {webhook.id} · events: {webhook.events?.join(', ') ?? 'all'}
        {webhook.description && ` · ${webhook.description}`}
        {webhook.failing_since && ` · failing since ${formatTime(webhook.failing_since)}`}
      </p>
      <dl aria-label="Health">
        <dt>Failed attempts in a row</dt>
        <dd>
          {webhook.consecutive_failures} (failing after {webhook.failing_after})
        </dd>
        <dt>Last error</dt>
        <dd data-last-error>
          {webhook.last_error
            ? `${webhook.last_error.status_code !== null ? `HTTP ${webhook.last_error.status_code}` : webhook.last_error.error} at ${formatTime(webhook.last_error.at)} (${webhook.last_error.event_id})`
            : '—'}
        </dd>
        <dt>Last success</dt>
        <dd>{formatTime(webhook.last_success_at)}</dd>
        <dt>Next attempt</dt>
        <dd>{formatTime(webhook.next_attempt_at)}</dd>
      </dl>
      <div class="controls">
        <button type="button" onClick={sendTest} disabled={action.busy || !webhook.enabled}>
          Send test event
        </button>
        <button type="button" onClick={replay} disabled={action.busy || !webhook.enabled}>
          Replay dead letters
        </button>
        <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>
          Edit
        </button>
        {webhook.enabled ? (
          <button type="button" onClick={() => setPending('disable')} disabled={action.busy}>
            Disable
          </button>
        ) : (
          <button type="button" onClick={() => setEnabled(true)} disabled={action.busy}>
            Enable
          </button>
        )}
        <button type="button" onClick={() => setPending('rotate')} disabled={action.busy}>
          Rotate secret
        </button>
        <button type="button" onClick={() => setPending('delete')} disabled={action.busy}>
          Delete
        </button>
      </div>
      {pending && (
        <fieldset class="controls">
          <legend>Check the action</legend>
          <p>{CONFIRMATIONS[pending].question}</p>
          <button type="button" onClick={() => confirm(pending)} disabled={action.busy}>
            {CONFIRMATIONS[pending].yes}
          </button>
          <button type="button" class="link" onClick={() => setPending(undefined)}>
            Cancel
          </button>
        </fieldset>
      )}
      {editing && (
        <EditWebhook
          webhook={webhook}
          onSaved={() => {
            setEditing(false);
            onChanged();
          }}
        />
      )}
      {action.said && <p role="status">{action.said}</p>}
      {secret && <SecretOnce secret={secret} what="New signing secret" />}
      {action.error && <ErrorNote error={action.error} />}
      <Await loaded={deliveries}>
        {(d) => (
          <TableWrap label="Recent deliveries">
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
                  <DeliveryRow key={item.delivery_id} item={item} onShow={setShown} />
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Await>
      {shown && (
        <DeliveryDetail
          webhook={webhook}
          deliveryId={shown}
          reveal={shown === openDelivery}
          onClose={() => setShown(undefined)}
          onResent={reloadDeliveries}
        />
      )}
    </article>
  );
}

function DeliveryRow({ item, onShow }: { item: Delivery; onShow: (id: string) => void }) {
  return (
    <tr data-outcome={item.outcome}>
      <td>{formatTime(item.attempted_at)}</td>
      <td>
        <button
          type="button"
          class="link"
          onClick={() => onShow(item.delivery_id)}
          aria-label={`${item.event_type} attempt ${item.attempt}: details`}
        >
          {item.event_type}
        </button>
      </td>
      <td>{item.attempt}</td>
      <td>{item.outcome}</td>
      <td>{item.status_code ?? item.error ?? '—'}</td>
      <td>{item.duration_ms} ms</td>
    </tr>
  );
}

function DeliveryDetail(props: {
  webhook: Webhook;
  deliveryId: string;
  /** Opened by a link (the customer timeline): scrolled into view once it has loaded. */
  reveal?: boolean;
  onClose: () => void;
  onResent: () => void;
}) {
  const { webhook, deliveryId } = props;
  const { api } = useConsole();
  const [detail] = useLoad(
    () =>
      expectData(
        api.GET('/webhooks/{webhook_id}/deliveries/{delivery_id}', {
          params: { path: { webhook_id: webhook.id, delivery_id: deliveryId } },
        }),
      ),
    [api, webhook.id, deliveryId],
  );
  const action = useAction();
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    if (props.reveal && detail.state !== 'loading') section.current?.scrollIntoView({ block: 'start' });
  }, [props.reveal, detail.state]);
  const resend = (eventId: string) =>
    action.run(async () => {
      const resent = await expectData(
        api.POST('/webhooks/{webhook_id}/events/{event_id}/resend', {
          params: {
            path: { webhook_id: webhook.id, event_id: eventId },
            header: { 'idempotency-key': crypto.randomUUID() },
          },
        }),
      );
      props.onResent();
      return `Event ${resent.event_id} queued again (same webhook-id).`;
    });
  return (
    <section class="card" aria-labelledby={`delivery-${deliveryId}`} ref={section}>
      <Await loaded={detail}>
        {(d) => (
          <>
            <h3 id={`delivery-${deliveryId}`}>
              Delivery of {d.event_type}, attempt {d.attempt}
            </h3>
            <dl aria-label="Delivery">
              <dt>Event</dt>
              <dd>{d.event_id}</dd>
              <dt>Attempted</dt>
              <dd>{formatTime(d.attempted_at)}</dd>
              <dt>Outcome</dt>
              <dd>{d.outcome}</dd>
              <dt>Response status</dt>
              <dd>{d.status_code ?? '—'}</dd>
              <dt>Error</dt>
              <dd>{d.error ? `${d.error}${d.error_detail ? ` (${d.error_detail})` : ''}` : '—'}</dd>
              <dt>Duration</dt>
              <dd>{d.duration_ms} ms</dd>
              <dt>Next attempt</dt>
              <dd>{formatTime(d.next_attempt_at)}</dd>
            </dl>
            <h4>Request headers</h4>
            <dl aria-label="Request headers">
              {Object.entries(d.request_headers).map(([name, value]) => (
                <Fragment key={name}>
                  <dt>{name}</dt>
                  <dd>{value}</dd>
                </Fragment>
              ))}
            </dl>
            <h4>Request body</h4>
            <pre class="payload">{d.request_body ?? 'no longer kept'}</pre>
            <h4>Response excerpt</h4>
            <pre class="payload">{d.response_excerpt || '—'}</pre>
            <div class="controls">
              <button type="button" onClick={() => resend(d.event_id)} disabled={action.busy}>
                Resend event
              </button>
              <button type="button" class="link" onClick={props.onClose}>
                Close
              </button>
            </div>
            {action.said && <p role="status">{action.said}</p>}
            {action.error && <ErrorNote error={action.error} />}
          </>
        )}
      </Await>
    </section>
  );
}

function EditWebhook({ webhook, onSaved }: { webhook: Webhook; onSaved: () => void }) {
  const { api } = useConsole();
  const [url, setUrl] = useState(webhook.url);
  const [description, setDescription] = useState(webhook.description ?? '');
  const action = useAction();
  const save = (event: Event) => {
    event.preventDefault();
    return action.run(async () => {
      await expectData(
        api.PATCH('/webhooks/{webhook_id}', {
          params: { path: { webhook_id: webhook.id } },
          body: {
            ...(url !== webhook.url ? { url } : {}),
            description: description === '' ? null : description,
          },
        }),
      );
      onSaved();
      return undefined;
    });
  };
  return (
    <form onSubmit={save} aria-label="Edit endpoint">
      <div class="controls">
        <EndpointFields url={url} setUrl={setUrl} description={description} setDescription={setDescription} />
        <button type="submit" disabled={action.busy}>
          Save
        </button>
      </div>
      {action.error && <ErrorNote error={action.error} />}
    </form>
  );
}
