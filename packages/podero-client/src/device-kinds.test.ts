/**
 * The electric-vehicle, wallbox, inverter, general-device and charging-config resources against a fake
 * fetch: the documented method, path, query and body of every call; tolerant reads; strict requests; the
 * typed refusals (boost 409, charging-config 422); the sessions' pagination; secrets kept out of errors.
 */
import { describe, expect, it } from 'vitest';
import { createPoderoClient, type PoderoClient } from './client';
import {
  BoostRefusedError,
  InvalidChargingConfigError,
  PoderoConflictError,
  PoderoError,
  PoderoNotFoundError,
  PoderoRequestError,
  PoderoServerError,
  PoderoValidationError,
} from './errors';
import {
  createFakeFetch,
  ELECTRIC_VEHICLE_ID,
  type Handler,
  HEAT_PUMP_ID,
  INVERTER_ID,
  json,
  ORG_ID,
  SESSION_ID,
  USER_ID,
  WALLBOX_ID,
} from './test-support/fake-fetch';
import {
  chargePolicyExample,
  chargingSessionExample,
  claimTokenExample,
  inverterDataExample,
  referenceElectricVehicle,
  referenceInverter,
  referenceWallbox,
  statisticsExample,
} from './test-support/fixtures';
import { staticTokenProvider } from './token';

const API = '/api/partners/v2.0';
const USER = `${API}/org/${ORG_ID}/users/${USER_ID}`;
const EV = `${USER}/electric-vehicles/${ELECTRIC_VEHICLE_ID}`;
const WB = `${USER}/wallboxes/${WALLBOX_ID}`;
const INV = `${USER}/inverters/${INVERTER_ID}`;

