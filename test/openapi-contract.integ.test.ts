import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type RouteDeclaration, routeDeclarations } from '@podero-bridge/functions/declarations';
import type { LocalStack } from '@podero-bridge/local';
import { marketDay } from '@podero-bridge/podero-client';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fillPath } from './support/fill-path';
import { connectDevice, connectHeatPump, onboardUser } from './support/flows';
import { startTestStack, type TestStack } from './support/local-stack';
import { contractOf } from './support/openapi-contract';
import { rawRequest } from './support/raw-http';
import { scanTable } from './support/tables';

/**
 * The OpenAPI document tells the truth: it is a valid OpenAPI 3.1 document, and real answers of every
 * route through the local stack (successes, the gateway's own errors and ours: 400, 401, 403, 404, 409,
 * 413, 415, 502, 503) have a documented status and a body that matches the documented schema.
 */
const USER = 'doc-1';
const KB = 1024;
let testStack: TestStack;
let stack: LocalStack;
let document: Record<string, unknown>;
let adminToken: string;
let intruderToken: string;
let ids: {
  deviceId: string;
  sessionId: string;
  pendingSessionId: string;
  contractId: string;
  webhookId: string;
  webhookToDelete: string;
  /** An attempt of a test event to `webhookId` (refused: nothing listens on port 9), and its event. */
  webhookDeliveryId: string;
  webhookEventId: string;
  /** An electric vehicle and a wallbox of USER, added at the simulator (the charging controls' routes). */
  vehicleId: string;
  wallboxId: string;
  inverterId: string;
};

beforeAll(async () => {
  testStack = await startTestStack();
  stack = testStack.stack;
  adminToken = await stack.mintToken({ admin: true });
  intruderToken = await stack.mintToken({ sub: 'intruder-1' });
  await onboardUser(stack.apiUrl, adminToken, USER);
  const connected = await connectHeatPump(stack.apiUrl, adminToken, USER);
  // One device of every other kind, each through its own onboarding session.
  const other = async (type: 'ev' | 'wb' | 'iv') =>
    (await connectDevice(stack.apiUrl, adminToken, USER, type)).deviceId;
  otherDevices = {
    electric_vehicle_id: await other('ev'),
    wallbox_id: await other('wb'),
    inverter_id: await other('iv'),
  };
  const pending = await send('POST', `/users/${USER}/onboarding-sessions`, sessionBody);
  const contract = await send('POST', `/users/${USER}/energy-contracts`, contractBody);
  const webhook = async () =>
    ((await send('POST', '/webhooks', { url: 'http://127.0.0.1:9/hooks' })).json as { id: string }).id;
  const webhookId = await webhook();
  ids = {
    ...connected,
    pendingSessionId: (pending.json as { id: string }).id,
    contractId: (contract.json as { id: string }).id,
    webhookId,
    webhookToDelete: await webhook(),
    ...(await firstAttemptOf(webhookId)),
    ...chargingDevices(),
  };
  await seedReadyTradingDay();
  document = (await send('GET', '/openapi.json', undefined, { token: null })).json as Record<string, unknown>;
}, 60_000);
/** The EV's, the wallbox's and the inverter's ids, by their path parameter. */
let otherDevices: Partial<Record<'electric_vehicle_id' | 'wallbox_id' | 'inverter_id', string>> = {};

afterAll(async () => {
  await testStack?.close();
});

/** Sends the webhook a test event and waits (bounded) for its first attempt in the delivery log. */
async function firstAttemptOf(
  webhookId: string,
): Promise<{ webhookDeliveryId: string; webhookEventId: string }> {
  await send('POST', `/webhooks/${webhookId}/test`);
  for (let i = 0; i < 200; i++) {
    const log = await send('GET', `/webhooks/${webhookId}/deliveries`);
    const [attempt] = (log.json as { items: { delivery_id: string; event_id: string }[] }).items;
    if (attempt) return { webhookDeliveryId: attempt.delivery_id, webhookEventId: attempt.event_id };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no delivery attempt of the test event within 20 s');
}

/** The EV and the wallbox unplugged, so that a boost is armed (a success) whatever the simulated time of day. */
function chargingDevices(): { vehicleId: string; wallboxId: string; inverterId: string } {
  const control = stack.simulator.control;
  const vehicleId = otherDevices.electric_vehicle_id ?? '';
  const wallboxId = otherDevices.wallbox_id ?? '';
  const inverterId = otherDevices.inverter_id ?? '';
  control.driveElectricVehicle(vehicleId, { plugged_in: false });
  control.driveWallbox(wallboxId, { plugged_in: false });
  return { vehicleId, wallboxId, inverterId };
}

const sessionBody = {
  language: 'en',
  price_zone_default: 'AT',
  success_url: 'https://partner.example/done',
  cancel_url: 'https://partner.example/cancel',
};

function send(
  method: string,
  path: string,
  body?: unknown,
  options: { token?: string | null; contentType?: string; raw?: string } = {},
) {
  const token = options.token === undefined ? adminToken : options.token;
  const text = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  return rawRequest(stack.apiUrl, {
    method,
    path,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(text === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }),
    },
    ...(text === undefined ? {} : { body: text }),
  });
}

