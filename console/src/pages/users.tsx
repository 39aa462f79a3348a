import type { paths } from '@podero-bridge/bridge-api-client';
import { useEffect, useState } from 'preact/hooks';
import { expectData, type Schemas } from '../api/client';
import { Await, CONNECTION_LABELS, formatTime } from '../components/status';
import { TableWrap } from '../components/table-wrap';
import { useConsole } from '../context';
import {
  appendPage,
  isSearchable,
  SEARCH_DEBOUNCE_MS,
  SEARCH_PAGE_LIMIT,
  type SearchResults,
} from '../customer-search';
import { href } from '../router';
import { useLoad } from '../use-load';

/** The filters come from the address bar unchecked: the API answers a bad one with a 400 the page shows. */
type UsersQuery = paths['/users']['get']['parameters']['query'];

const FILTER_LABELS: Record<string, Record<string, string>> = {
  connection_state: CONNECTION_LABELS,
  sync_failed: { true: 'With a failing sync', false: 'Syncing fine' },
  optimization: { on: 'Optimisation on', off: 'Optimisation off' },
  health: {
    stale: 'With a device not reporting',
    steering_error: 'With a steering error',
    not_steerable: 'With a device not steerable',
  },
};

/** The fleet's health filters, as links above the list (the API's `health` query). */
function HealthFilters({ current }: { current: string | undefined }) {
  return (
    <nav class="filters" aria-label="Health filters">
      {Object.entries(FILTER_LABELS.health ?? {}).map(([value, label]) =>
        value === current ? (
          <strong key={value}>{label}</strong>
        ) : (
          <a key={value} href={href.users({ health: value })} data-health-filter={value}>
            {label}
          </a>
        ),
      )}
    </nav>
  );
}

export function describeFilters(filters: Record<string, string>): string {
  const parts = Object.entries(filters).map(
    ([name, value]) => FILTER_LABELS[name]?.[value] ?? `${name}=${value}`,
  );
  return parts.length === 0 ? 'All users' : parts.join(', ');
}

export function UserTable({
  items,
  emptyText = 'No customers match.',
}: {
  items: readonly Schemas['UserListItem'][];
  emptyText?: string;
}) {
  return (
    <TableWrap label="Customers">
      <table>
        <thead>
          <tr>
            <th scope="col">Customer</th>
            <th scope="col">E-mail</th>
            <th scope="col">Heat pumps</th>
            <th scope="col">Connection</th>
            <th scope="col">Health</th>
            <th scope="col">Sync</th>
          </tr>
        </thead>
        <tbody>
          {items.length === 0 && (
            <tr>
              <td colSpan={6}>{emptyText}</td>
            </tr>
          )}
          {items.map((u) => (
            <tr key={u.external_user_id}>
              <td>
                <a href={href.customer(u.external_user_id)}>{u.external_user_id}</a>
                {(u.first_name || u.last_name) && (
                  <div class="muted">{[u.first_name, u.last_name].filter(Boolean).join(' ')}</div>
                )}
              </td>
              <td>{u.email}</td>
              <td>{u.heat_pumps}</td>
              <td>
                {(Object.keys(CONNECTION_LABELS) as (keyof typeof CONNECTION_LABELS)[])
                  .filter((state) => u.connection[state] > 0)
                  .map((state) => `${u.connection[state]} ${CONNECTION_LABELS[state].toLowerCase()}`)
                  .join(', ') || '—'}
              </td>
              <td>
                {[
                  u.health.stale > 0 && `${u.health.stale} not reporting`,
                  u.health.steering_error > 0 && `${u.health.steering_error} steering error`,
                  u.health.not_steerable > 0 && `${u.health.not_steerable} not steerable`,
                ]
                  .filter(Boolean)
                  .join(', ') || 'ok'}
              </td>
              <td>
                {u.sync_failure === null
                  ? 'ok'
                  : `failing since ${formatTime(u.sync_failure.first_failed_at)}: ${u.sync_failure.message}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function UsersPage({ filters }: { filters: Record<string, string> }) {
  const { api } = useConsole();
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const key = JSON.stringify(filters);
  const [page] = useLoad(
    () =>
      expectData(
        api.GET('/users', {
          params: { query: { ...(filters as UsersQuery), limit: 50, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [api, key, cursor],
  );
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Customers: {describeFilters(filters)}</h1>
      <search>
        <CustomerSearch />
      </search>
      <HealthFilters current={filters.health} />
      <Await loaded={page}>
        {(p) => (
          <>
            <UserTable items={p.items} />
            <nav class="pager" aria-label="Pages">
              {cursors.length > 0 && (
                <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
                  Previous page
                </button>
              )}
              {p.next_cursor !== null && (
                <button
                  type="button"
                  onClick={() => p.next_cursor && setCursors([...cursors, p.next_cursor])}
                >
                  Next page
                </button>
              )}
            </nav>
          </>
        )}
      </Await>
    </section>
  );
}

/**
 * The customer search: as the operator types, after a pause, one request to `GET /users?q=` (an index
 * lookup, whatever the number of customers); "More results" follows the cursor. Typing again starts over.
 */
export function CustomerSearch({
  initial = '',
  onQuery,
}: {
  initial?: string;
  onQuery?: (q: string) => void;
}) {
  const { api } = useConsole();
  const [text, setText] = useState(initial);
  const [query, setQuery] = useState(initial.trim());
  const [more, setMore] = useState<SearchResults | undefined>();
  useEffect(() => {
    const timer = setTimeout(() => {
      const q = text.trim();
      if (q === query) return;
      setQuery(q);
      setMore(undefined);
      onQuery?.(q);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, query]);
  const searchable = isSearchable(query);
  const [results] = useLoad<SearchResults | undefined>(
    async () =>
      searchable
        ? appendPage(
            more,
            await expectData(
              api.GET('/users', {
                params: {
                  query: {
                    q: query,
                    limit: SEARCH_PAGE_LIMIT,
                    ...(more?.nextCursor ? { cursor: more.nextCursor } : {}),
                  },
                },
              }),
            ),
          )
        : undefined,
    [api, query, searchable, more],
  );
  return (
    <div class="customer-search">
      <label for="customer-search-box">Search customers</label>
      <input
        id="customer-search-box"
        type="search"
        placeholder="Part of a name, e-mail address or external id"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        autocomplete="off"
        aria-describedby="customer-search-status"
      />
      <div id="customer-search-status">
        {query !== '' && !searchable && (
          <p class="muted" role="status">
            Type at least two letters or digits.
          </p>
        )}
        {searchable && (
          <Await loaded={results}>
            {(found) =>
              found && (
                <>
                  <p class="muted" role="status">
                    {found.items.length === 0
                      ? `No customer matches “${query}”.`
                      : `${found.items.length} customer${found.items.length === 1 ? '' : 's'} shown for “${query}”`}{' '}
                    ({found.read.toLocaleString('en-GB')} index entries read)
                  </p>
                  {found.items.length > 0 && <UserTable items={found.items} />}
                  {found.nextCursor !== null && (
                    <button type="button" onClick={() => setMore(found)}>
                      More results
                    </button>
                  )}
                </>
              )
            }
          </Await>
        )}
      </div>
    </div>
  );
}

export function SearchPage({ query }: { query: string }) {
  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Find a customer</h1>
      <CustomerSearch
        initial={query}
        // The address bar follows the box (replaced, not pushed: no history entry per pause in typing).
        onQuery={(q) => history.replaceState(null, '', href.search(q))}
      />
    </section>
  );
}