function setup(handler: Handler) {
  const fake = createFakeFetch(handler);
  const client = createPoderoClient({
    baseUrl: 'https://podero.test',
    orgId: ORG_ID,
    tokenProvider: staticTokenProvider('token-abc'),
    fetch: fake.fetch,
    sleep: async () => undefined,
  });
  return { client, requests: fake.requests };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

interface EndpointCase {
  name: string;
  call: (client: PoderoClient) => Promise<unknown>;
  method: string;
  path: string;
  rawQuery?: string;
  body?: unknown;
  headers?: Record<string, string>;
  response: unknown;
  status?: number;
}

const authSessionAnswer = {
  authentication_url: 'https://connect.podero.test/?onboarding_session_id=s&signed=secret-sig',
  device_id: ELECTRIC_VEHICLE_ID,
  session_id: SESSION_ID,
};
const back = { success_url: 'https://partner.example/ok', cancel_url: 'https://partner.example/no' };

const cases: EndpointCase[] = [
  // Electric vehicles (E1–E12)
  {
    name: 'electricVehicles.list (E1)',
    call: (c) => c.electricVehicles.list(USER_ID),
    method: 'GET',
    path: `${USER}/electric-vehicles`,
    response: [referenceElectricVehicle],
  },
  {
    name: 'electricVehicles.create with no body (E2)',
    call: (c) => c.electricVehicles.create(USER_ID),
    method: 'POST',
    path: `${USER}/electric-vehicles`,
    response: referenceElectricVehicle,
  },
  {
    name: 'electricVehicles.get with includeDeleted (E3)',
    call: (c) => c.electricVehicles.get(USER_ID, ELECTRIC_VEHICLE_ID, { includeDeleted: true }),
    method: 'GET',
    path: EV,
    rawQuery: 'include_deleted=true',
    response: referenceElectricVehicle,
  },
  {
    name: 'electricVehicles.update (E4)',
    call: (c) =>
      c.electricVehicles.update(USER_ID, ELECTRIC_VEHICLE_ID, {
        is_charge_policy_enabled: true,
        charge_deadline_at: '07:00',
        minimum_charge_limit: 75,
      }),
    method: 'PUT',
    path: EV,
    body: { is_charge_policy_enabled: true, charge_deadline_at: '07:00', minimum_charge_limit: 75 },
    response: referenceElectricVehicle,
  },
  {
    name: 'electricVehicles.softDelete (PUT deleted_at)',
    call: (c) =>
      c.electricVehicles.softDelete(USER_ID, ELECTRIC_VEHICLE_ID, new Date('2024-02-01T00:00:00Z')),
    method: 'PUT',
    path: EV,
    body: { deleted_at: '2024-02-01T00:00:00.000Z' },
    response: referenceElectricVehicle,
  },
  {
    name: 'electricVehicles.authSession (E5)',
    call: (c) => c.electricVehicles.authSession(USER_ID, ELECTRIC_VEHICLE_ID, back),
    method: 'POST',
    path: `${EV}/auth_session`,
    body: back,
    response: authSessionAnswer,
  },
  {
    name: 'electricVehicles.boost (E6, 204)',
    call: (c) => c.electricVehicles.boost(USER_ID, ELECTRIC_VEHICLE_ID),
    method: 'POST',
    path: `${EV}/boost`,
    response: undefined,
    status: 204,
  },
  {
    name: 'electricVehicles.disarmBoost (E7, 204)',
    call: (c) => c.electricVehicles.disarmBoost(USER_ID, ELECTRIC_VEHICLE_ID),
    method: 'DELETE',
    path: `${EV}/boost`,
    response: undefined,
    status: 204,
  },
  {
    name: 'electricVehicles.chargePolicy.get (E8)',
    call: (c) => c.electricVehicles.chargePolicy.get(USER_ID, ELECTRIC_VEHICLE_ID),
    method: 'GET',
    path: `${EV}/charge-policy`,
    response: chargePolicyExample,
  },
  {
    name: 'electricVehicles.chargePolicy.put (E9)',
    call: (c) =>
      c.electricVehicles.chargePolicy.put(USER_ID, ELECTRIC_VEHICLE_ID, {
        sat: { charge_percentage: 60, charge_deadline: '10:00' },
        timezone: 'Europe/Vienna',
      }),
    method: 'PUT',
    path: `${EV}/charge-policy`,
    body: { sat: { charge_percentage: 60, charge_deadline: '10:00' }, timezone: 'Europe/Vienna' },
    response: chargePolicyExample,
  },
  {
    name: 'electricVehicles.sessions.list (E10) with paging',
    call: (c) =>
      c.electricVehicles.sessions.list(USER_ID, ELECTRIC_VEHICLE_ID, {
        from: '2024-01-01',
        to: new Date('2024-01-31T23:00:00Z'),
        limit: 20,
        offset: 40,
      }),
    method: 'GET',
    path: `${EV}/sessions`,
    rawQuery: 'from=2024-01-01&to=2024-01-31&limit=20&offset=40',
    response: { total: 41, items: [chargingSessionExample] },
  },
  {
    name: 'electricVehicles.sessions.current (E11)',
    call: (c) => c.electricVehicles.sessions.current(USER_ID, ELECTRIC_VEHICLE_ID),
    method: 'GET',
    path: `${EV}/sessions/current`,
    response: { session: chargingSessionExample },
  },
  {
    name: 'electricVehicles.savings (E12)',
    call: (c) =>
      c.electricVehicles.savings(USER_ID, ELECTRIC_VEHICLE_ID, {
        from: '2024-01-01T00:00:00Z',
        to: '2024-02-01',
        resolution: '1MONTH',
      }),
    method: 'GET',
    path: `${EV}/savings`,
    rawQuery: 'from=2024-01-01T00%3A00%3A00Z&to=2024-02-01&resolution=1MONTH',
    response: statisticsExample,
  },
  // Wallboxes (W1–W7, Appendix B)
  {
    name: 'wallboxes.list (W7 GET)',
    call: (c) => c.wallboxes.list(USER_ID),
    method: 'GET',
    path: `${USER}/wallboxes`,
    response: [referenceWallbox],
  },
  {
    name: 'wallboxes.create (W7 POST)',
    call: (c) => c.wallboxes.create(USER_ID, { is_smart_optimization_active: true }),
    method: 'POST',
    path: `${USER}/wallboxes`,
    body: { is_smart_optimization_active: true },
    response: referenceWallbox,
  },
  {
    name: 'wallboxes.get (W1)',
    call: (c) => c.wallboxes.get(USER_ID, WALLBOX_ID),
    method: 'GET',
    path: WB,
    response: referenceWallbox,
  },
  {
    name: 'wallboxes.update (W2)',
    call: (c) => c.wallboxes.update(USER_ID, WALLBOX_ID, { minimum_charge_limit: 80 }),
    method: 'PUT',
    path: WB,
    body: { minimum_charge_limit: 80 },
    response: referenceWallbox,
  },
  {
    name: 'wallboxes.authSession (W3) with no body',
    call: (c) => c.wallboxes.authSession(USER_ID, WALLBOX_ID),
    method: 'POST',
    path: `${WB}/auth_session`,
    body: {},
    response: { ...authSessionAnswer, device_id: WALLBOX_ID },
  },
  {
    name: 'wallboxes.boost (W4)',
    call: (c) => c.wallboxes.boost(USER_ID, WALLBOX_ID),
    method: 'POST',
    path: `${WB}/boost`,
    response: undefined,
    status: 204,
  },
  {
    name: 'wallboxes.cancelBoost (W5)',
    call: (c) => c.wallboxes.cancelBoost(USER_ID, WALLBOX_ID),
    method: 'DELETE',
    path: `${WB}/boost`,
    response: undefined,
    status: 204,
  },
  {
    name: 'wallboxes.claimToken (W6, 201)',
    call: (c) => c.wallboxes.claimToken(USER_ID),
    method: 'POST',
    path: `${USER}/wallboxes/claim-tokens`,
    response: claimTokenExample,
    status: 201,
  },
  {
    name: 'wallboxes.claimTokenStatus (Appendix B)',
    call: (c) => c.wallboxes.claimTokenStatus(SESSION_ID, claimTokenExample.token),
    method: 'GET',
    path: `${API}/device-onboarding/${SESSION_ID}/wallbox-claim-tokens/${claimTokenExample.token}/status`,
    response: {
      claimed: true,
      wallbox_id: WALLBOX_ID,
      manufacturer: 'Zaptec',
      model: 'Go',
      firmware_version: '2.1',
    },
  },
  // Inverters (I1–I7, Appendix B)
  {
    name: 'inverters.list (I1)',
    call: (c) => c.inverters.list(USER_ID),
    method: 'GET',
    path: `${USER}/inverters`,
    response: [referenceInverter],
  },
  {
    name: 'inverters.create (I2)',
    call: (c) =>
      c.inverters.create(USER_ID, {
        is_battery_connected: true,
        battery_capacity_kwh: 10,
        solar_power_rating_kw: 10.2,
      }),
    method: 'POST',
    path: `${USER}/inverters`,
    body: { is_battery_connected: true, battery_capacity_kwh: 10, solar_power_rating_kw: 10.2 },
    response: referenceInverter,
  },
  {
    name: 'inverters.get (I3)',
    call: (c) => c.inverters.get(USER_ID, INVERTER_ID),
    method: 'GET',
    path: INV,
    response: referenceInverter,
  },
  {
    name: 'inverters.update battery limits (I4)',
    call: (c) => c.inverters.update(USER_ID, INVERTER_ID, { min_battery_charge: 20, max_battery_charge: 90 }),
    method: 'PUT',
    path: INV,
    body: { min_battery_charge: 20, max_battery_charge: 90 },
    response: referenceInverter,
  },
  {
    name: 'inverters.authSession (I5)',
    call: (c) => c.inverters.authSession(USER_ID, INVERTER_ID, { success_url: back.success_url }),
    method: 'POST',
    path: `${INV}/auth_session`,
    body: { success_url: back.success_url },
    response: { ...authSessionAnswer, device_id: INVERTER_ID },
  },
  {
    name: 'inverters.data with keywords and fill-missing (I6)',
    call: (c) =>
      c.inverters.data(USER_ID, INVERTER_ID, {
        from_datetime: new Date('2021-01-01T00:00:00Z'),
        resolution: '1HOUR',
        keywords: ['solar_production_w', 'battery_charge_discharge_power_w'],
        fillMissing: true,
      }),
    method: 'GET',
    path: `${INV}/data`,
    rawQuery:
      'from_datetime=2021-01-01T00%3A00%3A00.000Z&resolution=1HOUR&keywords=solar_production_w,battery_charge_discharge_power_w',
    headers: { 'fill-missing': 'true' },
    response: inverterDataExample,
  },
  {
    name: 'inverters.schedules with parameters by name (I7)',
    call: (c) => c.inverters.schedules(USER_ID, INVERTER_ID, { from_datetime: '2024-01-01T00:00:00Z' }),
    method: 'GET',
    path: `${INV}/schedules`,
    rawQuery: 'from_datetime=2024-01-01T00%3A00%3A00Z',
    response: { schedules: [{ start: '2024-01-01T00:00:00Z', mode: 'charge_battery' }] },
  },
  {
    name: 'inverters.savings (Appendix B)',
    call: (c) =>
      c.inverters.savings(USER_ID, INVERTER_ID, { from: '2024-01-01T00:00:00Z', to: '2024-02-01' }),
    method: 'GET',
    path: `${INV}/savings`,
    rawQuery: 'from=2024-01-01T00%3A00%3A00Z&to=2024-02-01',
    response: statisticsExample,
  },
  // Heat-pump schedules (H9), the general update (D1), the charging configuration (CC1–CC2)
  {
    name: 'heatPumps.schedules as an array (H9)',
    call: (c) => c.heatPumps.schedules(USER_ID, HEAT_PUMP_ID),
    method: 'GET',
    path: `${USER}/heat-pumps/${HEAT_PUMP_ID}/schedules`,
    response: [{ from: '2024-01-01T00:00:00Z', to: '2024-01-01T06:00:00Z', mode: 'max' }],
  },
  {
    name: 'devices.update (D1 PATCH)',
    call: (c) => c.devices.update(USER_ID, WALLBOX_ID, { is_authenticated: false, comment: null }),
    method: 'PATCH',
    path: `${USER}/devices/${WALLBOX_ID}`,
    body: { is_authenticated: false, comment: null },
    response: { id: WALLBOX_ID, is_authenticated: false },
  },
  {
    name: 'chargingConfig.get (CC1)',
    call: (c) => c.chargingConfig.get(USER_ID),
    method: 'GET',
    path: `${USER}/charging-config`,
    response: { mode: 'spot' },
  },
  {
    name: 'chargingConfig.put (CC2)',
    call: (c) => c.chargingConfig.put(USER_ID, { mode: 'hems_and_spot' }),
    method: 'PUT',
    path: `${USER}/charging-config`,
    body: { mode: 'hems_and_spot' },
    response: { mode: 'hems_and_spot' },
  },
];

describe('device kinds: every endpoint', () => {
  it.each(cases)('$name sends the documented method, path, query and body', async (tc) => {
    // Prepare
    const { client, requests } = setup(() => json(tc.status ?? 200, tc.response));
    // Act
    const result = await tc.call(client);
    // Assess
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.method).toBe(tc.method);
    expect(request?.path).toBe(tc.path);
    expect(request?.rawQuery).toBe(tc.rawQuery ?? '');
    expect(request?.body).toEqual(tc.body);
    expect(request?.headers.get('authorization')).toBe('Bearer token-abc');
    expect(request?.headers.get('content-type')).toBe(tc.body === undefined ? null : 'application/json');
    for (const [name, value] of Object.entries(tc.headers ?? {}))
      expect(request?.headers.get(name)).toBe(value);
    if (tc.headers === undefined) expect(request?.headers.has('fill-missing')).toBe(false);
    if (tc.response === undefined) expect(result).toBeUndefined();
    else expect(result).toEqual(tc.response);
  });
});

