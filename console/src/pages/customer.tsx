import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { type Api, expectData, type Schemas } from '../api/client';
import { may } from '../auth/role';
import { CopyableId } from '../components/copy-id';
import { Await, ConnectionBadge, ErrorNote, formatTime } from '../components/status';
import { useConsole } from '../context';
import { DEVICE_KIND_LABELS, DEVICE_KIND_NAMES } from '../devices/kinds';
import { CHARTS, savingsRange, savingsRows } from '../readings';
import { href } from '../router';
import { useLoad } from '../use-load';
import { CoverageStrip } from './customer/coverage-strip';
import { ElectricVehicleCard } from './customer/electric-vehicle-card';
import { InverterCard } from './customer/inverter-card';
import { LatestChange } from './customer/latest-change';
import { ReadingsPanel } from './customer/readings-panel';
import { TimelinePanel } from './customer/timeline-panel';
import { WallboxCard } from './customer/wallbox-card';

type SummaryHeatPump = Schemas['UserSummary']['heat_pumps'][number];

async function loadCustomer(api: Api, externalUserId: string) {
  const path = { external_user_id: externalUserId };
  const [summary, user, buildings] = await Promise.all([
    expectData(api.GET('/users/{external_user_id}/summary', { params: { path } })),
    expectData(api.GET('/users/{external_user_id}', { params: { path } })),
    expectData(api.GET('/users/{external_user_id}/buildings', { params: { path } })),
  ]);
  return { summary, user, buildings };
}

export function CustomerPage({ externalUserId }: { externalUserId: string }) {
  const { api } = useConsole();
  const [customer, reload] = useLoad(() => loadCustomer(api, externalUserId), [api, externalUserId]);
  return (
    <section aria-labelledby="customer-title">
      <h1 id="customer-title">Customer {externalUserId}</h1>
      <Await loaded={customer}>
        {({ summary, user, buildings }) => (
          <>
            <div class="cards">
              <article class="card" aria-labelledby="profile-title">
                <h2 id="profile-title">Profile</h2>
                <dl>
                  <dt>Name</dt>
                  <dd>{[user.first_name, user.last_name].filter(Boolean).join(' ') || '—'}</dd>
                  <dt>E-mail</dt>
                  <dd>{user.email}</dd>
                  <dt>Address</dt>
                  <dd>
                    {[user.street_and_number, user.zip_code, user.town, user.country]
                      .filter(Boolean)
                      .join(', ') || '—'}
                  </dd>
                  <dt>Onboarded</dt>
                  <dd>{formatTime(summary.onboarded_at)}</dd>
                  <dt>Sync</dt>
                  <dd>
                    {summary.sync.failure === null
                      ? `ok, last pass ${formatTime(summary.sync.last_pass_completed_at)}`
                      : `failing (${summary.sync.failure.attempts} attempts): ${summary.sync.failure.message}`}
                  </dd>
                </dl>
              </article>
              <article class="card" aria-labelledby="buildings-title">
                <h2 id="buildings-title">Buildings</h2>
                {buildings.items.length === 0 ? (
                  <p class="muted">No building.</p>
                ) : (
                  <ul>
                    {buildings.items.map((b) => (
                      <li key={b.id}>
                        {b.name} <span class="muted">({b.id})</span>
                      </li>
                    ))}
                  </ul>
                )}
              </article>
              <article class="card" aria-labelledby="podero-ids-title">
                <h2 id="podero-ids-title">Podero ids</h2>
                <p class="muted">For escalating to Podero: their ids of this customer and its devices.</p>
                <dl>
                  <dt>User</dt>
                  <dd>
                    <CopyableId id={user.podero_user_id} label="Podero user id" />
                  </dd>
                  {summary.devices.map((device) => (
                    <Fragment key={device.id}>
                      <dt>{DEVICE_KIND_LABELS[device.type].one}</dt>
                      <dd>
                        <CopyableId
                          id={device.id}
                          label={`${DEVICE_KIND_LABELS[device.type].one} id ${device.id}`}
                        />
                      </dd>
                    </Fragment>
                  ))}
                </dl>
              </article>
              <article class="card" aria-labelledby="statements-title">
                <h2 id="statements-title">Statements</h2>
                <p>
                  <a href={href.statement(externalUserId)}>Monthly savings statement</a>
                  <span class="muted"> (printable; a month per page)</span>
                </p>
              </article>
              <OnboardingCard
                externalUserId={externalUserId}
                sessions={summary.onboarding_sessions}
                buildings={buildings.items}
                onOpened={reload}
              />
            </div>
            <Devices externalUserId={externalUserId} summary={summary} onChanged={reload} />
            {/* The summary is loaded again after an action: so is the timeline, which shows that action. */}
            <TimelinePanel externalUserId={externalUserId} version={summary} />
          </>
        )}
      </Await>
    </section>
  );
}

