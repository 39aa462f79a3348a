import type { ComponentChildren } from 'preact';
import type { Schemas } from '../api/client';
import { ApiError } from '../api/client';
import { formatDateTime } from '../dates';
import { CHANGE_STATUS_LABELS, type ChangeStatus } from '../devices/changes';
import type { Loaded } from '../use-load';

export function ErrorNote({ error }: { error: Error }) {
  const detail =
    error instanceof ApiError && error.details.length > 0
      ? ` (${error.details.map((d) => `${d.field}: ${d.message}`).join('; ')})`
      : '';
  const status = error instanceof ApiError ? `${error.status} ` : '';
  return (
    <p class="error" role="alert">
      {status}
      {error.message}
      {detail}
    </p>
  );
}

/** Shows a loading line, the error, or the content once loaded. */
export function Await<T>({
  loaded,
  children,
}: {
  loaded: Loaded<T>;
  children: (value: T) => ComponentChildren;
}) {
  if (loaded.state === 'loading')
    return (
      <p class="muted" aria-busy="true">
        Loading…
      </p>
    );
  if (loaded.state === 'failed') return <ErrorNote error={loaded.error} />;
  return <>{children(loaded.value)}</>;
}

export const CONNECTION_LABELS = {
  connected: 'Connected',
  reauthentication_required: 'Re-authentication required',
  disconnected: 'Disconnected',
} as const;

export function ConnectionBadge({ state }: { state: keyof typeof CONNECTION_LABELS }) {
  return <span class={`badge badge-${state}`}>{CONNECTION_LABELS[state]}</span>;
}

type DeviceHealth = Schemas['DeviceHealth'];

/** What a device's health badge says, the worst first: not reporting, a steering error, then the verdict. */
export function healthBadgeOf(health: DeviceHealth): { key: string; label: string } {
  if (health.reporting.state === 'stale') return { key: 'stale', label: 'Not reporting' };
  if (health.steering.state === 'error') return { key: 'steering_error', label: 'Steering error' };
  return health.steerable
    ? { key: 'steerable', label: 'Steerable' }
    : { key: 'not_steerable', label: 'Not steerable' };
}

export function HealthBadge({ health }: { health: DeviceHealth }) {
  const { key, label } = healthBadgeOf(health);
  const why =
    key === 'stale'
      ? health.reporting.reason
      : key === 'steering_error'
        ? health.steering.reason
        : health.not_steerable_because.join(', ') || 'connected, reporting, steering ok';
  return (
    <span class={`badge badge-health-${key}`} title={why} data-health={key}>
      {label}
    </span>
  );
}

/** A time as every page writes it: the console's one format and zone (dates.ts). */
export function formatTime(iso: string | null | undefined): string {
  return formatDateTime(iso);
}

/** A tracked change's status (pending, confirmed, failed, superseded), coloured as the other badges. */
export function ChangeStatusBadge({ status }: { status: ChangeStatus }) {
  return (
    <span class={`badge badge-change-${status}`} data-change-status={status}>
      {CHANGE_STATUS_LABELS[status]}
    </span>
  );
}
