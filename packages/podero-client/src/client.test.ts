import { describe, expect, it } from 'vitest';
import { createPoderoClient, type PoderoClient } from './client';
import { PoderoRequestError } from './errors';
import {
  BUILDING_ID,
  createFakeFetch,
  type Handler,
  HEAT_PUMP_ID,
  json,
  ORG_ID,
  SESSION_ID,
  USER_ID,
} from './test-support/fake-fetch';
import {
  appendixAHeatPumps,
  buildingExample,
  heatPumpDataExample,
  onboardingSessionExample,
  referenceHeatPump,
  referenceUser,
  statisticsExample,
} from './test-support/fixtures';
import { staticTokenProvider } from './token';

const API = '/api/partners/v2.0';
const ORG = `${API}/org/${ORG_ID}`;
const HP = `${ORG}/users/${USER_ID}/heat-pumps/${HEAT_PUMP_ID}`;

function setup(handler: Handler, baseUrl = 'https://podero.test') {
  const fake = createFakeFetch(handler);
  const client = createPoderoClient({
    baseUrl,
    orgId: ORG_ID,
    tokenProvider: staticTokenProvider('token-abc'),
    fetch: fake.fetch,
    sleep: async () => undefined,
  });
  return { client, requests: fake.requests };
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

const cases: EndpointCase[] = [
  {
    name: 'users.list',
    call: (c) => c.users.list(),
    method: 'GET',
    path: `${ORG}/users`,
    response: [referenceUser],
  },
  {
    name: 'users.get',
    call: (c) => c.users.get(USER_ID),
    method: 'GET',
    path: `${ORG}/users/${USER_ID}`,
    response: referenceUser,
  },
  {
    name: 'users.getByExternalId',
    call: (c) => c.users.getByExternalId('crm/42 ü'),
    method: 'GET',
    path: `${ORG}/users/by-ext-id/crm%2F42%20%C3%BC`,
    response: referenceUser,
  },
  {
    name: 'users.getByExternalId with includeDeleted',
    call: (c) => c.users.getByExternalId('crm-42', { includeDeleted: true }),
    method: 'GET',
    path: `${ORG}/users/by-ext-id/crm-42`,
    rawQuery: 'include_deleted=true',
    response: referenceUser,
  },
  {
    name: 'users.create',
    call: (c) => c.users.create({ role: 'user', email: 'user@example.com', external_user_id: 'crm-42' }),
    method: 'POST',
    path: `${ORG}/users`,
    body: { role: 'user', email: 'user@example.com', external_user_id: 'crm-42' },
    response: referenceUser,
  },
  {
    name: 'users.update',
    call: (c) => c.users.update(USER_ID, { external_user_id: '12345abc' }),
    method: 'PUT',
    path: `${ORG}/users/${USER_ID}`,
    body: { external_user_id: '12345abc' },
    response: referenceUser,
  },
  {
    name: 'users.delete',
    call: (c) => c.users.delete(USER_ID),
    method: 'DELETE',
    path: `${ORG}/users/${USER_ID}`,
    response: undefined,
    status: 204,
  },
  {
    name: 'buildings.list',
    call: (c) => c.buildings.list(USER_ID),
    method: 'GET',
    path: `${ORG}/users/${USER_ID}/buildings`,
    response: [buildingExample],
  },
  {
    name: 'buildings.get',
    call: (c) => c.buildings.get(USER_ID, BUILDING_ID),
    method: 'GET',
    path: `${ORG}/users/${USER_ID}/buildings/${BUILDING_ID}`,
    response: buildingExample,
  },
  {
    name: 'buildings.create',
    call: (c) => c.buildings.create(USER_ID, { name: 'Main House' }),
    method: 'POST',
    path: `${ORG}/users/${USER_ID}/buildings`,
    body: { name: 'Main House' },
    response: buildingExample,
  },
  {
    name: 'buildings.update',
    call: (c) => c.buildings.update(USER_ID, BUILDING_ID, { name: 'Main House', property_type: 'Flat' }),
    method: 'PUT',
    path: `${ORG}/users/${USER_ID}/buildings/${BUILDING_ID}`,
    body: { name: 'Main House', property_type: 'Flat' },
    response: buildingExample,
  },
  {
    name: 'buildings.delete',
    call: (c) => c.buildings.delete(USER_ID, BUILDING_ID),
    method: 'DELETE',
    path: `${ORG}/users/${USER_ID}/buildings/${BUILDING_ID}`,
    response: undefined,
    status: 204,
  },
  {
    name: 'onboarding.create',
    call: (c) =>
      c.onboarding.create({
        user_id: USER_ID,
        language: 'de',
        price_zone_default: 'DE_LU',
        is_smart_optimization_active_default: true,
        success_url: 'https://www.success.com',
        cancel_url: 'https://www.error.com',
        building_id: BUILDING_ID,
      }),
    method: 'POST',
    path: `${API}/device-onboarding`,
    body: {
      user_id: USER_ID,
      language: 'de',
      price_zone_default: 'DE_LU',
      is_smart_optimization_active_default: true,
      success_url: 'https://www.success.com',
      cancel_url: 'https://www.error.com',
      building_id: BUILDING_ID,
    },
    response: onboardingSessionExample,
  },
  {
    name: 'onboarding.get',
    call: (c) => c.onboarding.get(SESSION_ID),
    method: 'GET',
    path: `${API}/device-onboarding/${SESSION_ID}`,
    response: onboardingSessionExample,
  },
  {
    name: 'heatPumps.list',
    call: (c) => c.heatPumps.list(USER_ID),
    method: 'GET',
    path: `${ORG}/users/${USER_ID}/heat-pumps`,
    response: [referenceHeatPump],
  },
  {
    name: 'heatPumps.get',
    call: (c) => c.heatPumps.get(USER_ID, HEAT_PUMP_ID),
    method: 'GET',
    path: HP,
    response: referenceHeatPump,
  },
  {
    name: 'heatPumps.get with includeDeleted',
    call: (c) => c.heatPumps.get(USER_ID, HEAT_PUMP_ID, { includeDeleted: true }),
    method: 'GET',
    path: HP,
    rawQuery: 'include_deleted=true',
    response: referenceHeatPump,
  },
  {
    name: 'heatPumps.create with no body (empty device)',
    call: (c) => c.heatPumps.create(USER_ID),
    method: 'POST',
    path: `${ORG}/users/${USER_ID}/heat-pumps`,
    response: referenceHeatPump,
  },
  {
    name: 'heatPumps.create with a body',
    call: (c) => c.heatPumps.create(USER_ID, { price_zone: 'AT', building_id: BUILDING_ID }),
    method: 'POST',
    path: `${ORG}/users/${USER_ID}/heat-pumps`,
    body: { price_zone: 'AT', building_id: BUILDING_ID },
    response: referenceHeatPump,
  },
  {
    name: 'heatPumps.update',
    call: (c) =>
      c.heatPumps.update(USER_ID, HEAT_PUMP_ID, { optimization_level: 'Mid', pause_power_until: null }),
    method: 'PUT',
    path: HP,
    body: { optimization_level: 'Mid', pause_power_until: null },
    response: referenceHeatPump,
  },
  {
    name: 'heatPumps.delete',
    call: (c) => c.heatPumps.delete(USER_ID, HEAT_PUMP_ID),
    method: 'DELETE',
    path: HP,
    response: undefined,
    status: 204,
  },
  {
    name: 'heatPumps.statistics',
    call: (c) =>
      c.heatPumps.statistics(USER_ID, HEAT_PUMP_ID, {
        resolution: ['1DAY', '1MONTH'],
        keywords: ['savings', 'consumption'],
      }),
    method: 'GET',
    path: `${HP}/statistics`,
    rawQuery: 'resolution=1DAY,1MONTH&keywords=savings,consumption',
    response: statisticsExample,
  },
  {
    name: 'heatPumps.statistics with no query',
    call: (c) => c.heatPumps.statistics(USER_ID, HEAT_PUMP_ID),
    method: 'GET',
    path: `${HP}/statistics`,
    rawQuery: '',
    response: statisticsExample,
  },
  {
    name: 'heatPumps.savings',
    call: (c) =>
      c.heatPumps.savings(USER_ID, HEAT_PUMP_ID, {
        from: new Date('2024-01-01T00:00:00Z'),
        to: '2024-02-01T00:00:00+01:00',
        resolution: '1WEEK',
      }),
    method: 'GET',
    path: `${HP}/savings`,
    rawQuery: 'from=2024-01-01T00%3A00%3A00.000Z&to=2024-02-01T00%3A00%3A00%2B01%3A00&resolution=1WEEK',
    response: statisticsExample,
  },
  {
    name: 'heatPumps.data with the fill-missing header',
    call: (c) =>
      c.heatPumps.data(USER_ID, HEAT_PUMP_ID, {
        from_datetime: '2021-01-01T00:00:00Z',
        to_datetime: '2021-01-02T00:00:00Z',
        resolution: '15MIN',
        keywords: ['inlet_temp_act', 'price'],
        fillMissing: true,
      }),
    method: 'GET',
    path: `${HP}/data`,
    rawQuery:
      'from_datetime=2021-01-01T00%3A00%3A00Z&to_datetime=2021-01-02T00%3A00%3A00Z&resolution=15MIN&keywords=inlet_temp_act,price',
    headers: { 'fill-missing': 'true' },
    response: heatPumpDataExample,
  },
];

describe('createPoderoClient endpoints', () => {
  it.each(cases)('$name sends the documented method, path, query and body', async (tc) => {
    // Prepare
    const { client, requests } = setup(() => json(tc.status ?? 200, tc.response));
    // Act
    const result = await tc.call(client);
    // Assess
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.method).toBe(tc.method);
    expect(request?.url.origin).toBe('https://podero.test');
    expect(request?.path).toBe(tc.path);
    expect(request?.rawQuery).toBe(tc.rawQuery ?? '');
    expect(request?.body).toEqual(tc.body);
    expect(request?.headers.get('authorization')).toBe('Bearer token-abc');
    expect(request?.headers.get('accept')).toBe('application/json');
    expect(request?.headers.get('content-type')).toBe(tc.body === undefined ? null : 'application/json');
    for (const [name, value] of Object.entries(tc.headers ?? {})) {
      expect(request?.headers.get(name)).toBe(value);
    }
    if (tc.name === 'heatPumps.data with the fill-missing header') {
      expect(request?.query.keywords).toBe('inlet_temp_act,price');
    } else {
      expect(request?.headers.has('fill-missing')).toBe(false);
    }
    if (tc.response === undefined) expect(result).toBeUndefined();
    else expect(result).toEqual(tc.response);
  });

  it.each([
    'https://podero.test',
    'https://podero.test/',
    'https://podero.test/api/partners/v2.0',
    'https://podero.test/api/partners/v2.0/',
  ])('builds the same URL whether the base URL is %s', async (baseUrl) => {
    const { client, requests } = setup(() => json(200, []), baseUrl);
    await client.users.list();
    expect(requests[0]?.url.href).toBe(`https://podero.test${ORG}/users`);
  });

  it('keeps a path prefix of the base URL (a proxy)', async () => {
    const { client, requests } = setup(() => json(200, []), 'http://127.0.0.1:9/podero/');
    await client.users.list();
    expect(requests[0]?.url.href).toBe(`http://127.0.0.1:9/podero${ORG}/users`);
  });

  it('sends include_deleted=false when asked explicitly', async () => {
    const { client, requests } = setup(() => json(200, referenceUser));
    await client.users.getByExternalId('crm-42', { includeDeleted: false });
    expect(requests[0]?.rawQuery).toBe('include_deleted=false');
  });
});

