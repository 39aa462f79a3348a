import { useEffect, useState } from 'preact/hooks';
import { ApiError, expectData } from '../api/client';
import { may } from '../auth/role';
import { ErrorNote } from '../components/status';
import { TimeSeriesChart } from '../components/time-series-chart';
import { useConsole } from '../context';
import { href } from '../router';
import { formatBerlin, nextDeliveryDay } from '../trading/calendar';
import { formatEnergy, formatEuro, TRADING_CHART, type TradingDay, tradingPlot } from '../trading/chart';
import { deadlinesInOrder, formatCountdown, nextDeadline } from '../trading/deadlines';
import { decisionAvailability } from '../trading/decision';
import { DEFAULT_TRADING_ZONE, isTradingZone, TRADING_ZONES, type TradingZone } from '../trading/zones';
import { type Loaded, useLoad } from '../use-load';

const HISTORY_DAYS = 14;

export const STATE_LABELS = {
  prices_received: 'Forecast received',
  uploaded: 'Uploaded to Podero',
  curves_ready: 'Curves ready',
  confirmed: 'Confirmed',
  rejected: 'Rejected',
  missed: 'Missed',
  failed: 'Failed',
} as const satisfies Record<TradingDay['state'], string>;

/** The time now, updated every `everyMs` (the countdown's tick). */
function useNow(everyMs: number): number {
  const { now } = useConsole();
  const [ms, setMs] = useState(() => now().getTime());
  useEffect(() => {
    const timer = setInterval(() => setMs(now().getTime()), everyMs);
    return () => clearInterval(timer);
  }, [now, everyMs]);
  return ms;
}

/** A refusal of the trading routes as the desk should read it; other errors as the API said them. */
function TradingError({ error }: { error: Error }) {
  if (error instanceof ApiError && error.status === 403) {
    return (
      <p class="error" role="alert">
        403: your sign-in may not read the trading days: that needs an operator role (bridge/viewer,
        bridge/support or bridge/admin), which this sign-in does not carry.
      </p>
    );
  }
  return <ErrorNote error={error} />;
}

export function TradingPage(props: { zone?: string | undefined; day?: string | undefined }) {
  const { now } = useConsole();
  const zone: TradingZone =
    props.zone !== undefined && isTradingZone(props.zone) ? props.zone : DEFAULT_TRADING_ZONE;
  const day = props.day ?? nextDeliveryDay(now().getTime());
  // A decision (or a refresh) changes the day's row in the history too.
  const [changes, setChanges] = useState(0);
  return (
    <section aria-labelledby="trading-title">
      <h1 id="trading-title">Day-ahead trading</h1>
      <DayPicker zone={zone} day={day} />
      <TradingDayView
        key={`${zone}/${day}`}
        zone={zone}
        day={day}
        onChanged={() => setChanges((n) => n + 1)}
      />
      <TradingHistory zone={zone} current={day} changes={changes} />
    </section>
  );
}