describe('device kinds: tolerant reads', () => {
  it('keeps unknown fields and enum values it has never seen, on every kind', async () => {
    const future = { brand_new_field: { a: 1 }, connection_status: 'degraded' };
    const { client } = setup((request) => {
      if (request.path.endsWith('/electric-vehicles'))
        return json(200, [{ ...referenceElectricVehicle, ...future, boost_state: 'queued' }]);
      if (request.path.endsWith('/wallboxes'))
        return json(200, [{ ...referenceWallbox, ...future, mode: 'SUSPENDED', connection: 'flaky' }]);
      if (request.path.endsWith('/inverters')) return json(200, [{ ...referenceInverter, ...future }]);
      return json(200, {
        mode: 'intraday',
        hems_eligible: false,
        available_modes: [{ mode: 'hems', reason: 'no_inverter' }],
      });
    });
    const [ev] = await client.electricVehicles.list(USER_ID);
    const [wallbox] = await client.wallboxes.list(USER_ID);
    const [inverter] = await client.inverters.list(USER_ID);
    const config = await client.chargingConfig.get(USER_ID);
    expect(ev?.boost_state).toBe('queued');
    expect(ev?.connection_status).toBe('degraded');
    expect((ev as Record<string, unknown>).brand_new_field).toEqual({ a: 1 });
    expect(wallbox?.mode).toBe('SUSPENDED');
    expect(wallbox?.connection).toBe('flaky');
    expect((inverter as Record<string, unknown>).brand_new_field).toEqual({ a: 1 });
    expect(config.mode).toBe('intraday');
    expect((config as Record<string, unknown>).available_modes).toEqual([
      { mode: 'hems', reason: 'no_inverter' },
    ]);
  });

  it('reads a device with nothing but its id, and nulls where the documentation is unsure', async () => {
    const { client } = setup(() =>
      json(200, { id: INVERTER_ID, battery_charge_level_percent: null, device_model: null, owner: null }),
    );
    const inverter = await client.inverters.get(USER_ID, INVERTER_ID);
    expect(inverter.id).toBe(INVERTER_ID);
    expect(inverter.battery_charge_level_percent).toBeNull();
  });

  it('keeps the battery sign as Podero sends it (positive: discharging)', async () => {
    const { client } = setup(() =>
      json(200, { ...referenceInverter, battery_charge_discharge_power_w: -2500 }),
    );
    const inverter = await client.inverters.get(USER_ID, INVERTER_ID);
    expect(inverter.battery_charge_discharge_power_w).toBe(-2500);
  });

  it('accepts a current-session answer without a session, and a session outcome not seen yet', async () => {
    const { client } = setup((request) =>
      request.path.endsWith('/current')
        ? json(200, { session: null })
        : json(200, { total: 1, items: [{ ...chargingSessionExample, session_outcome: 'charger_fault' }] }),
    );
    expect((await client.electricVehicles.sessions.current(USER_ID, ELECTRIC_VEHICLE_ID)).session).toBeNull();
    const page = await client.electricVehicles.sessions.list(USER_ID, ELECTRIC_VEHICLE_ID, {
      from: '2024-01-01',
      to: '2024-01-31',
    });
    expect(page.items[0]?.session_outcome).toBe('charger_fault');
  });

  it('still refuses a session page without its envelope (a list where {total, items} was documented)', async () => {
    const { client } = setup(() => json(200, [chargingSessionExample]));
    const error = await failure(
      client.electricVehicles.sessions.list(USER_ID, ELECTRIC_VEHICLE_ID, {
        from: '2024-01-01',
        to: '2024-01-31',
      }),
    );
    expect(error).toBeInstanceOf(PoderoError);
    expect((error as PoderoError).name).toBe('PoderoResponseShapeError');
  });

  it('returns D1 answers of any shape, an empty one included', async () => {
    const { client } = setup(() => new Response(null, { status: 200 }));
    await expect(
      client.devices.update(USER_ID, WALLBOX_ID, { is_smart_optimization_active: true }),
    ).resolves.toBeUndefined();
  });
});