const apiRoutes = routeDeclarations.filter((r) => r.function === 'api');

/** Trading days far ahead of the stack's (real) clock: one to upload, one stored with its curves ready. */
const NEW_TRADING_DAY = '2030-06-15';
const READY_TRADING_DAY = '2030-06-16';

/** A day whose curves are stored (as the workflow stores them), so the desk's decision can be taken. */
async function seedReadyTradingDay(): Promise<void> {
  const at = '2026-12-01T00:00:00Z';
  const far = '2030-06-15T21:30:00Z';
  await testStack.db.send(
    new PutCommand({
      TableName: stack.tableNames.main,
      Item: {
        pk: 'TRADING#AT',
        sk: `DAY#${READY_TRADING_DAY}`,
        entity: 'trading_day',
        price_zone: 'AT',
        delivery_day: READY_TRADING_DAY,
        state: 'curves_ready',
        forecast: [{ start: '2030-06-15T22:00:00Z', price_eur_mwh: 12 }],
        forecast_digest: 'seeded',
        deadlines: {
          upload_by: far,
          curves_expected_at: far,
          curves_late_at: far,
          confirm_by: far,
          confirmation_due_at: far,
        },
        variant: 'reference',
        curves: [
          {
            start: '2030-06-15T22:00:00Z',
            optimized_wh: 5,
            unoptimized_wh: 3,
            delta_wh: 2,
            price_eur_mwh: 12,
          },
        ],
        optimized_wh: 5,
        unoptimized_wh: 3,
        expected_saving_eur: 0,
        created_at: at,
        updated_at: at,
      },
    }),
  );
}

const contractBody = {
  energy_contract_type: 'spot_hourly',
  energy_prices: [{ price: 0.18, timestamp: '2026-01-01T00:00:00Z' }],
  currency_energy_price: 'EUR',
};

/** The query a route needs to succeed (a range for the savings routes). */
const queries: Partial<Record<string, string>> = {
  getHeatPumpSavings: '?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&resolution=1WEEK',
  getElectricVehicleSavings: '?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&resolution=1WEEK',
  getInverterSavings: '?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&resolution=1WEEK',
  getOrganisationSavings: '?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z',
  listElectricVehicleSessions: '?from=2026-11-01&to=2026-12-01&limit=5',
};

/**
 * The change each device's control (and the charging configuration's PUT) recorded in the successes loop, by
 * the path its change routes hang from: the change routes (declared after the controls) read that one back.
 */
const recordedChanges = new Map<string, string>();
const changeIdSchema = z.looseObject({ change: z.looseObject({ id: z.string() }) });

/** A concrete path for a declared route, about `user`, with its other ids filled in. */
function pathOf(route: RouteDeclaration, user = USER, overrides: { device?: string; session?: string } = {}) {
  const device = (id: string) => overrides.device ?? id;
  const path = fillPath(route.path, {
    external_user_id: user,
    heat_pump_id: device(ids.deviceId),
    electric_vehicle_id: device(otherDevices.electric_vehicle_id ?? ''),
    wallbox_id: device(otherDevices.wallbox_id ?? ''),
    inverter_id: device(otherDevices.inverter_id ?? ''),
    session_id: overrides.session ?? ids.sessionId,
    contract_id: ids.contractId,
    webhook_id: route.operationId === 'deleteWebhook' ? ids.webhookToDelete : ids.webhookId,
    delivery_id: ids.webhookDeliveryId,
    event_id: ids.webhookEventId,
    price_zone: 'AT',
    change_id:
      recordedChanges.get(route.path.replace(/\/changes\/\{change_id\}$/, '')) ?? 'chg_00000000000000000000',
    // The month the stack's clock is in (UTC): the statement routes' month with data.
    month: stack.simulator.control.now().toISOString().slice(0, 7),
    delivery_day: route.operationId === 'putTradingPrices' ? NEW_TRADING_DAY : READY_TRADING_DAY,
  });
  return `${path}${queries[route.operationId] ?? ''}`;
}

