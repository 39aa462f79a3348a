import { ChangeStatusBadge, formatTime } from '../../components/status';
import { useConsole } from '../../context';
import { KIND_CHANGES } from '../../devices/change-routes';
import { changeExplanation, changeFieldRows, controlLabel } from '../../devices/changes';
import type { DeviceKindName } from '../../devices/kinds';
import { href } from '../../router';
import { useLoad } from '../../use-load';

/**
 * A device card's line on its latest tracked change (status, what it asked, when; why, if it failed), linking
 * to the device's change list. Quiet while it loads: it is a detail of the card. `version` reloads it (the
 * customer's summary after an action).
 */
export function LatestChange({
  externalUserId,
  kind,
  deviceId,
  version,
}: {
  externalUserId: string;
  kind: DeviceKindName;
  deviceId: string;
  version?: unknown;
}) {
  const { api } = useConsole();
  const [latest] = useLoad(
    () => KIND_CHANGES[kind](api, externalUserId, deviceId, { limit: 1 }),
    [api, externalUserId, kind, deviceId, version],
  );
  if (latest.state === 'loading') return null;
  if (latest.state === 'failed')
    return <p class="muted latest-change">Changes not available: {latest.error.message}</p>;
  const change = latest.value.items[0];
  if (change === undefined) return <p class="muted latest-change">No change requested yet.</p>;
  const asked = changeFieldRows(change.fields)
    .map(([label, text]) => `${label}: ${text}`)
    .join(', ');
  return (
    <p class="latest-change" data-latest-change={change.id}>
      <span class="muted">Latest change</span> <ChangeStatusBadge status={change.status} />{' '}
      {controlLabel(change.control)}
      {asked !== '' && ` (${asked})`}, requested {formatTime(change.requested_at)}
      {change.status === 'failed' && ` · ${changeExplanation(change)}`} ·{' '}
      <a href={href.deviceChanges(externalUserId, kind, deviceId)}>
        All changes<span class="visually-hidden"> of device {deviceId}</span>
      </a>
    </p>
  );
}