function DayPicker({ zone, day }: { zone: TradingZone; day: string }) {
  const go = (next: { zone?: string; day?: string }) => {
    location.hash = href.trading({ zone, day, ...next });
  };
  return (
    <form class="trading-picker" onSubmit={(e) => e.preventDefault()}>
      <label>
        Price zone{' '}
        <select value={zone} onChange={(e) => go({ zone: e.currentTarget.value })}>
          {TRADING_ZONES.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </label>
      <label>
        Delivery day (Europe/Berlin){' '}
        <input
          type="date"
          value={day}
          onChange={(e) => e.currentTarget.value !== '' && go({ day: e.currentTarget.value })}
        />
      </label>
    </form>
  );
}

function TradingDayView(props: { zone: TradingZone; day: string; onChanged: () => void }) {
  const { zone, day } = props;
  const { api } = useConsole();
  const [loaded, reload] = useLoad(
    () =>
      expectData(
        api.GET('/trading/day-ahead/{price_zone}/days/{delivery_day}', {
          params: { path: { price_zone: zone, delivery_day: day } },
        }),
      ),
    [api, zone, day],
  );
  return (
    <article class="card" aria-labelledby="trading-day-title" data-trading-day={`${zone}/${day}`}>
      <header class="heat-pump-header">
        <h2 id="trading-day-title">
          {zone} · {day}
        </h2>
        {loaded.state === 'ready' && <StateBadge state={loaded.value.state} />}
        <button
          type="button"
          class="link"
          onClick={() => {
            reload();
            props.onChanged();
          }}
        >
          Refresh
        </button>
      </header>
      <DayBody
        loaded={loaded}
        onDecided={() => {
          reload();
          props.onChanged();
        }}
      />
    </article>
  );
}

function StateBadge({ state }: { state: TradingDay['state'] }) {
  return (
    <span class={`badge badge-trading-${state}`} data-state={state}>
      {STATE_LABELS[state]}
    </span>
  );
}

function DayBody({ loaded, onDecided }: { loaded: Loaded<TradingDay>; onDecided: () => void }) {
  if (loaded.state === 'loading')
    return (
      <p class="muted" aria-busy="true">
        Loading…
      </p>
    );
  if (loaded.state === 'failed') {
    if (loaded.error instanceof ApiError && loaded.error.status === 404)
      return <p class="muted">No forecast was given for this zone and day.</p>;
    return <TradingError error={loaded.error} />;
  }
  const day = loaded.value;
  return (
    <>
      {day.reason && <p class="error">Why: {day.reason}</p>}
      {day.last_error && day.state !== 'failed' && (
        <p class="muted">Last Podero error (retried): {day.last_error}</p>
      )}
      <Deadlines day={day} />
      <Figures day={day} />
      <TimeSeriesChart
        spec={TRADING_CHART}
        data={tradingPlot(day)}
        label={`${day.prices.length} quarter-hours (Berlin time)`}
      />
      <Decision day={day} onDecided={onDecided} />
    </>
  );
}

function Deadlines({ day }: { day: TradingDay }) {
  const nowMs = useNow(1000);
  const next = nextDeadline(day, nowMs);
  return (
    <>
      <p role="timer" aria-live="off" data-countdown={next?.key ?? 'none'}>
        {next === undefined ? (
          <span class="muted">No deadline ahead.</span>
        ) : (
          <>
            {next.label} in <strong>{formatCountdown(next.atMs - nowMs)}</strong>
          </>
        )}
      </p>
      <dl class="settings trading-deadlines" aria-label="Deadlines (Europe/Berlin)">
        {deadlinesInOrder(day.deadlines).map((d) => (
          <div key={d.key} class={d.atMs <= nowMs ? 'muted' : undefined}>
            <dt>{d.label}</dt>
            <dd>
              <time dateTime={d.at}>{formatBerlin(d.at)}</time>
            </dd>
          </div>
        ))}
      </dl>
    </>
  );
}

function Figures({ day }: { day: TradingDay }) {
  return (
    <dl class="settings trading-figures" aria-label="The day's figures">
      <div>
        <dt>Flexibility shifted</dt>
        <dd data-figure="shifted">{formatEnergy(day.shifted_wh, { signed: false })}</dd>
      </div>
      <div>
        <dt>Net delta</dt>
        <dd data-figure="delta">{formatEnergy(day.delta_wh)}</dd>
      </div>
      <div>
        <dt>Expected saving</dt>
        <dd data-figure="saving">{formatEuro(day.expected_saving_eur)}</dd>
      </div>
      <div>
        <dt>Optimised</dt>
        <dd>{formatEnergy(day.optimized_wh, { signed: false })}</dd>
      </div>
      <div>
        <dt>Unoptimised</dt>
        <dd>{formatEnergy(day.unoptimized_wh, { signed: false })}</dd>
      </div>
      <div>
        <dt>Podero API</dt>
        <dd>{day.variant}</dd>
      </div>
    </dl>
  );
}

type Pending = { accepted: boolean } | undefined;

function Decision({ day, onDecided }: { day: TradingDay; onDecided: () => void }) {
  const { api, role } = useConsole();
  const nowMs = useNow(1000);
  const [pending, setPending] = useState<Pending>();
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const availability = decisionAvailability(day, nowMs);

  const send = async (accepted: boolean) => {
    setBusy(true);
    setError(undefined);
    setAnswer(undefined);
    try {
      const decided = await expectData(
        api.POST('/trading/day-ahead/{price_zone}/days/{delivery_day}/confirmation', {
          params: { path: { price_zone: day.price_zone as TradingZone, delivery_day: day.delivery_day } },
          body: { accepted },
        }),
      );
      setAnswer(
        `${accepted ? 'Accepted' : 'Rejected'}: recorded (${STATE_LABELS[decided.state]}); the workflow sends it to Podero on its next run.`,
      );
      onDecided();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
      // Refused for the day's state (decided elsewhere, deadline passed): show the day as it now is.
      if (e instanceof ApiError && e.status === 409) onDecided();
    } finally {
      setBusy(false);
      setPending(undefined);
    }
  };

  return (
    <section class="trading-decision" aria-labelledby="trading-decision-title">
      <h3 id="trading-decision-title">Decision</h3>
      {day.decision !== null && (
        <p data-decision={day.decision.accepted ? 'accepted' : 'rejected'}>
          {day.decision.accepted ? 'Accepted' : 'Rejected'} by{' '}
          {day.decision.by === 'desk' ? 'the desk' : 'the auto-confirm policy'} at{' '}
          {formatBerlin(day.decision.at)}
          {day.podero_confirmation === 'sent' && '; Podero holds the confirmation.'}
          {day.podero_confirmation === 'unsupported' &&
            '; recorded here only: this Podero API has no confirmation endpoint.'}
        </p>
      )}
      {!availability.open && day.decision === null && <p class="muted">{availability.reason}.</p>}
      {availability.open && !may(role, 'admin') && (
        <p class="muted">Only an administrator may confirm or reject the trade.</p>
      )}
      {availability.open && may(role, 'admin') && pending === undefined && (
        <div class="controls">
          <button type="button" onClick={() => setPending({ accepted: true })} disabled={busy}>
            Confirm trade
          </button>
          <button type="button" onClick={() => setPending({ accepted: false })} disabled={busy}>
            Reject trade
          </button>
        </div>
      )}
      {availability.open && pending !== undefined && (
        <fieldset class="controls">
          <legend>Check the decision</legend>
          <p>
            {pending.accepted
              ? `Confirm that the optimised volume for ${day.price_zone} on ${day.delivery_day} was bought (delta ${formatEnergy(day.delta_wh)})?`
              : `Reject the trade for ${day.price_zone} on ${day.delivery_day}? Podero is told the volume was not bought.`}{' '}
            This cannot be changed afterwards.
          </p>
          <button type="button" onClick={() => send(pending.accepted)} disabled={busy}>
            {pending.accepted ? 'Yes, confirm' : 'Yes, reject'}
          </button>
          <button type="button" class="link" onClick={() => setPending(undefined)} disabled={busy}>
            Cancel
          </button>
        </fieldset>
      )}
      {answer && <p role="status">{answer}</p>}
      {error && <TradingError error={error} />}
    </section>
  );
}

function TradingHistory(props: { zone: TradingZone; current: string; changes: number }) {
  const { zone, current } = props;
  const { api } = useConsole();
  const [history] = useLoad(
    () =>
      expectData(
        api.GET('/trading/day-ahead/{price_zone}/days', {
          params: { path: { price_zone: zone }, query: { limit: HISTORY_DAYS } },
        }),
      ),
    [api, zone, props.changes],
  );
  return (
    <section aria-labelledby="trading-history-title">
      <h2 id="trading-history-title">Recent days in {zone}</h2>
      {history.state === 'loading' && (
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      )}
      {history.state === 'failed' && <TradingError error={history.error} />}
      {history.state === 'ready' &&
        (history.value.items.length === 0 ? (
          <p class="muted">No trading day yet.</p>
        ) : (
          <div class="table-wrap">
            <table aria-label="Recent trading days">
              <thead>
                <tr>
                  <th scope="col">Delivery day</th>
                  <th scope="col">State</th>
                  <th scope="col">Delta</th>
                  <th scope="col">Expected saving</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody>
                {history.value.items.map((d) => (
                  <tr key={d.delivery_day}>
                    <td>
                      <a
                        href={href.trading({ zone, day: d.delivery_day })}
                        aria-current={d.delivery_day === current ? 'page' : undefined}
                      >
                        {d.delivery_day}
                      </a>
                    </td>
                    <td>{STATE_LABELS[d.state]}</td>
                    <td>{formatEnergy(d.delta_wh)}</td>
                    <td>{formatEuro(d.expected_saving_eur)}</td>
                    <td>
                      {d.decision === null
                        ? '—'
                        : `${d.decision.accepted ? 'accepted' : 'rejected'} (${d.decision.by})`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
