import { DEVICE_KIND_LABELS, type DeviceKindName, kindOfPath } from './devices/kinds';

/**
 * Hash routes (`#/customers/demo-1`), so one `index.html` serves every route from S3 and from the local
 * stack without server rewrites, and a reload keeps the page.
 */
export type Route =
  | { page: 'overview' }
  | { page: 'users'; filters: Record<string, string> }
  | { page: 'customer'; externalUserId: string }
  /** A customer's printable monthly statement; without a month the page shows the newest. */
  | { page: 'statement'; externalUserId: string; month?: string }
  /** One device's tracked changes, newest first; the kind is its API path segment in the address. */
  | { page: 'device-changes'; externalUserId: string; kind: DeviceKindName; deviceId: string }
  | { page: 'search'; query: string }
  /** The webhooks page; with an endpoint and one of its attempts, that attempt's detail open (the timeline links it). */
  | { page: 'webhooks'; webhookId?: string; deliveryId?: string }
  /** The organisation's audit trail, optionally one actor's or one action's. */
  | { page: 'audit'; actor?: string; action?: string }
  /** The day-ahead trading page; without a zone or day the page picks its defaults. */
  | { page: 'trading'; zone?: string; day?: string }
  | { page: 'not-found'; path: string };

const USER_FILTERS = ['connection_state', 'sync_failed', 'optimization', 'health'] as const;

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(search);
  if (path === '' || path === '/') return { page: 'overview' };
  if (path === '/users') {
    const filters: Record<string, string> = {};
    for (const name of USER_FILTERS) {
      const value = params.get(name);
      if (value !== null) filters[name] = value;
    }
    return { page: 'users', filters };
  }
  if (path === '/search') return { page: 'search', query: params.get('q') ?? '' };
  if (path === '/webhooks') {
    const webhookId = params.get('webhook');
    const deliveryId = params.get('delivery');
    return webhookId && deliveryId ? { page: 'webhooks', webhookId, deliveryId } : { page: 'webhooks' };
  }
  if (path === '/audit') {
    const actor = params.get('actor');
    const action = params.get('action');
    return { page: 'audit', ...(actor ? { actor } : {}), ...(action ? { action } : {}) };
  }
  if (path === '/trading') {
    const zone = params.get('zone');
    const day = params.get('day');
    return { page: 'trading', ...(zone ? { zone } : {}), ...(day ? { day } : {}) };
  }
  const statement = /^\/customers\/([^/]+)\/statements(?:\/(\d{4}-\d{2}))?$/.exec(path);
  if (statement?.[1] !== undefined) {
    try {
      const externalUserId = decodeURIComponent(statement[1]);
      return { page: 'statement', externalUserId, ...(statement[2] ? { month: statement[2] } : {}) };
    } catch {
      return { page: 'not-found', path };
    }
  }
  const changes = /^\/customers\/([^/]+)\/([a-z-]+)\/([^/]+)\/changes$/.exec(path);
  const changesKind = kindOfPath(changes?.[2] ?? '');
  if (changes?.[1] !== undefined && changes[3] !== undefined && changesKind !== undefined) {
    try {
      const externalUserId = decodeURIComponent(changes[1]);
      const deviceId = decodeURIComponent(changes[3]);
      return { page: 'device-changes', externalUserId, kind: changesKind, deviceId };
    } catch {
      return { page: 'not-found', path };
    }
  }
  const customer = /^\/customers\/([^/]+)$/.exec(path);
  if (customer?.[1] !== undefined) {
    try {
      return { page: 'customer', externalUserId: decodeURIComponent(customer[1]) };
    } catch {
      return { page: 'not-found', path };
    }
  }
  return { page: 'not-found', path };
}

export const href = {
  overview: () => '#/',
  users: (filters: Record<string, string> = {}) => {
    const search = new URLSearchParams(filters).toString();
    return search === '' ? '#/users' : `#/users?${search}`;
  },
  customer: (externalUserId: string) => `#/customers/${encodeURIComponent(externalUserId)}`,
  statement: (externalUserId: string, month?: string) =>
    `#/customers/${encodeURIComponent(externalUserId)}/statements${month ? `/${month}` : ''}`,
  deviceChanges: (externalUserId: string, kind: DeviceKindName, deviceId: string) =>
    `#/customers/${encodeURIComponent(externalUserId)}/${DEVICE_KIND_LABELS[kind].path}/${encodeURIComponent(deviceId)}/changes`,
  search: (query: string) => `#/search?${new URLSearchParams({ q: query })}`,
  webhooks: (at?: { webhookId: string; deliveryId: string }) =>
    at === undefined
      ? '#/webhooks'
      : `#/webhooks?${new URLSearchParams({ webhook: at.webhookId, delivery: at.deliveryId })}`,
  audit: (filters: { actor?: string; action?: string } = {}) => {
    const search = new URLSearchParams(
      Object.entries(filters).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ).toString();
    return search === '' ? '#/audit' : `#/audit?${search}`;
  },
  trading: (at: { zone?: string; day?: string } = {}) => {
    const search = new URLSearchParams(
      Object.entries(at).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ).toString();
    return search === '' ? '#/trading' : `#/trading?${search}`;
  },
};