describe('device kinds: pagination of charging sessions (E10, §4)', () => {
  it('walks every page with limit and offset until total is reached', async () => {
    const all = Array.from({ length: 5 }, (_, index) => ({
      ...chargingSessionExample,
      id: `session-${index}`,
    }));
    const { client, requests } = setup((request) => {
      const offset = Number(request.query.offset);
      const limit = Number(request.query.limit);
      return json(200, { total: all.length, items: all.slice(offset, offset + limit) });
    });
    const sessions = await client.electricVehicles.sessions.all(USER_ID, ELECTRIC_VEHICLE_ID, {
      from: new Date('2024-01-01T12:00:00Z'),
      to: '2024-01-31',
      pageSize: 2,
    });
    expect(sessions.map((session) => session.id)).toEqual(all.map((session) => session.id));
    expect(requests.map((request) => request.rawQuery)).toEqual([
      'from=2024-01-01&to=2024-01-31&limit=2&offset=0',
      'from=2024-01-01&to=2024-01-31&limit=2&offset=2',
      'from=2024-01-01&to=2024-01-31&limit=2&offset=4',
    ]);
  });

  it('stops at an empty page even when total promises more', async () => {
    const { client, requests } = setup((request) =>
      json(200, { total: 10, items: request.query.offset === '0' ? [chargingSessionExample] : [] }),
    );
    const sessions = await client.electricVehicles.sessions.all(USER_ID, ELECTRIC_VEHICLE_ID, {
      from: '2024-01-01',
      to: '2024-01-31',
    });
    expect(sessions).toHaveLength(1);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.query.limit).toBe('200');
  });
});

