import { useEffect, useState } from 'preact/hooks';
import { may, ROLES, type Role } from './auth/role';
import { DEV_ROLE_KEY } from './auth/session';
import { useConsole } from './context';
import { isSearchable } from './customer-search';
import { onZoneSetting, setZoneSetting, ZONE_SETTINGS, type ZoneSetting, zoneOf, zoneSetting } from './dates';
import { AuditPage } from './pages/audit';
import { CustomerPage } from './pages/customer';
import { DeviceChangesPage } from './pages/device-changes';
import { OverviewPage } from './pages/overview';
import { StatementPage } from './pages/statement';
import { TradingPage } from './pages/trading';
import { SearchPage, UsersPage } from './pages/users';
import { WebhooksPage } from './pages/webhooks';
import { href, parseRoute, type Route } from './router';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/**
 * The header's box: Enter opens the customer whose external id is exactly the text, or else the search page
 * with the text (which goes on as the operator types).
 */
function SearchForm() {
  const { api } = useConsole();
  const [query, setQuery] = useState('');
  const submit = async (event: Event) => {
    event.preventDefault();
    const q = query.trim();
    if (q === '') return;
    const exact =
      isSearchable(q) &&
      (await api.GET('/users', { params: { query: { q, limit: 5 } } })).data?.items.some(
        (item) => item.external_user_id === q,
      );
    location.hash = exact ? href.customer(q) : href.search(q);
  };
  return (
    <search>
      <form class="search" onSubmit={submit}>
        <label for="customer-search">Find a customer</label>
        <input
          id="customer-search"
          type="search"
          placeholder="External id, name or e-mail"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          autocomplete="off"
        />
        <button type="submit">Search</button>
      </form>
    </search>
  );
}

/** The console's one time zone (UTC, or the browser's): every page and chart follows it. */
function useZoneSetting(): ZoneSetting {
  const [setting, setSetting] = useState(zoneSetting);
  useEffect(() => onZoneSetting(setSetting), []);
  return setting;
}

function ZoneChoice({ setting }: { setting: ZoneSetting }) {
  return (
    <label class="zone-choice">
      Times in{' '}
      <select
        value={setting}
        onChange={(e) => setZoneSetting(e.currentTarget.value as ZoneSetting, localStorage)}
      >
        {ZONE_SETTINGS.map((s) => (
          <option key={s} value={s}>
            {s === 'UTC' ? 'UTC' : `this browser's zone (${zoneOf('browser')})`}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * Who is signed in. On the local stack the operator may sign in again as another role (the stack mints each),
 * to see what a viewer or a support agent is offered.
 */
function SignedInAs() {
  const { config, role, session } = useConsole();
  const switchRole = (next: Role) => {
    sessionStorage.setItem(DEV_ROLE_KEY, next);
    session.signOut();
    location.reload();
  };
  if (config.auth.mode !== 'dev') return <span class="muted role">Role: {role ?? 'none'}</span>;
  return (
    <label class="role">
      Signed in as
      <select value={role} onChange={(e) => switchRole(e.currentTarget.value as Role)}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
    </label>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'users':
      return <UsersPage filters={route.filters} />;
    case 'search':
      // Keyed: a search from the header starts afresh (the box's own typing only replaces the address).
      return <SearchPage key={route.query} query={route.query} />;
    case 'customer':
      return <CustomerPage externalUserId={route.externalUserId} />;
    case 'statement':
      return <StatementPage externalUserId={route.externalUserId} month={route.month} />;
    case 'device-changes':
      return (
        <DeviceChangesPage
          externalUserId={route.externalUserId}
          kind={route.kind}
          deviceId={route.deviceId}
        />
      );
    case 'webhooks':
      return (
        <WebhooksPage
          key={`${route.webhookId ?? ''}|${route.deliveryId ?? ''}`}
          {...(route.webhookId && route.deliveryId
            ? { open: { webhookId: route.webhookId, deliveryId: route.deliveryId } }
            : {})}
        />
      );
    case 'audit':
      return (
        <AuditPage
          key={`${route.actor ?? ''}|${route.action ?? ''}`}
          actor={route.actor}
          action={route.action}
        />
      );
    case 'trading':
      return <TradingPage zone={route.zone} day={route.day} />;
    case 'not-found':
      return (
        <section>
          <h1>Not found</h1>
          <p>
            No page at {route.path}. <a href={href.overview()}>Go to the overview</a>.
          </p>
        </section>
      );
  }
}

export function App() {
  const route = useRoute();
  const zone = useZoneSetting();
  const { config, session, role } = useConsole();
  const signOut = () => {
    session.signOut();
    location.hash = href.overview();
    location.reload();
  };
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top no-print">
        <div class="brand">
          Heat-pump programme <span class="muted">· {config.stage}</span>
        </div>
        <nav aria-label="Main">
          <a href={href.overview()} aria-current={route.page === 'overview' ? 'page' : undefined}>
            Overview
          </a>
          <a href={href.users()} aria-current={route.page === 'users' ? 'page' : undefined}>
            Customers
          </a>
          {may(role, 'admin') && (
            <a href={href.webhooks()} aria-current={route.page === 'webhooks' ? 'page' : undefined}>
              Webhooks
            </a>
          )}
          <a href={href.trading()} aria-current={route.page === 'trading' ? 'page' : undefined}>
            Trading
          </a>
          <a href={href.audit()} aria-current={route.page === 'audit' ? 'page' : undefined}>
            Audit
          </a>
        </nav>
        <SearchForm />
        <ZoneChoice setting={zone} />
        <SignedInAs />
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {/* Keyed by the zone: a new setting redraws every time and chart on the page. */}
        <Page key={zone} route={route} />
      </main>
    </>
  );
}
