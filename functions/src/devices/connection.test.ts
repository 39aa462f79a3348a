/** The connection rules and the allow-listed view: each state, `since`, tolerance of odd shapes, no secret. */
import { describe, expect, it } from 'vitest';
import { deviceHealthView } from '../domain/devices/health';
import { heatPumpSchema, heatPumpView } from '../domain/devices/heat-pump-view';
import {
  actionNeededOf,
  connectionStateOf,
  observeConnection,
  observedSnapshot,
  pendingActionsOf,
} from '../domain/devices/rules';

const reauth = {
  code: 'reauthenticate',
  resolution_link: {
    url: 'https://p/api/partners/v2.0/cues/c1/resolve?secret=S3CRET',
    required_parameters: ['successUrl'],
  },
};
const T1 = '2026-01-01T10:00:00.000Z';
const T2 = '2026-01-01T10:15:00.000Z';

describe('connectionStateOf', () => {
  it('connected only when Podero says is_authenticated: true', () => {
    expect(connectionStateOf({ id: 'a', is_authenticated: true })).toBe('connected');
    expect(connectionStateOf({ id: 'a', is_authenticated: true, actions: [reauth] })).toBe('connected');
  });

  it('reauthentication_required when unauthenticated with a reauthenticate action', () => {
    expect(connectionStateOf({ id: 'a', is_authenticated: false, actions: [reauth] })).toBe(
      'reauthentication_required',
    );
    // A missing is_authenticated counts as its documented default, false.
    expect(connectionStateOf({ id: 'a', actions: [reauth] })).toBe('reauthentication_required');
  });

  it('disconnected when unauthenticated without one (other actions, odd shapes, none)', () => {
    expect(connectionStateOf({ id: 'a', is_authenticated: false })).toBe('disconnected');
    expect(connectionStateOf({ id: 'a', is_authenticated: null, actions: [{ code: 'information' }] })).toBe(
      'disconnected',
    );
    expect(connectionStateOf({ id: 'a', is_authenticated: 'yes', actions: 'reauthenticate' })).toBe(
      'disconnected',
    );
    expect(connectionStateOf({ id: 'a', is_authenticated: false, actions: [null, 3, { code: 7 }] })).toBe(
      'disconnected',
    );
  });
});

describe('pendingActionsOf and actionNeededOf', () => {
  it('keeps unknown codes and drops malformed entries; a link without a url is kept without it', () => {
    expect(
      pendingActionsOf({
        id: 'a',
        actions: [
          reauth,
          null,
          'reauthenticate',
          { code: 'firmware_update' },
          { code: '' },
          { nope: 1 },
          { code: 'information', resolution_link: { url: 4 } },
          { code: 'odd', resolution_link: null },
        ],
      }),
    ).toEqual([
      { code: 'reauthenticate', url: reauth.resolution_link.url },
      { code: 'firmware_update', url: null },
      { code: 'information', url: null },
      { code: 'odd', url: null },
    ]);
  });

  it("prefers Podero's action_needed, else whether any action is pending", () => {
    expect(actionNeededOf({ id: 'a', action_needed: false, actions: [reauth] })).toBe(false);
    expect(actionNeededOf({ id: 'a', action_needed: true, actions: [] })).toBe(true);
    expect(actionNeededOf({ id: 'a', actions: [reauth] })).toBe(true);
    expect(actionNeededOf({ id: 'a' })).toBe(false);
  });
});

describe('observeConnection', () => {
  const connected = { id: 'a', is_authenticated: true };
  const lost = { id: 'a', is_authenticated: false, actions: [reauth] };

  it('has no since on the first observation, keeps it while the state holds, restarts it on a change', () => {
    const first = observeConnection(null, connected, T1);
    expect(first).toEqual({ state: 'connected', since: null });
    expect(observeConnection(first, connected, T2)).toEqual({ state: 'connected', since: null });
    const changed = observeConnection(first, lost, T2);
    expect(changed).toEqual({ state: 'reauthentication_required', since: T2 });
    expect(observeConnection(changed, lost, '2026-01-02T00:00:00.000Z')).toEqual(changed);
    expect(observeConnection(changed, connected, '2026-01-03T00:00:00.000Z').since).toBe(
      '2026-01-03T00:00:00.000Z',
    );
  });
});

describe('observedSnapshot', () => {
  it("keeps the previous snapshot's last reading unless told otherwise, and observes the connection", () => {
    const previous = observedSnapshot('ext', { id: 'a', is_authenticated: true }, T1, undefined, T1);
    const next = observedSnapshot('ext', { id: 'a', is_authenticated: false }, T2, previous);
    expect(next.lastReadingStateAt).toBe(T1);
    expect(next.connection).toEqual({ state: 'disconnected', since: T2 });
    expect(observedSnapshot('ext', { id: 'a' }, T2, previous, null).lastReadingStateAt).toBeNull();
    expect(observedSnapshot('ext', { id: 'a' }, T2, undefined).lastReadingStateAt).toBeNull();
  });
});

describe('heatPumpView', () => {
  const podero = {
    id: 'hp-1',
    is_authenticated: false,
    action_needed: true,
    actions: [
      reauth,
      { code: 'information', resolution_link: { url: 'https://p/cues/c2/information/resolve?secret=OTHER' } },
    ],
    owner: { id: 'u', email: 'owner@example.com', first_name: 'A', last_name: 'B', external_id: 'x' },
    device_model: {
      device_type: { short_name: 'hp_atw', long_name: 'Heat Pump (Air-to-Water)' },
      manufacturer: 'Nibe',
      model: 'S2125-8',
      year: 2022,
      cloud_service: 'c1',
      cloud_service_signup_link: 'https://nibe.example/signup?ref=partner',
      cloud_service_instructions: 'Sign in',
    },
    optimization_level: 'Mid',
    current_power_consumption_w: 1200,
    outdoor_temperature: 'warm',
    comment: 'internal note',
    brand_new_field: { x: 1 },
  };

  it('is an allow-list: secrets, links, the owner and unknown fields never pass; odd types are left out', () => {
    const health = deviceHealthView(
      { device: podero, health: null, fetchedAt: T2 },
      'reauthentication_required',
      Date.parse(T2),
      { staleAfterSyncIntervals: 3, syncIntervalMs: 900_000 },
    );
    const view = heatPumpView(podero, { state: 'reauthentication_required', since: T2 }, health);
    const text = JSON.stringify(view);
    for (const hidden of [
      'S3CRET',
      'OTHER',
      'resolution_link',
      'owner@example.com',
      'signup',
      'internal note',
      'brand_new_field',
      'cloud_service',
    ]) {
      expect(text).not.toContain(hidden);
    }
    expect(view).not.toHaveProperty('outdoor_temperature');
    expect(view).toMatchObject({
      id: 'hp-1',
      is_authenticated: false,
      optimization_level: 'Mid',
      current_power_consumption_w: 1200,
      device_model: { manufacturer: 'Nibe', model: 'S2125-8', year: 2022 },
      actions: [{ code: 'reauthenticate' }, { code: 'information' }],
      connection: { state: 'reauthentication_required', action_needed: true, since: T2 },
    });
    // It satisfies the documented response schema (strict: nothing beyond it).
    expect(heatPumpSchema.safeParse(view).success).toBe(true);
  });

  it('drops a since observed for another state, and works for a shape with only an id', () => {
    expect(heatPumpView(podero, { state: 'connected', since: T1 }).connection.since).toBeNull();
    expect(heatPumpView({ id: 'x' }, null)).toEqual({
      id: 'x',
      actions: [],
      connection: { state: 'disconnected', action_needed: false, since: null },
    });
  });
});