/** Every device of the customer, a section per kind it has (the heat pumps' cards as before). */
function Devices({
  externalUserId,
  summary,
  onChanged,
}: {
  externalUserId: string;
  summary: Schemas['UserSummary'];
  onChanged: () => void;
}) {
  if (summary.devices.length === 0 && summary.heat_pumps.length === 0)
    return (
      <>
        <h2>Devices</h2>
        <p class="muted">No device connected yet.</p>
      </>
    );
  return (
    <>
      {DEVICE_KIND_NAMES.map((kind) => {
        const devices = summary.devices.filter((device) => device.type === kind);
        if (kind === 'heat_pump' ? summary.heat_pumps.length === 0 : devices.length === 0) return null;
        return (
          <section key={kind} class="device-kind" aria-labelledby={`kind-${kind}`}>
            <h2 id={`kind-${kind}`}>{DEVICE_KIND_LABELS[kind].many}</h2>
            {kind === 'heat_pump'
              ? summary.heat_pumps.map((hp) => (
                  <HeatPumpCard
                    onboardedAt={summary.onboarded_at}
                    key={hp.id}
                    externalUserId={externalUserId}
                    heatPump={hp}
                    onChanged={onChanged}
                  />
                ))
              : devices.map((device) =>
                  kind === 'electric_vehicle' ? (
                    <ElectricVehicleCard key={device.id} externalUserId={externalUserId} device={device} />
                  ) : kind === 'wallbox' ? (
                    <WallboxCard key={device.id} externalUserId={externalUserId} device={device} />
                  ) : (
                    <InverterCard key={device.id} externalUserId={externalUserId} device={device} />
                  ),
                )}
          </section>
        );
      })}
    </>
  );
}

function OnboardingCard({
  externalUserId,
  sessions,
  buildings,
  onOpened,
}: {
  externalUserId: string;
  sessions: Schemas['UserSummary']['onboarding_sessions'];
  buildings: Schemas['BuildingList']['items'];
  onOpened: () => void;
}) {
  const { api, config, role } = useConsole();
  const [opened, setOpened] = useState<Schemas['OnboardingSessionCreated'] | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const open = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const building = buildings[0]?.id;
      const created = await expectData(
        api.POST('/users/{external_user_id}/onboarding-sessions', {
          params: { path: { external_user_id: externalUserId } },
          body: {
            language: 'en',
            price_zone_default: 'AT',
            success_url: config.customer_links.onboarding_success_url,
            cancel_url: config.customer_links.onboarding_cancel_url,
            ...(building ? { building_id: building } : {}),
          },
        }),
      );
      setOpened(created);
      onOpened();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class="card" aria-labelledby="onboarding-title">
      <h2 id="onboarding-title">Onboarding sessions</h2>
      {sessions.length === 0 ? (
        <p class="muted">No open session.</p>
      ) : (
        <ul>
          {sessions.map((s) => (
            <li key={s.id}>
              {s.state}, expires {formatTime(s.expiration_date)}
            </li>
          ))}
        </ul>
      )}
      {may(role, 'support') && (
        <button type="button" onClick={open} disabled={busy}>
          Open a new onboarding session
        </button>
      )}
      {opened && (
        <LinkToSend
          label="Onboarding link"
          url={opened.authentication_url}
          expires={opened.expiration_date}
        />
      )}
      {error && <ErrorNote error={error} />}
    </article>
  );
}