describe('device kinds: request validation (nothing is sent)', () => {
  const invalid: { name: string; call: (c: PoderoClient) => Promise<unknown>; field: string }[] = [
    {
      name: 'sessions without from',
      call: (c) =>
        c.electricVehicles.sessions.list(USER_ID, ELECTRIC_VEHICLE_ID, { to: '2024-01-31' } as never),
      field: 'query.from',
    },
    {
      name: 'sessions with a datetime where a day is documented',
      call: (c) =>
        c.electricVehicles.sessions.list(USER_ID, ELECTRIC_VEHICLE_ID, {
          from: '2024-01-01T00:00:00Z',
          to: '2024-01-31',
        }),
      field: 'query.from',
    },
    {
      name: 'a session page over 200',
      call: (c) =>
        c.electricVehicles.sessions.list(USER_ID, ELECTRIC_VEHICLE_ID, {
          from: '2024-01-01',
          to: '2024-01-31',
          limit: 201,
        }),
      field: 'query.limit',
    },
    {
      name: 'a negative offset',
      call: (c) =>
        c.electricVehicles.sessions.list(USER_ID, ELECTRIC_VEHICLE_ID, {
          from: '2024-01-01',
          to: '2024-01-31',
          offset: -1,
        }),
      field: 'query.offset',
    },
    {
      name: 'a charge deadline that is not HH:MM',
      call: (c) => c.electricVehicles.update(USER_ID, ELECTRIC_VEHICLE_ID, { charge_deadline_at: '7am' }),
      field: 'body.charge_deadline_at',
    },
    {
      name: 'a minimum charge limit over 100',
      call: (c) => c.electricVehicles.update(USER_ID, ELECTRIC_VEHICLE_ID, { minimum_charge_limit: 120 }),
      field: 'body.minimum_charge_limit',
    },
    {
      name: 'a read-only EV field (battery_level)',
      call: (c) => c.electricVehicles.update(USER_ID, ELECTRIC_VEHICLE_ID, { battery_level: 50 } as never),
      field: 'body',
    },
    {
      name: 'a charge-policy day with a percentage over 100',
      call: (c) =>
        c.electricVehicles.chargePolicy.put(USER_ID, ELECTRIC_VEHICLE_ID, {
          mon: { charge_percentage: 101, charge_deadline: '07:00' },
        }),
      field: 'body.mon.charge_percentage',
    },
    {
      name: 'a charge-policy day that is not a weekday',
      call: (c) => c.electricVehicles.chargePolicy.put(USER_ID, ELECTRIC_VEHICLE_ID, { monday: {} } as never),
      field: 'body',
    },
    {
      name: 'an auth-session return URL that is not http(s)',
      call: (c) => c.wallboxes.authSession(USER_ID, WALLBOX_ID, { success_url: 'javascript:alert(1)' }),
      field: 'body.success_url',
    },
    {
      name: 'a battery minimum above its maximum',
      call: (c) =>
        c.inverters.update(USER_ID, INVERTER_ID, { min_battery_charge: 95, max_battery_charge: 90 }),
      field: 'body.min_battery_charge',
    },
    {
      name: 'a negative battery capacity',
      call: (c) => c.inverters.update(USER_ID, INVERTER_ID, { battery_capacity_kwh: -1 }),
      field: 'body.battery_capacity_kwh',
    },
    {
      name: 'an inverter data keyword of a heat pump',
      call: (c) =>
        c.inverters.data(USER_ID, INVERTER_ID, { keywords: ['inlet_temp_act' as 'solar_production_w'] }),
      field: 'query.keywords',
    },
    {
      name: 'a schedules parameter name that is not lower-case',
      call: (c) => c.inverters.schedules(USER_ID, INVERTER_ID, { 'from&x': '1' }),
      field: 'query',
    },
    {
      name: 'a charging mode not in the enum',
      call: (c) => c.chargingConfig.put(USER_ID, { mode: 'solar' as 'hems' }),
      field: 'body.mode',
    },
    {
      name: 'an undocumented charging-config field',
      call: (c) => c.chargingConfig.put(USER_ID, { mode: 'hems', hems_start_threshold_w: 1000 } as never),
      field: 'body',
    },
    {
      name: 'a D1 field that is not boolean',
      call: (c) => c.devices.update(USER_ID, WALLBOX_ID, { is_authenticated: 'yes' as never }),
      field: 'body.is_authenticated',
    },
    // Path injection: an id must be a uuid, a token never a dot segment.
    {
      name: 'an EV id that climbs up',
      call: (c) => c.electricVehicles.get(USER_ID, '..'),
      field: 'electricVehicleId',
    },
    { name: 'a wallbox id with a slash', call: (c) => c.wallboxes.boost(USER_ID, 'a/b'), field: 'wallboxId' },
    {
      name: 'an inverter id of another shape',
      call: (c) => c.inverters.data(USER_ID, 'inv-1'),
      field: 'inverterId',
    },
    {
      name: 'a device id that is not a uuid (D1)',
      call: (c) => c.devices.update(USER_ID, 'x', {}),
      field: 'deviceId',
    },
    {
      name: 'a claim token that is a dot segment',
      call: (c) => c.wallboxes.claimTokenStatus(SESSION_ID, '%2e%2e'),
      field: 'token',
    },
    {
      name: 'a claim-token status without a session uuid',
      call: (c) => c.wallboxes.claimTokenStatus('session', 'tok'),
      field: 'onboardingSessionId',
    },
    {
      name: 'a charging config of a user id that is not a uuid',
      call: (c) => c.chargingConfig.get('u1'),
      field: 'userId',
    },
  ];

  it.each(invalid)('rejects $name with PoderoRequestError naming $field', async ({ call, field }) => {
    const { client, requests } = setup(() => json(200, {}));
    const error = await failure(call(client));
    expect(error).toBeInstanceOf(PoderoRequestError);
    const issues = (error as PoderoRequestError).issues;
    expect(issues.some((issue) => issue.path === field || issue.path.startsWith(`${field}.`))).toBe(true);
    expect(requests).toHaveLength(0);
  });

  it('encodes a claim token as one path segment', async () => {
    const { client, requests } = setup(() => json(200, { claimed: false }));
    await client.wallboxes.claimTokenStatus(SESSION_ID, 'a/b?c#d');
    expect(requests[0]?.path).toBe(
      `${API}/device-onboarding/${SESSION_ID}/wallbox-claim-tokens/a%2Fb%3Fc%23d/status`,
    );
    expect(requests[0]?.rawQuery).toBe('');
  });
});

