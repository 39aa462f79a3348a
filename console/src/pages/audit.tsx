import { useState } from 'preact/hooks';
import { expectData } from '../api/client';
import { AuditActor, changesText } from '../components/audit-entry';
import { usePaged } from '../components/paged';
import { ErrorNote, formatTime } from '../components/status';
import { TableWrap } from '../components/table-wrap';
import { useConsole } from '../context';
import { href } from '../router';

/** The organisation's audit trail (`GET /audit`), filtered by actor and action; every role may read it. */
export function AuditPage({ actor, action }: { actor?: string | undefined; action?: string | undefined }) {
  const { api } = useConsole();
  const [actorInput, setActorInput] = useState(actor ?? '');
  const [actionInput, setActionInput] = useState(action ?? '');
  const trail = usePaged(
    (cursor) =>
      expectData(
        api.GET('/audit', {
          params: {
            query: {
              limit: 50,
              ...(actor ? { actor } : {}),
              ...(action ? { action } : {}),
              ...(cursor === undefined ? {} : { cursor }),
            },
          },
        }),
      ),
    [api, actor, action],
  );
  const apply = (event: Event) => {
    event.preventDefault();
    const filters: Record<string, string> = {};
    if (actorInput.trim() !== '') filters.actor = actorInput.trim();
    if (actionInput.trim() !== '') filters.action = actionInput.trim();
    location.hash = href.audit(filters);
  };
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit trail</h1>
      <form class="filters" onSubmit={apply}>
        <label>
          Actor
          <input value={actorInput} onInput={(e) => setActorInput(e.currentTarget.value)} />
        </label>
        <label>
          Action
          <input
            value={actionInput}
            placeholder="e.g. updateHeatPump"
            onInput={(e) => setActionInput(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      <TableWrap label="Writes through the API">
        <table class="audit">
          <caption>Writes through the API, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Customer</th>
              <th scope="col">Changes</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {trail.items.length === 0 && !trail.loading && (
              <tr>
                <td colSpan={6}>No entries.</td>
              </tr>
            )}
            {trail.items.map((entry) => (
              <tr key={entry.request_id}>
                <td>{formatTime(entry.at)}</td>
                <td>
                  <AuditActor entry={entry} />
                </td>
                <td>{entry.action}</td>
                <td>
                  {entry.target.external_user_id === null ? (
                    '—'
                  ) : (
                    <a href={href.customer(entry.target.external_user_id)}>{entry.target.external_user_id}</a>
                  )}
                </td>
                <td>{changesText(entry.changes)}</td>
                <td>
                  {entry.outcome}
                  {entry.status === null ? '' : ` (${entry.status})`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {trail.error && <ErrorNote error={trail.error} />}
      {trail.loading && (
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      )}
      {trail.more && !trail.loading && (
        <button type="button" onClick={trail.loadMore}>
          Load more
        </button>
      )}
    </section>
  );
}