const validBodies: Partial<Record<string, unknown>> = {
  createUser: { external_user_id: 'doc-2', email: 'doc-2@example.com' },
  updateUser: { first_name: 'Ada' },
  createBuilding: { name: 'Home' },
  createOnboardingSession: sessionBody,
  updateHeatPump: { is_smart_optimization_active: false },
  updateElectricVehicle: { minimum_charge_limit: 70, charge_deadline_at: '06:30' },
  updateWallbox: { is_smart_optimization_active: false },
  updateInverter: { min_battery_charge: 25 },
  ...Object.fromEntries(
    ['ElectricVehicle', 'Wallbox', 'Inverter'].map((kind) => [
      `start${kind}Reauthentication`,
      {
        success_url: 'https://partner.example/reconnected',
        cancel_url: 'https://partner.example/not-reconnected',
      },
    ]),
  ),
  startHeatPumpReauthentication: {
    success_url: 'https://partner.example/reconnected',
    cancel_url: 'https://partner.example/not-reconnected',
  },
  createEnergyContract: contractBody,
  updateEnergyContract: { supplier: 'Wien Energie' },
  createWebhook: { url: 'http://127.0.0.1:9/hooks', events: ['heat_pump.connection_lost'] },
  updateWebhook: { description: 'CRM' },
  putTradingPrices: {
    prices: marketDay(NEW_TRADING_DAY).quarterHours.map((start, i) => ({ start, price_eur_mwh: i - 40 })),
  },
  confirmTradingDay: { accepted: true },
  updateElectricVehicleChargePolicy: {
    ...Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [
        d,
        { charge_percentage: 80, charge_deadline: '07:00' },
      ]),
    ),
    timezone: 'UTC',
  },
  updateChargingConfig: { mode: 'spot' },
};

