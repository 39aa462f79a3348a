import { type Api, expectData, type Schemas } from '../api/client';
import { Await, CONNECTION_LABELS, formatTime } from '../components/status';
import { TableWrap } from '../components/table-wrap';
import { TimeSeriesChart } from '../components/time-series-chart';
import { useConsole } from '../context';
import { DEVICE_KIND_LABELS, DEVICE_KIND_NAMES, type DeviceKindName } from '../devices/kinds';
import {
  formatDuration,
  summarisePasses,
  TREND_CHARTS,
  TREND_DAYS,
  type TrendName,
  trendPlots,
} from '../fleet-trends';
import { href } from '../router';
import { useLoad } from '../use-load';

/** Users read for the overview's figures; past it the figures say they cover only the first ones. */
export const OVERVIEW_USER_LIMIT = 5_000;
const PAGE = 200;
/** Passes with problems listed under the summary (the rest are in its figures). */
const PROBLEM_PASSES_SHOWN = 5;

type ConnectionCounts = Record<keyof typeof CONNECTION_LABELS, number>;

export interface FleetFigures {
  users: number;
  heatPumps: number;
  /** The heat pumps' (the figures from before every kind was counted). */
  connection: ConnectionCounts;
  /** Every kind's devices, and how many in each connection state. */
  devices: Record<DeviceKindName, { count: number; connection: ConnectionCounts }>;
  optimization: { on: number; off: number; unknown: number };
  usersWithSyncFailure: number;
  /** More users exist than were read. */
  partial: boolean;
}

const noConnections = (): ConnectionCounts => ({
  connected: 0,
  reauthentication_required: 0,
  disconnected: 0,
});
const CONNECTION_STATES = Object.keys(CONNECTION_LABELS) as (keyof ConnectionCounts)[];

export function addUp(items: readonly Schemas['UserListItem'][], partial: boolean): FleetFigures {
  const figures: FleetFigures = {
    users: 0,
    heatPumps: 0,
    connection: noConnections(),
    devices: Object.fromEntries(
      DEVICE_KIND_NAMES.map((kind) => [kind, { count: 0, connection: noConnections() }]),
    ) as FleetFigures['devices'],
    optimization: { on: 0, off: 0, unknown: 0 },
    usersWithSyncFailure: 0,
    partial,
  };
  for (const item of items) {
    figures.users++;
    figures.heatPumps += item.heat_pumps;
    for (const state of CONNECTION_STATES) figures.connection[state] += item.connection[state];
    for (const kind of DEVICE_KIND_NAMES) {
      const sum = figures.devices[kind];
      sum.count += item.devices[kind].count;
      for (const state of CONNECTION_STATES) sum.connection[state] += item.devices[kind].connection[state];
    }
    figures.optimization.on += item.optimization.on;
    figures.optimization.off += item.optimization.off;
    figures.optimization.unknown += item.optimization.unknown;
    if (item.sync_failure !== null) figures.usersWithSyncFailure++;
  }
  return figures;
}

async function fleetFigures(api: Api): Promise<FleetFigures> {
  const items: Schemas['UserListItem'][] = [];
  let cursor: string | undefined;
  do {
    const page = await expectData(
      api.GET('/users', { params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } } }),
    );
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined && items.length < OVERVIEW_USER_LIMIT);
  return addUp(items, cursor !== undefined);
}

/**
 * A count that links to its list. A problem (`problem`) that is not zero stands out: coloured, marked,
 * and saying "needs attention" to a screen reader too, since colour alone says nothing.
 */
function Figure({
  label,
  value,
  link,
  problem = false,
}: {
  label: string;
  value: number;
  link: string;
  problem?: boolean;
}) {
  const attention = problem && value > 0;
  return (
    <li
      class={attention ? 'figure figure-attention' : 'figure'}
      data-attention={attention ? 'true' : undefined}
    >
      <a href={link}>
        <span class="figure-value">
          {attention && <span aria-hidden="true">⚠ </span>}
          {value.toLocaleString('en-GB')}
        </span>
        <span class="figure-label">
          {label}
          {attention && <span class="visually-hidden"> (needs attention)</span>}
        </span>
      </a>
    </li>
  );
}

/** The connection states that are problems: a device the bridge cannot steer. */
const PROBLEM_STATES = new Set<keyof ConnectionCounts>(['reauthentication_required', 'disconnected']);

/** The fleet's figures per day over the last TREND_DAYS days, each in its chart. */
function Trends() {
  const { api } = useConsole();
  const [days] = useLoad(
    () => expectData(api.GET('/fleet/days', { params: { query: { days: TREND_DAYS } } })),
    [api],
  );
  return (
    <section aria-labelledby="trends-title">
      <h2 id="trends-title">Trends over {TREND_DAYS} days</h2>
      <Await loaded={days}>
        {(answer) => {
          const plots = trendPlots(answer);
          return (
            <div class="trends">
              {(Object.keys(TREND_CHARTS) as TrendName[]).map((name) => (
                <TimeSeriesChart
                  key={name}
                  spec={TREND_CHARTS[name]}
                  data={plots[name]}
                  label={`${TREND_DAYS} days, per day`}
                  window={plots.window}
                />
              ))}
            </div>
          );
        }}
      </Await>
    </section>
  );
}

