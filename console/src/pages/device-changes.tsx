import { usePaged } from '../components/paged';
import { ChangeStatusBadge, ErrorNote, formatTime } from '../components/status';
import { useConsole } from '../context';
import { KIND_CHANGES } from '../devices/change-routes';
import { changeExplanation, changeFieldRows, controlLabel, type DeviceChange } from '../devices/changes';
import { DEVICE_KIND_LABELS, type DeviceKindName } from '../devices/kinds';
import { href } from '../router';

/** Changes per page: a device rarely has more than a few a day. */
const PAGE_SIZE = 25;

/**
 * One device's tracked changes (any kind: its changes route is data in `KIND_CHANGES`), newest first, a page at
 * a time: each with its status, the fields it requested, when it was requested and settled, by whom, and why it
 * failed or was superseded. A read: every role sees it.
 */
export function DeviceChangesPage({
  externalUserId,
  kind,
  deviceId,
}: {
  externalUserId: string;
  kind: DeviceKindName;
  deviceId: string;
}) {
  const { api } = useConsole();
  const changes = usePaged(
    (cursor) =>
      KIND_CHANGES[kind](api, externalUserId, deviceId, {
        limit: PAGE_SIZE,
        ...(cursor === undefined ? {} : { cursor }),
      }),
    [api, externalUserId, kind, deviceId],
  );
  return (
    <section class="device-changes" aria-labelledby="changes-title">
      <p>
        <a href={href.customer(externalUserId)}>← Customer {externalUserId}</a>
      </p>
      <h1 id="changes-title">Changes to a {DEVICE_KIND_LABELS[kind].one.toLowerCase()}</h1>
      <p class="muted device-id">{deviceId}</p>
      <p class="muted">
        Every control write, newest first: pending until the device shows what was asked, then confirmed;
        failed when it does not by the deadline; superseded by a newer change to one of its fields.
      </p>
      {changes.items.length === 0 && !changes.loading && !changes.error && (
        <p class="muted">No change requested for this device yet.</p>
      )}
      <ol class="change-list" aria-label="Changes, newest first">
        {changes.items.map((change) => (
          <ChangeEntry key={change.id} change={change} />
        ))}
      </ol>
      {changes.error && <ErrorNote error={changes.error} />}
      {changes.loading && (
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      )}
      {changes.more && !changes.loading && (
        <button type="button" onClick={changes.loadMore}>
          Load more
        </button>
      )}
    </section>
  );
}

function ChangeEntry({ change }: { change: DeviceChange }) {
  const why = changeExplanation(change);
  const fields = changeFieldRows(change.fields);
  return (
    <li class="card change" data-change={change.id} data-status={change.status}>
      <div class="change-head">
        <ChangeStatusBadge status={change.status} />
        <strong>{controlLabel(change.control)}</strong>
        <time dateTime={change.requested_at}>{formatTime(change.requested_at)}</time>
      </div>
      <dl class="change-detail">
        <dt>Requested</dt>
        <dd>
          {fields.length === 0 ? (
            'no field'
          ) : (
            <ul class="change-fields">
              {fields.map(([label, text], i) => (
                // Two names may read alike; their order is the request's.
                <li key={i}>
                  {label}: <strong>{text}</strong>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>By</dt>
        <dd>{change.by}</dd>
        <dt>Settled</dt>
        <dd>{change.settled_at === null ? 'not yet' : formatTime(change.settled_at)}</dd>
        {why !== undefined && (
          <>
            <dt>Why</dt>
            <dd data-change-why>{why}</dd>
          </>
        )}
        <dt>Change id</dt>
        <dd>
          <code>{change.id}</code>
        </dd>
      </dl>
    </li>
  );
}