describe('request validation (nothing is sent)', () => {
  const invalid: { name: string; call: (c: PoderoClient) => Promise<unknown>; field: string }[] = [
    { name: 'a user id that is not a uuid', call: (c) => c.users.get('42'), field: 'userId' },
    {
      name: 'an unknown role',
      call: (c) => c.users.create({ role: 'owner' as 'user', email: 'a@b.co' }),
      field: 'body.role',
    },
    {
      name: 'a bad email',
      call: (c) => c.users.create({ role: 'user', email: 'nope' }),
      field: 'body.email',
    },
    {
      name: 'a missing email',
      call: (c) => c.users.create({ role: 'user' } as never),
      field: 'body.email',
    },
    {
      name: 'an unknown field (typo)',
      call: (c) => c.users.update(USER_ID, { external_id: 'x' } as never),
      field: 'body',
    },
    { name: 'an empty external id', call: (c) => c.users.getByExternalId(''), field: 'externalUserId' },
    // A dot segment would be normalised away: `/users/by-ext-id/..` is the organisation's user list.
    { name: 'the external id ..', call: (c) => c.users.getByExternalId('..'), field: 'externalUserId' },
    { name: 'the external id .', call: (c) => c.users.getByExternalId('.'), field: 'externalUserId' },
    {
      name: 'the external id %2e%2E',
      call: (c) => c.users.getByExternalId('%2e%2E'),
      field: 'externalUserId',
    },
    {
      name: 'a building name over 100 characters',
      call: (c) => c.buildings.create(USER_ID, { name: 'x'.repeat(101) }),
      field: 'body.name',
    },
    {
      name: 'a building without a name',
      call: (c) => c.buildings.create(USER_ID, {} as never),
      field: 'body.name',
    },
    {
      name: 'an unknown property type',
      call: (c) => c.buildings.create(USER_ID, { name: 'a', property_type: 'single_family_home' as 'Flat' }),
      field: 'body.property_type',
    },
    {
      name: 'a building id that is not a uuid',
      call: (c) => c.buildings.get(USER_ID, 'b1'),
      field: 'buildingId',
    },
    {
      name: 'a price zone not in the enum (the guide example "DE")',
      call: (c) =>
        c.onboarding.create({
          user_id: USER_ID,
          language: 'de',
          price_zone_default: 'DE' as 'DE_LU',
          success_url: 'https://s.example',
          cancel_url: 'https://c.example',
        }),
      field: 'body.price_zone_default',
    },
    {
      name: 'a language not in the enum ("fr")',
      call: (c) =>
        c.onboarding.create({
          user_id: USER_ID,
          language: 'fr' as 'de',
          price_zone_default: 'AT',
          success_url: 'https://s.example',
          cancel_url: 'https://c.example',
        }),
      field: 'body.language',
    },
    {
      name: 'a success_url that is not a URL',
      call: (c) =>
        c.onboarding.create({
          user_id: USER_ID,
          language: 'de',
          price_zone_default: 'AT',
          success_url: 'not a url',
          cancel_url: 'https://c.example',
        }),
      field: 'body.success_url',
    },
    { name: 'a bad session id', call: (c) => c.onboarding.get('s-1'), field: 'sessionId' },
    { name: 'a bad heat pump id', call: (c) => c.heatPumps.get(USER_ID, 'hp'), field: 'heatPumpId' },
    {
      name: 'a lower-case optimization level',
      call: (c) => c.heatPumps.update(USER_ID, HEAT_PUMP_ID, { optimization_level: 'mid' as 'Mid' }),
      field: 'body.optimization_level',
    },
    {
      name: 'a non-ISO pause_power_until',
      call: (c) => c.heatPumps.update(USER_ID, HEAT_PUMP_ID, { pause_power_until: 'tomorrow' }),
      field: 'body.pause_power_until',
    },
    {
      name: 'an unknown statistics resolution',
      call: (c) => c.heatPumps.statistics(USER_ID, HEAT_PUMP_ID, { resolution: '1HOUR' as '1DAY' }),
      field: 'query.resolution',
    },
    {
      name: 'savings without from',
      call: (c) => c.heatPumps.savings(USER_ID, HEAT_PUMP_ID, { to: '2024-01-01' } as never),
      field: 'query.from',
    },
    {
      name: 'an unknown data keyword',
      call: (c) => c.heatPumps.data(USER_ID, HEAT_PUMP_ID, { keywords: ['solar_production_w' as 'price'] }),
      field: 'query.keywords',
    },
  ];

  it.each(invalid)('rejects $name with PoderoRequestError naming $field', async ({ call, field }) => {
    const { client, requests } = setup(() => json(200, {}));
    const error = await call(client).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PoderoRequestError);
    const issues = (error as PoderoRequestError).issues;
    expect(issues.some((issue) => issue.path === field || issue.path.startsWith(`${field}.`))).toBe(true);
    expect((error as Error).message).toContain(field);
    expect(requests).toHaveLength(0);
  });

  it('refuses client options with an org id that is not a uuid, naming the option', () => {
    expect(() =>
      createPoderoClient({
        baseUrl: 'https://x.test',
        orgId: 'acme',
        tokenProvider: staticTokenProvider('t'),
      }),
    ).toThrow(/orgId/);
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() =>
      createPoderoClient({ baseUrl: 'ftp://x.test', orgId: ORG_ID, tokenProvider: staticTokenProvider('t') }),
    ).toThrow(/baseUrl/);
  });
});