function LinkToSend({ label, url, expires }: { label: string; url: string; expires: string | null }) {
  return (
    <div class="link-to-send">
      <label>
        {label} (send it to the customer)
        <input type="text" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <p class="muted">Valid until {formatTime(expires)}</p>
    </div>
  );
}

function HeatPumpCard({
  externalUserId,
  heatPump,
  onboardedAt,
  onChanged,
}: {
  externalUserId: string;
  heatPump: SummaryHeatPump;
  onboardedAt: string | null;
  onChanged: () => void;
}) {
  const { api, config, role } = useConsole();
  // A viewer sees the device's controls as they are, and may change none of them.
  const mayAct = may(role, 'support');
  const path = { external_user_id: externalUserId, heat_pump_id: heatPump.id };
  const [detail, reloadDetail] = useLoad(
    () => expectData(api.GET('/users/{external_user_id}/heat-pumps/{heat_pump_id}', { params: { path } })),
    [api, externalUserId, heatPump.id],
  );
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const [link, setLink] = useState<Schemas['ReauthenticationStarted'] | undefined>();
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };
  // Shown at once and kept once the API confirmed it; a refusal puts the stored state back.
  const [optimising, setOptimising] = useState<boolean | undefined>();
  const toggleOptimisation = (active: boolean) =>
    act(async () => {
      setOptimising(active);
      await expectData(
        api.PATCH('/users/{external_user_id}/heat-pumps/{heat_pump_id}', {
          params: { path },
          body: { is_smart_optimization_active: active },
        }),
      ).catch((error: unknown) => {
        setOptimising(undefined);
        throw error;
      });
      reloadDetail();
      onChanged();
    });
  const startReauthentication = () =>
    act(async () => {
      setLink(
        await expectData(
          api.POST('/users/{external_user_id}/heat-pumps/{heat_pump_id}/reauthentication', {
            params: { path },
            body: {
              success_url: config.customer_links.reauthentication_success_url,
              cancel_url: config.customer_links.reauthentication_cancel_url,
            },
          }),
        ),
      );
    });
  const model = [heatPump.manufacturer, heatPump.model].filter(Boolean).join(' ') || 'Unknown model';
  const optimisationId = `optimisation-${heatPump.id}`;
  return (
    <article class="card heat-pump" data-heat-pump={heatPump.id} aria-labelledby={`hp-${heatPump.id}`}>
      <header class="heat-pump-header">
        <h3 id={`hp-${heatPump.id}`}>{model}</h3>
        <ConnectionBadge state={heatPump.connection.state} />
      </header>
      <p class="muted">
        {heatPump.id} · state read {formatTime(heatPump.fetched_at)}
        {heatPump.connection.since &&
          ` · ${heatPump.connection.state} since ${formatTime(heatPump.connection.since)}`}
      </p>
      <CoverageStrip
        deviceId={heatPump.id}
        fetchCoverage={() =>
          api.GET('/users/{external_user_id}/heat-pumps/{heat_pump_id}/readings/coverage', {
            params: { path },
          })
        }
      />
      <LatestChange
        externalUserId={externalUserId}
        kind="heat_pump"
        deviceId={heatPump.id}
        version={heatPump}
      />
      <Await loaded={detail}>
        {(hp) => (
          <>
            <div class="controls">
              <label for={optimisationId} class="switch">
                <input
                  id={optimisationId}
                  type="checkbox"
                  role="switch"
                  checked={optimising ?? hp.heat_pump.is_smart_optimization_active === true}
                  aria-checked={optimising ?? hp.heat_pump.is_smart_optimization_active === true}
                  disabled={busy || !mayAct}
                  onChange={(e) => toggleOptimisation(e.currentTarget.checked)}
                />
                Smart optimisation
              </label>
              {!mayAct ? null : heatPump.connection.state === 'reauthentication_required' ? (
                <button type="button" onClick={startReauthentication} disabled={busy}>
                  Start re-authentication
                </button>
              ) : heatPump.connection.state === 'disconnected' ? (
                <span class="muted">The connection cannot be repaired: open a new onboarding session.</span>
              ) : null}
            </div>
            <Settings read={hp} />
          </>
        )}
      </Await>
      {link && (
        <LinkToSend label="Re-authentication link" url={link.redirect_url} expires={link.expires_at} />
      )}
      {error && <ErrorNote error={error} />}
      <ReadingsPanel
        externalUserId={externalUserId}
        deviceId={heatPump.id}
        charts={CHARTS}
        fetchReadings={(query) =>
          api.GET('/users/{external_user_id}/heat-pumps/{heat_pump_id}/readings', { params: { path, query } })
        }
      />
      <Savings externalUserId={externalUserId} heatPumpId={heatPump.id} onboardedAt={onboardedAt} />
    </article>
  );
}