/** Routes whose success needs a device in a particular state: exercised on their own below. */
const LIFECYCLE_ROUTES = new Set([
  'deleteUser',
  'deleteHeatPump',
  'deleteElectricVehicle',
  'deleteWallbox',
  'deleteInverter',
  'startHeatPumpReauthentication',
  'completeReauthentication',
  // Offboarding the vehicle or the wallbox first would leave the charging controls nothing to act on.
  'deleteElectricVehicle',
  'deleteWallbox',
  'deleteInverter',
  // The other kinds' re-authentication succeeds only for a device whose connection lapsed.
  'startElectricVehicleReauthentication',
  'startWallboxReauthentication',
  'startInverterReauthentication',
]);

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document with named components and a servers entry', async () => {
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
    expect((document.servers as unknown[]).length).toBeGreaterThan(0);
    const names = Object.keys((document.components as { schemas: object }).schemas);
    expect(names).toEqual(expect.arrayContaining(['User', 'HeatPump', 'Reading', 'Error', 'GatewayError']));
  });

  it("documents API Gateway's throttling answer (429, its own body) on every operation", () => {
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    let operations = 0;
    for (const [path, methods] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        operations++;
        expect(JSON.stringify(operation.responses['429']), `${method} ${path}`).toContain('GatewayError');
      }
    }
    // Each declared route once; API Gateway's CORS preflight is no operation (x-cors-preflight describes it).
    expect(operations).toBe(apiRoutes.length);
  });

  it('describes the CORS preflight the local gateway answers: 404, as API Gateway does on a stage with no origin', async () => {
    const contract = contractOf(document);
    for (const path of ['/users', '/health', `/users/u-1/heat-pumps/hp-1/readings`]) {
      const res = await send('OPTIONS', path, undefined, { token: null });
      expect(res.status, path).toBe(404);
      expect(contract.preflightProblems(res), path).toEqual([]);
    }
  });

  it('describes every real answer of every route, successes and errors alike', async () => {
    const contract = contractOf(document);
    const problems: string[] = [];
    const seen = new Map<string, Set<number>>();
    const check = async (route: RouteDeclaration, answer: Promise<Awaited<ReturnType<typeof send>>>) => {
      const res = await answer;
      problems.push(...contract.problems(route.method, route.path, res));
      const statuses = seen.get(route.operationId) ?? new Set();
      statuses.add(res.status);
      seen.set(route.operationId, statuses);
    };
    const byId = (id: string) => apiRoutes.find((r) => r.operationId === id) as RouteDeclaration;

    // Successes (each route once, some twice: cache and live, pending and completed, created and repeated).
    for (const route of apiRoutes) {
      if (LIFECYCLE_ROUTES.has(route.operationId)) continue;
      const answer = await send(route.method, pathOf(route), validBodies[route.operationId]);
      const recorded = changeIdSchema.safeParse(answer.json);
      // A device's settings (PATCH) and the user's charging configuration (PUT) record one each.
      if ((route.method === 'PATCH' || route.method === 'PUT') && recorded.success)
        recordedChanges.set(route.path, recorded.data.change.id);
      await check(route, Promise.resolve(answer));
    }
    await check(byId('createUser'), send('POST', '/users', validBodies.createUser));
    await check(
      byId('getOnboardingSession'),
      send('GET', pathOf(byId('getOnboardingSession'), USER, { session: ids.pendingSessionId })),
    );
    await check(byId('listHeatPumps'), send('GET', `/users/${USER}/heat-pumps?max_age_seconds=0`));
    await check(byId('getHeatPump'), send('GET', `${pathOf(byId('getHeatPump'))}?max_age_seconds=0`));
    await check(byId('deleteUser'), send('DELETE', '/users/doc-2'));
    // The offboarding's erasure job (before it, the route answers 404 for the user).
    await check(byId('getUserErasure'), send('GET', '/users/doc-2/erasure'));

    // Errors that need no fault: the gateway's 401, our 400, 403, 404, 409, 413 and 415.
    for (const route of apiRoutes.filter((r) => r.access !== 'public')) {
      const body = validBodies[route.operationId];
      await check(route, send(route.method, pathOf(route), body, { token: null }));
      await check(route, send(route.method, pathOf(route, 'intruder-2'), body, { token: intruderToken }));
      if (route.path.includes('{external_user_id}')) {
        await check(route, send(route.method, pathOf(route, 'nobody-1'), body));
        const badId = [
          /\{heat_pump_id\}/,
          ...Object.keys(otherDevices).map((p) => new RegExp(p.replace(/[{}]/g, '\\$&'))),
        ].some((p) => p.test(route.path))
          ? pathOf(route, USER, { device: 'not-a-uuid' })
          : route.path.includes('{session_id}')
            ? pathOf(route, USER, { session: 'not-a-uuid' })
            : pathOf(route, '..');
        await check(route, send(route.method, badId, body));
      } else if (route.path.includes('{webhook_id}')) {
        await check(
          route,
          send(route.method, pathOf(route).replace(/wh_[0-9a-f]{24}/, 'not-a-webhook'), body),
        );
      } else {
        await check(route, send(route.method, pathOf(route), {}));
        // Routes without path parameters: an unknown query parameter is their 400.
        if (route.method === 'GET') await check(route, send('GET', `${route.path}?unknown=1`));
      }
      if (body !== undefined) {
        await check(route, send(route.method, pathOf(route), undefined, { raw: 'x'.repeat(70 * KB) }));
        await check(
          route,
          send(route.method, pathOf(route), undefined, { raw: 'a=1', contentType: 'text/plain' }),
        );
      }
    }
    await check(
      byId('createUser'),
      send('POST', '/users', { external_user_id: USER, email: 'other@example.com' }),
    );

    // Podero failing (502) and rate-limiting (503 with Retry-After), for every route that reaches it.
    for (const fault of [{ status: 500 as const }, { status: 429 as const, retry_after_seconds: 30 }]) {
      stack.simulator.control.setFaults([{ ...fault }]);
      try {
        for (const route of apiRoutes.filter((r) => r.access !== 'public')) {
          const query =
            route.operationId.endsWith('HeatPumps') || route.operationId === 'getHeatPump'
              ? '?max_age_seconds=0'
              : '';
          const body =
            route.operationId === 'createUser'
              ? { external_user_id: 'doc-3', email: 'doc-3@example.com' }
              : validBodies[route.operationId];
          await check(route, send(route.method, `${pathOf(route)}${query}`, body));
        }
      } finally {
        stack.simulator.control.clearFaults();
      }
    }

    // The device lifecycle: a lost connection, its re-authentication (201, then 409 once connected), the
    // callback (303, again 303 on reuse, 404 for an unknown token, 410 once expired), and the device's
    // offboarding (204).
    stack.simulator.control.setConnection(ids.deviceId, { authenticated: false });
    const reauthentication = byId('startHeatPumpReauthentication');
    const started = send('POST', pathOf(reauthentication), validBodies.startHeatPumpReauthentication);
    await check(reauthentication, started);
    const redirectUrl = ((await started).json as { redirect_url: string }).redirect_url;
    const pageToken = new URL(redirectUrl).searchParams.get('token') ?? '';
    const page = await fetch(`${stack.simulator.baseUrl}/connect/reauthenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: pageToken, username: 'u', password: 'p' }).toString(),
      redirect: 'manual',
    });
    const callbackUrl = new URL(page.headers.get('location') ?? '');
    const callback = byId('completeReauthentication');
    const callbackPath = `${callbackUrl.pathname}${callbackUrl.search}`;
    await check(callback, send('GET', callbackPath, undefined, { token: null }));
    await check(callback, send('GET', callbackPath, undefined, { token: null }));
    await check(
      callback,
      send(
        'GET',
        `/reauthentication/callback?token=${'B'.repeat(43)}&outcome=fail&proof=${'C'.repeat(43)}`,
        undefined,
        { token: null },
      ),
    );
    await check(
      callback,
      send('GET', `/reauthentication/callback?token=x&outcome=fail&proof=${'C'.repeat(43)}`, undefined, {
        token: null,
      }),
    );
    await check(
      reauthentication,
      send('POST', pathOf(reauthentication), validBodies.startHeatPumpReauthentication),
    );
    // A link that comes back after the cue's secret expired (the attempt is aged in the table): 410.
    stack.simulator.control.setConnection(ids.deviceId, { authenticated: false });
    const late = await send('POST', pathOf(reauthentication), validBodies.startHeatPumpReauthentication);
    const latePage = await fetch(`${stack.simulator.baseUrl}/connect/reauthenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: new URL((late.json as { redirect_url: string }).redirect_url).searchParams.get('token') ?? '',
        action: 'cancel',
      }).toString(),
      redirect: 'manual',
    });
    for (const item of await scanTable(testStack.db, stack.tableNames.main)) {
      if (String(item.pk).startsWith('REAUTH#') && item.state === 'open') {
        await testStack.db.send(
          new UpdateCommand({
            TableName: stack.tableNames.main,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'SET valid_until_ms = :past',
            ExpressionAttributeValues: { ':past': 0 },
          }),
        );
      }
    }
    const lateUrl = new URL(latePage.headers.get('location') ?? '');
    await check(callback, send('GET', `${lateUrl.pathname}${lateUrl.search}`, undefined, { token: null }));
    await check(byId('deleteHeatPump'), send('DELETE', pathOf(byId('deleteHeatPump'))));
    await check(byId('deleteHeatPump'), send('DELETE', pathOf(byId('deleteHeatPump'))));
    // A device of another kind whose connection lapsed: its re-authentication is Podero's auth_session (201
    // with its URL).
    for (const [kind, param] of [
      ['ElectricVehicle', 'electric_vehicle_id'],
      ['Wallbox', 'wallbox_id'],
      ['Inverter', 'inverter_id'],
    ] as const) {
      const route = byId(`start${kind}Reauthentication`);
      stack.simulator.control.setDeviceConnection(otherDevices[param] ?? '', {
        authenticated: false,
        reauthentication: true,
      });
      await check(route, send('POST', pathOf(route), validBodies[`start${kind}Reauthentication`]));
      expect(seen.get(route.operationId)).toContain(201);
    }
    for (const id of ['deleteElectricVehicle', 'deleteWallbox', 'deleteInverter']) {
      await check(byId(id), send('DELETE', pathOf(byId(id))));
      await check(byId(id), send('DELETE', pathOf(byId(id))));
    }
    expect([...(seen.get('completeReauthentication') ?? [])].sort()).toEqual([303, 400, 404, 410]);
    expect(seen.get('startHeatPumpReauthentication')).toContain(409);

    expect(problems).toEqual([]);
    // Every protected route was seen succeeding and refusing in each of the ways above.
    for (const route of apiRoutes.filter((r) => r.access !== 'public')) {
      const statuses = seen.get(route.operationId) ?? new Set();
      expect([...statuses].filter((s) => s < 300).length, route.operationId).toBeGreaterThan(0);
      for (const status of [400, 401, 403])
        expect(statuses, `${route.operationId} ${status}`).toContain(status);
    }
    const all = new Set([...seen.values()].flatMap((s) => [...s]));
    for (const status of [200, 201, 204, 303, 400, 401, 403, 404, 409, 410, 413, 415, 502, 503])
      expect(all).toContain(status);
  }, 120_000);
});