describe('device kinds: typed refusals', () => {
  it.each([
    ['already_charging', 'ongoing'],
    ['fully_charged', 'available'],
    ['no_active_session', 'unavailable'],
    ['internal_error', 'requested'],
    ['battery_too_cold', 'available'],
  ])('turns an EV boost 409 with reason %s into a BoostRefusedError', async (reason, state) => {
    const { client } = setup(() => json(409, { state, reason }));
    const error = await failure(client.electricVehicles.boost(USER_ID, ELECTRIC_VEHICLE_ID));
    expect(error).toBeInstanceOf(BoostRefusedError);
    expect(error).toBeInstanceOf(PoderoConflictError);
    expect(error).toMatchObject({ reason, state, status: 409, method: 'POST', path: `${EV}/boost` });
    expect((error as Error).message).toContain(reason);
  });

  it('reads the reason inside an object detail too, and keeps a 409 without one as a BoostRefusedError', async () => {
    const { client } = setup((request) =>
      request.path.startsWith(WB)
        ? json(409, { detail: { state: 'ongoing', reason: 'already_charging' } })
        : json(409, { detail: 'Conflict' }),
    );
    const wallbox = await failure(client.wallboxes.boost(USER_ID, WALLBOX_ID));
    expect(wallbox).toBeInstanceOf(BoostRefusedError);
    expect(wallbox).toMatchObject({ reason: 'already_charging', state: 'ongoing' });
    const ev = await failure(client.electricVehicles.boost(USER_ID, ELECTRIC_VEHICLE_ID));
    expect(ev).toBeInstanceOf(BoostRefusedError);
    expect((ev as BoostRefusedError).reason).toBeUndefined();
    expect((ev as BoostRefusedError).detail).toBe('Conflict');
  });

  it('leaves other boost failures as they were (404, 500)', async () => {
    const { client } = setup((request) =>
      request.path.startsWith(EV) ? json(404, { detail: 'Not Found' }) : json(500, { detail: 'boom' }),
    );
    const missing = await failure(client.electricVehicles.boost(USER_ID, ELECTRIC_VEHICLE_ID));
    expect(missing).toBeInstanceOf(PoderoNotFoundError);
    const broken = await failure(client.wallboxes.boost(USER_ID, WALLBOX_ID));
    expect(broken).toBeInstanceOf(PoderoServerError);
    expect(broken).not.toBeInstanceOf(BoostRefusedError);
  });

  it('turns a charging-config 422 into an InvalidChargingConfigError naming the field', async () => {
    const { client } = setup(() =>
      json(422, { detail: [{ type: 'value_error', loc: ['body', 'mode'], msg: 'hems needs an inverter' }] }),
    );
    const error = await failure(client.chargingConfig.put(USER_ID, { mode: 'hems' }));
    expect(error).toBeInstanceOf(InvalidChargingConfigError);
    expect(error).toBeInstanceOf(PoderoValidationError);
    expect((error as InvalidChargingConfigError).fields).toEqual(['mode']);
    expect((error as Error).message).toContain('body.mode: hems needs an inverter');
  });

  it('names the field of a 422 body of another shape ({field}), and none when there is none', async () => {
    const { client } = setup((request) =>
      request.body && (request.body as { mode: string }).mode === 'hems'
        ? json(422, { field: 'mode', reason: 'no_inverter' })
        : json(422, { detail: 'Unprocessable' }),
    );
    const named = await failure(client.chargingConfig.put(USER_ID, { mode: 'hems' }));
    expect((named as InvalidChargingConfigError).fields).toEqual(['mode']);
    const unnamed = await failure(client.chargingConfig.put(USER_ID, { mode: 'spot' }));
    expect(unnamed).toBeInstanceOf(InvalidChargingConfigError);
    expect((unnamed as InvalidChargingConfigError).fields).toEqual([]);
  });
});