describe('response parsing of the contract examples', () => {
  it("parses Appendix A's older heat-pump shape and keeps its fields", async () => {
    const { client } = setup(() => json(200, appendixAHeatPumps));
    const [heatPump] = await client.heatPumps.list(USER_ID);
    expect(heatPump?.id).toBe(HEAT_PUMP_ID);
    expect(heatPump?.operational_mode).toBe('heating');
    expect(heatPump?.consumption_last_day_kwh).toBe(45.3);
    expect(heatPump?.owner).toEqual({ id: USER_ID, email: 'user@example.com' });
    expect(heatPump?.device_model?.year).toBeNull();
    expect(heatPump?.authorization_url).toBeNull();
  });

  it('keeps unknown fields and accepts enum values it has never seen', async () => {
    const future = { ...referenceHeatPump, connection_status: 'degraded', brand_new_field: { a: 1 } };
    const { client } = setup(() => json(200, future));
    const heatPump = await client.heatPumps.get(USER_ID, HEAT_PUMP_ID);
    expect(heatPump.connection_status).toBe('degraded');
    expect((heatPump as Record<string, unknown>).brand_new_field).toEqual({ a: 1 });
  });

  it('parses the data endpoint with null values (fill-missing)', async () => {
    const { client } = setup(() => json(200, heatPumpDataExample));
    const result = await client.heatPumps.data(USER_ID, HEAT_PUMP_ID, { fillMissing: true });
    expect(result.data[1]?.price).toBeNull();
  });
});
