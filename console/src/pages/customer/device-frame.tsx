import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Schemas } from '../../api/client';
import { ConnectionBadge, ErrorNote, formatTime, HealthBadge } from '../../components/status';
import { DEVICE_KIND_LABELS } from '../../devices/kinds';
import { CoverageStrip, type FetchCoverage } from './coverage-strip';
import { LatestChange } from './latest-change';

export type SummaryDevice = Schemas['UserSummaryDevice'];

/** A card's action: busy while it runs, its error (or what `describe` makes of it) shown under the card. */
export function useAction(describe: (error: unknown) => string | undefined = () => undefined) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [note, setNote] = useState<string | undefined>();
  const act = async (work: () => Promise<string | undefined>) => {
    setBusy(true);
    setError(undefined);
    setNote(undefined);
    try {
      setNote(await work());
    } catch (e) {
      const described = describe(e);
      if (described === undefined) setError(e instanceof Error ? e : new Error(String(e)));
      else setNote(described);
    } finally {
      setBusy(false);
    }
  };
  const feedback = (
    <>
      {note && (
        <p class="note" role="status">
          {note}
        </p>
      )}
      {error && <ErrorNote error={error} />}
    </>
  );
  return { busy, act, feedback };
}

/**
 * A device's card: its kind, model, connection, when its state was read, its history's coverage and its latest
 * tracked change, around the kind's own content.
 */
export function DeviceFrame({
  externalUserId,
  device,
  fetchCoverage,
  children,
}: {
  externalUserId: string;
  device: SummaryDevice;
  fetchCoverage: FetchCoverage;
  children: ComponentChildren;
}) {
  const model = [device.manufacturer, device.model].filter(Boolean).join(' ') || 'Unknown model';
  const titleId = `device-${device.id}`;
  return (
    <article
      class="card device"
      data-device={device.id}
      data-device-kind={device.type}
      aria-labelledby={titleId}
    >
      <header class="heat-pump-header">
        <h3 id={titleId}>
          {model} <span class="muted">({DEVICE_KIND_LABELS[device.type].one})</span>
        </h3>
        <span class="badges">
          <ConnectionBadge state={device.connection.state} />
          <HealthBadge health={device.health} />
        </span>
      </header>
      <p class="muted">
        {device.id} · state read {formatTime(device.fetched_at)}
        {device.connection.since &&
          ` · ${device.connection.state} since ${formatTime(device.connection.since)}`}
      </p>
      <p class="muted" data-health-detail>
        Reporting {device.health.reporting.state}
        {device.health.reporting.since && ` since ${formatTime(device.health.reporting.since)}`} (last state{' '}
        {formatTime(device.health.reporting.last_state_at)}) · steering {device.health.steering.state}
        {device.health.steering.since && ` since ${formatTime(device.health.steering.since)}`}
      </p>
      <CoverageStrip deviceId={device.id} fetchCoverage={fetchCoverage} />
      {/* The summary's device is new after the page reloads it (an action): so is the latest change. */}
      <LatestChange
        externalUserId={externalUserId}
        kind={device.type}
        deviceId={device.id}
        version={device}
      />
      {children}
    </article>
  );
}

/** Label and text pairs as the card's settings list. */
export function FigureList({ rows }: { rows: readonly [string, string][] }) {
  return (
    <dl class="settings">
      {rows.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