describe('device kinds: secrets stay out of errors', () => {
  it('names {token} instead of the claim token in an error and in metrics', async () => {
    const observed: string[] = [];
    const fake = createFakeFetch(() => json(404, { detail: `no token ${claimTokenExample.token}` }));
    const client = createPoderoClient({
      baseUrl: 'https://podero.test',
      orgId: ORG_ID,
      tokenProvider: staticTokenProvider('token-abc'),
      fetch: fake.fetch,
      observe: (observation) => observed.push(observation.path),
    });
    const error = await failure(client.wallboxes.claimTokenStatus(SESSION_ID, claimTokenExample.token));
    expect(error).toBeInstanceOf(PoderoNotFoundError);
    const seen = JSON.stringify({ message: (error as Error).message, ...(error as object) });
    expect((error as PoderoError).path).toBe(
      `${API}/device-onboarding/${SESSION_ID}/wallbox-claim-tokens/{token}/status`,
    );
    expect(observed).toEqual([(error as PoderoError).path]);
    // Neither the path, nor the body, nor Podero's detail echoing the token carries it.
    expect((error as PoderoError).body).toBeUndefined();
    expect((error as PoderoError).detail).toBe('no token [redacted]');
    expect(seen).not.toContain(claimTokenExample.token);
  });

  it('keeps a claim-token answer that fails its shape out of the error', async () => {
    const { client } = setup(() => json(201, { token: 42, wss_url: 'wss://x' }));
    const error = await failure(client.wallboxes.claimToken(USER_ID));
    expect((error as PoderoError).name).toBe('PoderoResponseShapeError');
    expect(JSON.stringify({ m: (error as Error).message, ...(error as object) })).not.toContain('wss://x');
  });

  it('leaves an auth-session error body out of the error', async () => {
    const { client } = setup(() =>
      json(400, { authentication_url: authSessionAnswer.authentication_url, detail: 'bad' }),
    );
    const error = await failure(client.inverters.authSession(USER_ID, INVERTER_ID));
    expect(error).toBeInstanceOf(PoderoValidationError);
    expect((error as PoderoError).body).toBeUndefined();
    expect(JSON.stringify({ m: (error as Error).message, ...(error as object) })).not.toContain('secret-sig');
  });
});
