import { type Api, expectData, type Schemas } from '../api/client';
import { Await, CONNECTION_LABELS, formatTime } from '../components/status';
import { useConsole } from '../context';
import { href } from '../router';
import { useLoad } from '../use-load';

/** Users read for the overview's figures; past it the figures say they cover only the first ones. */
export const OVERVIEW_USER_LIMIT = 5_000;
const PAGE = 200;
const PASSES_SHOWN = 10;

export interface FleetFigures {
  users: number;
  heatPumps: number;
  connection: Record<keyof typeof CONNECTION_LABELS, number>;
  optimization: { on: number; off: number; unknown: number };
  usersWithSyncFailure: number;
  /** More users exist than were read. */
  partial: boolean;
}

export function addUp(items: readonly Schemas['UserListItem'][], partial: boolean): FleetFigures {
  const figures: FleetFigures = {
    users: 0,
    heatPumps: 0,
    connection: { connected: 0, reauthentication_required: 0, disconnected: 0 },
    optimization: { on: 0, off: 0, unknown: 0 },
    usersWithSyncFailure: 0,
    partial,
  };
  for (const item of items) {
    figures.users++;
    figures.heatPumps += item.heat_pumps;
    for (const state of Object.keys(figures.connection) as (keyof FleetFigures['connection'])[])
      figures.connection[state] += item.connection[state];
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
                    <th scope="col">Heat pumps</th>
                    <th scope="col">Readings</th>
                    <th scope="col">Failures</th>
                    <th scope="col">Failed shards</th>
                  </tr>
                </thead>
                <tbody>
                  {s.passes.length === 0 && (
                    <tr>
                      <td colSpan={6}>No pass has completed yet.</td>
                    </tr>
                  )}
                  {s.passes.slice(0, PASSES_SHOWN).map((p) => (
                    <tr key={p.pass_id}>
                      <td>{formatTime(p.completed_at)}</td>
                      <td>{p.users}</td>
                      <td>{p.heat_pumps}</td>
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
