import { type Api, expectData, type Schemas } from '../api/client';
import { Await, CONNECTION_LABELS, formatTime } from '../components/status';
import { useConsole } from '../context';
import { DEVICE_KIND_LABELS, DEVICE_KIND_NAMES, type DeviceKindName } from '../devices/kinds';
import { href } from '../router';
import { useLoad } from '../use-load';

/** Users read for the overview's figures; past it the figures say they cover only the first ones. */
export const OVERVIEW_USER_LIMIT = 5_000;
const PAGE = 200;
const PASSES_SHOWN = 10;

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

function Figure({ label, value, link }: { label: string; value: number; link: string }) {
  return (
    <li class="figure">
      <a href={link}>
        <span class="figure-value">{value.toLocaleString('en-GB')}</span>
        <span class="figure-label">{label}</span>
      </a>
    </li>
  );
}

/** Every kind: its devices, and how many in each connection state (a row per kind). */
function DevicesByKind({ devices }: { devices: FleetFigures['devices'] }) {
  return (
    <div class="table-wrap">
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
    </div>
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
      <h2>Sync passes</h2>
      <Await loaded={sync}>
        {(s) => (
          <>
            <p>
              Last pass completed: {formatTime(s.last_pass_completed_at)}
              {s.fleet_pass?.status === 'running' &&
                ` · a pass is running (${s.fleet_pass.shards_done}/${s.fleet_pass.shards} shards)`}
            </p>
            <div class="table-wrap">
              <table>
                <caption>Recent passes</caption>
                <thead>
                  <tr>
                    <th scope="col">Completed</th>
                    <th scope="col">Users</th>
                    {DEVICE_KIND_NAMES.map((kind) => (
                      <th key={kind} scope="col">
                        {DEVICE_KIND_LABELS[kind].many}
                      </th>
                    ))}
                    <th scope="col">Readings</th>
                    <th scope="col">Failures</th>
                    <th scope="col">Failed shards</th>
                  </tr>
                </thead>
                <tbody>
                  {s.passes.length === 0 && (
                    <tr>
                      <td colSpan={5 + DEVICE_KIND_NAMES.length}>No pass has completed yet.</td>
                    </tr>
                  )}
                  {s.passes.slice(0, PASSES_SHOWN).map((p) => (
                    <tr key={p.pass_id}>
                      <td>{formatTime(p.completed_at)}</td>
                      <td>{p.users}</td>
                      {DEVICE_KIND_NAMES.map((kind) => (
                        <td key={kind}>{p[DEVICE_KIND_LABELS[kind].figure]}</td>
                      ))}
                      <td>{p.readings_written}</td>
                      <td>
                        {p.failures > 0 ? <a href={href.users({ sync_failed: 'true' })}>{p.failures}</a> : 0}
                      </td>
                      <td>{p.failed_shards.length === 0 ? 'none' : p.failed_shards.join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Await>
    </section>
  );
}