function Settings({ read }: { read: Schemas['HeatPumpRead'] }) {
  const heatPump = read.heat_pump;
  const rows: [string, string][] = [
    ['Optimisation level', heatPump.optimization_level ?? '—'],
    ['Mode', heatPump.current_mode ?? '—'],
    [
      'Power now',
      heatPump.current_power_consumption_w === null ? '—' : `${heatPump.current_power_consumption_w} W`,
    ],
    ['Indoor', temperature(heatPump.indoor_actual_temperature)],
    ['Indoor target', temperature(heatPump.indoor_target_temperature)],
    ['Outdoor', temperature(heatPump.outdoor_temperature)],
    [
      'Temperature limits',
      `${temperature(heatPump.minimum_temperature_limit)} – ${temperature(heatPump.maximum_temperature_limit)}`,
    ],
    ['Away mode', heatPump.is_away_mode_enabled ? 'on' : 'off'],
    ['Answer', `${read.source}${read.stale ? ' (stale)' : ''}, fetched ${formatTime(read.fetched_at)}`],
  ];
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

const temperature = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${value} °C`;

function Savings({
  externalUserId,
  heatPumpId,
  onboardedAt,
}: {
  externalUserId: string;
  heatPumpId: string;
  /** The customer's onboarding: the months before it are not the customer's. */
  onboardedAt: string | null;
}) {
  const { api, now } = useConsole();
  const [savings] = useLoad(
    () =>
      expectData(
        api.GET('/users/{external_user_id}/heat-pumps/{heat_pump_id}/savings', {
          params: {
            path: { external_user_id: externalUserId, heat_pump_id: heatPumpId },
            query: { ...savingsRange(now()), resolution: '1MONTH' },
          },
        }),
      ),
    [api, externalUserId, heatPumpId],
  );
  return (
    <Await loaded={savings}>
      {(s) => (
        <div class="table-wrap">
          <table class="savings">
            <caption>Savings per month</caption>
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col">Saved ({s.units.savings ?? '—'})</th>
                <th scope="col">Saved (%)</th>
                <th scope="col">Consumption ({s.units.consumption ?? '—'})</th>
              </tr>
            </thead>
            <tbody>
              {savingsRows(s.buckets, onboardedAt).length === 0 && (
                <tr>
                  <td colSpan={4}>No savings reported yet.</td>
                </tr>
              )}
              {savingsRows(s.buckets, onboardedAt).map((row) =>
                row.saved === null && row.consumption === null ? (
                  <tr key={row.month} class="missing">
                    <th scope="row">{row.month}</th>
                    <td colSpan={3}>no data</td>
                  </tr>
                ) : (
                  <tr key={row.month}>
                    <th scope="row">{row.month}</th>
                    <td>{row.saved?.toFixed(2) ?? 'no data'}</td>
                    <td>{row.percentage?.toFixed(1) ?? 'no data'}</td>
                    <td>{row.consumption?.toFixed(1) ?? 'no data'}</td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
    </Await>
  );
}