/** Every kind: its devices, and how many in each connection state (a row per kind). */
function DevicesByKind({ devices }: { devices: FleetFigures['devices'] }) {
  return (
    <TableWrap label="Devices by kind and connection">
      <table>
        <caption>Devices by kind and connection</caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Devices</th>
            {CONNECTION_STATES.map((state) => (
              <th key={state} scope="col">
                {CONNECTION_LABELS[state]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {DEVICE_KIND_NAMES.map((kind) => (
            <tr key={kind}>
              <th scope="row">{DEVICE_KIND_LABELS[kind].many}</th>
              <td>{devices[kind].count.toLocaleString('en-GB')}</td>
              {CONNECTION_STATES.map((state) => (
                <td key={state}>{devices[kind].connection[state].toLocaleString('en-GB')}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function OverviewPage() {
  const { api } = useConsole();
  const [fleet] = useLoad(() => fleetFigures(api), [api]);
  const [sync] = useLoad(() => expectData(api.GET('/sync/status')), [api]);
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Fleet overview</h1>
      <Await loaded={fleet}>
        {(f) => (
          <>
            {f.partial && (
              <p class="muted">Figures of the first {OVERVIEW_USER_LIMIT.toLocaleString('en-GB')} users.</p>
            )}
            <h2>Customers</h2>
            <ul class="figures" aria-label="Customers">
              <Figure label="Users" value={f.users} link={href.users()} />
              <Figure
                label="With a failing sync"
                value={f.usersWithSyncFailure}
                link={href.users({ sync_failed: 'true' })}
                problem
              />
            </ul>
            <h2>Heat pumps by connection</h2>
            <ul class="figures" aria-label="Heat pumps by connection">
              {(Object.keys(CONNECTION_LABELS) as (keyof typeof CONNECTION_LABELS)[]).map((state) => (
                <Figure
                  key={state}
                  label={CONNECTION_LABELS[state]}
                  value={f.connection[state]}
                  link={href.users({ connection_state: state })}
                  problem={PROBLEM_STATES.has(state)}
                />
              ))}
            </ul>
            <DevicesByKind devices={f.devices} />
            <h2>Optimisation</h2>
            <ul class="figures" aria-label="Optimisation">
              <Figure
                label="Optimisation on"
                value={f.optimization.on}
                link={href.users({ optimization: 'on' })}
              />
              <Figure
                label="Optimisation off"
                value={f.optimization.off}
                link={href.users({ optimization: 'off' })}
              />
            </ul>
          </>
        )}
      </Await>
      <Trends />
      <h2>Sync passes</h2>
      <Await loaded={sync}>{(s) => <PassesSummary status={s} />}</Await>
    </section>
  );
}

/** The recent passes summed up in a few figures; only the passes with failures are listed. */
function PassesSummary({ status }: { status: Schemas['SyncStatus'] }) {
  const summary = summarisePasses(status.passes);
  return (
    <>
      <p>
        Last pass completed: {formatTime(status.last_pass_completed_at)}
        {status.fleet_pass?.status === 'running' &&
          ` · a pass is running (${status.fleet_pass.shards_done}/${status.fleet_pass.shards} shards)`}
      </p>
      {summary.passes === 0 ? (
        <p>No pass has completed yet.</p>
      ) : (
        <dl class="facts pass-summary">
          <dt>Passes completed</dt>
          <dd>
            {summary.passes} since {formatTime(summary.since)}
          </dd>
          <dt>Duration</dt>
          <dd>
            median {formatDuration(summary.medianDurationMs)}, longest{' '}
            {formatDuration(summary.longestDurationMs)}
          </dd>
          <dt>Users per pass</dt>
          <dd>{summary.users ?? '—'}</dd>
          <dt>Failed user syncs</dt>
          <dd class={summary.failures > 0 ? 'attention' : undefined}>
            {summary.failures > 0 ? (
              <a href={href.users({ sync_failed: 'true' })}>{summary.failures} in these passes</a>
            ) : (
              'none'
            )}
          </dd>
        </dl>
      )}
      {summary.withProblems.length > 0 && (
        <TableWrap label="Passes with failures">
          <table>
            <caption>Passes with failures</caption>
            <thead>
              <tr>
                <th scope="col">Completed</th>
                <th scope="col">Users</th>
                {DEVICE_KIND_NAMES.map((kind) => (
                  <th key={kind} scope="col">
                    {DEVICE_KIND_LABELS[kind].many}
                  </th>
                ))}
                <th scope="col">Failures</th>
                <th scope="col">Failed shards</th>
              </tr>
            </thead>
            <tbody>
              {summary.withProblems.slice(0, PROBLEM_PASSES_SHOWN).map((p) => (
                <tr key={p.pass_id}>
                  <td>{formatTime(p.completed_at)}</td>
                  <td>{p.users}</td>
                  {DEVICE_KIND_NAMES.map((kind) => (
                    <td key={kind}>{p[DEVICE_KIND_LABELS[kind].figure]}</td>
                  ))}
                  <td>
                    {p.failures > 0 ? <a href={href.users({ sync_failed: 'true' })}>{p.failures}</a> : 0}
                  </td>
                  <td>{p.failed_shards.length === 0 ? 'none' : p.failed_shards.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
