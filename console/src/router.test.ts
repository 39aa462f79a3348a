import { describe, expect, it } from 'vitest';
import { href, parseRoute } from './router';

describe('hash routes', () => {
  it('round-trips every page through its href', () => {
    expect(parseRoute(href.overview())).toEqual({ page: 'overview' });
    expect(parseRoute(href.users({ connection_state: 'connected' }))).toEqual({
      page: 'users',
      filters: { connection_state: 'connected' },
    });
    expect(parseRoute(href.users({ health: 'stale' }))).toEqual({
      page: 'users',
      filters: { health: 'stale' },
    });
    expect(parseRoute(href.customer('a/b c'))).toEqual({ page: 'customer', externalUserId: 'a/b c' });
    expect(parseRoute(href.statement('a/b c', '2026-03'))).toEqual({
      page: 'statement',
      externalUserId: 'a/b c',
      month: '2026-03',
    });
    expect(parseRoute(href.statement('a'))).toEqual({ page: 'statement', externalUserId: 'a' });
    expect(parseRoute('#/customers/a/statements/March')).toEqual({
      page: 'not-found',
      path: '/customers/a/statements/March',
    });
    expect(parseRoute(href.search('a+b@example.com'))).toEqual({ page: 'search', query: 'a+b@example.com' });
    expect(parseRoute(href.webhooks())).toEqual({ page: 'webhooks' });
  });

  it("opens an endpoint's attempt on the webhooks page (the timeline's link), and only with both ids", () => {
    const at = { webhookId: 'wh_0123456789abcdef01234567', deliveryId: 'MjAyNi0xMi0wOFQw_-Mw' };
    expect(parseRoute(href.webhooks(at))).toEqual({ page: 'webhooks', ...at });
    expect(parseRoute(`#/webhooks?webhook=${at.webhookId}`)).toEqual({ page: 'webhooks' });
  });

  it('keeps only the list filters the API knows, and names what it cannot route', () => {
    expect(parseRoute('#/users?sync_failed=true&evil=1')).toEqual({
      page: 'users',
      filters: { sync_failed: 'true' },
    });
    expect(parseRoute('#/customers/%E0%A4%A')).toEqual({ page: 'not-found', path: '/customers/%E0%A4%A' });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'not-found', path: '/nowhere' });
  });
});

describe('the trading route', () => {
  it('carries the zone and the delivery day, both optional', () => {
    expect(parseRoute(href.trading())).toEqual({ page: 'trading' });
    expect(parseRoute(href.trading({ zone: 'AT', day: '2026-10-25' }))).toEqual({
      page: 'trading',
      zone: 'AT',
      day: '2026-10-25',
    });
    expect(href.trading({ day: '2026-10-25' })).toBe('#/trading?day=2026-10-25');
  });
});

describe('the device changes route', () => {
  it('carries the customer, the kind as its API path segment, and the device, for every kind', () => {
    expect(href.deviceChanges('a/b c', 'electric_vehicle', 'ev-1')).toBe(
      '#/customers/a%2Fb%20c/electric-vehicles/ev-1/changes',
    );
    for (const kind of ['heat_pump', 'electric_vehicle', 'wallbox', 'inverter'] as const) {
      expect(parseRoute(href.deviceChanges('a/b c', kind, 'd-1'))).toEqual({
        page: 'device-changes',
        externalUserId: 'a/b c',
        kind,
        deviceId: 'd-1',
      });
    }
  });

  it('names a kind it does not know, or a device id it cannot decode, as not found', () => {
    expect(parseRoute('#/customers/a/toasters/d-1/changes')).toEqual({
      page: 'not-found',
      path: '/customers/a/toasters/d-1/changes',
    });
    expect(parseRoute('#/customers/a/wallboxes/%E0%A4%A/changes')).toEqual({
      page: 'not-found',
      path: '/customers/a/wallboxes/%E0%A4%A/changes',
    });
  });
});
